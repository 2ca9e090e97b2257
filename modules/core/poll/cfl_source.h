/* cfl_source.h: one interface for every audit API the input reads.
 *
 * The driver (modules/imconfluence/imconfluence_driver.c) knows sources
 * only through this header, so a new API is a new file in core/poll that
 * fills a cfl_source_ops_t (CFL_SOURCE_OPS), plus a row in cfl_sources.def
 * naming its flavour; the driver does not change. The flavour itself (its
 * enum value and name: cfl_flavor.[ch]) and its request URL (cfl_url.c)
 * are the other places an API is spelled. Each source keeps its own model
 * of paging (cfl_poll.h: Cloud and Data Center; cfl_orgwalk.h: the
 * organization events-stream), but hands the driver the same things:
 *
 *   cfl_source_restore(s, st)          once, before the first begin
 *   cfl_source_begin(s, now)           start a cycle; no-op while one runs
 *   loop: switch (cfl_source_next(s, &req))
 *     FETCH: GET cfl_url_build(req); on 200 cfl_source_feed(body); on a
 *            400/404/410 cfl_source_rejected() first; otherwise wait and
 *            ask next() again: the same request is repeated.
 *     EMIT:  submit cfl_source_batch(), then cfl_source_commit() and save
 *            cfl_source_snapshot() with cfl_state_save().
 *     IDLE:  the cycle is done; sleep pollingInterval, begin again.
 *
 * Like the rest of the core: no I/O, no clock, no rsyslog header.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_SOURCE_H
#define CFL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_flavor.h"
#include "cfl_state.h"
#include "cfl_status.h"
#include "cfl_url.h"

typedef enum cfl_src_action { CFL_SRC_IDLE = 0, CFL_SRC_FETCH, CFL_SRC_EMIT } cfl_src_action_t;

/* One event to hand over, whatever the source. */
typedef struct cfl_event {
	const char *json; /* compact event JSON, NUL-terminated */
	size_t len;
	int64_t ts_ms;        /* event time (untimed or absurd: a neighbour's, see the source) */
	int64_t processed_ms; /* the source's sort key (organization: processedAt); else ts_ms */
	unsigned copy;        /* 0; n for the (n+1)-th event of the same text read in the window */
} cfl_event_t;

/* What a source counts; each fills the members that apply to it and
 * leaves the others 0, so the driver adds them all without asking which
 * source it runs (imconfluence_counters.def maps them to impstats). */
typedef struct cfl_src_stats {
	uint64_t pages;         /* pages parsed successfully */
	uint64_t empty_pages;   /* organization: of which empty */
	uint64_t emitted;       /* events handed over (committed) */
	uint64_t duplicates;    /* re-read events that had been delivered already */
	uint64_t excluded;      /* events dropped by the exclude list */
	uint64_t out_of_window; /* events outside the requested window, ignored */
	uint64_t untimed;       /* events without a readable time */
	uint64_t no_id;         /* organization: events without a usable id (deduplicated by text) */
	uint64_t guard_stops;   /* paging stopped by a guard */
	uint64_t foreign_links; /* next links naming another host (never followed) */
	uint64_t walks;         /* Cloud/DC: walks started (replans included); organization: completed */
	uint64_t segments;      /* segments handed over completely */
	uint64_t replans;       /* walks restarted: a page changed, or a walk too long */
	uint64_t cuts;          /* walks restarted on an older part: the events did not fit the cap */
	uint64_t refetches;     /* pages fetched a second time (dropped for the memory cap) */
	uint64_t dropped;       /* walked pages whose events were dropped for the memory cap */
	uint64_t odd_time;      /* events dated outside the sane range (delivered, as untimed) */
	uint64_t disordered;    /* walks whose pages were out of order (repeats in them are not copies) */
	uint64_t cursor_drops;  /* organization: cursors the server rejected */
	uint64_t cursor_resets; /* saved cursors beyond now + skew, reset */
	uint64_t evictions;     /* delivered events forgotten because the dedup set was full */
} cfl_src_stats_t;

/* Everything any source may need; each takes what applies to it. */
typedef struct cfl_source_cfg {
	cfl_flavor_t flavor;         /* resolved: never CFL_FLAVOR_AUTO */
	const char *org_id;          /* organization; borrowed */
	long page_size;              /* the limit asked for, >= 1 */
	int64_t overlap_ms;          /* >= 0 */
	int64_t initial_lookback_ms; /* window start of the very first cycle: now - this */
	const char *const *exclude;  /* NULL-terminated action names or NULL; borrowed */
	const cfl_base_t *base;      /* for next-link host checks; NULL skips them; borrowed */
} cfl_source_cfg_t;

/* A source's operations; `self` is what create returned. */
typedef struct cfl_source_ops {
	const char *name;
	void *(*create)(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err);
	void (*destroy)(void *self);
	cfl_rc_t (*restore)(void *self, const cfl_state_t *st, cfl_errbuf_t *err);
	void (*begin)(void *self, int64_t now_ms);
	cfl_src_action_t (*next)(void *self, cfl_request_t *req);
	cfl_rc_t (*feed)(void *self, const char *body, size_t len, cfl_errbuf_t *err);
	/* NULL if the source sends nothing the server could reject as stale */
	int (*rejected)(void *self, int64_t now_ms, char *why, size_t len);
	size_t (*batch)(const void *self, const cfl_event_t **evs);
	cfl_rc_t (*commit)(void *self, cfl_errbuf_t *err);
	/* fills st's cursor, low and its own members with malloc'ed copies */
	cfl_rc_t (*snapshot)(const void *self, cfl_state_t *st);
	const cfl_src_stats_t *(*stats)(const void *self);
	int (*cursor)(const void *self, int64_t *ms);
	int64_t (*window_end)(const void *self);
	int (*take_warning)(void *self, char *buf, size_t len);
} cfl_source_ops_t;

/* The ops of a source whose functions take its own type (T *) and follow
 * the naming of cfl_poll: <pfx>_free, _restore, _begin, _next, _feed,
 * _batch, _commit, _snapshot, _stats and _take_warning; create, cursor,
 * window_end and rejected (may be NULL) are named. Its action enum must
 * have cfl_src_action_t's values. Use at file scope, once per source:
 * the wrappers only convert `self`, so no source repeats them. */
#define CFL_SOURCE_OPS(ops, T, pfx, create_fn, cursor_fn, window_end_fn, rejected_fn)             \
	static void pfx##_o_destroy(void *self)                                                   \
	{                                                                                         \
		pfx##_free(self);                                                                 \
	}                                                                                         \
	static cfl_rc_t pfx##_o_restore(void *self, const cfl_state_t *st, cfl_errbuf_t *err)     \
	{                                                                                         \
		return pfx##_restore((T *)self, st, err);                                         \
	}                                                                                         \
	static void pfx##_o_begin(void *self, int64_t now_ms)                                     \
	{                                                                                         \
		pfx##_begin((T *)self, now_ms);                                                   \
	}                                                                                         \
	static cfl_src_action_t pfx##_o_next(void *self, cfl_request_t *req)                      \
	{                                                                                         \
		return (cfl_src_action_t)pfx##_next((T *)self, req);                              \
	}                                                                                         \
	static cfl_rc_t pfx##_o_feed(void *self, const char *body, size_t len, cfl_errbuf_t *err) \
	{                                                                                         \
		return pfx##_feed((T *)self, body, len, err);                                     \
	}                                                                                         \
	static size_t pfx##_o_batch(const void *self, const cfl_event_t **evs)                    \
	{                                                                                         \
		return pfx##_batch((const T *)self, evs);                                         \
	}                                                                                         \
	static cfl_rc_t pfx##_o_commit(void *self, cfl_errbuf_t *err)                             \
	{                                                                                         \
		return pfx##_commit((T *)self, err);                                              \
	}                                                                                         \
	static cfl_rc_t pfx##_o_snapshot(const void *self, cfl_state_t *st)                       \
	{                                                                                         \
		return pfx##_snapshot((const T *)self, st);                                       \
	}                                                                                         \
	static const cfl_src_stats_t *pfx##_o_stats(const void *self)                             \
	{                                                                                         \
		return pfx##_stats((const T *)self);                                              \
	}                                                                                         \
	static int pfx##_o_cursor(const void *self, int64_t *ms)                                  \
	{                                                                                         \
		return cursor_fn((const T *)self, ms);                                            \
	}                                                                                         \
	static int64_t pfx##_o_window_end(const void *self)                                       \
	{                                                                                         \
		return window_end_fn((const T *)self);                                            \
	}                                                                                         \
	static int pfx##_o_take_warning(void *self, char *buf, size_t len)                        \
	{                                                                                         \
		return pfx##_take_warning((T *)self, buf, len);                                   \
	}                                                                                         \
	const cfl_source_ops_t ops = {                                                            \
		.name = #pfx,                                                                     \
		.create = create_fn,                                                              \
		.destroy = pfx##_o_destroy,                                                       \
		.restore = pfx##_o_restore,                                                       \
		.begin = pfx##_o_begin,                                                           \
		.next = pfx##_o_next,                                                             \
		.feed = pfx##_o_feed,                                                             \
		.rejected = rejected_fn,                                                          \
		.batch = pfx##_o_batch,                                                           \
		.commit = pfx##_o_commit,                                                         \
		.snapshot = pfx##_o_snapshot,                                                     \
		.stats = pfx##_o_stats,                                                           \
		.cursor = pfx##_o_cursor,                                                         \
		.window_end = pfx##_o_window_end,                                                 \
		.take_warning = pfx##_o_take_warning,                                             \
	}

typedef struct cfl_source cfl_source_t;

/* The source of cfg->flavor (cfl_sources.def). NULL on ENOMEM, a flavour
 * no source reads, or a bad cfg (err says which). */
cfl_source_t *cfl_source_new(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err);
void cfl_source_free(cfl_source_t *s);

/* The ops of a flavour, or NULL. */
const cfl_source_ops_t *cfl_source_ops_of(cfl_flavor_t flavor);

cfl_rc_t cfl_source_restore(cfl_source_t *s, const cfl_state_t *st, cfl_errbuf_t *err);
void cfl_source_begin(cfl_source_t *s, int64_t now_ms);
cfl_src_action_t cfl_source_next(cfl_source_t *s, cfl_request_t *req);
cfl_rc_t cfl_source_feed(cfl_source_t *s, const char *body, size_t len, cfl_errbuf_t *err);

/* The server rejected the last request (a 400, 404 or 410). If the source
 * can recover by dropping what it sent (a stale cursor), it does, returns
 * 1 and says why (len bytes) for the log; else 0 and the failure is an
 * ordinary one. */
int cfl_source_rejected(cfl_source_t *s, int64_t now_ms, char *why, size_t len);

/* The chunk to submit after an EMIT; may be empty (then just commit).
 * Valid until cfl_source_commit(). */
size_t cfl_source_batch(const cfl_source_t *s, const cfl_event_t **evs);
cfl_rc_t cfl_source_commit(cfl_source_t *s, cfl_errbuf_t *err);

/* A state that owns all it holds: st is overwritten (not freed) with
 * copies of base_url and flavor and the source's snapshot. Whatever the
 * result, release it with cfl_state_free(). */
cfl_rc_t cfl_source_snapshot(const cfl_source_t *s, const char *base_url, const char *flavor, cfl_state_t *st);

const cfl_src_stats_t *cfl_source_stats(const cfl_source_t *s);

/* 1 and the cursor (ms: Cloud/DC cursor, organization checkpoint) once
 * anything was committed, else 0. */
int cfl_source_cursor(const cfl_source_t *s, int64_t *ms);

/* The end of the running (or last) cycle's window, ms. */
int64_t cfl_source_window_end(const cfl_source_t *s);

/* Copies a pending warning for the log into buf and clears it; 0 if none. */
int cfl_source_take_warning(cfl_source_t *s, char *buf, size_t len);

#endif
