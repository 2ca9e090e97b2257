/* cfl_poll.c: paging / window / slicing state machine (design in
 * cfl_poll.h).
 *
 * States: idle (no cycle) -> cycle active, no slice -> slice being fetched
 * (pages accumulate) -> emitting the slice in chunks -> next slice ... ->
 * idle when the slice start passes the window end.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_dedup.h"
#include "cfl_page.h"
#include "cfl_poll.h"

/* the widest slice we ever ask for (about 115 days): keeps arithmetic far
 * from overflow and a first page far from "everything since 1970" */
#define MAX_WIDTH_MS INT64_C(10000000000)

typedef struct item {
	const cfl_page_event_t *ev;
	int64_t ts;
	size_t order;       /* position in server order, reversed: ties keep it */
	cfl_fp_t fp;
} item_t;

struct cfl_poll {
	cfl_poll_cfg_t cfg;
	cfl_dedup_t *dedup;
	cfl_poll_stats_t stats;
	char warning[CFL_ERRBUF_LEN];

	/* persisted */
	int has_cursor;
	int64_t cursor;
	int64_t low;

	/* cycle */
	int active;
	int64_t end;          /* window end, fixed for the cycle */
	int64_t next_start;   /* start of the next slice */
	int64_t width;        /* width of the next slice, ms */
	long eff_limit;       /* page size the server really gives */

	/* slice [a, b] */
	int in_slice;
	int64_t a, b;
	long offset;          /* Cloud start */
	char *page_cursor;    /* DC pageCursor */
	unsigned pages_n;
	cfl_page_t *pages;
	size_t npages, cap_pages;
	uint32_t gen;

	/* emitting */
	int emitting;
	item_t *items;        /* events to hand over (no duplicates), oldest first */
	size_t n_items;
	size_t chunk_begin, chunk_end;
	size_t slice_in_window;  /* events of the slice inside [a, b], for the width */
	cfl_poll_event_t *out;
	size_t n_out;
};

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
	if (p->cfg.max_pages_per_slice == 0)
		p->cfg.max_pages_per_slice = CFL_POLL_DFLT_MAX_PAGES;
	if (p->cfg.max_fingerprints == 0)
		p->cfg.max_fingerprints = CFL_POLL_DFLT_MAX_FPS;
	p->eff_limit = cfg->page_size;
	if ((p->dedup = cfl_dedup_new(p->cfg.max_fingerprints)) == NULL) {
		free(p);
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	return p;
}

static void drop_slice(cfl_poll_t *p)
{
	size_t i;

	for (i = 0; i < p->npages; i++)
		cfl_page_free(&p->pages[i]);
	p->npages = 0;
	free(p->page_cursor);
	p->page_cursor = NULL;
	free(p->items);
	p->items = NULL;
	free(p->out);
	p->out = NULL;
	p->n_items = p->n_out = 0;
	p->in_slice = 0;
	p->emitting = 0;
}

void cfl_poll_free(cfl_poll_t *p)
{
	if (p == NULL)
		return;
	drop_slice(p);
	free(p->pages);
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
	start = p->has_cursor ? p->low : now_ms - p->cfg.initial_lookback_ms;
	p->end = now_ms;
	if (start > now_ms) /* the clock went back: wait until it catches up */
		return;
	p->active = 1;
	p->next_start = start;
	p->width = now_ms - start + 1;
	if (p->width > MAX_WIDTH_MS)
		p->width = MAX_WIDTH_MS;
}

cfl_poll_action_t cfl_poll_next(cfl_poll_t *p, cfl_request_t *req)
{
	if (p->emitting)
		return CFL_POLL_EMIT;
	if (!p->active)
		return CFL_POLL_IDLE;
	if (!p->in_slice) {
		if (p->next_start > p->end) {
			p->active = 0;
			return CFL_POLL_IDLE;
		}
		p->a = p->next_start;
		p->b = p->end - p->a < p->width ? p->end : p->a + p->width - 1;
		p->offset = 0;
		p->pages_n = 0;
		p->in_slice = 1;
	}
	memset(req, 0, sizeof(*req));
	req->from_ms = p->a - 1;
	req->to_ms = p->b + 1;
	req->offset = p->offset;
	req->limit = p->cfg.page_size;
	req->page_cursor = p->page_cursor;
	return CFL_POLL_FETCH;
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

/* Oldest timed event time on the page, or CFL_TS_NONE. */
static int64_t oldest_on_page(const cfl_page_t *pg)
{
	int64_t t = CFL_TS_NONE;
	size_t i;

	for (i = 0; i < pg->n; i++)
		if (pg->ev[i].ts_ms != CFL_TS_NONE && (t == CFL_TS_NONE || pg->ev[i].ts_ms < t))
			t = pg->ev[i].ts_ms;
	return t;
}

static int same_page(const cfl_page_t *x, const cfl_page_t *y)
{
	return x->n == y->n && x->n > 0 && x->ev[0].len == y->ev[0].len &&
	       memcmp(x->ev[0].json, y->ev[0].json, x->ev[0].len) == 0 &&
	       x->ev[x->n - 1].len == y->ev[y->n - 1].len &&
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
static void mark_shift_repeats(const cfl_page_t *prev, cfl_page_t *pg)
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
}

/* Decides whether paging the slice goes on after page pg; applies the
 * guards against servers that page forever. */
static int continue_paging(cfl_poll_t *p, const cfl_page_t *pg, int more, int64_t oldest)
{
	if (!more)
		return 0;
	if (pg->n == 0) {
		p->stats.guard_stops++;
		warn(p, "a page with no events claims more pages follow; paging of this slice stops");
		return 0;
	}
	if (oldest != CFL_TS_NONE && oldest < p->a)
		return 0; /* the server went past our window start: nothing older is wanted */
	if (p->npages > 0 && same_page(pg, &p->pages[p->npages - 1])) {
		p->stats.guard_stops++;
		warn(p, "the server returned the same page twice; paging of this slice stops");
		return 0;
	}
	if (p->pages_n >= p->cfg.max_pages_per_slice) {
		p->stats.guard_stops++;
		warn(p, "paging stopped after %u pages for one slice of 1 ms: the server seems to page endlessly",
		     p->pages_n);
		return 0;
	}
	if (p->cfg.flavor == CFL_FLAVOR_DC) {
		if (pg->next_cursor == NULL) {
			p->stats.guard_stops++;
			warn(p, "a Data Center page says lastPage=false but gives no nextPageCursor; paging stops");
			return 0;
		}
		if (p->page_cursor != NULL && strcmp(p->page_cursor, pg->next_cursor) == 0) {
			p->stats.guard_stops++;
			warn(p, "the server repeated nextPageCursor; paging of this slice stops");
			return 0;
		}
	}
	return 1;
}

/* The first page was full: narrow the slice and fetch it again. */
static void split_slice(cfl_poll_t *p, int64_t oldest)
{
	int64_t w = (p->b - p->a + 1) / 2;

	if (oldest != CFL_TS_NONE && oldest >= p->a && oldest - p->a + 1 < w)
		w = oldest - p->a + 1;
	p->width = w < 1 ? 1 : w;
	p->stats.splits++;
	drop_slice(p);
}

static cfl_rc_t prepare_batch(cfl_poll_t *p, cfl_errbuf_t *err);

cfl_rc_t cfl_poll_feed(cfl_poll_t *p, const char *body, size_t len, cfl_errbuf_t *err)
{
	cfl_page_t pg, *np;
	int64_t oldest;
	int more;
	cfl_rc_t rc;

	if (!p->in_slice || p->emitting)
		return cfl_err_set(err, CFL_EINVAL, "cfl_poll_feed() without a pending FETCH");
	if ((rc = cfl_page_parse(p->cfg.flavor, body, len, p->cfg.exclude, &pg, err)) != CFL_OK)
		return rc;
	p->stats.pages++;
	p->pages_n++;
	check_next_link(p, &pg);
	learn_limit(p, &pg);
	more = pg.has_more || (p->cfg.flavor == CFL_FLAVOR_CLOUD && !pg.has_links && (long)pg.n >= p->eff_limit);
	oldest = oldest_on_page(&pg);
	/* a full first page: the slice holds more than a page, narrow it (a
	 * short page that claims a successor is paged through, with guards) */
	if (p->pages_n == 1 && more && p->b > p->a && (long)pg.n >= p->eff_limit) {
		cfl_page_free(&pg);
		split_slice(p, oldest);
		return CFL_OK;
	}
	more = continue_paging(p, &pg, more, oldest);
	if (p->npages > 0 && same_page(&pg, &p->pages[p->npages - 1])) {
		cfl_page_free(&pg); /* a server repeating itself: keep the first copy */
		return more ? CFL_OK : prepare_batch(p, err);
	}
	if (p->npages > 0 && p->cfg.flavor == CFL_FLAVOR_CLOUD)
		mark_shift_repeats(&p->pages[p->npages - 1], &pg);
	if (p->npages == p->cap_pages) {
		size_t cap = p->cap_pages ? p->cap_pages * 2 : 4;
		if ((np = realloc(p->pages, cap * sizeof(*np))) == NULL) {
			cfl_page_free(&pg);
			p->pages_n--;
			return cfl_err_set(err, CFL_ENOMEM, "out of memory keeping page %u of a slice", p->pages_n + 1);
		}
		p->pages = np;
		p->cap_pages = cap;
	}
	p->pages[p->npages++] = pg;
	if (more) {
		if (p->cfg.flavor == CFL_FLAVOR_CLOUD) {
			p->offset += (long)pg.n;
		} else {
			free(p->page_cursor);
			p->page_cursor = p->pages[p->npages - 1].next_cursor;
			p->pages[p->npages - 1].next_cursor = NULL;
		}
		return CFL_OK;
	}
	return prepare_batch(p, err);
}

/* ---- emitting --------------------------------------------------------- */

static int cmp_item(const void *x, const void *y)
{
	const item_t *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static void make_chunk(cfl_poll_t *p)
{
	size_t i;

	p->chunk_end = p->chunk_begin + (size_t)p->cfg.page_size;
	if (p->chunk_end > p->n_items)
		p->chunk_end = p->n_items;
	p->n_out = 0;
	for (i = p->chunk_begin; i < p->chunk_end; i++) {
		if (p->items[i].ev->excluded)
			continue;
		p->out[p->n_out].json = p->items[i].ev->json;
		p->out[p->n_out].len = p->items[i].ev->len;
		p->out[p->n_out].ts_ms = p->items[i].ts;
		p->n_out++;
	}
}

/* Collects the slice's events oldest first, without those outside the
 * slice and those delivered before, and starts emitting them. */
static cfl_rc_t prepare_batch(cfl_poll_t *p, cfl_errbuf_t *err)
{
	size_t total = 0, i, k = 0, keep = 0;
	size_t pi, ei;

	for (i = 0; i < p->npages; i++)
		total += p->pages[i].n;
	p->items = malloc((total ? total : 1) * sizeof(*p->items));
	p->out = malloc((size_t)(p->cfg.page_size < (long)total ? p->cfg.page_size : (long)total + 1) *
	                sizeof(*p->out));
	if (p->items == NULL || p->out == NULL) {
		free(p->items);
		free(p->out);
		p->items = NULL;
		p->out = NULL;
		return cfl_err_set(err, CFL_ENOMEM, "out of memory sorting a slice of %zu events", total);
	}
	/* server order is newest first: walk it backwards */
	for (pi = p->npages; pi-- > 0;) {
		for (ei = p->pages[pi].n; ei-- > 0;) {
			const cfl_page_event_t *ev = &p->pages[pi].ev[ei];
			item_t *it = &p->items[k];
			if (ev->repeat) {
				p->stats.duplicates++;
				continue;
			}
			it->ts = ev->ts_ms;
			if (it->ts == CFL_TS_NONE) {
				p->stats.untimed++;
				it->ts = p->b;
			} else if (it->ts < p->a || it->ts > p->b) {
				p->stats.out_of_window++;
				continue;
			}
			it->ev = ev;
			it->order = k++;
		}
	}
	qsort(p->items, k, sizeof(*p->items), cmp_item);
	p->gen++;
	for (i = 0; i < k; i++) {
		item_t *it = &p->items[i];
		it->fp = cfl_dedup_fingerprint(it->ev->json, it->ev->len);
		if (cfl_dedup_is_dup(p->dedup, it->fp, p->gen))
			p->stats.duplicates++;
		else
			p->items[keep++] = *it;
	}
	p->n_items = keep;
	p->chunk_begin = 0;
	p->emitting = 1;
	p->slice_in_window = k;
	make_chunk(p);
	return CFL_OK;
}

size_t cfl_poll_batch(const cfl_poll_t *p, const cfl_poll_event_t **evs)
{
	*evs = p->out;
	return p->emitting ? p->n_out : 0;
}

/* After a slice: aim the next one at 3/4 of a page. */
static void adapt_width(cfl_poll_t *p)
{
	int64_t w = p->b - p->a + 1, target = p->eff_limit * 3 / 4, nw;
	int64_t n = (int64_t)p->slice_in_window;

	if (target < 1)
		target = 1;
	if (n == 0)
		nw = w * 4;
	else if (n >= target)
		nw = w * target / n;
	else
		nw = w * target / n < w * 4 ? w * target / n : w * 4;
	if (nw < w / 2)
		nw = w / 2;
	if (nw < 1)
		nw = 1;
	p->width = nw > MAX_WIDTH_MS ? MAX_WIDTH_MS : nw;
}

cfl_rc_t cfl_poll_commit(cfl_poll_t *p, cfl_errbuf_t *err)
{
	int64_t c, settled;
	size_t i;

	if (!p->emitting)
		return cfl_err_set(err, CFL_EINVAL, "cfl_poll_commit() without a pending EMIT");
	for (i = p->chunk_begin; i < p->chunk_end; i++) {
		const item_t *it = &p->items[i];
		if (cfl_dedup_add(p->dedup, it->fp, it->ts, 1) != CFL_OK)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory recording a delivered event");
		if (it->ev->excluded)
			p->stats.excluded++;
		else
			p->stats.emitted++;
	}
	/* all of the slice, or everything before the last event handed over
	 * (its millisecond may continue in the next chunk) */
	c = p->chunk_end == p->n_items ? p->b : p->items[p->chunk_end - 1].ts - 1;
	if (!p->has_cursor || c > p->cursor)
		p->cursor = c;
	settled = p->end - p->cfg.overlap_ms;
	c = p->cursor < settled ? p->cursor : settled;
	if (!p->has_cursor || c > p->low)
		p->low = c;
	p->has_cursor = 1;
	cfl_dedup_prune(p->dedup, p->low);
	if (p->chunk_end < p->n_items) {
		p->chunk_begin = p->chunk_end;
		make_chunk(p);
		return CFL_OK;
	}
	p->stats.slices++;
	adapt_width(p);
	p->next_start = p->b + 1;
	drop_slice(p);
	return CFL_OK;
}

cfl_rc_t cfl_poll_snapshot(const cfl_poll_t *p, cfl_state_t *st)
{
	size_t n = cfl_dedup_count(p->dedup), pos = 0, k = 0;
	cfl_state_fp_t *fps = NULL;

	if (n > 0 && (fps = malloc(n * sizeof(*fps))) == NULL)
		return CFL_ENOMEM;
	while (k < n && cfl_dedup_iter(p->dedup, &pos, &fps[k].fp, &fps[k].ts_ms, &fps[k].count))
		k++;
	free(st->fps);
	st->fps = fps;
	st->n_fps = k;
	st->has_cursor = p->has_cursor;
	st->cursor_ms = p->cursor;
	st->low_ms = p->low;
	return CFL_OK;
}

const cfl_poll_stats_t *cfl_poll_stats(const cfl_poll_t *p)
{
	return &p->stats;
}

int cfl_poll_cursor(const cfl_poll_t *p, int64_t *cursor_ms)
{
	if (p->has_cursor)
		*cursor_ms = p->cursor;
	return p->has_cursor;
}

int64_t cfl_poll_window_end(const cfl_poll_t *p)
{
	return p->end;
}

int cfl_poll_take_warning(cfl_poll_t *p, char *buf, size_t len)
{
	if (p->warning[0] == '\0')
		return 0;
	snprintf(buf, len, "%s", p->warning);
	p->warning[0] = '\0';
	return 1;
}
