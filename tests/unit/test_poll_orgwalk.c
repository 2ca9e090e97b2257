/* test_poll_orgwalk.c: the organization events-stream walker (cfl_orgwalk):
 * requests, paging by cursor, walk ends (last page with or without a
 * cursor, empty pages that still carry one), exact deduplication by id,
 * a rejected cursor, the no-progress guard, and a restart from the
 * saved state (version 2, and a version-1 file); the walker through the
 * source interface (cfl_source.h), and an overflowing id set.
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

#include "cfl_idset.h"
#include "cfl_orgwalk.h"
#include "cfl_poll.h"
#include "cfl_source.h"
#include "cfl_state.h"
#include "cfl_time.h"

#define T0 INT64_C(1779184800000) /* 2026-05-19T10:00:00.000Z */
#define MIN 60000

static char page_buf[65536];

/* One event: id (NULL: none), time and processedAt in ms. */
static void ev(char *out, size_t len, const char *id, int64_t t, int64_t p)
{
	char ti[CFL_TIME_ISO_LEN], pi[CFL_TIME_ISO_LEN], idm[128] = "";

	cfl_time_format_ms(t, ti, sizeof(ti));
	cfl_time_format_ms(p, pi, sizeof(pi));
	if (id != NULL)
		snprintf(idm, sizeof(idm), "\"id\":\"%s\",", id);
	snprintf(out, len,
	         "{\"type\":\"events\",%s\"attributes\":{\"time\":\"%s\",\"processedAt\":\"%s\","
	         "\"action\":\"user_login\"},\"message\":{\"content\":\"x\"}}",
	         idm, ti, pi);
}

/* A page of n events e<first>..; ids "e<k>", time = processedAt - 1 s. */
static const char *page(int first, int n, int64_t p0, const char *next)
{
	char one[512];
	size_t off;
	int k;

	off = (size_t)snprintf(page_buf, sizeof(page_buf), "{\"data\": [");
	for (k = 0; k < n; k++) {
		char id[32];
		snprintf(id, sizeof(id), "e%d", first + k);
		ev(one, sizeof(one), id, p0 + k * 1000 - 1000, p0 + k * 1000);
		off += (size_t)snprintf(page_buf + off, sizeof(page_buf) - off, "%s%s", k ? ", " : "", one);
	}
	if (next != NULL)
		snprintf(page_buf + off, sizeof(page_buf) - off,
		         "], \"links\": {}, \"meta\": {\"next\": \"%s\", "
		         "\"page_size\": 2}}",
		         next);
	else
		snprintf(page_buf + off, sizeof(page_buf) - off, "], \"links\": {}, \"meta\": {\"next\": null}}");
	return page_buf;
}

/* cfl_orgwalk_feed of a NUL-terminated body */
static cfl_rc_t feedp(cfl_orgwalk_t *w, const char *body, cfl_errbuf_t *err)
{
	return cfl_orgwalk_feed(w, body, strlen(body), err);
}

static cfl_orgwalk_t *walker(long page_size, int64_t overlap_ms)
{
	cfl_orgwalk_cfg_t c;
	cfl_errbuf_t err;
	cfl_orgwalk_t *w;

	memset(&c, 0, sizeof(c));
	c.org_id = "00000000-0000-0000-0000-000000000000";
	c.page_size = page_size;
	c.overlap_ms = overlap_ms;
	c.initial_lookback_ms = 86400000;
	c.max_stale_pages = 3;
	w = cfl_orgwalk_new(&c, &err);
	assert_non_null(w);
	return w;
}

/* Feeds body to the FETCH that must come, then commits; returns the number
 * of events handed over and their ids in ids[] (space separated). */
static size_t feed_emit(cfl_orgwalk_t *w, const char *body, char *ids, size_t idlen)
{
	const cfl_orgwalk_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t n, i, off = 0;

	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(cfl_orgwalk_feed(w, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	n = cfl_orgwalk_batch(w, &evs);
	if (ids != NULL) {
		ids[0] = '\0';
		for (i = 0; i < n; i++) {
			const char *p = strstr(evs[i].json, "\"id\":\"");
			assert_non_null(p);
			off += (size_t)snprintf(ids + off, idlen - off, "%s%.*s", i ? " " : "",
			                        (int)(strchr(p + 6, '"') - p - 6), p + 6);
		}
	}
	assert_int_equal(cfl_orgwalk_commit(w, &err), CFL_OK);
	return n;
}

static void first_request_and_paging_by_cursor(void **state)
{
	cfl_orgwalk_t *w = walker(2, MIN);
	cfl_request_t req;
	char ids[256];
	int64_t ck;

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_null(req.page_cursor);
	assert_string_equal(req.org_id, "00000000-0000-0000-0000-000000000000");
	assert_int_equal(req.limit, 2);
	assert_true(req.from_ms == T0 + 60 * MIN - 86400000);
	assert_true(req.to_ms == T0 + 60 * MIN);
	assert_int_equal(feedp(w, page(1, 2, T0, "cursor-page-2"), NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	/* the next page is asked for by cursor only */
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_string_equal(req.page_cursor, "cursor-page-2");
	assert_int_equal(cfl_orgwalk_sent_cursor(w), 1);
	assert_int_equal(feedp(w, page(3, 1, T0 + 10 * MIN, NULL), NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	/* the last page had no cursor: the walk is over */
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	assert_int_equal(cfl_orgwalk_stats(w)->emitted, 3);
	assert_int_equal(cfl_orgwalk_stats(w)->walks, 1);
	/* complete walk: the checkpoint is the walk's `to` */
	assert_int_equal(cfl_orgwalk_checkpoint(w, &ck), 1);
	assert_true(ck == T0 + 60 * MIN);
	/* the next walk re-reads the overlap, starts fresh */
	cfl_orgwalk_begin(w, T0 + 61 * MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_null(req.page_cursor);
	assert_true(req.from_ms == T0 + 59 * MIN - 1);
	assert_true(req.to_ms == T0 + 61 * MIN);
	(void)ids;
	cfl_orgwalk_free(w);
}

static void events_are_handed_over_in_page_order(void **state)
{
	cfl_orgwalk_t *w = walker(500, MIN);
	const cfl_orgwalk_event_t *evs;
	cfl_request_t req;
	char ids[256];

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(feed_emit(w, page(1, 3, T0, "c2"), ids, sizeof(ids)), 3);
	assert_string_equal(ids, "e1 e2 e3");
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(feedp(w, page(4, 1, T0 + 3000, NULL), NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	assert_int_equal(cfl_orgwalk_batch(w, &evs), 1);
	assert_true(evs[0].processed_ms == T0 + 3000);
	assert_true(evs[0].ts_ms == T0 + 2000);
	assert_int_equal(evs[0].json[evs[0].len], '\0');
	assert_int_equal(strncmp(evs[0].json, "{\"type\":\"events\",\"id\":\"e4\",", 27), 0);
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	cfl_orgwalk_free(w);
}

static void empty_page_with_cursor_ends_the_walk(void **state)
{
	cfl_orgwalk_t *w = walker(2, MIN);
	cfl_request_t req;
	const char *empty = "{\"data\":[],\"links\":{},\"meta\":{\"next\":\"cursor-forever\",\"page_size\":2}}";
	int64_t ck;

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "cursor-forever"), NULL, 0), 2);
	assert_int_equal(feed_emit(w, empty, NULL, 0), 0);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	assert_int_equal(cfl_orgwalk_stats(w)->empty_pages, 1);
	assert_int_equal(cfl_orgwalk_checkpoint(w, &ck), 1);
	assert_true(ck == T0 + 60 * MIN);
	/* the cursor is not kept: the next walk starts fresh */
	cfl_orgwalk_begin(w, T0 + 61 * MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_null(req.page_cursor);
	assert_true(req.from_ms == T0 + 59 * MIN - 1);
	/* a fresh request answered with an empty page (next null) also ends it */
	assert_int_equal(cfl_orgwalk_feed(w, "{\"data\":[],\"links\":{},\"meta\":{\"next\":null}}", 43, NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	cfl_orgwalk_free(w);
}

static void reread_overlap_is_deduplicated_by_id(void **state)
{
	cfl_orgwalk_t *w = walker(500, 10 * MIN);
	char ids[256], one[512], body[2048];

	cfl_orgwalk_begin(w, T0 + 5 * MIN);
	assert_int_equal(feed_emit(w, page(1, 3, T0, NULL), ids, sizeof(ids)), 3);
	/* next walk: the server returns e2, e3 again (from inclusive, overlap)
	 * plus a new e4 and, in the same page, e4 once more */
	cfl_orgwalk_begin(w, T0 + 6 * MIN);
	page(2, 3, T0 + 1000, NULL);
	ev(one, sizeof(one), "e4", T0 + 2500, T0 + 3000);
	snprintf(body, sizeof(body), "%.*s, %s]}", (int)(strstr(page_buf, "], \"links\"") - page_buf), page_buf, one);
	assert_int_equal(feed_emit(w, body, ids, sizeof(ids)), 1);
	assert_string_equal(ids, "e4");
	assert_int_equal(cfl_orgwalk_stats(w)->duplicates, 3);
	assert_int_equal(cfl_orgwalk_stats(w)->emitted, 4);
	cfl_orgwalk_free(w);
}

static void events_without_id_are_deduplicated_by_text(void **state)
{
	cfl_orgwalk_t *w = walker(500, 10 * MIN);
	char one[512], body[1200];

	ev(one, sizeof(one), NULL, T0, T0 + 1000);
	snprintf(body, sizeof(body), "{\"data\":[%s,%s],\"meta\":{}}", one, one);
	cfl_orgwalk_begin(w, T0 + 5 * MIN);
	assert_int_equal(feed_emit(w, body, NULL, 0), 1);
	assert_int_equal(cfl_orgwalk_stats(w)->no_id, 2);
	cfl_orgwalk_begin(w, T0 + 6 * MIN);
	assert_int_equal(feed_emit(w, body, NULL, 0), 0);
	cfl_orgwalk_free(w);
}

static void rejected_cursor_resumes_from_the_checkpoint(void **state)
{
	cfl_orgwalk_t *w = walker(3, MIN); /* the re-read page holds 3 events: never more than the limit */
	cfl_request_t req;
	char why[512];

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	/* a fresh request that fails is not a cursor problem */
	assert_int_equal(cfl_orgwalk_cursor_rejected(w, T0 + 60 * MIN, why, sizeof(why)), 0);
	assert_int_equal(feedp(w, page(1, 2, T0, "stale"), NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_string_equal(req.page_cursor, "stale");
	assert_int_equal(cfl_orgwalk_cursor_rejected(w, T0 + 70 * MIN, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "rejected the cursor"));
	assert_non_null(strstr(why, "2026-05-19T10:00:01.000Z"));
	assert_int_equal(cfl_orgwalk_stats(w)->cursor_drops, 1);
	/* the walk goes on with a fresh request from checkpoint - overlap - 1 */
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_null(req.page_cursor);
	assert_true(req.from_ms == T0 + 1000 - MIN - 1);
	assert_true(req.to_ms == T0 + 70 * MIN);
	/* the re-read page delivers only what is new */
	assert_int_equal(feedp(w, page(1, 3, T0, NULL), NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_EMIT);
	{
		const cfl_orgwalk_event_t *evs;
		assert_int_equal(cfl_orgwalk_batch(w, &evs), 1);
	}
	assert_int_equal(cfl_orgwalk_commit(w, NULL), CFL_OK);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	cfl_orgwalk_free(w);
}

static void no_progress_guard_ends_a_looping_walk(void **state)
{
	cfl_orgwalk_t *w = walker(2, MIN);
	cfl_request_t req;
	char warn[512];
	const char *body;
	int64_t ck;

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "same"), NULL, 0), 2);
	/* the server answers "same" with the same events and "same" again */
	body = page(1, 2, T0, "same");
	assert_int_equal(feed_emit(w, body, NULL, 0), 0);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	assert_int_equal(cfl_orgwalk_stats(w)->guard_stops, 1);
	assert_int_equal(cfl_orgwalk_take_warning(w, warn, sizeof(warn)), 1);
	assert_non_null(strstr(warn, "same cursor"));
	/* an incomplete walk does not move the checkpoint to its `to` */
	assert_int_equal(cfl_orgwalk_checkpoint(w, &ck), 1);
	assert_true(ck == T0 + 1000);
	/* and pages of duplicates behind new cursors stop after max_stale_pages */
	cfl_orgwalk_begin(w, T0 + 61 * MIN);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "a"), NULL, 0), 0);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "b"), NULL, 0), 0);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "c"), NULL, 0), 0);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_IDLE);
	assert_int_equal(cfl_orgwalk_stats(w)->guard_stops, 2);
	cfl_orgwalk_free(w);
}

static void a_body_that_is_not_a_page_changes_nothing(void **state)
{
	cfl_orgwalk_t *w = walker(2, MIN);
	cfl_request_t req;
	cfl_errbuf_t err;

	cfl_orgwalk_begin(w, T0);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(cfl_orgwalk_feed(w, "{\"data\":[", 9, &err), CFL_ETRUNC);
	assert_int_equal(cfl_orgwalk_feed(w, "{\"errors\":[]}", 13, &err), CFL_EPARSE);
	assert_non_null(strstr(err.msg, "\"data\""));
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_null(req.page_cursor);
	cfl_orgwalk_free(w);
}

static void limit_is_clamped_to_the_api_maximum(void **state)
{
	cfl_orgwalk_t *w = walker(1000, MIN);
	cfl_request_t req;

	cfl_orgwalk_begin(w, T0);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_int_equal(req.limit, 500);
	cfl_orgwalk_free(w);
}

static void restart_resumes_the_walk_from_the_saved_state(void **state)
{
	cfl_orgwalk_t *w = walker(2, MIN), *w2;
	cfl_state_t st, back;
	cfl_request_t req;
	cfl_errbuf_t err;
	char *text, ids[256];
	size_t len;

	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(feed_emit(w, page(1, 2, T0, "cursor-page-2"), NULL, 0), 2);
	memset(&st, 0, sizeof(st));
	assert_int_equal(cfl_orgwalk_snapshot(w, &st), CFL_OK);
	st.base_url = strdup("https://api.atlassian.com/admin/v1/orgs/x");
	st.flavor = strdup("organization");
	text = cfl_state_serialize(&st, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"version\":2"));
	assert_non_null(strstr(text, "\"api_cursor\":\"cursor-page-2\""));
	assert_non_null(strstr(text, "[\"e1\","));
	cfl_state_free(&st);
	cfl_orgwalk_free(w);
	/* a new process reads it back */
	assert_int_equal(cfl_state_parse(text, len, &back, &err), CFL_OK);
	free(text);
	assert_int_equal(back.n_ids, 2);
	assert_true(back.has_walk_to && back.walk_to_ms == T0 + 60 * MIN);
	w2 = walker(2, MIN);
	assert_int_equal(cfl_orgwalk_restore(w2, &back, &err), CFL_OK);
	cfl_state_free(&back);
	cfl_orgwalk_begin(w2, T0 + 90 * MIN);
	assert_int_equal(cfl_orgwalk_next(w2, &req), CFL_ORGWALK_FETCH);
	assert_string_equal(req.page_cursor, "cursor-page-2");
	/* the page in flight at the kill comes again: e2 is known, e3 is new */
	assert_int_equal(feedp(w2, page(2, 2, T0 + 1000, NULL), &err), CFL_OK);
	{
		const cfl_orgwalk_event_t *evs;
		assert_int_equal(cfl_orgwalk_next(w2, &req), CFL_ORGWALK_EMIT);
		assert_int_equal(cfl_orgwalk_batch(w2, &evs), 1);
		assert_non_null(strstr(evs[0].json, "\"e3\""));
		assert_int_equal(cfl_orgwalk_commit(w2, &err), CFL_OK);
	}
	/* the walk keeps its original `to` */
	{
		int64_t ck;
		assert_int_equal(cfl_orgwalk_checkpoint(w2, &ck), 1);
		assert_true(ck == T0 + 60 * MIN);
	}
	(void)ids;
	cfl_orgwalk_free(w2);
}

static void version_1_state_gives_the_checkpoint(void **state)
{
	const char *v1 = "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":1779184800000,"
	                 "\"low\":1779184740000,\"fingerprints\":[]}";
	cfl_orgwalk_t *w = walker(2, MIN);
	cfl_request_t req;
	cfl_errbuf_t err;
	cfl_state_t st;

	assert_int_equal(cfl_state_parse(v1, strlen(v1), &st, &err), CFL_OK);
	assert_int_equal(st.org, 0);
	assert_null(st.api_cursor);
	assert_int_equal(cfl_orgwalk_restore(w, &st, &err), CFL_OK);
	cfl_state_free(&st);
	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(cfl_orgwalk_next(w, &req), CFL_ORGWALK_FETCH);
	assert_true(req.from_ms == T0 - MIN - 1);
	cfl_orgwalk_free(w);
}

static void bad_version_2_members_are_corrupt(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "{\"version\":2,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":null,\"low\":null,"
		  "\"fingerprints\":[]}",
		  "no \"api_cursor\"" },
		{ "{\"version\":2,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":null,\"low\":null,"
		  "\"fingerprints\":[],\"api_cursor\":5,\"walk_to\":null,\"ids\":[]}",
		  "\"api_cursor\" is neither" },
		{ "{\"version\":2,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":null,\"low\":null,"
		  "\"fingerprints\":[],\"api_cursor\":null,\"walk_to\":\"x\",\"ids\":[]}",
		  "\"walk_to\" is neither" },
		{ "{\"version\":2,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":null,\"low\":null,"
		  "\"fingerprints\":[],\"api_cursor\":null,\"walk_to\":null,\"ids\":[[\"a\"]]}",
		  "id 0 is not" },
		{ "{\"version\":2,\"base_url\":\"u\",\"flavor\":\"organization\",\"cursor\":null,\"low\":null,"
		  "\"fingerprints\":[],\"api_cursor\":null,\"walk_to\":null,\"ids\":[[\"\",5]]}",
		  "id 0 is empty" },
	};
	cfl_errbuf_t err;
	cfl_state_t st;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cfl_state_parse(cases[i].text, strlen(cases[i].text), &st, &err), CFL_ECORRUPT);
		if (strstr(err.msg, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err.msg, cases[i].why);
	}
}

static void id_set_is_exact_pruned_and_bounded(void **state)
{
	cfl_idset_t *s = cfl_idset_new(16);
	const char *id;
	char buf[32];
	int64_t ts;
	size_t pos = 0;
	int i;

	assert_non_null(s);
	assert_int_equal(cfl_idset_add(s, "abc", 3, 10), CFL_OK);
	assert_int_equal(cfl_idset_has(s, "abc", 3), 1);
	assert_int_equal(cfl_idset_has(s, "ab", 2), 0); /* exact: no prefix match */
	assert_int_equal(cfl_idset_has(s, "abd", 3), 0);
	assert_int_equal(cfl_idset_add(s, "", 0, 10), CFL_EINVAL);
	assert_int_equal(cfl_idset_add(s, "abc", 3, 20), CFL_OK); /* again: keeps the later time */
	assert_int_equal(cfl_idset_count(s), 1);
	assert_int_equal(cfl_idset_iter(s, &pos, &id, &ts), 1);
	assert_string_equal(id, "abc");
	assert_true(ts == 20);
	for (i = 0; i < 15; i++) {
		snprintf(buf, sizeof(buf), "id-%d", i);
		assert_int_equal(cfl_idset_add(s, buf, strlen(buf), 100 + i), CFL_OK);
	}
	assert_int_equal(cfl_idset_count(s), 16);
	/* full: the oldest quarter goes (abc and id-0..2) */
	assert_int_equal(cfl_idset_add(s, "new", 3, 200), CFL_OK);
	assert_int_equal(cfl_idset_evicted(s), 4);
	assert_int_equal(cfl_idset_has(s, "abc", 3), 0);
	assert_int_equal(cfl_idset_has(s, "id-3", 4), 1);
	assert_int_equal(cfl_idset_has(s, "new", 3), 1);
	cfl_idset_prune(s, 110);
	assert_int_equal(cfl_idset_has(s, "id-9", 4), 0);
	assert_int_equal(cfl_idset_has(s, "id-10", 5), 1);
	assert_int_equal(cfl_idset_count(s), 6);
	cfl_idset_free(s);
}

/* Through cfl_source.h: the flavour row picks the walker, the calls reach
 * it, a snapshot owns all it holds (cfl_state_free releases it, origin
 * included), and a flavour no source reads is refused by name. */
static void the_source_interface_runs_the_walker(void **state)
{
	cfl_source_cfg_t c;
	cfl_source_t *src;
	const cfl_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	cfl_state_t st;
	char why[256], *text;
	const char *body;
	size_t len;
	int64_t ck;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.flavor = CFL_FLAVOR_AUTO;
	assert_null(cfl_source_new(&c, &err));
	assert_non_null(strstr(err.msg, "\"auto\""));
	c.flavor = CFL_FLAVOR_ORG;
	c.org_id = "00000000-0000-0000-0000-000000000000";
	c.page_size = 2;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = 86400000;
	assert_ptr_equal(cfl_source_ops_of(CFL_FLAVOR_ORG), &cfl_orgwalk_source_ops);
	src = cfl_source_new(&c, &err);
	assert_non_null(src);
	cfl_source_begin(src, T0 + 60 * MIN);
	assert_int_equal(cfl_source_next(src, &req), CFL_SRC_FETCH);
	assert_int_equal(cfl_source_rejected(src, T0 + 60 * MIN, why, sizeof(why)), 0); /* no cursor sent */
	body = page(1, 2, T0, "cursor-page-2");
	assert_int_equal(cfl_source_feed(src, body, strlen(body), &err), CFL_OK);
	assert_int_equal(cfl_source_next(src, &req), CFL_SRC_EMIT);
	assert_int_equal(cfl_source_batch(src, &evs), 2);
	assert_int_equal(evs[0].copy, 0);
	assert_true(evs[1].processed_ms == T0 + 1000);
	assert_int_equal(cfl_source_commit(src, &err), CFL_OK);
	assert_int_equal(cfl_source_cursor(src, &ck), 1);
	assert_true(ck == T0 + 1000);
	assert_true(cfl_source_window_end(src) == T0 + 60 * MIN);
	assert_int_equal(cfl_source_stats(src)->emitted, 2);
	assert_int_equal(cfl_source_snapshot(src, "https://api.atlassian.com/admin/v1/orgs/x", "organization", &st),
	                 CFL_OK);
	text = cfl_state_serialize(&st, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"base_url\":\"https://api.atlassian.com/admin/v1/orgs/x\""));
	assert_non_null(strstr(text, "\"api_cursor\":\"cursor-page-2\""));
	free(text);
	cfl_state_free(&st);
	cfl_source_free(src);
	/* Cloud and Data Center: cfl_poll, which has nothing to reject */
	c.flavor = CFL_FLAVOR_DC;
	assert_ptr_equal(cfl_source_ops_of(CFL_FLAVOR_DC), &cfl_poll_source_ops);
	src = cfl_source_new(&c, &err);
	assert_non_null(src);
	assert_int_equal(cfl_source_rejected(src, T0, why, sizeof(why)), 0);
	cfl_source_free(src);
}

/* A walk that delivers more ids inside the overlap than the set keeps
 * forgets the oldest: counted in evictions, said once per walk. */
static void id_set_overflow_is_counted_and_said_once(void **state)
{
	cfl_orgwalk_cfg_t c;
	cfl_orgwalk_t *w;
	cfl_errbuf_t err;
	char warn[CFL_ERRBUF_LEN];
	uint64_t first;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.org_id = "00000000-0000-0000-0000-000000000000";
	c.page_size = 20;
	c.overlap_ms = 60 * MIN;
	c.initial_lookback_ms = 86400000;
	c.max_ids = 16; /* the smallest cfl_idset keeps */
	w = cfl_orgwalk_new(&c, &err);
	assert_non_null(w);
	cfl_orgwalk_begin(w, T0 + 60 * MIN);
	assert_int_equal(feed_emit(w, page(1, 20, T0, "next-1"), NULL, 0), 20);
	first = cfl_orgwalk_stats(w)->evictions;
	assert_true(first > 0);
	assert_int_equal(cfl_orgwalk_take_warning(w, warn, sizeof(warn)), 1);
	assert_non_null(strstr(warn, "16 ids kept"));
	assert_int_equal(feed_emit(w, page(21, 20, T0 + 20000, NULL), NULL, 0), 20);
	assert_true(cfl_orgwalk_stats(w)->evictions > first);
	assert_int_equal(cfl_orgwalk_take_warning(w, warn, sizeof(warn)), 0); /* once per walk */
	cfl_orgwalk_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_request_and_paging_by_cursor),
		cmocka_unit_test(events_are_handed_over_in_page_order),
		cmocka_unit_test(empty_page_with_cursor_ends_the_walk),
		cmocka_unit_test(reread_overlap_is_deduplicated_by_id),
		cmocka_unit_test(events_without_id_are_deduplicated_by_text),
		cmocka_unit_test(rejected_cursor_resumes_from_the_checkpoint),
		cmocka_unit_test(no_progress_guard_ends_a_looping_walk),
		cmocka_unit_test(a_body_that_is_not_a_page_changes_nothing),
		cmocka_unit_test(limit_is_clamped_to_the_api_maximum),
		cmocka_unit_test(restart_resumes_the_walk_from_the_saved_state),
		cmocka_unit_test(version_1_state_gives_the_checkpoint),
		cmocka_unit_test(bad_version_2_members_are_corrupt),
		cmocka_unit_test(id_set_is_exact_pruned_and_bounded),
		cmocka_unit_test(the_source_interface_runs_the_walker),
		cmocka_unit_test(id_set_overflow_is_counted_and_said_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
