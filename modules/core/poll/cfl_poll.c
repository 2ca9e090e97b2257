/* cfl_poll.c: paging / window / walk state machine (design in cfl_poll.h).
 *
 * States: idle (no cycle) -> walking a segment newest first (pages are
 * recorded, their events held while they fit the cap) -> handing the
 * segment over page by page, oldest first (held pages from memory, the
 * others fetched again and checked against what the walk saw), each page
 * in chunks of at most page_size -> the next segment, or idle when the
 * segment reached the window end. The hand-over itself (chunks, commit)
 * is cfl_poll_hand.c; the state both share is cfl_poll_int.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_dedup.h"
#include "cfl_page.h"
#include "cfl_poll.h"
#include "cfl_poll_int.h"

static void warn(cfl_poll_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(cfl_poll_t *p, const char *fmt, ...)
{
	va_list ap;

	if (p->warning[0] != '\0') /* keep the first until it is taken */
		return;
	va_start(ap, fmt);
	vsnprintf(p->warning, sizeof(p->warning), fmt, ap);
	va_end(ap);
}

cfl_poll_t *cfl_poll_new(const cfl_poll_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_poll_t *p;

	if (cfg->flavor != CFL_FLAVOR_CLOUD && cfg->flavor != CFL_FLAVOR_DC) {
		cfl_err_set(err, CFL_EINVAL, "flavor must be resolved to cloud or datacenter");
		return NULL;
	}
	if (cfg->page_size < 1 || cfg->overlap_ms < 0 || cfg->initial_lookback_ms < 0) {
		cfl_err_set(err, CFL_EINVAL, "pageSize must be >= 1, overlap and initialLookback >= 0");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (p->cfg.max_walk_pages == 0)
		p->cfg.max_walk_pages = CFL_POLL_DFLT_MAX_PAGES;
	if (p->cfg.max_fingerprints == 0)
		p->cfg.max_fingerprints = CFL_POLL_DFLT_MAX_FPS;
	if (p->cfg.hold_bytes == 0)
		p->cfg.hold_bytes = CFL_POLL_DFLT_HOLD_BYTES;
	p->eff_limit = cfg->page_size;
	p->dedup = cfl_dedup_new(p->cfg.max_fingerprints);
	p->out = malloc((size_t)cfg->page_size * sizeof(*p->out));
	if (p->dedup == NULL || p->out == NULL) {
		cfl_dedup_free(p->dedup);
		free(p->out);
		free(p);
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	return p;
}

void cfl_poll_i_free_held(cfl_poll_t *p, rec_t *r)
{
	if (r->held == NULL)
		return;
	p->held_bytes -= r->bytes;
	cfl_page_free(r->held);
	free(r->held);
	r->held = NULL;
}

/* Forgets the walk (recorded pages, held events, the page in hand). */
void cfl_poll_i_drop_walk(cfl_poll_t *p)
{
	size_t i;

	for (i = 0; i < p->n_recs; i++) {
		cfl_poll_i_free_held(p, &p->recs[i]);
		free(p->recs[i].cursor);
	}
	p->n_recs = p->held_from = 0;
	p->held_bytes = 0;
	free(p->w_cursor);
	p->w_cursor = NULL;
	cfl_page_free(&p->refetched);
	p->emitting = 0;
	p->n_items = p->n_out = 0;
	p->phase = PH_NONE;
}

void cfl_poll_free(cfl_poll_t *p)
{
	if (p == NULL)
		return;
	cfl_poll_i_drop_walk(p);
	free(p->recs);
	free(p->items);
	free(p->tsv);
	free(p->out);
	cfl_dedup_free(p->dedup);
	free(p);
}

cfl_rc_t cfl_poll_restore(cfl_poll_t *p, const cfl_state_t *st, cfl_errbuf_t *err)
{
	size_t i;

	p->has_cursor = st->has_cursor;
	p->cursor = st->cursor_ms;
	p->low = st->low_ms;
	for (i = 0; i < st->n_fps; i++)
		if (cfl_dedup_add(p->dedup, st->fps[i].fp, st->fps[i].ts_ms, st->fps[i].count) != CFL_OK)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory restoring %zu fingerprints", st->n_fps);
	return CFL_OK;
}

void cfl_poll_begin(cfl_poll_t *p, int64_t now_ms)
{
	int64_t start;

	if (p->active)
		return;
	if (p->has_cursor && (p->cursor > now_ms + CFL_POLL_MAX_SKEW_MS || p->low > now_ms + CFL_POLL_MAX_SKEW_MS)) {
		/* no server can honour a window there: a poisoned state file (or
		 * a clock set back by more than the skew). Waiting for the clock
		 * would stop the input for good; read again as on a first run. */
		int64_t best = CFL_TS_NONE, oldest = INT64_MAX, ts;
		size_t pos = 0;
		cfl_fp_t fp;
		uint32_t count;
		/* the newest sane time of a delivered event the state remembers
		 * is where we were; without one, read as on a first run. The
		 * re-read starts no earlier than the oldest fingerprint: all
		 * from there on is known, nothing is delivered twice. */
		while (cfl_dedup_iter(p->dedup, &pos, &fp, &ts, &count))
			cfl_poll_fold_sane(ts, now_ms, &best, &oldest);
		p->stats.cursor_resets++;
		warn(p,
		     "the saved cursor (%" PRId64 " ms) is more than %d s ahead of the clock: the state was "
		     "poisoned by an event dated in the future, or the clock went back; it is reset to %s",
		     p->cursor, (int)(CFL_POLL_MAX_SKEW_MS / 1000),
		     best != CFL_TS_NONE ? "the newest delivered event the state remembers"
		                         : "nothing: the last initialLookback is read again");
		p->has_cursor = best != CFL_TS_NONE;
		p->cursor = best != CFL_TS_NONE ? best - 1 : 0;
		p->low = best != CFL_TS_NONE ? best - 1 - p->cfg.overlap_ms : 0;
		if (best != CFL_TS_NONE && p->low < oldest)
			p->low = oldest;
	}
	start = p->has_cursor ? p->low : now_ms - p->cfg.initial_lookback_ms;
	p->end = now_ms;
	if (start > now_ms) /* the clock went back: wait until it catches up */
		return;
	p->active = 1;
	p->evict_warned = 0;
	p->next_start = start;
	p->width = 0;
	p->dense_from = CFL_TS_NONE;
	p->stuck = 0;
	p->phase = PH_NONE;
}

/* End of the next segment: width ms on, at most the window end, and not
 * into a part known to overflow the cap from above (the segments below it
 * come first, then one that starts there). */
static int64_t segment_end(cfl_poll_t *p)
{
	int64_t b = p->width > 0 && p->end - p->next_start >= p->width ? p->next_start + p->width - 1 : p->end;

	if (p->dense_from != CFL_TS_NONE && p->next_start >= p->dense_from)
		p->dense_from = CFL_TS_NONE;
	if (p->dense_from != CFL_TS_NONE && b >= p->dense_from)
		b = p->dense_from - 1;
	return b;
}

/* A new walk of [a, b]: a new read for the duplicate check. */
static void start_walk(cfl_poll_t *p, int64_t a, int64_t b)
{
	cfl_poll_i_drop_walk(p);
	p->a = a;
	p->b = b;
	p->w_offset = 0;
	p->w_carry = b;
	p->walk_bytes = 0;
	p->two_pass = 0;
	p->disordered = 0;
	p->cut_short = 0;
	p->gen++;
	p->stats.walks++;
	p->phase = PH_WALK;
}

static cfl_rc_t prepare_page(cfl_poll_t *p, const rec_t *r, const cfl_page_t *pg);

cfl_poll_action_t cfl_poll_next(cfl_poll_t *p, cfl_request_t *req)
{
	const rec_t *r;

	for (;;) {
		if (p->emitting)
			return CFL_POLL_EMIT;
		if (!p->active)
			return CFL_POLL_IDLE;
		if (p->phase == PH_NONE) {
			if (p->next_start > p->end) {
				p->active = 0;
				return CFL_POLL_IDLE;
			}
			start_walk(p, p->next_start, segment_end(p));
		}
		memset(req, 0, sizeof(*req));
		req->from_ms = p->a - 1;
		req->to_ms = p->b + 1;
		req->limit = p->cfg.page_size;
		if (p->phase == PH_WALK) {
			req->offset = p->w_offset;
			req->page_cursor = p->w_cursor;
			return CFL_POLL_FETCH;
		}
		r = &p->recs[p->cur];
		if (r->held == NULL) { /* dropped for the cap: fetch it again */
			req->offset = r->offset;
			req->page_cursor = r->cursor;
			return CFL_POLL_FETCH;
		}
		prepare_page(p, r, r->held); /* sets emitting, or moves on */
	}
}

/* ---- feeding pages ---------------------------------------------------- */

static void check_next_link(cfl_poll_t *p, const cfl_page_t *pg)
{
	if (pg->next_link == NULL || p->cfg.base == NULL)
		return;
	if (cfl_url_same_origin(p->cfg.base, pg->next_link) == 1)
		return;
	p->stats.foreign_links++;
	warn(p, "the server's next-page link points to another host than the configured url; "
	        "it is ignored (never requested, no credentials sent) and paging continues with our own parameters");
}

static void learn_limit(cfl_poll_t *p, const cfl_page_t *pg)
{
	if (pg->limit > 0 && pg->limit < p->eff_limit)
		p->eff_limit = pg->limit;
	/* a short page that still has a successor: the server caps the limit
	 * (but never believe a cap below 10 events) */
	if (pg->has_more && (long)pg->n >= 10 && (long)pg->n < p->eff_limit)
		p->eff_limit = (long)pg->n;
}

/* Oldest event time on the page inside the segment [a, b], or
 * CFL_TS_NONE: what sizes cuts and shrinks. Events outside it say
 * nothing about the segment (a stray old one on page 1 must not make the
 * walk think it is done). */
static int64_t oldest_on_page(const cfl_poll_t *p, const cfl_page_t *pg)
{
	int64_t t = CFL_TS_NONE, v;
	size_t i;

	for (i = 0; i < pg->n; i++) {
		v = pg->ev[i].ts_ms;
		if (v != CFL_TS_NONE && v >= p->a && v <= p->b && (t == CFL_TS_NONE || v < t))
			t = v;
	}
	return t;
}

/* Newest timed event on the page, or CFL_TS_NONE. */
static int64_t newest_on_page(const cfl_page_t *pg)
{
	int64_t t = CFL_TS_NONE;
	size_t i;

	for (i = 0; i < pg->n; i++)
		if (pg->ev[i].ts_ms != CFL_TS_NONE && (t == CFL_TS_NONE || pg->ev[i].ts_ms > t))
			t = pg->ev[i].ts_ms;
	return t;
}

/* Events dated outside the sane range become untimed (they take their
 * neighbour's time): delivered, but neither a paging signal nor a time
 * the cursor could move to. */
static void mark_odd_times(cfl_poll_t *p, cfl_page_t *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++) {
		if (pg->ev[i].ts_ms != CFL_TS_NONE && !cfl_poll_time_sane(pg->ev[i].ts_ms, p->end)) {
			pg->ev[i].ts_ms = CFL_TS_NONE;
			pg->ev[i].odd_time = 1;
		}
	}
}

/* Are the page's events newest first, and not newer than the page
 * before ended (carry)? A server that reshuffles its pages breaks this;
 * then an event read twice in the walk is its repeat, not a copy. */
static int page_in_order(const cfl_page_t *pg, int64_t carry)
{
	int64_t prev = carry;
	size_t i;

	for (i = 0; i < pg->n; i++) {
		int64_t t = pg->ev[i].ts_ms;
		if (t == CFL_TS_NONE)
			continue;
		if (prev != CFL_TS_NONE && t > prev)
			return 0;
		prev = t;
	}
	return 1;
}

static int same_page(const cfl_page_t *x, const cfl_page_t *y)
{
	return x->n == y->n && x->n > 0 && x->ev[0].len == y->ev[0].len &&
	       memcmp(x->ev[0].json, y->ev[0].json, x->ev[0].len) == 0 && x->ev[x->n - 1].len == y->ev[y->n - 1].len &&
	       memcmp(x->ev[x->n - 1].json, y->ev[y->n - 1].json, x->ev[x->n - 1].len) == 0;
}

static int same_event(const cfl_page_event_t *x, const cfl_page_event_t *y)
{
	return x->len == y->len && memcmp(x->json, y->json, x->len) == 0;
}

/* Offset paging (Cloud "start") under a fixed window still shifts when an
 * event is written late into the window while we page: the next page then
 * starts with the last event(s) of the previous one again. Those are
 * marked as repeats. (Genuinely identical events exactly on a page
 * boundary are indistinguishable from this and count once.) */
static size_t mark_shift_repeats(const cfl_page_t *prev, cfl_page_t *pg)
{
	size_t j, i, best = 0, max = prev->n < pg->n ? prev->n : pg->n;

	if (max > 64)
		max = 64;
	for (j = 1; j <= max; j++) {
		for (i = 0; i < j; i++)
			if (!same_event(&prev->ev[prev->n - j + i], &pg->ev[i]))
				break;
		if (i == j)
			best = j;
	}
	for (i = 0; i < best; i++)
		pg->ev[i].repeat = 1;
	return best;
}

/* Decides whether the walk goes on after page pg; applies the guards
 * against servers that page forever. */
static int continue_paging(cfl_poll_t *p, const cfl_page_t *pg, int more)
{
	if (!more)
		return 0;
	if (pg->n == 0) {
		p->stats.guard_stops++;
		warn(p, "a page with no events claims more pages follow; paging stops");
		return 0;
	}
	/* Only a page whose every timed event is older than the window start
	 * means the server went past it (one ignoring `from`); a single old,
	 * untimed or absurdly dated event among in-window ones is no signal. */
	if (newest_on_page(pg) != CFL_TS_NONE && newest_on_page(pg) < p->a)
		return 0;
	if (p->cfg.flavor == CFL_FLAVOR_DC) {
		if (pg->next_cursor != NULL && strlen(pg->next_cursor) > CFL_POLL_MAX_CURSOR) {
			p->stats.guard_stops++;
			p->cut_short = 1;
			warn(p,
			     "a Data Center page gives a nextPageCursor of %zu bytes (more than %d: not a real "
			     "cursor); paging stops there and the pages read are handed over",
			     strlen(pg->next_cursor), CFL_POLL_MAX_CURSOR);
			return 0;
		}
		if (pg->next_cursor == NULL) {
			p->stats.guard_stops++;
			p->cut_short = 1;
			warn(p, "a Data Center page says lastPage=false but gives no nextPageCursor; paging stops");
			return 0;
		}
		if (p->w_cursor != NULL && strcmp(p->w_cursor, pg->next_cursor) == 0) {
			p->stats.guard_stops++;
			p->cut_short = 1;
			warn(p, "the server repeated nextPageCursor; paging stops");
			return 0;
		}
	}
	return 1;
}

static cfl_rc_t grow_items(cfl_poll_t *p, size_t n, cfl_errbuf_t *err)
{
	item_t *it;
	int64_t *tv;

	if (n <= p->cap_items)
		return CFL_OK;
	if ((it = realloc(p->items, n * sizeof(*it))) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory for a page of %zu events", n);
	p->items = it;
	if ((tv = realloc(p->tsv, n * sizeof(*tv))) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory for a page of %zu events", n);
	p->tsv = tv;
	p->cap_items = n;
	return CFL_OK;
}

/* Hand-over starts with the oldest page walked. */
static void begin_hand(cfl_poll_t *p)
{
	p->phase = PH_HAND;
	p->cur = p->n_recs - 1;
}

/* Keeps the pages walked last (the oldest events) while they fit the cap;
 * earlier ones keep only their record. The page just walked is always
 * kept (the next one is compared with it). */
static void enforce_cap(cfl_poll_t *p)
{
	while (p->held_bytes > p->cfg.hold_bytes && p->held_from + 1 < p->n_recs) {
		cfl_poll_i_free_held(p, &p->recs[p->held_from]);
		p->stats.dropped++;
		p->held_from++;
	}
}

static int64_t page_carry(const cfl_page_t *pg, int64_t carry)
{
	size_t i;

	for (i = pg->n; i-- > 0;)
		if (pg->ev[i].ts_ms != CFL_TS_NONE)
			return pg->ev[i].ts_ms;
	return carry;
}

/* The events walked so far do not fit the cap and more pages follow. If
 * the segment can be cut, walk only an older part of it that should fill
 * half the cap at the density seen (what was walked is wasted, once per
 * backfill); the following segments are sized the same way. If it cannot
 * (everything at the segment start), go on walking with the cap: pages
 * walked first give up their events and are fetched again. */
static int cut_segment(cfl_poll_t *p, int64_t oldest, int overflowed)
{
	int64_t span, w, c;

	if (p->two_pass || oldest == CFL_TS_NONE || oldest <= p->a || oldest > p->b) {
		p->two_pass = 1;
		return 0;
	}
	span = p->b - oldest + 1;
	w = (int64_t)((double)span * (double)(p->cfg.hold_bytes / 2) / (double)p->walk_bytes);
	if (w < 1)
		w = 1;
	c = oldest - 1 - p->a < w - 1 ? oldest - 1 : p->a + w - 1;
	p->width = w;
	if (overflowed)
		p->dense_from = oldest;
	p->stats.cuts++;
	start_walk(p, p->a, c);
	return 1;
}

/* After the first page of a walk: would the segment, as dense as that
 * page, overflow the cap? Then it is cut at once (one request
 * wasted instead of a cap's worth). A page within one second says nothing
 * about the density elsewhere (a burst): the overflow decides then. */
#define EST_MIN_SPAN_MS 1000
static int too_big(const cfl_poll_t *p, const cfl_page_t *pg, int64_t oldest)
{
	int64_t newest = CFL_TS_NONE;
	size_t i;

	for (i = 0; i < pg->n && newest == CFL_TS_NONE; i++)
		newest = pg->ev[i].ts_ms;
	if (oldest == CFL_TS_NONE || oldest <= p->a || oldest > p->b || newest - oldest < EST_MIN_SPAN_MS)
		return 0;
	return (double)p->walk_bytes * (double)(p->b - p->a + 1) / (double)(p->b - oldest + 1) >
	       (double)p->cfg.hold_bytes;
}

/* After a segment: size the next one to fill half the cap. */
void cfl_poll_i_adapt_width(cfl_poll_t *p)
{
	int64_t span = p->b - p->a + 1;
	double w;

	if (p->width == 0) /* the segment went to the window end */
		return;
	/* grow at most 2x: an overflow wastes a whole cap of requests, an
	 * empty segment only one */
	w = p->walk_bytes > 0 ? (double)span * (double)(p->cfg.hold_bytes / 2) / (double)p->walk_bytes
	                      : (double)span * 2;
	if (w > (double)span * 2)
		w = (double)span * 2;
	if (w > 1e13) /* about 300 years */
		w = 1e13;
	p->width = w < 1 ? 1 : (int64_t)w;
}

/* The walk reached its page limit with more to come: walk only the part
 * older than what it saw, the rest becomes the next segment. */
static int shrink_segment(cfl_poll_t *p, int64_t oldest)
{
	if (oldest == CFL_TS_NONE || oldest >= p->b)
		return 0;
	p->stats.replans++;
	start_walk(p, p->a, oldest);
	return 1;
}

static cfl_rc_t feed_walk(cfl_poll_t *p, cfl_page_t *pg, size_t body_len, cfl_errbuf_t *err)
{
	cfl_page_t *held;
	rec_t *r;
	int64_t oldest;
	int more;

	check_next_link(p, pg);
	learn_limit(p, pg);
	more = pg->has_more || (p->cfg.flavor == CFL_FLAVOR_CLOUD && !pg->has_links && (long)pg->n >= p->eff_limit);
	oldest = oldest_on_page(p, pg);
	if (!p->disordered && !page_in_order(pg, p->n_recs > 0 ? p->w_carry : CFL_TS_NONE)) {
		p->disordered = 1;
		p->stats.disordered++;
	}
	if (p->n_recs > 0 && same_page(pg, p->recs[p->n_recs - 1].held)) {
		p->stats.guard_stops++;
		p->cut_short = 1;
		warn(p, "the server returned the same page twice; paging stops");
		cfl_page_free(pg);
		begin_hand(p);
		return CFL_OK;
	}
	more = continue_paging(p, pg, more);
	if (more && p->n_recs + 1 >= p->cfg.max_walk_pages) {
		if (shrink_segment(p, oldest)) {
			cfl_page_free(pg);
			return CFL_OK;
		}
		p->stats.guard_stops++;
		p->cut_short = 1;
		warn(p,
		     "paging stopped after %zu pages (the bound of one walk) of events within one millisecond "
		     "or untimed: the server seems to page endlessly; the pages read are handed over",
		     p->n_recs + 1);
		more = 0;
	}
	if (grow_items(p, pg->n, err) != CFL_OK)
		goto nomem;
	if (p->n_recs == p->cap_recs) {
		size_t cap = p->cap_recs ? p->cap_recs * 2 : 16;
		rec_t *nr = realloc(p->recs, cap * sizeof(*nr));
		if (nr == NULL)
			goto nomem;
		p->recs = nr;
		p->cap_recs = cap;
	}
	if ((held = malloc(sizeof(*held))) == NULL)
		goto nomem;
	r = &p->recs[p->n_recs];
	memset(r, 0, sizeof(*r));
	r->offset = p->w_offset;
	r->cursor = p->w_cursor; /* taken over; the next one comes from the page */
	p->w_cursor = NULL;
	r->n = pg->n;
	if (pg->n > 0) {
		r->fp_first = cfl_dedup_fingerprint(pg->ev[0].json, pg->ev[0].len);
		r->fp_last = cfl_dedup_fingerprint(pg->ev[pg->n - 1].json, pg->ev[pg->n - 1].len);
	}
	if (p->n_recs > 0 && p->cfg.flavor == CFL_FLAVOR_CLOUD)
		r->n_repeat = mark_shift_repeats(p->recs[p->n_recs - 1].held, pg);
	r->carry = p->w_carry;
	r->bytes = body_len + pg->n * (sizeof(cfl_page_event_t) + 1) + sizeof(*pg);
	*held = *pg;
	r->held = held;
	p->held_bytes += r->bytes;
	p->walk_bytes += r->bytes;
	p->n_recs++;
	p->w_carry = page_carry(held, p->w_carry);
	if (more && p->held_bytes > p->cfg.hold_bytes && cut_segment(p, oldest, 1))
		return CFL_OK;
	if (more && p->n_recs == 1 && too_big(p, p->recs[0].held, oldest) && cut_segment(p, oldest, 0))
		return CFL_OK;
	enforce_cap(p);
	if (!more) {
		begin_hand(p);
		return CFL_OK;
	}
	if (p->cfg.flavor == CFL_FLAVOR_CLOUD) {
		p->w_offset += (long)held->n;
	} else {
		p->w_cursor = held->next_cursor;
		held->next_cursor = NULL;
	}
	return CFL_OK;
nomem:
	cfl_page_free(pg);
	return cfl_err_set(err, CFL_ENOMEM, "out of memory keeping page %zu of a walk", p->n_recs + 1);
}

#define MAX_STUCK 3

/* Something changed under the walk (the page fetched again is not the
 * page the walk saw): walk what is not handed over yet again. */
static void replan(cfl_poll_t *p)
{
	int64_t a = p->a;

	p->stats.replans++;
	if (p->has_cursor && p->cursor >= a)
		a = p->cursor + 1;
	if (a > p->b) {
		p->next_start = p->b + 1;
		cfl_poll_i_drop_walk(p);
		return;
	}
	start_walk(p, a, p->b);
}

static cfl_rc_t feed_refetch(cfl_poll_t *p, cfl_page_t *pg, cfl_errbuf_t *err)
{
	const rec_t *r = &p->recs[p->cur];
	size_t i;

	check_next_link(p, pg);
	p->stats.refetches++;
	if (pg->n != r->n ||
	    (pg->n > 0 && (cfl_dedup_fingerprint(pg->ev[0].json, pg->ev[0].len) != r->fp_first ||
	                   cfl_dedup_fingerprint(pg->ev[pg->n - 1].json, pg->ev[pg->n - 1].len) != r->fp_last))) {
		if (p->stuck < MAX_STUCK) {
			p->stuck++;
			cfl_page_free(pg);
			replan(p);
			return CFL_OK;
		}
		/* the server changes faster than we can walk: take the page as
		 * it is now, as a read of its own (what shifted out of it can be
		 * missed; what shifted in is not delivered twice) */
		p->stats.guard_stops++;
		warn(p, "pages keep changing between the walk and fetching them again (events written into the "
		        "past while paging?); handing them over as fetched");
		p->gen++;
	}
	if (grow_items(p, pg->n, err) != CFL_OK) {
		cfl_page_free(pg);
		return CFL_ENOMEM;
	}
	for (i = 0; i < r->n_repeat; i++)
		pg->ev[i].repeat = 1;
	p->refetched = *pg;
	return prepare_page(p, r, &p->refetched);
}

cfl_rc_t cfl_poll_feed(cfl_poll_t *p, const char *body, size_t len, cfl_errbuf_t *err)
{
	cfl_page_t pg;
	cfl_rc_t rc;

	if (!p->active || p->emitting || p->phase == PH_NONE || (p->phase == PH_HAND && p->recs[p->cur].held != NULL))
		return cfl_err_set(err, CFL_EINVAL, "cfl_poll_feed() without a pending FETCH");
	if ((rc = cfl_page_parse_max(p->cfg.flavor, body, len, p->cfg.exclude, (size_t)p->cfg.page_size, &pg, err)) !=
	    CFL_OK)
		return rc;
	mark_odd_times(p, &pg);
	p->stats.pages++;
	if (p->phase == PH_WALK)
		return feed_walk(p, &pg, len, err);
	return feed_refetch(p, &pg, err);
}

/* ---- emitting --------------------------------------------------------- */

static int cmp_item(const void *x, const void *y)
{
	const item_t *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}


/* Event times in server order; an event without one takes the time of the
 * next newer timed event on the page (or the next older one, or the
 * walk's carry), so the order stays intact. */
static void assign_times(cfl_poll_t *p, const rec_t *r, const cfl_page_t *pg)
{
	int64_t t = CFL_TS_NONE;
	size_t i;

	for (i = 0; i < pg->n && t == CFL_TS_NONE; i++)
		t = pg->ev[i].ts_ms;
	if (t == CFL_TS_NONE)
		t = r->carry;
	for (i = 0; i < pg->n; i++) {
		if (pg->ev[i].ts_ms != CFL_TS_NONE)
			t = pg->ev[i].ts_ms;
		p->tsv[i] = t;
	}
}

/* Collects the page's events oldest first, without repeats, those outside
 * [a, b] and those delivered before, and starts emitting them. */
static cfl_rc_t prepare_page(cfl_poll_t *p, const rec_t *r, const cfl_page_t *pg)
{
	size_t i, k = 0, keep = 0, odd = 0, stray = 0, unparsed = 0;
	int d;

	assign_times(p, r, pg);
	p->page_top = CFL_TS_NONE;
	/* server order is newest first: walk it backwards */
	for (i = pg->n; i-- > 0;) {
		const cfl_page_event_t *ev = &pg->ev[i];
		item_t *it = &p->items[k];
		if (ev->repeat) {
			p->stats.duplicates++;
			continue;
		}
		if (ev->unparsed)
			unparsed++;
		if (ev->odd_time)
			odd++;
		else if (ev->ts_ms == CFL_TS_NONE)
			p->stats.untimed++;
		it->ts = p->tsv[i];
		if (it->ts < p->a || it->ts > p->b) {
			p->stats.out_of_window++;
			/* a - 1 and b + 1 were asked for (bounds of either kind);
			 * anything further out was not */
			if (it->ts < p->a - 1 || it->ts > p->b + 1)
				stray++;
			continue;
		}
		if (p->page_top == CFL_TS_NONE || it->ts > p->page_top)
			p->page_top = it->ts;
		it->ev = ev;
		it->order = k++;
	}
	if (k > 1) /* an empty page leaves p->items NULL, which qsort may not take */
		qsort(p->items, k, sizeof(*p->items), cmp_item);
	for (i = 0; i < k; i++) {
		item_t *it = &p->items[i];
		it->fp = cfl_dedup_fingerprint(it->ev->json, it->ev->len);
		/* an event without a (sane) time is placed at its neighbour's,
		 * which changes from read to read: its fingerprint is kept as if
		 * it were as new as the window, so it outlives the overlap while
		 * the server keeps showing it (beyond that: once again at most) */
		d = cfl_dedup_read(p->dedup, it->fp, it->ev->ts_ms == CFL_TS_NONE ? p->b : it->ts, p->gen,
		                   p->disordered, &it->copy);
		if (d > 0) /* (-1, out of memory: delivered, as ordinal 0 at worst) */
			p->stats.duplicates++;
		else
			p->items[keep++] = *it;
	}
	if (unparsed > 0)
		warn(p,
		     "%zu event(s) of a page are JSON nested too deep to read; delivered as they were sent "
		     "(mmconfluence makes them pipeline_error documents), the page's other events as usual",
		     unparsed);
	if (stray > 0)
		warn(p,
		     "%zu event(s) of a page lie outside the time window that was asked for; they are "
		     "ignored (the window they belong to reads them) and paging goes on",
		     stray);
	if (odd > 0) {
		p->stats.odd_time += odd;
		warn(p,
		     "%zu event(s) of a page are dated before 2004 or more than %d s ahead of the clock; "
		     "delivered with their neighbour's time, they move no cursor",
		     odd, (int)(CFL_POLL_MAX_SKEW_MS / 1000));
	}
	p->n_items = keep;
	if (keep == 0 && p->cur > 0) { /* nothing new, and not the segment's end */
		cfl_poll_i_page_done(p);
		return CFL_OK;
	}
	p->chunk_begin = 0;
	p->emitting = 1;
	cfl_poll_i_make_chunk(p);
	return CFL_OK;
}
