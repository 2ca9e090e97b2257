/* cfl_poll_source.c: cfl_poll (Cloud and Data Center) behind the source
 * interface of cfl_source.h; thin, so that cfl_poll.h stays the whole
 * story of how those APIs are paged.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "cfl_poll.h"
#include "cfl_source.h"

_Static_assert(CFL_POLL_IDLE == (int)CFL_SRC_IDLE && CFL_POLL_FETCH == (int)CFL_SRC_FETCH &&
                       CFL_POLL_EMIT == (int)CFL_SRC_EMIT,
               "cfl_poll_action_t must match cfl_src_action_t");

static void *create(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_poll_cfg_t pc;

	memset(&pc, 0, sizeof(pc));
	pc.flavor = cfg->flavor;
	pc.page_size = cfg->page_size;
	pc.overlap_ms = cfg->overlap_ms;
	pc.initial_lookback_ms = cfg->initial_lookback_ms;
	pc.exclude = cfg->exclude;
	pc.base = cfg->base;
	return cfl_poll_new(&pc, err);
}

/* Cloud offsets and Data Center cursors are rebuilt from the window each
 * walk: nothing the server could reject as stale, so no `rejected`. */
CFL_SOURCE_OPS(cfl_poll_source_ops, cfl_poll_t, cfl_poll, create, cfl_poll_cursor, cfl_poll_window_end, NULL);
