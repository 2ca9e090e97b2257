/* test_poll_page.c: parsing Cloud and Data Center audit pages
 * (cfl_page): events kept byte for byte (compact), their times, the
 * paging information, exclusion, and bounded errors for bodies that are
 * cut off, not JSON or not an audit page. Real events come from Elastic's
 * fixtures (tests/fixtures/elastic-confluence).
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

#include "cfl_page.h"

typedef struct lines {
	char **l;
	size_t n;
} lines_t;

static lines_t read_fixture(const char *name)
{
	const char *dir = getenv("CFL_FIXTURES");
	char path[1024], buf[65536];
	lines_t ls = { NULL, 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/elastic-confluence/%s", dir ? dir : "tests/fixtures", name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open fixture %s (set CFL_FIXTURES)", path);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		size_t n = strcspn(buf, "\r\n");
		if (n == 0)
			continue;
		buf[n] = '\0';
		ls.l = realloc(ls.l, (ls.n + 1) * sizeof(char *));
		ls.l[ls.n++] = strdup(buf);
	}
	fclose(f);
	return ls;
}

static void free_lines(lines_t *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
}

/* Wraps fixture events into a page body; pretty = with whitespace. */
static char *make_page(const lines_t *ls, size_t n, int dc, int pretty, const char *tail)
{
	size_t cap = 256 + strlen(tail), i, len = 0;
	char *b;

	for (i = 0; i < n; i++)
		cap += strlen(ls->l[i]) * 2 + 8;
	b = malloc(cap);
	len += (size_t)sprintf(b, pretty ? "{\n  \"%s\" : [\n" : "{\"%s\":[", dc ? "entities" : "results");
	for (i = 0; i < n; i++) {
		const char *p;
		if (i)
			b[len++] = ',';
		if (!pretty) {
			len += (size_t)sprintf(b + len, "%s", ls->l[i]);
			continue;
		}
		/* a space after every ',' and ':' outside strings, a newline per event */
		b[len++] = '\n';
		for (p = ls->l[i]; *p; p++) {
			static int in_str;
			b[len++] = *p;
			if (*p == '"' && (p == ls->l[i] || p[-1] != '\\'))
				in_str = !in_str;
			if (!in_str && (*p == ',' || *p == ':'))
				b[len++] = ' ';
		}
	}
	len += (size_t)sprintf(b + len, "]%s}", tail);
	return b;
}

static void dc_fixture_events_are_kept_exactly_with_times(void **state)
{
	lines_t ls = read_fixture("test-audit-api.log");
	const char *tail =
	        ",\"pagingInfo\":{\"lastPage\":false,\"nextPageOffset\":0,\"nextPageCursor\":\"1637628276398,179\","
	        "\"nextPageLink\":\"http://h:8090/rest/auditing/1.0/events?offset=0&limit=2&pageCursor=1637628276398,179\",\"size\":2}";
	cfl_errbuf_t err;
	cfl_page_t pg;
	int pretty;
	size_t i;

	assert_true(ls.n >= 100);
	for (pretty = 0; pretty < 2; pretty++) {
		char *body = make_page(&ls, ls.n, 1, pretty, tail);
		assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, body, strlen(body), NULL, &pg, &err), CFL_OK);
		assert_int_equal(pg.n, ls.n);
		for (i = 0; i < pg.n; i++) {
			assert_int_equal(pg.ev[i].len, strlen(ls.l[i]));
			assert_string_equal(pg.ev[i].json, ls.l[i]);
			assert_true(pg.ev[i].ts_ms != CFL_TS_NONE);
		}
		/* "timestamp":"2021-11-23T00:44:36.398Z" */
		assert_int_equal(pg.ev[0].ts_ms, INT64_C(1637628276398));
		assert_int_equal(pg.has_more, 1);
		assert_string_equal(pg.next_cursor, "1637628276398,179");
		assert_non_null(strstr(pg.next_link, "pageCursor="));
		cfl_page_free(&pg);
		free(body);
	}
	free_lines(&ls);
}

static void cloud_fixture_events_are_kept_exactly_with_times(void **state)
{
	lines_t ls = read_fixture("test-audit-cloud.log");
	const char *more =
	        ",\"start\":0,\"limit\":500,\"size\":36,\"_links\":{\"base\":\"https://t.atlassian.net/wiki\","
	        "\"next\":\"/rest/api/audit?start=36&limit=500\"}";
	cfl_errbuf_t err;
	cfl_page_t pg;
	size_t i;
	char *body = make_page(&ls, ls.n, 0, 1, more);

	assert_int_equal(cfl_page_parse(CFL_FLAVOR_CLOUD, body, strlen(body), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.n, ls.n);
	for (i = 0; i < pg.n; i++)
		assert_string_equal(pg.ev[i].json, ls.l[i]);
	assert_int_equal(pg.ev[0].ts_ms, INT64_C(1643097111962));
	assert_int_equal(pg.has_more, 1);
	assert_int_equal(pg.has_links, 1);
	assert_int_equal(pg.limit, 500);
	assert_string_equal(pg.next_link, "/rest/api/audit?start=36&limit=500");
	cfl_page_free(&pg);
	free(body);
	free_lines(&ls);
}

static char *slurp_fixture(const char *name)
{
	lines_t ls = read_fixture(name);
	char *s = strdup(ls.l[0]);

	free_lines(&ls);
	return s;
}

/* Elastic's empty pages: Cloud's has no "next" (despite size 37). */
static void empty_fixture_pages_are_last_pages(void **state)
{
	char *dc = slurp_fixture("test-audit-api-empty.log");
	char *cloud = slurp_fixture("test-audit-cloud-empty.log");
	cfl_errbuf_t err;
	cfl_page_t pg;

	assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, dc, strlen(dc), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.n, 0);
	assert_int_equal(pg.has_more, 0);
	cfl_page_free(&pg);
	assert_int_equal(cfl_page_parse(CFL_FLAVOR_CLOUD, cloud, strlen(cloud), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.n, 0);
	assert_int_equal(pg.has_more, 0);
	assert_int_equal(pg.has_links, 1);
	assert_int_equal(pg.limit, 2);
	cfl_page_free(&pg);
	free(dc);
	free(cloud);
}

/* Bodies that are not a page: each error says what and shows the start of
 * the body as printable text, never more than a short excerpt. */
static const struct {
	cfl_flavor_t f;
	const char *body;
	cfl_rc_t rc;
	const char *msg_part;
} bad[] = {
	{ CFL_FLAVOR_CLOUD,
	  "<!DOCTYPE html><html><head><title>Log in - Confluence</title></head><body>...</body></html>", CFL_EPARSE,
	  "starts with \"<!DOCTYPE html><html><head><title>Log in - Confl\"" },
	{ CFL_FLAVOR_DC, "{\"entities\":[{\"timestamp\":\"2021-11-23T00:44:36.398Z\",\"author\":{\"name\":\"te",
	  CFL_ETRUNC, "truncated JSON: the body ends after 73 bytes" },
	{ CFL_FLAVOR_DC, "", CFL_ETRUNC, "empty body" },
	{ CFL_FLAVOR_DC, "{\"results\":[]}", CFL_EPROTO, "no \"entities\" array: not a Data Center audit page" },
	{ CFL_FLAVOR_CLOUD, "{\"entities\":[]}", CFL_EPROTO, "no \"results\" array: not a Cloud audit page" },
	{ CFL_FLAVOR_CLOUD, "[1,2]", CFL_EPROTO, "not an object" },
	{ CFL_FLAVOR_CLOUD, "{\"results\":[1]}", CFL_EPROTO, "event 0 of the page is not a JSON object" },
	{ CFL_FLAVOR_CLOUD, "{\"results\":[]}\x00garbage", CFL_EPARSE, "byte 14" },
	{ CFL_FLAVOR_CLOUD, "\x1f\x8b\x08\x00 gzip", CFL_EPARSE,
	  "found byte 0x1f; the body (3 bytes) starts with \"...\"" },
};

static void bad_bodies_give_bounded_clear_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].body);
		cfl_errbuf_t err;
		cfl_page_t pg;
		cfl_rc_t rc;
		if (i == 7)
			len += 8; /* embedded NUL */
		rc = cfl_page_parse(bad[i].f, bad[i].body, len, NULL, &pg, &err);
		if (rc != bad[i].rc || strstr(err.msg, bad[i].msg_part) == NULL)
			fail_msg("row %zu: rc %d, message \"%s\"", i, rc, err.msg);
		assert_true(strlen(err.msg) < CFL_ERRBUF_LEN);
		assert_null(pg.ev);
	}
}

static void event_times_in_every_form_the_apis_use(void **state)
{
	const char *cloud = "{\"results\":[{\"creationDate\":1643097111962},{\"creationDate\":\"1643097111963\"},"
	                    "{\"creationDate\":\"2022-01-25T07:51:51.964Z\"},{\"creationDate\":1.643097111965e12},"
	                    "{\"creationDate\":null},{\"summary\":\"no time\"},{\"creationDate\":\"-1\"}]}";
	const char *dc =
	        "{\"entities\":[{\"timestamp\":{\"epochSecond\":1637625013,\"nano\":66000000}},"
	        "{\"timestamp\":1637625013842},{\"timestamp\":\"garbage\"}],\"pagingInfo\":{\"lastPage\":true}}";
	const int64_t want_cloud[] = { INT64_C(1643097111962),
		                       INT64_C(1643097111963),
		                       INT64_C(1643097111964),
		                       INT64_C(1643097111965),
		                       CFL_TS_NONE,
		                       CFL_TS_NONE,
		                       CFL_TS_NONE };
	const int64_t want_dc[] = { INT64_C(1637625013066), INT64_C(1637625013842), CFL_TS_NONE };
	cfl_errbuf_t err;
	cfl_page_t pg;
	size_t i;

	assert_int_equal(cfl_page_parse(CFL_FLAVOR_CLOUD, cloud, strlen(cloud), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.n, 7);
	for (i = 0; i < pg.n; i++)
		assert_int_equal(pg.ev[i].ts_ms, want_cloud[i]);
	assert_int_equal(pg.n_untimed, 3);
	/* no _links at all: the poller decides by the page size */
	assert_int_equal(pg.has_links, 0);
	cfl_page_free(&pg);
	assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, dc, strlen(dc), NULL, &pg, &err), CFL_OK);
	for (i = 0; i < pg.n; i++)
		assert_int_equal(pg.ev[i].ts_ms, want_dc[i]);
	cfl_page_free(&pg);
}

static void dc_cursor_comes_from_the_link_when_missing(void **state)
{
	const char *dc =
	        "{\"entities\":[{\"timestamp\":\"2021-11-23T00:44:36.398Z\"}],\"pagingInfo\":{\"lastPage\":false,"
	        "\"nextPageLink\":\"http://h/rest/auditing/1.0/events?offset=0&limit=2&pageCursor=1637628276398%2C179&x=1\"}}";
	const char *last = "{\"entities\":[],\"pagingInfo\":{\"lastPage\":true,\"nextPageCursor\":\"\"}}";
	cfl_errbuf_t err;
	cfl_page_t pg;

	assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, dc, strlen(dc), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.has_more, 1);
	assert_string_equal(pg.next_cursor, "1637628276398,179");
	cfl_page_free(&pg);
	assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, last, strlen(last), NULL, &pg, &err), CFL_OK);
	assert_int_equal(pg.has_more, 0);
	assert_null(pg.next_cursor);
	cfl_page_free(&pg);
}

static void excluded_actions_are_marked(void **state)
{
	static const char *const excl[] = { "atlassian.audit.event.action.audit.search", "Space logo uploaded", NULL };
	const char *dc =
	        "{\"entities\":[{\"type\":{\"actionI18nKey\":\"atlassian.audit.event.action.audit.search\","
	        "\"action\":\"Audit Log search performed\"}},{\"type\":{\"actionI18nKey\":\"x\",\"action\":\"y\"}},"
	        "{\"type\":{\"action\":\"Space logo uploaded\"}},{\"type\":\"odd\"}]}";
	const char *cloud = "{\"results\":[{\"summary\":\"Space logo uploaded\"},{\"summary\":\"User created\"}]}";
	cfl_errbuf_t err;
	cfl_page_t pg;

	assert_int_equal(cfl_page_parse(CFL_FLAVOR_DC, dc, strlen(dc), excl, &pg, &err), CFL_OK);
	assert_int_equal(pg.ev[0].excluded, 1);
	assert_int_equal(pg.ev[1].excluded, 0);
	assert_int_equal(pg.ev[2].excluded, 1);
	assert_int_equal(pg.ev[3].excluded, 0);
	cfl_page_free(&pg);
	assert_int_equal(cfl_page_parse(CFL_FLAVOR_CLOUD, cloud, strlen(cloud), excl, &pg, &err), CFL_OK);
	assert_int_equal(pg.ev[0].excluded, 1);
	assert_int_equal(pg.ev[1].excluded, 0);
	cfl_page_free(&pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dc_fixture_events_are_kept_exactly_with_times),
		cmocka_unit_test(cloud_fixture_events_are_kept_exactly_with_times),
		cmocka_unit_test(empty_fixture_pages_are_last_pages),
		cmocka_unit_test(bad_bodies_give_bounded_clear_errors),
		cmocka_unit_test(event_times_in_every_form_the_apis_use),
		cmocka_unit_test(dc_cursor_comes_from_the_link_when_missing),
		cmocka_unit_test(excluded_actions_are_marked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
