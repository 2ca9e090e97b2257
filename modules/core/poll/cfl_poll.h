/* cfl_poll.h: the paging / window / walk state machine of one input.
 *
 * No I/O and no clock here: the glue asks what to do next, performs it and
 * reports back, so every path is unit-testable without a network.
 *
 *   cfl_poll_begin(p, now)            start a poll cycle (window end = now)
 *   loop: switch (cfl_poll_next(p, &req))
 *     FETCH: GET cfl_url_build(req); on 200 cfl_poll_feed(body); on a
 *            failure wait (cfl_backoff) and ask next() again: it repeats
 *            the same request, nothing has advanced.
 *     EMIT:  submit cfl_poll_batch() to rsyslog, then cfl_poll_commit()
 *            and save cfl_poll_snapshot() with cfl_state_save().
 *     IDLE:  the cycle is done; sleep pollingInterval, begin again.
 *
 * Window and cursor. A cycle reads [low, now] with its end fixed for the
 * whole cycle. `cursor` says every event with time <= cursor has been
 * handed over; `low` = min(cursor, window end - overlap) is where the next
 * window starts, so events younger than `overlap` when they were read are
 * read again and late-written ones are caught; the fingerprints of
 * delivered events with time >= low (cfl_dedup) make the re-read deliver
 * nothing twice.
 *
 * Walk, then hand over. The APIs answer newest first, events must go out
 * oldest first, and requests are what a rate limit counts. So a segment
 * of the window (at first: all of it) is walked once, newest first, with
 * the API's own paging (Cloud `start` offsets, Data Center `pageCursor`
 * from each page's nextPageCursor) until a page says none follows. Each
 * page walked leaves a small record (how it was asked for: offset or
 * cursor; its event count; fingerprints of its first and last event) and
 * its events are held. Then the pages are handed over from the oldest to
 * the newest, each page's events sorted ascending and emitted in chunks.
 *   Requests: a segment costs its pages, ceil(events / pageSize) (one more
 *   if the server cannot tell that a full last page is the last), bursts
 *   or not: the API pages through a burst in one millisecond as through
 *   anything else. A poll with nothing new costs one request.
 *
 * The memory cap. Held events are limited to hold_bytes (default 32 MiB).
 * A window that does not fit is cut into segments, oldest first, each
 * sized to fill about half the cap at the density seen: the first page of
 * a walk estimates the segment (if it would overflow, the segment is cut
 * at once: one request wasted); a walk that overflows anyway is cut below
 * what it saw (a cap's worth of requests wasted, and the segments after
 * it stop short of the part known to be dense). After each segment the
 * next one is sized from its density, growing at most 2x. So a large
 * backfill costs its pages plus about one request per segment. Only a
 * segment that cannot be cut (more than the cap in the millisecond where
 * it starts: a huge burst) is walked with the cap: the pages walked first
 * (the newest) give their events up, keep only the record and are
 * fetched again at hand-over, about 2x for that burst.
 *   Memory: the held events (<= hold_bytes, plus the page just walked) and
 *   a record of about 90 bytes per page walked (a walk is limited to
 *   max_walk_pages pages: beyond that the walk is restarted for the part
 *   older than what it saw; a walk that cannot shrink, all in one
 *   millisecond, stops with a warning).
 *
 * Pages that change under us. A page fetched again must be the page the
 * walk saw (same count, same first and last event); if it is not, events
 * were written or removed in between, and what is not handed over yet is
 * walked again from the cursor (a "replan"; the fingerprints keep it free
 * of duplicates; after three replans without progress a page is taken as
 * fetched, with a warning, so a server that changes faster than we walk
 * cannot stall the input). Data Center's keyset cursor ("<ms>,<id>") does not move
 * when events are added elsewhere. Cloud's offsets would move with every
 * event added newer than the page, which is why the window end is fixed
 * (to = window end): events written now land after it and cannot shift
 * anything. Only an event written late with a time inside the window
 * shifts the pages after it by one: during the walk the next page then
 * begins with the previous page's last event, which is recognised and
 * dropped as a repeat (the late event itself is older than the cursor
 * will be and comes with the next cycle's overlap); between walk and
 * re-fetch the check above catches it. Genuinely identical events on a
 * Cloud page boundary are indistinguishable from such a repeat and count
 * once in that read; a later overlap re-read whose page boundaries lie
 * elsewhere (other events in its window) delivers the second one.
 *
 * Identical events. Each event read is numbered among those of the same
 * text in its read (cfl_dedup_read): the first copy is 0, the n-th n - 1,
 * on one page or several; a re-read numbers them alike, so the copy
 * number (cfl_poll_event_t.copy, $!metadata!copy) is stable and an
 * identical event is a distinct document. A walk whose pages are out of
 * order (a server reshuffling them) takes a second sighting as the
 * server's repeat instead, and keeps its fingerprints until it ends.
 *
 * Hostile servers. Events dated outside the sane range (below) are
 * delivered as untimed; a page's odd events never stop paging, only the
 * API's last-page signal, a page wholly older than the window, or a
 * guard do. A page with more events than the limit is refused before
 * anything is held for them. A guard that stops a walk with pages unread
 * hands those read over but moves no cursor (the next poll reads the
 * window again). The cursor never passes now + CFL_POLL_MAX_SKEW_MS; a
 * restored one that does is reset to the newest sane fingerprint time.
 *
 * Commit. Events are emitted in chunks of at most page_size; after each
 * chunk the glue commits and saves, so the state is written at least once
 * per page and a kill -9 repeats at most the chunk in flight (a restart
 * walks the rest of the window again). Requests ask for one extra
 * millisecond on each side ([a-1, b+1]) and events outside [a, b] are
 * ignored, which makes the poller correct whether the server treats the
 * bounds as inclusive or exclusive. Guards stop a walk when a page is
 * empty but claims a successor, repeats the page or cursor before it,
 * lacks a Data Center cursor or gives one longer than CFL_POLL_MAX_CURSOR,
 * or the walk reaches max_walk_pages; a next link to another host is
 * reported and never used (every request is built from the configured
 * base).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_POLL_H
#define CFL_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_flavor.h"
#include "cfl_source.h"
#include "cfl_state.h"
#include "cfl_status.h"
#include "cfl_url.h"

typedef struct cfl_poll_cfg {
	cfl_flavor_t flavor;         /* CFL_FLAVOR_CLOUD or CFL_FLAVOR_DC */
	long page_size;              /* the limit asked for, >= 1 */
	int64_t overlap_ms;          /* >= 0 */
	int64_t initial_lookback_ms; /* window start of the very first cycle: now - this */
	const char *const *exclude;  /* NULL-terminated action names or NULL; borrowed */
	const cfl_base_t *base;      /* for the next-link host check; NULL skips it; borrowed */
	size_t max_walk_pages;       /* pages one walk may record; 0 = CFL_POLL_DFLT_MAX_PAGES */
	size_t max_fingerprints;     /* 0 = CFL_POLL_DFLT_MAX_FPS */
	size_t hold_bytes;           /* events held between walk and hand-over; 0 = CFL_POLL_DFLT_HOLD_BYTES */
} cfl_poll_cfg_t;

#define CFL_POLL_DFLT_MAX_PAGES 10000
#define CFL_POLL_DFLT_MAX_FPS 262144
#define CFL_POLL_DFLT_HOLD_BYTES (32u * 1024u * 1024u)

typedef enum cfl_poll_action { CFL_POLL_IDLE = 0, CFL_POLL_FETCH, CFL_POLL_EMIT } cfl_poll_action_t;

/* The driver's event type (cfl_source.h); processed_ms = ts_ms here. ts_ms
 * of an event without a time, or with an absurd one: its newer
 * neighbour's. */
typedef cfl_event_t cfl_poll_event_t;

/* The sane time range of an event. Confluence 1.0 came out in March 2004:
 * an audit event dated before 2004-01-01T00:00:00Z is impossible; one
 * dated more than CFL_POLL_MAX_SKEW_MS after our clock is a broken clock
 * or a hostile server. Such an event is delivered, counted (odd_time) and
 * warned about, and treated as untimed: it takes its neighbour's time, so
 * it neither stops paging nor moves the cursor. The cursor itself is
 * never beyond now + CFL_POLL_MAX_SKEW_MS (a state file saying otherwise
 * is reset, with a warning). */
#define CFL_POLL_SANE_MIN_MS INT64_C(1072915200000)
#define CFL_POLL_MAX_SKEW_MS INT64_C(86400000)
/* Data Center nextPageCursor values longer than this are not followed
 * (real ones are "<ms>,<id>"): the walk stops there with a warning and
 * the pages read are handed over. */
#define CFL_POLL_MAX_CURSOR 2048

/* Folds a remembered delivery time into the newest and oldest of those
 * not beyond now + skew (start with INT64_MIN, INT64_MAX): where a
 * poisoned state can resume. */
static inline void cfl_poll_fold_sane(int64_t ts_ms, int64_t now_ms, int64_t *newest, int64_t *oldest)
{
	if (ts_ms > now_ms + CFL_POLL_MAX_SKEW_MS)
		return;
	if (ts_ms > *newest)
		*newest = ts_ms;
	if (ts_ms < *oldest)
		*oldest = ts_ms;
}

/* 1 if ts_ms is in the sane range at now_ms. */
static inline int cfl_poll_time_sane(int64_t ts_ms, int64_t now_ms)
{
	return ts_ms >= CFL_POLL_SANE_MIN_MS && ts_ms <= now_ms + CFL_POLL_MAX_SKEW_MS;
}

/* The members of cfl_src_stats_t that cfl_poll fills: pages, emitted,
 * duplicates, excluded, out_of_window, untimed, guard_stops,
 * foreign_links, walks (started), segments, replans, cuts, refetches,
 * dropped, odd_time, disordered, cursor_resets, evictions. */
typedef cfl_src_stats_t cfl_poll_stats_t;

typedef struct cfl_poll cfl_poll_t;

/* NULL on ENOMEM or a bad cfg (err says which). */
cfl_poll_t *cfl_poll_new(const cfl_poll_cfg_t *cfg, cfl_errbuf_t *err);
void cfl_poll_free(cfl_poll_t *p);

/* Takes over a saved state (cursor, low, fingerprints); call before the
 * first cfl_poll_begin(). st stays the caller's. */
cfl_rc_t cfl_poll_restore(cfl_poll_t *p, const cfl_state_t *st, cfl_errbuf_t *err);

/* Starts a cycle whose window ends at now_ms; no-op while one runs. */
void cfl_poll_begin(cfl_poll_t *p, int64_t now_ms);

cfl_poll_action_t cfl_poll_next(cfl_poll_t *p, cfl_request_t *req);

/* The reply body to the request of the last FETCH. On error nothing
 * changes and the next FETCH repeats the request. */
cfl_rc_t cfl_poll_feed(cfl_poll_t *p, const char *body, size_t len, cfl_errbuf_t *err);

/* The chunk to submit after an EMIT, oldest first; may be empty (then
 * just commit). Valid until cfl_poll_commit(). */
size_t cfl_poll_batch(const cfl_poll_t *p, const cfl_poll_event_t **evs);

/* The chunk was handed over: advance cursor and fingerprints. */
cfl_rc_t cfl_poll_commit(cfl_poll_t *p, cfl_errbuf_t *err);

/* Fills the cursor, low and fingerprints of st (st->fps is malloc'ed and
 * replaced; base_url and flavor are left alone). */
cfl_rc_t cfl_poll_snapshot(const cfl_poll_t *p, cfl_state_t *st);

const cfl_poll_stats_t *cfl_poll_stats(const cfl_poll_t *p);

/* Returns 1 and the cursor (ms) once anything was committed, else 0. */
int cfl_poll_cursor(const cfl_poll_t *p, int64_t *cursor_ms);

/* Window end of the running (or last) cycle, ms. */
int64_t cfl_poll_window_end(const cfl_poll_t *p);

/* Copies a pending warning for the log (foreign next link, paging guard,
 * the fingerprint set overflowing) into buf and clears it; returns 0 if
 * there is none. */
int cfl_poll_take_warning(cfl_poll_t *p, char *buf, size_t len);

/* cfl_poll as a source, for CFL_FLAVOR_CLOUD and CFL_FLAVOR_DC. */
extern const cfl_source_ops_t cfl_poll_source_ops;

#endif
