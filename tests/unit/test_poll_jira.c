/* test_poll_jira.c: the Jira Cloud audit records walk (cfl_jira) against a
 * small simulated server (newest first, offset/limit/from/to, total): the
 * request and its URL, offset paging by records received, the walk's end
 * (next offset >= total, an empty page past an overstated total), the
 * limit clamp, hand-over oldest first in chunks, exact deduplication by id
 * (a late record shifting pages: the boundary record dropped by id, the
 * late one caught by the overlap), records without an id, a kill -9 in the
 * middle of the hand-over, a 429 with Retry-After repeating the request,
 * the memory cap, a record dated in the future and a poisoned checkpoint,
 * and the walk as a source (cfl_sources.def).
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

#include "cfl_jira.h"
#include "cfl_outcome.h"
#include "cfl_source.h"
#include "cfl_state.h"
#include "cfl_time.h"
#include "cfl_url.h"

#define T0 INT64_C(1779184800000) /* 2026-05-19T10:00:00.000Z */
#define MIN 60000
#define MAXREC 64

/* ---- the simulated server ---- */

typedef struct srv_rec {
	int id; /* 0: a record without id */
	int64_t created;
} srv_rec_t;

typedef struct srv {
	srv_rec_t r[MAXREC]; /* kept newest first (created, then id, descending) */
	int n;
	int total_extra; /* total overstates what exists by this much */
	long cap;        /* the server returns at most this many (0: limit) */
	char body[65536];
} srv_t;

static void srv_add(srv_t *s, int id, int64_t created)
{
	int i = s->n++;

	while (i > 0 && (s->r[i - 1].created < created || (s->r[i - 1].created == created && s->r[i - 1].id < id))) {
		s->r[i] = s->r[i - 1];
		i--;
	}
	s->r[i].id = id;
	s->r[i].created = created;
}

static void rec_json(char *out, size_t len, const srv_rec_t *r)
{
	char iso[CFL_TIME_ISO_LEN], idm[32] = "";

	cfl_time_format_ms(r->created, iso, sizeof(iso));
	if (r->id != 0)
		snprintf(idm, sizeof(idm), "\"id\":%d,", r->id);
	snprintf(out, len,
	         "{%s\"summary\":\"User created\",\"created\":\"%.23s+0000\",\"category\":\"user management\","
	         "\"objectItem\":{\"id\":\"u%d\",\"name\":\"u\",\"typeName\":\"USER\"}}",
	         idm, iso, r->id);
}

/* The reply to req: the window's records newest first, from offset. */
static const char *srv_answer(srv_t *s, const cfl_request_t *req)
{
	int i, in = 0, sent = 0;
	long lim = s->cap > 0 && s->cap < req->limit ? s->cap : req->limit;
	size_t off;
	char one[512];

	for (i = 0; i < s->n; i++)
		in += s->r[i].created >= req->from_ms && s->r[i].created <= req->to_ms;
	off = (size_t)snprintf(s->body, sizeof(s->body), "{\"offset\":%ld,\"limit\":%ld,\"total\":%d,\"records\":[",
	                       req->offset, req->limit, in + s->total_extra);
	for (i = 0, in = 0; i < s->n && sent < lim; i++) {
		if (s->r[i].created < req->from_ms || s->r[i].created > req->to_ms)
			continue;
		if (in++ < req->offset)
			continue;
		rec_json(one, sizeof(one), &s->r[i]);
		off += (size_t)snprintf(s->body + off, sizeof(s->body) - off, "%s%s", sent++ ? "," : "", one);
	}
	snprintf(s->body + off, sizeof(s->body) - off, "]}");
	return s->body;
}

/* ---- helpers ---- */

static cfl_jira_t *jira(long page_size, int64_t overlap_ms, size_t chunk)
{
	cfl_jira_cfg_t c;
	cfl_errbuf_t err;
	cfl_jira_t *j;

	memset(&c, 0, sizeof(c));
	c.page_size = page_size;
	c.overlap_ms = overlap_ms;
	c.initial_lookback_ms = 86400000;
	c.chunk = chunk;
	j = cfl_jira_new(&c, &err);
	assert_non_null(j);
	return j;
}

/* Appends the ids of evs (their "id" members, "-" for none) to out. */
static void ids_of(const cfl_jira_event_t *evs, size_t n, char *out, size_t len)
{
	size_t i, off = strlen(out);

	for (i = 0; i < n; i++) {
		const char *p = strstr(evs[i].json, "{\"id\":");
		off += (size_t)snprintf(out + off, len - off, "%s%d", off ? " " : "", p ? atoi(p + 6) : 0);
	}
}

/* Runs a walk begun at now against s to its end; the ids handed over (in
 * order) go to out, the requests made to *nreq. stop_after_chunks > 0:
 * stop (as a kill -9 would) after that many committed chunks. */
static int run_walk(cfl_jira_t *j, srv_t *s, int64_t now, char *out, size_t len, int stop_after_chunks)
{
	const cfl_jira_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	const char *body;
	int nreq = 0, chunks = 0;
	cfl_jira_action_t a;

	out[0] = '\0';
	cfl_jira_begin(j, now);
	while ((a = cfl_jira_next(j, &req)) != CFL_JIRA_IDLE) {
		if (a == CFL_JIRA_FETCH) {
			assert_true(++nreq < 100);
			body = srv_answer(s, &req);
			assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
			continue;
		}
		ids_of(evs, cfl_jira_batch(j, &evs), out, len);
		assert_int_equal(cfl_jira_commit(j, &err), CFL_OK);
		if (stop_after_chunks > 0 && ++chunks == stop_after_chunks)
			break;
	}
	return nreq;
}

/* ---- tests ---- */

static void first_request_and_its_url(void **state)
{
	cfl_jira_t *j = jira(5000, MIN, 0);
	cfl_request_t req;
	cfl_base_t b;
	cfl_errbuf_t err;
	char *url;

	(void)state;
	cfl_jira_begin(j, T0);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	assert_int_equal(req.offset, 0);
	assert_int_equal(req.limit, 1000); /* pageSize clamped to the API's maximum */
	assert_true(req.from_ms == T0 - 86400000);
	assert_true(req.to_ms == T0);
	assert_int_equal(cfl_url_base_init(&b, "https://x.atlassian.net/rest/api/3/auditing/record/",
	                                   CFL_FLAVOR_JIRA_CLOUD, &err),
	                 CFL_OK);
	assert_int_equal(cfl_url_build(&b, &req, &url, &err), CFL_OK);
	assert_string_equal(url, "https://x.atlassian.net/rest/api/3/auditing/record?offset=0&limit=1000"
	                         "&from=2026-05-18T10%3a00%3a00.000%2b0000&to=2026-05-19T10%3a00%3a00.000%2b0000");
	free(url);
	cfl_url_base_free(&b);
	/* the gateway base keeps its path */
	assert_int_equal(
	        cfl_url_base_init(&b, "https://api.atlassian.com/ex/jira/abc-123", CFL_FLAVOR_JIRA_CLOUD, &err),
	        CFL_OK);
	assert_int_equal(cfl_url_build(&b, &req, &url, &err), CFL_OK);
	assert_non_null(strstr(url, "https://api.atlassian.com/ex/jira/abc-123/rest/api/3/auditing/record?"));
	free(url);
	cfl_url_base_free(&b);
	/* decision 16: one site, the product picks the API */
	assert_int_equal(cfl_flavor_for_product(CFL_FLAVOR_CLOUD, CFL_PRODUCT_JIRA), CFL_FLAVOR_JIRA_CLOUD);
	assert_int_equal(cfl_flavor_for_product(CFL_FLAVOR_CLOUD, CFL_PRODUCT_CONFLUENCE), CFL_FLAVOR_CLOUD);
	assert_int_equal(cfl_flavor_for_product(CFL_FLAVOR_DC, CFL_PRODUCT_JIRA), CFL_FLAVOR_DC);
	assert_string_equal(cfl_flavor_name(CFL_FLAVOR_JIRA_CLOUD), "jira-cloud");
	cfl_jira_free(j);
}

/* Offsets advance by the records received (the server sends fewer than
 * asked), the walk ends at total, records go out oldest first (created,
 * then id) in chunks. */
static void paging_by_records_received_and_oldest_first(void **state)
{
	cfl_jira_t *j = jira(4, MIN, 3);
	srv_t s;
	char out[512];
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 1; i <= 10; i++)
		srv_add(&s, 100 + i, T0 - 60000 + i * 1000);
	srv_add(&s, 99, T0 - 60000 + 5000);                            /* shares a ms with 105: id orders them */
	s.cap = 3;                                                     /* fewer than the 4 asked for */
	assert_int_equal(run_walk(j, &s, T0, out, sizeof(out), 0), 4); /* 3+3+3+2: the 4th reaches total */
	assert_string_equal(out, "101 102 103 104 99 105 106 107 108 109 110");
	assert_int_equal(cfl_jira_stats(j)->emitted, 11);
	assert_int_equal(cfl_jira_stats(j)->pages, 4);
	assert_int_equal(cfl_jira_stats(j)->walks, 1);
	cfl_jira_free(j);
}

/* total overstates what exists (Elastic #7898): the empty page ends the
 * walk instead of asking on; so does an empty last page. */
static void paging_past_total_and_empty_last_page(void **state)
{
	cfl_jira_t *j = jira(2, MIN, 0);
	cfl_request_t req;
	cfl_errbuf_t err;
	srv_t s;
	char out[256];
	const char *empty = "{\"limit\":1000,\"offset\":9001,\"records\":[],\"total\":144}";

	(void)state;
	memset(&s, 0, sizeof(s));
	srv_add(&s, 1, T0 - 3000);
	srv_add(&s, 2, T0 - 2000);
	srv_add(&s, 3, T0 - 1000);
	s.total_extra = 50;
	assert_int_equal(run_walk(j, &s, T0, out, sizeof(out), 0), 3); /* 2 + 1 + the empty page */
	assert_string_equal(out, "1 2 3");
	assert_int_equal(cfl_jira_stats(j)->empty_pages, 1);
	/* Elastic's fixture test-audit-empty.log: a walk of one empty page */
	cfl_jira_begin(j, T0 + MIN);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	assert_int_equal(cfl_jira_feed(j, empty, strlen(empty), &err), CFL_OK);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_IDLE);
	assert_int_equal(cfl_jira_stats(j)->empty_pages, 2);
	assert_int_equal(cfl_jira_stats(j)->walks, 2);
	/* more records than the limit asked for: refused, nothing changes */
	srv_add(&s, 4, T0 + 1000);
	srv_add(&s, 5, T0 + 2000);
	srv_add(&s, 6, T0 + 3000);
	cfl_jira_begin(j, T0 + 2 * MIN);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	req.limit = 3;
	srv_answer(&s, &req);
	assert_int_equal(cfl_jira_feed(j, s.body, strlen(s.body), &err), CFL_ELIMIT);
	assert_int_equal(cfl_jira_feed(j, "{\"values\":[]}", 13, &err), CFL_EPARSE);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	assert_int_equal(req.offset, 0);
	cfl_jira_free(j);
}

/* A record written late into the window while the walk pages shifts the
 * later pages by one: the boundary record comes twice (dropped by id) and
 * the late record is caught by the next walk's overlap. */
static void late_record_shifts_pages(void **state)
{
	cfl_jira_t *j = jira(2, MIN, 0);
	const cfl_jira_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	srv_t s;
	char out[256] = "";
	const char *body;
	cfl_jira_action_t a;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 1; i <= 5; i++)
		srv_add(&s, i, T0 - 10000 + i * 1000); /* 5 is the newest */
	cfl_jira_begin(j, T0);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	body = srv_answer(&s, &req); /* 5 4 */
	assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
	srv_add(&s, 9, T0 - 10000 + 4500); /* late: between 4 and 5 */
	while ((a = cfl_jira_next(j, &req)) != CFL_JIRA_IDLE) {
		if (a == CFL_JIRA_FETCH) {
			body = srv_answer(&s, &req); /* offset 2: 4 3, then 2 1 */
			assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
			continue;
		}
		ids_of(evs, cfl_jira_batch(j, &evs), out, sizeof(out)); /* chunks of a page: 2 */
		assert_int_equal(cfl_jira_commit(j, &err), CFL_OK);
	}
	assert_string_equal(out, "1 2 3 4 5");
	assert_int_equal(cfl_jira_stats(j)->duplicates, 1); /* 4, the boundary record */
	/* the next walk: from = checkpoint (5's) - overlap - 1 ms holds 9 */
	assert_int_equal(run_walk(j, &s, T0 + 30000, out, sizeof(out), 0), 3);
	assert_string_equal(out, "9");
	assert_int_equal(cfl_jira_stats(j)->duplicates, 1 + 5); /* all else known by id */
	assert_int_equal(cfl_jira_stats(j)->emitted, 6);
	cfl_jira_free(j);
}

/* Without an id a record is known by its text; outside the window it is
 * ignored; excluded summaries are not handed over but remembered. */
static void records_without_id_outside_window_and_excluded(void **state)
{
	const char *const excl[] = { "User created", NULL };
	const char *body = "{\"total\":3,\"records\":[{\"summary\":\"A\",\"created\":\"2026-05-19T09:59:00.000+0000\"},"
	                   "{\"id\":7,\"summary\":\"User created\",\"created\":\"2026-05-19T09:58:00.000+0000\"},"
	                   "{\"id\":8,\"summary\":\"B\",\"created\":\"2026-05-20T09:58:00.000+0000\"}]}";
	const cfl_jira_event_t *evs;
	cfl_jira_cfg_t c;
	cfl_request_t req;
	cfl_errbuf_t err;
	cfl_jira_t *j;
	int round;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = 10;
	c.overlap_ms = 10 * MIN;
	c.initial_lookback_ms = 3600000;
	c.exclude = excl;
	j = cfl_jira_new(&c, &err);
	assert_non_null(j);
	for (round = 0; round < 2; round++) {
		cfl_jira_begin(j, T0 + round * 1000);
		assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
		assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
		if (round == 0) {
			assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_EMIT);
			assert_int_equal(cfl_jira_batch(j, &evs), 1);
			assert_non_null(strstr(evs[0].json, "\"summary\":\"A\""));
			assert_true(evs[0].ts_ms == T0 - MIN);
			assert_int_equal(cfl_jira_commit(j, &err), CFL_OK);
		}
		assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_IDLE);
	}
	assert_int_equal(cfl_jira_stats(j)->emitted, 1);
	assert_int_equal(cfl_jira_stats(j)->excluded, 1);
	assert_int_equal(cfl_jira_stats(j)->duplicates, 2); /* the second walk: A by text, 7 by id */
	assert_int_equal(cfl_jira_stats(j)->out_of_window, 2);
	assert_int_equal(cfl_jira_stats(j)->no_id, 2);
	cfl_jira_free(j);
}

/* kill -9 after the first chunk: the saved state (checkpoint, ids) makes
 * the next walk deliver the rest, nothing twice, nothing lost. */
static void restart_after_a_chunk_loses_nothing(void **state)
{
	cfl_jira_t *j = jira(3, MIN, 4), *k;
	cfl_errbuf_t err;
	cfl_state_t st, back;
	srv_t s;
	char out[256], *text;
	size_t len;
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 1; i <= 10; i++)
		srv_add(&s, i, T0 - 20000 + (i / 2) * 1000); /* pairs share a ms */
	run_walk(j, &s, T0, out, sizeof(out), 1);
	assert_string_equal(out, "1 2 3 4");
	memset(&st, 0, sizeof(st));
	assert_int_equal(cfl_jira_snapshot(j, &st), CFL_OK);
	st.base_url = strdup("https://x.atlassian.net");
	st.flavor = strdup("jira-cloud");
	text = cfl_state_serialize(&st, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"ids\":["));
	assert_int_equal(cfl_state_parse(text, len, &back, &err), CFL_OK);
	free(text);
	cfl_jira_free(j);
	k = jira(3, MIN, 4);
	assert_int_equal(cfl_jira_restore(k, &back, &err), CFL_OK);
	run_walk(k, &s, T0 + 5000, out, sizeof(out), 0);
	assert_string_equal(out, "5 6 7 8 9 10");
	assert_int_equal(cfl_jira_stats(k)->duplicates, 4);
	cfl_state_free(&st);
	cfl_state_free(&back);
	cfl_jira_free(k);
}

/* A 429 with Retry-After: the wait follows the header, and the walk asks
 * for exactly the same page again (nothing advanced). */
static void rate_limit_repeats_the_same_request(void **state)
{
	cfl_jira_t *j = jira(2, MIN, 0);
	cfl_outcome_cfg_t oc = { 300000, 60, "jira-cloud", 1 << 20 };
	cfl_reply_t r;
	cfl_backoff_t bo;
	cfl_outcome_t o;
	cfl_request_t a, b;
	cfl_errbuf_t err;
	srv_t s;
	const char *body;

	(void)state;
	memset(&s, 0, sizeof(s));
	srv_add(&s, 1, T0 - 3000);
	srv_add(&s, 2, T0 - 2000);
	srv_add(&s, 3, T0 - 1000);
	cfl_jira_begin(j, T0);
	assert_int_equal(cfl_jira_next(j, &a), CFL_JIRA_FETCH);
	body = srv_answer(&s, &a);
	assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_jira_next(j, &a), CFL_JIRA_FETCH);
	memset(&r, 0, sizeof(r));
	r.status = 429;
	r.retry_after = "7";
	r.body = "{\"message\":\"Rate limit exceeded\"}";
	r.len = strlen(r.body);
	cfl_backoff_init(&bo, 1000, oc.max_backoff_ms);
	cfl_outcome_decide(&r, &oc, &bo, 0, T0, &o);
	assert_int_equal(o.fail, CFL_FAIL_RATE);
	assert_int_equal(o.rate_wait, 1);
	assert_true(o.delay_ms == 7000);
	assert_int_equal(cfl_jira_next(j, &b), CFL_JIRA_FETCH);
	assert_int_equal(b.offset, a.offset);
	assert_int_equal(b.offset, 2);
	assert_true(b.from_ms == a.from_ms && b.to_ms == a.to_ms && b.limit == a.limit);
	cfl_jira_free(j);
}

/* A walk holding more than max_events is cut to its older part; the next
 * walk reads the rest; nothing is lost or repeated. */
static void memory_cap_cuts_the_walk(void **state)
{
	cfl_jira_cfg_t c;
	cfl_errbuf_t err;
	cfl_jira_t *j;
	srv_t s;
	char out[512], all[512] = "";
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.page_size = 2;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = 3600000;
	c.max_events = 4;
	j = cfl_jira_new(&c, &err);
	assert_non_null(j);
	memset(&s, 0, sizeof(s));
	for (i = 1; i <= 12; i++)
		srv_add(&s, i, T0 - 20000 + i * 1000);
	run_walk(j, &s, T0, out, sizeof(out), 0);
	assert_true(cfl_jira_stats(j)->cuts > 0);
	strcat(all, out);
	while (cfl_jira_stats(j)->emitted < 12) {
		run_walk(j, &s, T0 + 1000, out, sizeof(out), 0);
		assert_true(out[0] != '\0');
		strcat(all, " ");
		strcat(all, out);
	}
	assert_string_equal(all, "1 2 3 4 5 6 7 8 9 10 11 12");
	cfl_jira_free(j);
}

/* A record dated in the future is delivered as untimed and moves no
 * checkpoint; a saved checkpoint beyond now + 1 day (a state poisoned
 * before) is reset to the newest sane delivered id, with a warning. */
static void odd_times_and_a_poisoned_checkpoint(void **state)
{
	const char *body = "{\"total\":2,\"records\":[{\"id\":2,\"created\":\"2099-01-01T00:00:00.000+0000\"},"
	                   "{\"id\":1,\"created\":\"2026-05-19T09:59:00.000+0000\"}]}";
	cfl_jira_t *j = jira(10, MIN, 0);
	cfl_state_id_t ids[1] = { { (char *)"77", T0 - 5 * MIN } };
	cfl_state_t st;
	cfl_request_t req;
	cfl_errbuf_t err;
	char warn[CFL_ERRBUF_LEN];
	int64_t ck;

	(void)state;
	cfl_jira_begin(j, T0);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	assert_int_equal(cfl_jira_feed(j, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_EMIT);
	assert_int_equal(cfl_jira_commit(j, &err), CFL_OK);
	assert_int_equal(cfl_jira_stats(j)->emitted, 2);
	assert_int_equal(cfl_jira_stats(j)->odd_time, 1);
	assert_int_equal(cfl_jira_checkpoint(j, &ck), 1);
	assert_true(ck == T0 - MIN);
	assert_int_equal(cfl_jira_take_warning(j, warn, sizeof(warn)), 1);
	cfl_jira_free(j);

	j = jira(10, MIN, 0);
	memset(&st, 0, sizeof(st));
	st.has_cursor = 1;
	st.cursor_ms = T0 + 30 * 86400000LL;
	st.org = 1;
	st.ids = ids;
	st.n_ids = 1;
	assert_int_equal(cfl_jira_restore(j, &st, &err), CFL_OK);
	cfl_jira_begin(j, T0);
	assert_int_equal(cfl_jira_stats(j)->cursor_resets, 1);
	assert_int_equal(cfl_jira_take_warning(j, warn, sizeof(warn)), 1);
	assert_non_null(strstr(warn, "ahead of the clock"));
	assert_int_equal(cfl_jira_next(j, &req), CFL_JIRA_FETCH);
	/* the re-read starts at the oldest id kept: from there on all is known */
	assert_true(req.from_ms == T0 - 5 * MIN);
	assert_true(req.to_ms == T0);
	cfl_jira_free(j);
}

static void the_source_interface_runs_the_walk(void **state)
{
	cfl_source_cfg_t c;
	cfl_source_t *src;
	cfl_request_t req;
	cfl_errbuf_t err;
	srv_t s;
	const char *body;
	const cfl_event_t *evs;
	int64_t ck;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.flavor = CFL_FLAVOR_JIRA_CLOUD;
	c.page_size = 10;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = 86400000;
	assert_ptr_equal(cfl_source_ops_of(CFL_FLAVOR_JIRA_CLOUD), &cfl_jira_source_ops);
	src = cfl_source_new(&c, &err);
	assert_non_null(src);
	memset(&s, 0, sizeof(s));
	srv_add(&s, 11938, T0 - 1000);
	cfl_source_begin(src, T0);
	assert_int_equal(cfl_source_next(src, &req), CFL_SRC_FETCH);
	body = srv_answer(&s, &req);
	assert_int_equal(cfl_source_feed(src, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_source_next(src, &req), CFL_SRC_EMIT);
	assert_int_equal(cfl_source_batch(src, &evs), 1);
	assert_int_equal(cfl_source_commit(src, &err), CFL_OK);
	assert_int_equal(cfl_source_cursor(src, &ck), 1);
	assert_true(ck == T0 - 1000);
	assert_true(cfl_source_window_end(src) == T0);
	assert_int_equal(cfl_source_next(src, &req), CFL_SRC_IDLE);
	cfl_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_request_and_its_url),
		cmocka_unit_test(paging_by_records_received_and_oldest_first),
		cmocka_unit_test(paging_past_total_and_empty_last_page),
		cmocka_unit_test(late_record_shifts_pages),
		cmocka_unit_test(records_without_id_outside_window_and_excluded),
		cmocka_unit_test(restart_after_a_chunk_loses_nothing),
		cmocka_unit_test(rate_limit_repeats_the_same_request),
		cmocka_unit_test(memory_cap_cuts_the_walk),
		cmocka_unit_test(odd_times_and_a_poisoned_checkpoint),
		cmocka_unit_test(the_source_interface_runs_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
