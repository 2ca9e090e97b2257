/* test_poll_hostile.c: cfl_poll and cfl_orgwalk against servers that
 * misbehave on purpose: odd event times on a page, a cursor
 * poisoned by a future date, pages larger than the limit, reshuffled
 * pages, a cursor no URL can carry, endless paging; and the numbering of
 * genuinely identical events.
 *
 * The server here is deliberately dumb: a list of event texts in the
 * order it sends them (newest first), each with the time it filters on,
 * some served whatever the window asked for (the hostile ones).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_orgwalk.h"
#include "cfl_poll.h"
#include "cfl_state.h"

#define NOW INT64_C(1779184800000) /* 2026-05-19T10:00:00.000Z */
#define SEC INT64_C(1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define MAXEV 1024
#define FUTURE INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

typedef struct hs_event {
	char text[256];
	int64_t ts; /* what the window filters on */
	int always; /* served whatever the window */
} hs_event_t;

typedef struct hs_server {
	cfl_flavor_t flavor;
	hs_event_t ev[MAXEV]; /* server order: newest first */
	size_t n;
	const char *long_cursor; /* DC: the first page's nextPageCursor instead of the real one */
	int endless;             /* every page claims a next one */
	unsigned shuffle;        /* > 0: every request sees the list in another order (seed) */
	size_t requests;
} hs_server_t;

typedef struct hs_out {
	char text[MAXEV * 2][256];
	unsigned copy[MAXEV * 2];
	size_t n;
} hs_out_t;

static void add(hs_server_t *s, int always, int64_t ts, const char *fmt, ...)
{
	va_list ap;

	assert_true(s->n < MAXEV);
	va_start(ap, fmt);
	vsnprintf(s->ev[s->n].text, sizeof(s->ev[s->n].text), fmt, ap);
	va_end(ap);
	s->ev[s->n].ts = ts;
	s->ev[s->n].always = always;
	s->n++;
}

/* n ordinary events, newest first, one every 2 s, the newest 5 s ago */
static void add_series(hs_server_t *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int64_t t = NOW - 5 * SEC - (int64_t)i * 2 * SEC;
		if (s->flavor == CFL_FLAVOR_CLOUD)
			add(s, 0, t, "{\"creationDate\":%lld,\"summary\":\"e%d\"}", (long long)t, i);
		else
			add(s, 0, t, "{\"timestamp\":{\"epochSecond\":%lld,\"nano\":%lld},\"id\":\"e%d\"}",
			    (long long)(t / 1000), (long long)(t % 1000) * 1000000, i);
	}
}

static char *answer(hs_server_t *s, const cfl_request_t *req)
{
	size_t idx[MAXEV], n = 0, i, start, off = 0, cap = 1 << 20;
	char *b = malloc(cap);
	int more;

	assert_non_null(b);
	s->requests++;
	for (i = 0; i < s->n; i++)
		if (s->ev[i].always || (s->ev[i].ts >= req->from_ms && s->ev[i].ts <= req->to_ms))
			idx[n++] = i;
	if (s->shuffle > 0) {
		unsigned r = s->shuffle * 2654435761u + (unsigned)s->requests * 40503u;
		for (i = n; i > 1; i--) {
			size_t j, t;
			r = r * 1103515245u + 12345u;
			j = (r >> 8) % i;
			t = idx[i - 1];
			idx[i - 1] = idx[j];
			idx[j] = t;
		}
	}
	if (s->flavor == CFL_FLAVOR_CLOUD)
		start = (size_t)req->offset;
	else
		start = req->page_cursor != NULL ? (size_t)strtoul(req->page_cursor + 2, NULL, 10) : 0;
	more = s->endless || start + (size_t)req->limit < n;
	off += (size_t)snprintf(b + off, cap - off,
	                        s->flavor == CFL_FLAVOR_CLOUD ? "{\"results\":[" : "{\"entities\":[");
	for (i = 0; i < (size_t)req->limit; i++) {
		size_t k = s->endless ? (start + i) % n : start + i;
		if (k >= n)
			break;
		off += (size_t)snprintf(b + off, cap - off, "%s%s", i ? "," : "", s->ev[idx[k]].text);
	}
	if (s->flavor == CFL_FLAVOR_CLOUD)
		snprintf(b + off, cap - off, "],\"limit\":%ld,\"_links\":{%s}}", req->limit,
		         more ? "\"next\":\"/rest/api/audit?next=true\"" : "");
	else if (more && s->long_cursor != NULL && start == 0)
		snprintf(b + off, cap - off, "],\"pagingInfo\":{\"lastPage\":false,\"nextPageCursor\":\"%s\"}}",
		         s->long_cursor);
	else if (more)
		snprintf(b + off, cap - off, "],\"pagingInfo\":{\"lastPage\":false,\"nextPageCursor\":\"0,%zu\"}}",
		         start + (size_t)req->limit);
	else
		snprintf(b + off, cap - off, "],\"pagingInfo\":{\"lastPage\":true}}");
	return b;
}

static cfl_poll_t *poller(cfl_flavor_t f, long page_size, size_t max_pages)
{
	cfl_poll_cfg_t c;
	cfl_poll_t *p;
	cfl_errbuf_t err;

	memset(&c, 0, sizeof(c));
	c.flavor = f;
	c.page_size = page_size;
	c.overlap_ms = HOUR;
	c.initial_lookback_ms = HOUR;
	c.max_walk_pages = max_pages;
	p = cfl_poll_new(&c, &err);
	assert_non_null(p);
	return p;
}

/* One poll cycle at now; what was emitted is appended to out. */
static void cycle(cfl_poll_t *p, hs_server_t *s, int64_t now, hs_out_t *out)
{
	const cfl_poll_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t n, i, guard = 0;
	char *body;

	cfl_poll_begin(p, now);
	for (;;) {
		assert_true(++guard < 100000);
		switch (cfl_poll_next(p, &req)) {
		case CFL_POLL_FETCH:
			body = answer(s, &req);
			assert_int_equal(cfl_poll_feed(p, body, strlen(body), &err), CFL_OK);
			free(body);
			break;
		case CFL_POLL_EMIT:
			n = cfl_poll_batch(p, &evs);
			for (i = 0; i < n; i++) {
				assert_true(out->n < MAXEV * 2);
				assert_true(evs[i].ts_ms <= now + CFL_POLL_MAX_SKEW_MS);
				snprintf(out->text[out->n], sizeof(out->text[0]), "%s", evs[i].json);
				out->copy[out->n++] = evs[i].copy;
			}
			assert_int_equal(cfl_poll_commit(p, &err), CFL_OK);
			break;
		case CFL_POLL_IDLE: return;
		}
	}
}

/* how often text was emitted */
static size_t times(const hs_out_t *o, const char *text)
{
	size_t i, k = 0;

	for (i = 0; i < o->n; i++)
		k += strcmp(o->text[i], text) == 0;
	return k;
}

/* every event of the server emitted exactly once (the always-served ones too) */
static void assert_each_once(const hs_server_t *s, const hs_out_t *o)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (times(o, s->ev[i].text) != 1)
			fail_msg("%s emitted %zu times", s->ev[i].text, times(o, s->ev[i].text));
	assert_int_equal(o->n, s->n);
}

static void assert_cursor_sane(const cfl_poll_t *p, int64_t now)
{
	int64_t c;

	if (cfl_poll_cursor(p, &c))
		assert_true(c <= now + CFL_POLL_MAX_SKEW_MS);
}

/* Issue 17, 1: a too-old, zero or garbled time on page 1 stopped the walk
 * after 50 of 300 events. Now they are delivered (as untimed: counted)
 * and paging goes on to the API's last page. */
static void odd_times_on_page_one_never_stop_paging(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	s.flavor = CFL_FLAVOR_CLOUD;
	add(&s, 1, -1000, "{\"creationDate\":-1000,\"summary\":\"odd -1000\"}");
	add(&s, 1, 0, "{\"creationDate\":0,\"summary\":\"odd 0\"}");
	add(&s, 1, 0, "{\"creationDate\":\"1700000000000\\u0000x\",\"summary\":\"odd NUL\"}");
	add_series(&s, 300);
	p = poller(CFL_FLAVOR_CLOUD, 50, 0);
	cycle(p, &s, NOW, &o);
	assert_each_once(&s, &o);
	assert_int_equal(cfl_poll_stats(p)->odd_time, 2); /* -1000 and 0 */
	assert_int_equal(cfl_poll_stats(p)->untimed, 1);  /* the garbled one is no time at all */
	assert_int_equal(cfl_poll_stats(p)->guard_stops, 0);
	assert_cursor_sane(p, NOW);
	/* a later poll: nothing again, and a new event arrives */
	memmove(&s.ev[4], &s.ev[3], (s.n - 3) * sizeof(s.ev[0]));
	s.n++;
	snprintf(s.ev[3].text, sizeof(s.ev[3].text), "{\"creationDate\":%lld,\"summary\":\"new\"}",
	         (long long)(NOW + 30 * SEC));
	s.ev[3].ts = NOW + 30 * SEC;
	s.ev[3].always = 0;
	cycle(p, &s, NOW + MIN, &o);
	assert_each_once(&s, &o);
	cfl_poll_free(p);
}

/* The same for Data Center, "1970-01-01T00:00:00.000Z" on page 1; and an
 * event exactly at the window's start on page 1 (the server's order is
 * wrong): neither stops paging. */
static void dc_epoch_and_window_start_events_never_stop_paging(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	s.flavor = CFL_FLAVOR_DC;
	add(&s, 1, 0, "{\"timestamp\":\"1970-01-01T00:00:00.000Z\",\"id\":\"odd\"}");
	add(&s, 0, NOW - HOUR, "{\"timestamp\":{\"epochSecond\":%lld},\"id\":\"at-start\"}",
	    (long long)((NOW - HOUR) / 1000));
	add_series(&s, 300);
	p = poller(CFL_FLAVOR_DC, 50, 0);
	cycle(p, &s, NOW, &o);
	assert_each_once(&s, &o);
	assert_int_equal(cfl_poll_stats(p)->odd_time, 1);
	assert_cursor_sane(p, NOW);
	cfl_poll_free(p);
}

/* Issue 17, 2: an event dated 9999 was dropped silently (Cloud); now it
 * is delivered and counted, and the cursor stays at the window's end. */
static void future_event_is_delivered_and_moves_no_cursor(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p;
	int64_t c;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	s.flavor = CFL_FLAVOR_CLOUD;
	add(&s, 1, FUTURE, "{\"creationDate\":%lld,\"summary\":\"from 9999\"}", (long long)FUTURE);
	add_series(&s, 120);
	p = poller(CFL_FLAVOR_CLOUD, 50, 0);
	cycle(p, &s, NOW, &o);
	assert_each_once(&s, &o);
	assert_int_equal(cfl_poll_stats(p)->odd_time, 1);
	assert_true(cfl_poll_cursor(p, &c));
	assert_true(c <= NOW);
	cfl_poll_free(p);
}

/* A state file poisoned before this fix (cursor in 9999): reset, warned,
 * and polling delivers the last initialLookback again. */
static void poisoned_state_recovers_by_itself(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p;
	cfl_state_t st;
	cfl_errbuf_t err;
	char w[CFL_ERRBUF_LEN];
	int64_t c;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	s.flavor = CFL_FLAVOR_DC;
	add_series(&s, 30);
	p = poller(CFL_FLAVOR_DC, 50, 0);
	st.has_cursor = 1;
	st.cursor_ms = FUTURE;
	st.low_ms = FUTURE - HOUR;
	assert_int_equal(cfl_poll_restore(p, &st, &err), CFL_OK);
	cycle(p, &s, NOW, &o);
	assert_each_once(&s, &o);
	assert_int_equal(cfl_poll_stats(p)->cursor_resets, 1);
	assert_true(cfl_poll_take_warning(p, w, sizeof(w)));
	assert_non_null(strstr(w, "ahead of the clock"));
	assert_true(cfl_poll_cursor(p, &c) && c <= NOW);
	cycle(p, &s, NOW + MIN, &o); /* once: the next poll is ordinary */
	assert_int_equal(cfl_poll_stats(p)->cursor_resets, 1);
	assert_int_equal(o.n, 30);
	cfl_poll_free(p);

	/* with fingerprints in the state, the newest sane one says where we
	 * were: the window starts there (minus the overlap), not a lookback */
	{
		cfl_state_fp_t fps[2] = { { 1, NOW - 10 * MIN, 1 }, { 2, FUTURE, 1 } };
		cfl_request_t req;
		st.fps = fps;
		st.n_fps = 2;
		p = poller(CFL_FLAVOR_DC, 50, 0);
		assert_int_equal(cfl_poll_restore(p, &st, &err), CFL_OK);
		cfl_poll_begin(p, NOW);
		assert_int_equal(cfl_poll_next(p, &req), CFL_POLL_FETCH);
		assert_true(req.from_ms == NOW - 10 * MIN - 1); /* no earlier than the oldest fingerprint */
		assert_true(cfl_poll_take_warning(p, w, sizeof(w)));
		assert_non_null(strstr(w, "newest delivered event"));
		cfl_poll_free(p);
	}
}

/* Issue 17, 4: a page with more events than the limit asked for is
 * refused before anything is held for its events, and nothing moves. */
static void page_over_the_limit_is_refused(void **state)
{
	cfl_poll_t *p = poller(CFL_FLAVOR_CLOUD, 50, 0);
	cfl_request_t req, again;
	cfl_errbuf_t err;
	char *body = malloc(1 << 20);
	size_t off, i;

	assert_non_null(body);
	off = (size_t)sprintf(body, "{\"results\":[");
	for (i = 0; i < 51; i++)
		off += (size_t)sprintf(body + off, "%s{}", i ? "," : "");
	sprintf(body + off, "],\"limit\":50,\"_links\":{}}");
	cfl_poll_begin(p, NOW);
	assert_int_equal(cfl_poll_next(p, &req), CFL_POLL_FETCH);
	assert_int_equal(cfl_poll_feed(p, body, strlen(body), &err), CFL_ELIMIT);
	assert_non_null(strstr(err.msg, "more than 50 events"));
	assert_int_equal(cfl_poll_next(p, &again), CFL_POLL_FETCH);
	assert_true(again.offset == req.offset && again.from_ms == req.from_ms && again.to_ms == req.to_ms);
	assert_int_equal(cfl_poll_stats(p)->pages, 0);
	free(body);
	cfl_poll_free(p);
}

/* Issue 17, 5: one event nested 100,000 deep rejected the whole page,
 * retried forever. Now the page's good events are delivered and the bad
 * one as the text it was sent as; a body cut off or not JSON is still
 * refused whole. */
static void deeply_nested_event_does_not_hold_the_page_back(void **state)
{
	static hs_out_t o;
	cfl_poll_t *p = poller(CFL_FLAVOR_DC, 50, 0);
	const cfl_poll_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t depth = 100000, off, i, n;
	char *body = malloc(2 * depth + 4096), *bad;

	memset(&o, 0, sizeof(o));
	assert_non_null(body);
	off = (size_t)sprintf(body, "{\"entities\":[{\"timestamp\":\"2026-05-19T09:59:50.000Z\",\"id\":\"good1\"},"
	                            "{\"timestamp\":\"2026-05-19T09:59:40.000Z\",\"deep\":");
	bad = body + off - strlen("{\"timestamp\":\"2026-05-19T09:59:40.000Z\",\"deep\":");
	for (i = 0; i < depth; i++)
		body[off++] = '[';
	for (i = 0; i < depth; i++)
		body[off++] = ']';
	off += (size_t)sprintf(body + off, "},{\"timestamp\":\"2026-05-19T09:59:30.000Z\",\"id\":\"good2\"}],"
	                                   "\"pagingInfo\":{\"lastPage\":true}}");
	cfl_poll_begin(p, NOW);
	assert_int_equal(cfl_poll_next(p, &req), CFL_POLL_FETCH);
	/* cut off inside the deep event: still refused whole */
	assert_int_not_equal(cfl_poll_feed(p, body, off - 100, &err), CFL_OK);
	assert_int_equal(cfl_poll_feed(p, body, off, &err), CFL_OK);
	n = 0;
	while (cfl_poll_next(p, &req) == CFL_POLL_EMIT) {
		size_t k = cfl_poll_batch(p, &evs);
		for (i = 0; i < k; i++, n++) {
			if (n == 1) { /* oldest first: good2, the bad one, good1 */
				assert_int_equal(evs[i].len, strlen(bad) - strlen(strstr(bad, "},{") + 1));
				assert_int_equal(strncmp(evs[i].json,
				                         "{\"timestamp\":\"2026-05-19T09:59:40.000Z\",\"deep\":[[[",
				                         50),
				                 0);
			} else {
				assert_non_null(strstr(evs[i].json, n == 0 ? "good2" : "good1"));
			}
		}
		assert_int_equal(cfl_poll_commit(p, &err), CFL_OK);
	}
	assert_int_equal(n, 3);
	free(body);
	cfl_poll_free(p);
}

/* Issue 18: two genuinely identical events in one window are both
 * delivered, numbered 0 and 1, on one page (Cloud) or on two (Data
 * Center keyset paging has no offset shift to mistake them for); a
 * re-read of the window delivers neither again. */
static void identical_events_are_numbered_and_not_repeated(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_flavor_t fl[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	const char *x;
	int f;

	for (f = 0; f < 2; f++) {
		cfl_poll_t *p = poller(fl[f], 2, 0);
		memset(&s, 0, sizeof(s));
		memset(&o, 0, sizeof(o));
		s.flavor = fl[f];
		if (fl[f] == CFL_FLAVOR_CLOUD) {
			x = "{\"creationDate\":1779184790000,\"summary\":\"twin\"}";
			add(&s, 0, NOW - 10 * SEC, "%s", x);
			add(&s, 0, NOW - 10 * SEC, "%s", x); /* page 1: both */
			add(&s, 0, NOW - 20 * SEC, "{\"creationDate\":1779184780000,\"summary\":\"other\"}");
		} else {
			x = "{\"timestamp\":\"2026-05-19T09:59:50.000Z\",\"id\":\"twin\"}";
			add(&s, 0, NOW - 5 * SEC, "{\"timestamp\":\"2026-05-19T09:59:55.000Z\",\"id\":\"newer\"}");
			add(&s, 0, NOW - 10 * SEC, "%s", x); /* end of page 1 */
			add(&s, 0, NOW - 10 * SEC, "%s", x); /* start of page 2 */
			add(&s, 0, NOW - 20 * SEC, "{\"timestamp\":\"2026-05-19T09:59:40.000Z\",\"id\":\"older\"}");
		}
		cycle(p, &s, NOW, &o);
		assert_int_equal(times(&o, x), 2);
		assert_int_equal(o.n, s.n);
		{
			unsigned seen = 0;
			size_t i;
			for (i = 0; i < o.n; i++)
				if (strcmp(o.text[i], x) == 0)
					seen |= 1u << o.copy[i];
				else
					assert_int_equal(o.copy[i], 0);
			assert_int_equal(seen, 3); /* copies 0 and 1 */
		}
		cycle(p, &s, NOW + 10 * SEC, &o); /* the overlap reads the window again */
		cycle(p, &s, NOW + 20 * SEC, &o);
		assert_int_equal(times(&o, x), 2);
		assert_int_equal(o.n, s.n);
		cfl_poll_free(p);
	}
}

/* Issue 17, 5: a server that reshuffles its pages on every request (10
 * events over 5 pages gave 45 messages): a walk whose pages are out of
 * order takes a second sighting for the server's repeat, so each event
 * is delivered once however many polls read it. */
static void reshuffled_pages_deliver_each_event_at_most_once(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p = poller(CFL_FLAVOR_CLOUD, 2, 0);
	size_t i;
	int k;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	s.flavor = CFL_FLAVOR_CLOUD;
	s.shuffle = 7;
	add_series(&s, 10);
	for (k = 0; k < 20; k++)
		cycle(p, &s, NOW + k * 3 * SEC, &o);
	for (i = 0; i < s.n; i++)
		assert_true(times(&o, s.ev[i].text) <= 1);
	assert_true(o.n >= 8); /* (nearly) all of them: what one read misses, another finds */
	assert_true(cfl_poll_stats(p)->disordered > 0);
	cfl_poll_free(p);
}

/* Issue 17, 5: a 5,002-byte nextPageCursor made "cannot build a request
 * URL" repeat forever with page 1's events held back. Now the walk stops
 * there (a guard, warned), page 1 is handed over, the cursor does not
 * move past what was not read, and the next poll delivers the rest. */
static void unusable_cursor_hands_the_page_over(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	static char lc[5003];
	cfl_poll_t *p = poller(CFL_FLAVOR_DC, 100, 0);
	char w[CFL_ERRBUF_LEN];

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	memset(lc, '9', 5002);
	s.flavor = CFL_FLAVOR_DC;
	s.long_cursor = lc;
	add_series(&s, 150);
	cycle(p, &s, NOW, &o);
	assert_int_equal(o.n, 100); /* page 1, the newest */
	assert_int_equal(cfl_poll_stats(p)->guard_stops, 1);
	assert_true(cfl_poll_take_warning(p, w, sizeof(w)));
	assert_non_null(strstr(w, "nextPageCursor of 5002 bytes"));
	s.long_cursor = NULL;
	cycle(p, &s, NOW + MIN, &o);
	assert_each_once(&s, &o);
	cfl_poll_free(p);
}

/* Endless paging stops at the walk's page bound, is counted and warned,
 * and costs a bounded number of requests. */
static void endless_paging_stops_at_the_bound(void **state)
{
	static hs_server_t s;
	static hs_out_t o;
	cfl_poll_t *p = poller(CFL_FLAVOR_CLOUD, 2, 20);
	char w[CFL_ERRBUF_LEN];
	int i;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	s.flavor = CFL_FLAVOR_CLOUD;
	s.endless = 1;
	for (i = 0; i < 200; i++) /* all in one millisecond: nothing to narrow */
		add(&s, 0, NOW - MIN, "{\"creationDate\":%lld,\"summary\":\"e%d\"}", (long long)(NOW - MIN), i);
	cycle(p, &s, NOW, &o);
	assert_true(s.requests <= 2 * 20 + 2);
	assert_true(cfl_poll_stats(p)->guard_stops >= 1);
	assert_true(cfl_poll_take_warning(p, w, sizeof(w)));
	assert_non_null(strstr(w, "page endlessly"));
	assert_true(o.n > 0);
	for (i = 0; i < (int)s.n; i++)
		assert_true(times(&o, s.ev[i].text) <= 1);
	cfl_poll_free(p);
}

/* ---- organization ------------------------------------------------------ */

static cfl_orgwalk_t *org_walker(long page_size)
{
	cfl_orgwalk_cfg_t c;
	cfl_errbuf_t err;
	cfl_orgwalk_t *w;

	memset(&c, 0, sizeof(c));
	c.org_id = "org";
	c.page_size = page_size;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = HOUR;
	w = cfl_orgwalk_new(&c, &err);
	assert_non_null(w);
	return w;
}

static size_t org_page(cfl_orgwalk_t *w, const char *body)
{
	const cfl_orgwalk_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t n;

	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(cfl_orgwalk_feed(w, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	n = cfl_orgwalk_batch(w, &evs);
	assert_int_equal(cfl_orgwalk_commit(w, &err), CFL_OK);
	return n;
}

/* Issue 17, 2: processedAt 9999 moved the checkpoint to 253402300799999
 * and every later window was in the year 9999. */
static void org_future_event_never_moves_the_checkpoint(void **state)
{
	cfl_orgwalk_t *w = org_walker(10);
	cfl_request_t req;
	int64_t ck;
	const char *body =
	        "{\"data\":[{\"id\":\"a\",\"attributes\":{\"time\":\"2026-05-19T09:59:00.000Z\",\"processedAt\":"
	        "\"2026-05-19T09:59:01.000Z\"}},{\"id\":\"evil\",\"attributes\":{\"time\":\"9999-12-31T23:59:59.999Z\","
	        "\"processedAt\":\"9999-12-31T23:59:59.999Z\"}}],\"meta\":{\"next\":null}}";

	cfl_orgwalk_begin(w, NOW);
	assert_int_equal(org_page(w, body), 2); /* delivered, both */
	assert_int_equal(cfl_orgwalk_stats(w)->odd_time, 1);
	assert_true(cfl_orgwalk_checkpoint(w, &ck));
	assert_true(ck <= NOW);
	cfl_orgwalk_begin(w, NOW + MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_true(req.from_ms < NOW && req.to_ms == NOW + MIN);
	cfl_orgwalk_free(w);
}

/* A state poisoned before the fix resets by itself, with a warning. */
static void org_poisoned_state_recovers(void **state)
{
	cfl_orgwalk_t *w = org_walker(10);
	cfl_state_t st;
	cfl_request_t req;
	cfl_errbuf_t err;
	char warn[CFL_ERRBUF_LEN];

	memset(&st, 0, sizeof(st));
	st.has_cursor = 1;
	st.cursor_ms = FUTURE;
	assert_int_equal(cfl_orgwalk_restore(w, &st, &err), CFL_OK);
	cfl_orgwalk_begin(w, NOW);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_true(req.from_ms == NOW - HOUR);
	assert_int_equal(cfl_orgwalk_stats(w)->cursor_resets, 1);
	assert_true(cfl_orgwalk_take_warning(w, warn, sizeof(warn)));
	assert_non_null(strstr(warn, "ahead of the clock"));
	cfl_orgwalk_free(w);

	/* a delivered id with a sane time: the checkpoint goes back there */
	{
		cfl_state_id_t ids[2] = { { "sane", NOW - 10 * MIN }, { "evil", FUTURE } };
		st.org = 1;
		st.ids = ids;
		st.n_ids = 2;
		w = org_walker(10);
		assert_int_equal(cfl_orgwalk_restore(w, &st, &err), CFL_OK);
		cfl_orgwalk_begin(w, NOW);
		assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
		assert_true(req.from_ms == NOW - 10 * MIN); /* no earlier than the oldest id */
		assert_int_equal(cfl_orgwalk_stats(w)->cursor_resets, 1);
		cfl_orgwalk_free(w);
	}
}

/* Issue 17, 4 and 5: a page over the limit is refused; repeated ids
 * within a page (checked with a hash set now) count once. */
static void org_page_over_limit_refused_and_in_page_repeats_once(void **state)
{
	cfl_orgwalk_t *w = org_walker(500);
	cfl_request_t req;
	cfl_errbuf_t err;
	char *body = malloc(1 << 20);
	size_t off, i;

	assert_non_null(body);
	off = (size_t)sprintf(body, "{\"data\":[");
	for (i = 0; i < 501; i++)
		off += (size_t)sprintf(body + off, "%s{\"id\":\"i%zu\"}", i ? "," : "", i);
	sprintf(body + off, "],\"meta\":{\"next\":null}}");
	cfl_orgwalk_begin(w, NOW);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(cfl_orgwalk_feed(w, body, strlen(body), &err), CFL_ELIMIT);
	assert_non_null(strstr(err.msg, "more than 500 events"));
	/* 500 items, ids i0..i249 twice each */
	off = (size_t)sprintf(body, "{\"data\":[");
	for (i = 0; i < 500; i++)
		off += (size_t)sprintf(
		        body + off, "%s{\"id\":\"i%zu\",\"attributes\":{\"processedAt\":\"2026-05-19T09:59:01.000Z\"}}",
		        i ? "," : "", i % 250);
	sprintf(body + off, "],\"meta\":{\"next\":null}}");
	assert_int_equal(cfl_orgwalk_feed(w, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	{
		const cfl_orgwalk_event_t *evs;
		assert_int_equal(cfl_orgwalk_batch(w, &evs), 250);
	}
	assert_int_equal(cfl_orgwalk_stats(w)->duplicates, 250);
	assert_int_equal(cfl_orgwalk_commit(w, &err), CFL_OK);
	free(body);
	cfl_orgwalk_free(w);
}

/* Issue 21: more events delivered inside the overlap than the fingerprint
 * set keeps: the oldest are forgotten, counted in evictions, and the first
 * overflow of a window is said (a later re-read of them may repeat them). */
static void fingerprint_overflow_is_counted_and_said_once(void **state)
{
	hs_server_t *s = calloc(1, sizeof(*s));
	hs_out_t *o = calloc(1, sizeof(*o));
	char warn[CFL_ERRBUF_LEN];
	cfl_poll_cfg_t c;
	cfl_errbuf_t err;
	cfl_poll_t *p;

	(void)state;
	assert_non_null(s);
	assert_non_null(o);
	memset(&c, 0, sizeof(c));
	c.flavor = s->flavor = CFL_FLAVOR_DC;
	c.page_size = 20;
	c.overlap_ms = HOUR;
	c.initial_lookback_ms = HOUR;
	c.max_fingerprints = 16; /* the smallest cfl_dedup keeps */
	p = cfl_poll_new(&c, &err);
	assert_non_null(p);
	add_series(s, 100);
	cycle(p, s, NOW, o);
	assert_int_equal(o->n, 100);
	assert_true(cfl_poll_stats(p)->evictions > 0);
	assert_int_equal(cfl_poll_take_warning(p, warn, sizeof(warn)), 1);
	assert_non_null(strstr(warn, "16 fingerprints kept"));
	assert_int_equal(cfl_poll_take_warning(p, warn, sizeof(warn)), 0); /* once per window */
	cfl_poll_free(p);
	free(s);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odd_times_on_page_one_never_stop_paging),
		cmocka_unit_test(dc_epoch_and_window_start_events_never_stop_paging),
		cmocka_unit_test(future_event_is_delivered_and_moves_no_cursor),
		cmocka_unit_test(poisoned_state_recovers_by_itself),
		cmocka_unit_test(page_over_the_limit_is_refused),
		cmocka_unit_test(deeply_nested_event_does_not_hold_the_page_back),
		cmocka_unit_test(identical_events_are_numbered_and_not_repeated),
		cmocka_unit_test(reshuffled_pages_deliver_each_event_at_most_once),
		cmocka_unit_test(unusable_cursor_hands_the_page_over),
		cmocka_unit_test(endless_paging_stops_at_the_bound),
		cmocka_unit_test(org_future_event_never_moves_the_checkpoint),
		cmocka_unit_test(org_poisoned_state_recovers),
		cmocka_unit_test(org_page_over_limit_refused_and_in_page_repeats_once),
		cmocka_unit_test(fingerprint_overflow_is_counted_and_said_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
