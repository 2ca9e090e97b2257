/* cfl_source.c: the flavour table and the calls through a source's ops
 * (see cfl_source.h). Kept free of any source's details so that adding a
 * source never edits this file beyond cfl_sources.def.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>

#include "cfl_source.h"

#define CFL_SOURCE(flavor, ops) extern const cfl_source_ops_t ops;
#include "cfl_sources.def"
#undef CFL_SOURCE

static const struct {
	cfl_flavor_t flavor;
	const cfl_source_ops_t *ops;
} rows[] = {
#define CFL_SOURCE(flavor, ops) { flavor, &ops },
#include "cfl_sources.def"
#undef CFL_SOURCE
};

struct cfl_source {
	const cfl_source_ops_t *ops;
	void *self;
};

const cfl_source_ops_t *cfl_source_ops_of(cfl_flavor_t flavor)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].flavor == flavor)
			return rows[i].ops;
	return NULL;
}

cfl_source_t *cfl_source_new(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err)
{
	const cfl_source_ops_t *ops = cfl_source_ops_of(cfg->flavor);
	cfl_source_t *s;

	if (ops == NULL) {
		cfl_err_set(err, CFL_EINVAL, "no source reads the flavor \"%s\"", cfl_flavor_name(cfg->flavor));
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	s->ops = ops;
	if ((s->self = ops->create(cfg, err)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void cfl_source_free(cfl_source_t *s)
{
	if (s == NULL)
		return;
	s->ops->destroy(s->self);
	free(s);
}

cfl_rc_t cfl_source_restore(cfl_source_t *s, const cfl_state_t *st, cfl_errbuf_t *err)
{
	return s->ops->restore(s->self, st, err);
}

void cfl_source_begin(cfl_source_t *s, int64_t now_ms)
{
	s->ops->begin(s->self, now_ms);
}

cfl_src_action_t cfl_source_next(cfl_source_t *s, cfl_request_t *req)
{
	return s->ops->next(s->self, req);
}

cfl_rc_t cfl_source_feed(cfl_source_t *s, const char *body, size_t len, cfl_errbuf_t *err)
{
	return s->ops->feed(s->self, body, len, err);
}

int cfl_source_rejected(cfl_source_t *s, int64_t now_ms, char *why, size_t len)
{
	return s->ops->rejected != NULL && s->ops->rejected(s->self, now_ms, why, len);
}

size_t cfl_source_batch(const cfl_source_t *s, const cfl_event_t **evs)
{
	return s->ops->batch(s->self, evs);
}

cfl_rc_t cfl_source_commit(cfl_source_t *s, cfl_errbuf_t *err)
{
	return s->ops->commit(s->self, err);
}

cfl_rc_t cfl_source_snapshot(const cfl_source_t *s, const char *base_url, const char *flavor, cfl_state_t *st)
{
	memset(st, 0, sizeof(*st));
	if ((base_url != NULL && (st->base_url = strdup(base_url)) == NULL) ||
	    (flavor != NULL && (st->flavor = strdup(flavor)) == NULL))
		return CFL_ENOMEM;
	return s->ops->snapshot(s->self, st);
}

const cfl_src_stats_t *cfl_source_stats(const cfl_source_t *s)
{
	return s->ops->stats(s->self);
}

int cfl_source_cursor(const cfl_source_t *s, int64_t *ms)
{
	return s->ops->cursor(s->self, ms);
}

int64_t cfl_source_window_end(const cfl_source_t *s)
{
	return s->ops->window_end(s->self);
}

int cfl_source_take_warning(cfl_source_t *s, char *buf, size_t len)
{
	return s->ops->take_warning(s->self, buf, len);
}
