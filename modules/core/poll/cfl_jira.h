/* cfl_jira.h: the walk of Jira Cloud's audit records
 * (GET /rest/api/3/auditing/record), a source of cfl_source.h beside
 * cfl_poll (Confluence) and cfl_orgwalk (organization), with their shape:
 *
 *   cfl_jira_begin(j, now)          start a walk (to = now), no-op while one runs
 *   loop: switch (cfl_jira_next(j, &req))
 *     FETCH: GET cfl_url_build(req); on 200 cfl_jira_feed(body); on any
 *            failure wait and ask next() again: the same request is repeated.
 *     EMIT:  submit cfl_jira_batch(), then cfl_jira_commit() and save
 *            cfl_jira_snapshot() with cfl_state_save().
 *     IDLE:  the walk is over; sleep pollingInterval, begin again.
 *
 * A walk (contract: jira-bitbucket-mapping.md section 8). `to` is the
 * clock at begin, fixed for the whole walk: offsets only stay meaningful
 * under a fixed end. `from` is checkpoint - overlap - 1 ms (the very first
 * walk: now - initialLookback). The records come newest first; `offset`
 * starts at 0 and advances by the number of records received (a server
 * that returns fewer than asked skips nothing), `limit` is the page size
 * clamped to CFL_JIRA_MAX_LIMIT. The walk's pages end at the first page
 * with no records, or when the next offset reaches that page's `total`
 * (which may overstate what exists: the empty page ends the walk).
 *
 * Hand-over. The walk's records, sorted oldest first (created, then id),
 * in chunks of at most `chunk` records (a page); the state is saved after each, so
 * a kill -9 repeats at most the chunk in flight, and loses nothing: the
 * records not yet handed over are all at or after the checkpoint.
 *
 * Exact deduplication. The checkpoint is the newest `created` delivered.
 * The ids of the records delivered with created >= the next walk's `from`
 * are kept (cfl_idset, saved as the state's "ids"); a record read again
 * with a known id is not delivered twice (duplicates). A record without a
 * usable id is keyed by "#<XXH3 of its text>". A record written late into
 * the window shifts later pages by one: the boundary record comes twice
 * within the walk (dropped by id) and the late one is caught by the next
 * walk's overlap.
 *
 * Memory. A walk holds at most max_events records. One that would hold
 * more is cut: its `to` becomes the oldest record's `created` and it
 * restarts at offset 0 (cuts), so the older part is handed over first and
 * the next walk reads the rest.
 *
 * Hostile servers. A page with more records than the limit is refused; a
 * record dated before 2004 or more than a day after `to` is delivered as
 * untimed (odd_time) and never moves the checkpoint, and a saved checkpoint
 * beyond that (a state poisoned before) is reset (cursor_resets) to the
 * newest sane id the state remembers; max_stale_pages
 * pages in a row with nothing new end the walk (guard_stops).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_JIRA_H
#define CFL_JIRA_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_source.h"
#include "cfl_state.h"
#include "cfl_status.h"
#include "cfl_url.h"

typedef struct cfl_jira_cfg {
	long page_size;              /* the limit asked for; clamped to CFL_JIRA_MAX_LIMIT */
	int64_t overlap_ms;          /* >= 0 */
	int64_t initial_lookback_ms; /* from of the very first walk: now - this */
	const char *const *exclude;  /* NULL-terminated summaries or NULL; borrowed */
	size_t max_ids;              /* 0 = CFL_JIRA_DFLT_MAX_IDS */
	size_t max_events;           /* records held by one walk; 0 = CFL_JIRA_DFLT_MAX_EVENTS */
	size_t chunk;                /* records per hand-over; 0 = the limit (one page, as Confluence) */
	unsigned max_stale_pages;    /* 0 = CFL_JIRA_DFLT_MAX_STALE */
} cfl_jira_cfg_t;

#define CFL_JIRA_DFLT_MAX_IDS 200000
#define CFL_JIRA_DFLT_MAX_EVENTS 200000
#define CFL_JIRA_DFLT_MAX_STALE 50

typedef enum cfl_jira_action { CFL_JIRA_IDLE = 0, CFL_JIRA_FETCH, CFL_JIRA_EMIT } cfl_jira_action_t;

/* ts_ms and processed_ms are the record's `created` (untimed: the
 * checkpoint, else the walk's `to`); copy is 0 (ids tell records apart). */
typedef cfl_event_t cfl_jira_event_t;

/* The members of cfl_src_stats_t it fills: pages, empty_pages, emitted,
 * duplicates, excluded, out_of_window, untimed, no_id, guard_stops, walks
 * (completed), cuts, odd_time, cursor_resets, evictions. */
typedef cfl_src_stats_t cfl_jira_stats_t;

typedef struct cfl_jira cfl_jira_t;

cfl_jira_t *cfl_jira_new(const cfl_jira_cfg_t *cfg, cfl_errbuf_t *err);
void cfl_jira_free(cfl_jira_t *j);

/* Takes over a saved state (checkpoint, ids); call before the first begin. */
cfl_rc_t cfl_jira_restore(cfl_jira_t *j, const cfl_state_t *st, cfl_errbuf_t *err);

void cfl_jira_begin(cfl_jira_t *j, int64_t now_ms);
cfl_jira_action_t cfl_jira_next(cfl_jira_t *j, cfl_request_t *req);

/* The 200 body of the last FETCH. On error nothing changes and the next
 * FETCH repeats the request. */
cfl_rc_t cfl_jira_feed(cfl_jira_t *j, const char *body, size_t len, cfl_errbuf_t *err);

/* The chunk to submit after an EMIT, oldest first; may be empty (then just
 * commit). Valid until cfl_jira_commit(). */
size_t cfl_jira_batch(const cfl_jira_t *j, const cfl_jira_event_t **evs);

/* The chunk was handed over: record its ids, move the checkpoint. */
cfl_rc_t cfl_jira_commit(cfl_jira_t *j, cfl_errbuf_t *err);

/* Fills st's cursor (checkpoint), low and ids (version 2), malloc'ed. */
cfl_rc_t cfl_jira_snapshot(const cfl_jira_t *j, cfl_state_t *st);

const cfl_jira_stats_t *cfl_jira_stats(const cfl_jira_t *j);

/* 1 and the checkpoint (ms) once there is one, else 0. */
int cfl_jira_checkpoint(const cfl_jira_t *j, int64_t *ms);

/* The `to` of the running (or last) walk, ms. */
int64_t cfl_jira_walk_to(const cfl_jira_t *j);

int cfl_jira_take_warning(cfl_jira_t *j, char *buf, size_t len);

/* The walk as a source, for CFL_FLAVOR_JIRA_CLOUD. */
extern const cfl_source_ops_t cfl_jira_source_ops;

#endif
