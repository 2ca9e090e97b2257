/* test_poll_url.c: request URLs are built from the configured base only,
 * with the flavor's path and percent-encoded parameters; next links are
 * compared by origin.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_url.h"

#define FROM INT64_C(1637628276398)
#define TO INT64_C(1637628299000)

static const struct {
	const char *url;
	cfl_flavor_t flavor;
	const char *cursor;
	const char *want; /* the first request URL */
	const char *want_host;
} rows[] = {
	/* Cloud site: flavor auto-detected, /wiki added */
	{ "https://example.atlassian.net", CFL_FLAVOR_AUTO, NULL,
	  "https://example.atlassian.net/wiki/rest/api/audit?startDate=1637628276398&endDate=1637628299000&start=40&limit=1000",
	  "example.atlassian.net" },
	/* a pasted "/wiki/" is not doubled */
	{ "https://example.atlassian.net/wiki/", CFL_FLAVOR_AUTO, NULL,
	  "https://example.atlassian.net/wiki/rest/api/audit?startDate=1637628276398&endDate=1637628299000&start=40&limit=1000",
	  "example.atlassian.net" },
	/* scoped tokens go through the gateway: its path prefix is kept */
	{ "https://api.atlassian.com/ex/confluence/a436116f-02ce-4520-8fbb-7301462a1674", CFL_FLAVOR_AUTO, NULL,
	  "https://api.atlassian.com/ex/confluence/a436116f-02ce-4520-8fbb-7301462a1674/wiki/rest/api/audit"
	  "?startDate=1637628276398&endDate=1637628299000&start=40&limit=1000",
	  "api.atlassian.com" },
	/* a full API URL pasted as base */
	{ "https://api.atlassian.com/ex/confluence/abc/wiki/rest/api/audit", CFL_FLAVOR_CLOUD, NULL,
	  "https://api.atlassian.com/ex/confluence/abc/wiki/rest/api/audit?startDate=1637628276398&endDate=1637628299000&start=40&limit=1000",
	  "api.atlassian.com" },
	/* Data Center with a context path; ISO dates and the cursor are encoded */
	{ "https://confluence.example.com:8443/confluence/", CFL_FLAVOR_AUTO, "1637628276398,179",
	  "https://confluence.example.com:8443/confluence/rest/auditing/1.0/events"
	  "?from=2021-11-23T00%3a44%3a36.398Z&to=2021-11-23T00%3a44%3a59.000Z&limit=1000&pageCursor=1637628276398%2c179",
	  "confluence.example.com" },
	/* a DC "/wiki" context is the customer's, not Cloud's: kept */
	{ "http://127.0.0.1:8090/wiki", CFL_FLAVOR_DC, NULL,
	  "http://127.0.0.1:8090/wiki/rest/auditing/1.0/events?from=2021-11-23T00%3a44%3a36.398Z&to=2021-11-23T00%3a44%3a59.000Z&limit=1000",
	  "127.0.0.1" },
	/* a cursor with '+', '&', '=' and ' ' cannot break the query */
	{ "http://dc.local", CFL_FLAVOR_DC, "a+b&c=d e",
	  "http://dc.local/rest/auditing/1.0/events?from=2021-11-23T00%3a44%3a36.398Z&to=2021-11-23T00%3a44%3a59.000Z&limit=1000&pageCursor=a%2bb%26c%3dd+e",
	  "dc.local" },
	/* explicit flavor wins over the host name */
	{ "https://mirror.atlassian.net", CFL_FLAVOR_DC, NULL,
	  "https://mirror.atlassian.net/rest/auditing/1.0/events?from=2021-11-23T00%3a44%3a36.398Z&to=2021-11-23T00%3a44%3a59.000Z&limit=1000",
	  "mirror.atlassian.net" },
};

static void request_urls_are_built_from_the_base(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cfl_request_t r = { FROM, TO, 40, 1000, rows[i].cursor };
		cfl_errbuf_t err;
		cfl_base_t b;
		char *url;
		if (cfl_url_base_init(&b, rows[i].url, rows[i].flavor, &err) != CFL_OK)
			fail_msg("row %zu: %s", i, err.msg);
		assert_int_equal(cfl_url_build(&b, &r, &url, &err), CFL_OK);
		if (strcmp(url, rows[i].want) != 0)
			fail_msg("row %zu:\n got  %s\n want %s", i, url, rows[i].want);
		assert_string_equal(b.host, rows[i].want_host);
		free(url);
		cfl_url_base_free(&b);
	}
}

static const struct {
	const char *url;
	const char *msg_part;
} bad[] = {
	{ "", "empty" },
	{ "example.atlassian.net", "not a valid absolute URL" },
	{ "ftp://example.com", "http or https" },
	{ "https://user:secret@example.atlassian.net", "must not contain user information" },
	{ "https://example.atlassian.net/?x=1", "without '?query'" },
	{ "https://example.atlassian.net/#frag", "without '?query'" },
};

static void unusable_urls_are_rejected_without_echoing_secrets(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfl_errbuf_t err;
		cfl_base_t b;
		assert_int_not_equal(cfl_url_base_init(&b, bad[i].url, CFL_FLAVOR_AUTO, &err), CFL_OK);
		if (strstr(err.msg, bad[i].msg_part) == NULL)
			fail_msg("row %zu: \"%s\" lacks \"%s\"", i, err.msg, bad[i].msg_part);
		assert_null(strstr(err.msg, "secret"));
	}
}

static const struct {
	const char *link;
	int same;
} links[] = {
	{ "/rest/api/audit?start=2&limit=2", 1 }, /* Cloud: relative to /wiki */
	{ "https://example.atlassian.net/wiki/rest/api/audit?start=2", 1 },
	{ "https://EXAMPLE.atlassian.net:443/wiki/x", 1 },
	{ "rest/api/audit?start=2", 1 },
	{ "http://example.atlassian.net/wiki/x", 0 }, /* downgrade to http */
	{ "https://example.atlassian.net:8443/wiki/x", 0 },
	{ "https://evil.example:9/wiki/rest/api/audit", 0 },
	{ "//evil.example/wiki/rest/api/audit", 0 },
	{ "https://example.atlassian.net.evil.example/", 0 },
};

static void next_links_are_compared_by_origin(void **state)
{
	cfl_errbuf_t err;
	cfl_base_t b;
	size_t i;

	assert_int_equal(cfl_url_base_init(&b, "https://example.atlassian.net/wiki", CFL_FLAVOR_AUTO, &err), CFL_OK);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (cfl_url_same_origin(&b, links[i].link) != links[i].same)
			fail_msg("row %zu (%s): want %d", i, links[i].link, links[i].same);
	cfl_url_base_free(&b);
}

static const struct {
	const char *name;
	int ok;
	cfl_flavor_t f;
} flavors[] = {
	{ "auto", 1, CFL_FLAVOR_AUTO }, { "Cloud", 1, CFL_FLAVOR_CLOUD }, { "datacenter", 1, CFL_FLAVOR_DC },
	{ "dc", 1, CFL_FLAVOR_DC },     { "server", 0, CFL_FLAVOR_AUTO },
};

static void flavor_names_and_detection(void **state)
{
	cfl_flavor_t f;
	size_t i;

	for (i = 0; i < sizeof(flavors) / sizeof(flavors[0]); i++) {
		assert_int_equal(cfl_flavor_parse(flavors[i].name, &f), flavors[i].ok);
		if (flavors[i].ok)
			assert_int_equal(f, flavors[i].f);
	}
	assert_int_equal(cfl_flavor_detect("x.atlassian.net."), CFL_FLAVOR_CLOUD);
	assert_int_equal(cfl_flavor_detect("API.ATLASSIAN.COM"), CFL_FLAVOR_CLOUD);
	assert_int_equal(cfl_flavor_detect("atlassian.net"), CFL_FLAVOR_DC);
	assert_int_equal(cfl_flavor_detect("xatlassian.net"), CFL_FLAVOR_DC);
	assert_int_equal(cfl_flavor_detect("confluence.corp"), CFL_FLAVOR_DC);
	assert_string_equal(cfl_flavor_name(CFL_FLAVOR_DC), "datacenter");
}

static void organization_requests(void **state)
{
	cfl_request_t fresh = { INT64_C(1779184800000), INT64_C(1779188400000), 0, 500, NULL, "0f1e-2d3c" };
	cfl_request_t next = { 0, 0, 0, 500, "eyJhIjpb+/=x&y", "0f1e-2d3c" };
	cfl_request_t none = { 0, 0, 0, 500, NULL, NULL };
	cfl_errbuf_t err;
	cfl_base_t b;
	char *url;

	assert_int_equal(cfl_url_base_init(&b, "https://api.atlassian.com/", CFL_FLAVOR_ORG, &err), CFL_OK);
	assert_int_equal(b.flavor, CFL_FLAVOR_ORG);
	assert_int_equal(cfl_url_build(&b, &fresh, &url, &err), CFL_OK);
	assert_string_equal(url, "https://api.atlassian.com/admin/v1/orgs/0f1e-2d3c/events-stream"
	                         "?from=1779184800000&to=1779188400000&limit=500&sortOrder=asc");
	free(url);
	/* a cursor goes alone with limit, percent-encoded */
	assert_int_equal(cfl_url_build(&b, &next, &url, &err), CFL_OK);
	assert_string_equal(url, "https://api.atlassian.com/admin/v1/orgs/0f1e-2d3c/events-stream"
	                         "?cursor=eyJhIjpb%2b%2f%3dx%26y&limit=500");
	free(url);
	assert_int_equal(cfl_url_build(&b, &none, &url, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "orgId"));
	cfl_url_base_free(&b);
	/* never detected: api.atlassian.com alone stays Cloud */
	assert_int_equal(cfl_flavor_detect("api.atlassian.com"), CFL_FLAVOR_CLOUD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_urls_are_built_from_the_base),
		cmocka_unit_test(unusable_urls_are_rejected_without_echoing_secrets),
		cmocka_unit_test(next_links_are_compared_by_origin),
		cmocka_unit_test(flavor_names_and_detection),
		cmocka_unit_test(organization_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
