/* test_poll_trace.c: request trace lines never carry credentials.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_trace.h"

static void redacts_userinfo_and_secret_params(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "https://c.example/wiki/rest/api/audit?startDate=1&endDate=2&start=0&limit=100",
		  "https://c.example/wiki/rest/api/audit?startDate=1&endDate=2&start=0&limit=100" },
		{ "https://bob:s3cret@c.example:8443/rest/auditing/1.0/events?limit=10",
		  "https://REDACTED@c.example:8443/rest/auditing/1.0/events?limit=10" },
		{ "https://c.example/x?token=abc&limit=1&Access_Token=def&apikey=&authz=g#frag",
		  "https://c.example/x?token=REDACTED&limit=1&Access_Token=REDACTED&apikey=REDACTED&authz=REDACTED#frag" },
		{ "https://c.example/x?pageCursor=eyJ0b2tlbiI6MX0%3D&password=p%40ss",
		  "https://c.example/x?pageCursor=eyJ0b2tlbiI6MX0%3D&password=REDACTED" },
		{ "http://user@h/p", "http://REDACTED@h/p" },
		{ "https://h/p?a@b=1", "https://h/p?a@b=1" },
		{ "https://h/p?flag&key=1", "https://h/p?flag&key=REDACTED" },
	};
	char out[512];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cfl_trace_redact_url(rows[i].in, out, sizeof(out));
		assert_string_equal(out, rows[i].out);
	}
	/* too small: cut, the secret is still not there */
	cfl_trace_redact_url("https://h/p?token=verysecretvalue", out, 24);
	assert_null(strstr(out, "verysecret"));
	assert_true(strlen(out) < 24);
}

static void a_line_is_one_json_object(void **state)
{
	cfl_trace_rec_t r;
	char out[2048];
	size_t n;

	memset(&r, 0, sizeof(r));
	r.wall_ms = INT64_C(1772445600123);
	r.input = "site \"a\"";
	r.url = "https://u:pw@h/rest/api/audit?token=t0k&limit=5";
	r.status = 429;
	r.duration_ms = 12;
	r.bytes = 345;
	r.retry_after = "7";
	r.error = "line\nbreak";
	n = cfl_trace_line(&r, out, sizeof(out));
	assert_int_equal(n, strlen(out));
	assert_string_equal(out,
	                    "{\"@timestamp\":\"2026-03-02T10:00:00.123Z\",\"input\":\"site \\\"a\\\"\","
	                    "\"method\":\"GET\",\"url\":\"https://REDACTED@h/rest/api/audit?token=REDACTED&limit=5\","
	                    "\"status\":429,\"duration_ms\":12,\"bytes\":345,\"error\":\"line\\u000abreak\","
	                    "\"retry_after\":\"7\"}\n");
	assert_int_equal(cfl_trace_line(&r, out, 40), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redacts_userinfo_and_secret_params),
		cmocka_unit_test(a_line_is_one_json_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
