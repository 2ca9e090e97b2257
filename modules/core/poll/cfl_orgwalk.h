/* cfl_orgwalk.h: the paging state machine of the organization audit log
 * (GET /admin/v1/orgs/<orgId>/events-stream), beside cfl_poll for the
 * Confluence flavours and with the same shape:
 *
 *   cfl_orgwalk_begin(w, now)          start a walk (to = now), no-op while one runs
 *   loop: switch (cfl_orgwalk_next(w, &req))
 *     FETCH: GET cfl_url_build(req); on 200 cfl_orgwalk_feed(body); on a
 *            400/404/410 to a cursor request cfl_orgwalk_cursor_rejected();
 *            on other failures wait (cfl_backoff) and ask next() again:
 *            nothing has advanced, the same request is repeated.
 *     EMIT:  submit cfl_orgwalk_batch() to rsyslog, then cfl_orgwalk_commit()
 *            and save cfl_orgwalk_snapshot() with cfl_state_save().
 *     IDLE:  the walk is over; sleep pollingInterval, begin again.
 *
 * A walk. Its first request sends from = checkpoint - overlap - 1 ms (on
 * the very first run: now - initialLookback), to = now, limit and
 * sortOrder=asc; every following page is asked for with the cursor of the
 * page before (meta.next) and limit only. Events are handed over in the
 * order the server sends them (processing order). The walk ends on an
 * empty page (whether or not it still carries a cursor: no endless walk),
 * on a page without a cursor, or when pages stop bringing anything new
 * (the same cursor again, or max_stale_pages pages of duplicates only).
 * The cursor is then dropped, never kept for the next walk: whether a
 * cursor keeps the first request's `to` is unknown (Atlassian's reference does not say),
 * and a kept cursor that does would never see a new event.
 *
 * Checkpoint and overlap. The checkpoint is the highest processedAt of the
 * events handled; after a complete walk it is at least the walk's `to`
 * (everything visible up to then was read). The next walk reads again
 * from checkpoint - overlap, so events made visible late are caught
 * whether the API filters from/to on processedAt or on the event time;
 * the ids delivered with processedAt in that range (cfl_idset) make the
 * re-read deliver nothing twice, whether `from` is inclusive or not.
 *
 * Hostile or broken servers. A page with more events than the limit
 * asked for is refused (like an oversized body). An event whose
 * processedAt or time lies outside the sane range (before 2004, or more
 * than a day after the walk's `to`) is delivered as untimed and counted:
 * it never moves the checkpoint, which therefore never passes now plus
 * that day; a saved checkpoint beyond it (a state poisoned before this
 * rule) is reset at the next walk with a warning. Duplicates within a
 * page are found with a hash set, in linear time.
 *
 * Restart. The state (checkpoint, the cursor of the walk in progress, its
 * `to`, the ids) is saved after every page, so a kill -9 repeats at most
 * the page in flight. A cursor the server rejects (an expired one after a
 * long stop) is dropped and the walk resumes from the checkpoint.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_ORGWALK_H
#define CFL_ORGWALK_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_source.h"
#include "cfl_state.h"
#include "cfl_status.h"
#include "cfl_url.h"

typedef struct cfl_orgwalk_cfg {
	const char *org_id;          /* borrowed; required */
	long page_size;              /* the limit asked for; clamped to CFL_ORG_MAX_LIMIT */
	int64_t overlap_ms;          /* >= 0 */
	int64_t initial_lookback_ms; /* from of the very first walk: now - this */
	const char *const *exclude;  /* NULL-terminated action names or NULL; borrowed */
	size_t max_ids;              /* 0 = CFL_ORGWALK_DFLT_MAX_IDS */
	unsigned max_stale_pages;    /* 0 = CFL_ORGWALK_DFLT_MAX_STALE */
} cfl_orgwalk_cfg_t;

#define CFL_ORGWALK_DFLT_MAX_IDS 200000
#define CFL_ORGWALK_DFLT_MAX_STALE 50
#define CFL_ORGWALK_MAX_CURSOR 2048 /* longer cursors are not followed */

typedef enum cfl_orgwalk_action { CFL_ORGWALK_IDLE = 0, CFL_ORGWALK_FETCH, CFL_ORGWALK_EMIT } cfl_orgwalk_action_t;

/* The driver's event type (cfl_source.h): ts_ms is attributes.time
 * (processedAt, then the checkpoint, if absent), processed_ms
 * attributes.processedAt (time, then the checkpoint, if absent); copy is
 * always 0 (ids tell identical events apart). */
typedef cfl_event_t cfl_orgwalk_event_t;

/* The members of cfl_src_stats_t the walker fills: pages, empty_pages,
 * emitted, duplicates, excluded, untimed, no_id, walks (completed),
 * cursor_drops, guard_stops (the no-progress guard), odd_time,
 * cursor_resets, evictions. */
typedef cfl_src_stats_t cfl_orgwalk_stats_t;

typedef struct cfl_orgwalk cfl_orgwalk_t;

/* NULL on ENOMEM or a bad cfg (err says which). */
cfl_orgwalk_t *cfl_orgwalk_new(const cfl_orgwalk_cfg_t *cfg, cfl_errbuf_t *err);
void cfl_orgwalk_free(cfl_orgwalk_t *w);

/* Takes over a saved state (checkpoint, cursor, walk `to`, ids); call
 * before the first begin. A version-1 state gives the checkpoint only. */
cfl_rc_t cfl_orgwalk_restore(cfl_orgwalk_t *w, const cfl_state_t *st, cfl_errbuf_t *err);

void cfl_orgwalk_begin(cfl_orgwalk_t *w, int64_t now_ms);
cfl_orgwalk_action_t cfl_orgwalk_next(cfl_orgwalk_t *w, cfl_request_t *req);

/* The 200 body of the last FETCH. On error nothing changes and the next
 * FETCH repeats the request. */
cfl_rc_t cfl_orgwalk_feed(cfl_orgwalk_t *w, const char *body, size_t len, cfl_errbuf_t *err);

/* The events to submit after an EMIT, in processing order; may be none
 * (then just commit). Valid until cfl_orgwalk_commit(). */
size_t cfl_orgwalk_batch(const cfl_orgwalk_t *w, const cfl_orgwalk_event_t **evs);

/* The batch was handed over: record the ids, move checkpoint and cursor. */
cfl_rc_t cfl_orgwalk_commit(cfl_orgwalk_t *w, cfl_errbuf_t *err);

/* The server rejected the last request. If it carried a cursor, that
 * cursor is dropped, the walk goes on from the checkpoint (to = now_ms),
 * 1 is returned and why (len bytes) says so for the log; else 0. */
int cfl_orgwalk_cursor_rejected(cfl_orgwalk_t *w, int64_t now_ms, char *why, size_t len);

/* 1 if the last FETCH sent a cursor. */
int cfl_orgwalk_sent_cursor(const cfl_orgwalk_t *w);

/* Fills st's cursor (checkpoint), low, fingerprints (none) and version-2
 * members, all malloc'ed, so st owns them (cfl_state_free releases them,
 * also after an ENOMEM); base_url and flavor are left alone. */
cfl_rc_t cfl_orgwalk_snapshot(const cfl_orgwalk_t *w, cfl_state_t *st);

const cfl_orgwalk_stats_t *cfl_orgwalk_stats(const cfl_orgwalk_t *w);

/* Returns 1 and the checkpoint (ms) once there is one, else 0. */
int cfl_orgwalk_checkpoint(const cfl_orgwalk_t *w, int64_t *ms);

/* The `to` of the running (or last) walk, ms. */
int64_t cfl_orgwalk_walk_to(const cfl_orgwalk_t *w);

/* Copies a pending warning (a guard stop, the id set overflowing) into buf
 * and clears it; 0 if none. */
int cfl_orgwalk_take_warning(cfl_orgwalk_t *w, char *buf, size_t len);

/* The walker as a source, for CFL_FLAVOR_ORG. */
extern const cfl_source_ops_t cfl_orgwalk_source_ops;

#endif
