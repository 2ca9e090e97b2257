/* cfl_orgwalk_source.c: the organization walker behind the source
 * interface of cfl_source.h; thin, so that cfl_orgwalk.h stays the whole
 * story of how the events-stream is walked.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "cfl_orgwalk.h"
#include "cfl_source.h"

_Static_assert(CFL_ORGWALK_IDLE == (int)CFL_SRC_IDLE && CFL_ORGWALK_FETCH == (int)CFL_SRC_FETCH &&
                       CFL_ORGWALK_EMIT == (int)CFL_SRC_EMIT,
               "cfl_orgwalk_action_t must match cfl_src_action_t");

static void *create(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_orgwalk_cfg_t oc;

	memset(&oc, 0, sizeof(oc));
	oc.org_id = cfg->org_id;
	oc.page_size = cfg->page_size;
	oc.overlap_ms = cfg->overlap_ms;
	oc.initial_lookback_ms = cfg->initial_lookback_ms;
	oc.exclude = cfg->exclude;
	return cfl_orgwalk_new(&oc, err);
}

/* a rejected cursor is dropped and the walk resumes from the checkpoint */
static int rejected(void *self, int64_t now_ms, char *why, size_t len)
{
	return cfl_orgwalk_cursor_rejected(self, now_ms, why, len);
}

CFL_SOURCE_OPS(cfl_orgwalk_source_ops, cfl_orgwalk_t, cfl_orgwalk, create, cfl_orgwalk_checkpoint, cfl_orgwalk_walk_to,
               rejected);
