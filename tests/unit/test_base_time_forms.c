/* test_base_time_forms.c -- the timestamp forms of Confluence audit events
 * (modules/core/base/cfl_time.c), as tables: text or {epochSecond, nano} in,
 * epoch milliseconds and ECS @timestamp text out. A row with ok = 0 is an
 * input the mapper must reject (the event then becomes a pipeline_error). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_time.h"

struct iso_case {
	const char *text;
	int ok;
	int64_t ms;
};

/* 2021-11-23T00:44:36.398Z is the DC API fixture's first event */
#define T0 1637628276398LL

static const struct iso_case iso_cases[] = {
	{ "2021-11-23T00:44:36.398Z", 1, T0 },
	{ "2021-11-23T02:44:36.398+02:00", 1, T0 }, /* offsets are converted to UTC */
	{ "2021-11-23T02:44:36.398+0200", 1, T0 },
	{ "2021-11-23T02:44:36.398+02", 1, T0 },
	{ "2021-11-22T19:14:36.398-05:30", 1, T0 },
	{ "2021-11-23T00:44:36.398-00:00", 1, T0 },
	{ "2021-11-23T00:44:36.398", 1, T0 },        /* no zone: UTC, as Elasticsearch */
	{ "2021-11-23T00:44:36.398999999Z", 1, T0 }, /* truncated, not rounded */
	{ "2021-11-23T00:44:36.3989Z", 1, T0 },
	{ "2021-11-23T00:44:36.39Z", 1, T0 - 8 }, /* .39 is 390 ms */
	{ "2021-11-23T00:44:36.3Z", 1, T0 - 98 },
	{ "2021-11-23T00:44:36Z", 1, T0 - 398 },
	{ "2021-11-23T00:44Z", 1, T0 - 36398 },
	{ "2021-11-23", 1, T0 - 2676398 },     /* a date alone is its midnight */
	{ "2021-11-23t00:44:36,398z", 1, T0 }, /* lower case, decimal comma */
	{ "2021-11-23 00:44:36.398Z", 1, T0 },
	{ "2020-02-29T12:00:00Z", 1, 1582977600000LL }, /* leap day */
	{ "1969-12-31T23:59:59.999Z", 1, -1 },          /* before the epoch */
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "0000-01-01T00:00:00Z", 1, CFL_TIME_MIN_MS },
	{ "9999-12-31T23:59:59.999Z", 1, CFL_TIME_MAX_MS },
	{ "2021-11-23T00:44:36.398+18:00", 1, T0 - 18 * 3600000LL },
	{ "0000-01-01T00:00:00+01:00", 0, 0 }, /* before year 0 in UTC */
	{ "9999-12-31T23:59:59-01:00", 0, 0 }, /* after year 9999 in UTC */
	{ "", 0, 0 },
	{ "2021-11-23T", 0, 0 },
	{ "2021-13-01T00:00:00Z", 0, 0 },
	{ "2021-00-01T00:00:00Z", 0, 0 },
	{ "2021-02-29T00:00:00Z", 0, 0 }, /* not a leap year */
	{ "2021-04-31T00:00:00Z", 0, 0 },
	{ "2021-11-23T24:00:00Z", 0, 0 },
	{ "2021-11-23T00:60:00Z", 0, 0 },
	{ "2021-11-23T00:44:60Z", 0, 0 }, /* no leap seconds, as Java */
	{ "2021-11-23T00:44:36.Z", 0, 0 },
	{ "2021-11-23T00:44:36.398+19:00", 0, 0 },
	{ "2021-11-23T00:44:36.398+02:60", 0, 0 },
	{ "2021-11-23T00:44:36.398+2", 0, 0 },
	{ "2021-11-23T00:44:36.398X", 0, 0 },
	{ "2021-11-23T00:44:36.398Z ", 0, 0 },
	{ "21-11-23T00:44:36Z", 0, 0 },
	{ "2021/11/23T00:44:36Z", 0, 0 },
	{ "1637628276398", 0, 0 },
	{ "2021-11-23T0:44:36Z", 0, 0 },
};

static void test_iso8601_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(iso_cases) / sizeof(iso_cases[0]); i++) {
		const struct iso_case *c = &iso_cases[i];
		int64_t ms = 42;
		int rc = cfl_time_parse_iso8601(c->text, strlen(c->text), &ms);

		if (c->ok) {
			if (rc != 0 || ms != c->ms)
				fail_msg("\"%s\": expected %lld, got rc %d ms %lld", c->text, (long long)c->ms, rc,
				         (long long)ms);
		} else if (rc == 0) {
			fail_msg("\"%s\": expected a rejection, got %lld", c->text, (long long)ms);
		}
	}
}

/* the parser honours len: text after it is not read */
static void test_iso8601_uses_len(void **state)
{
	const char buf[] = "2021-11-23T00:44:36.398Zgarbage";
	int64_t ms;

	(void)state;
	assert_int_equal(cfl_time_parse_iso8601(buf, 24, &ms), 0);
	assert_true(ms == T0);
	assert_int_equal(cfl_time_parse_iso8601(buf, 23, &ms), 0); /* without the Z: UTC anyway */
}

struct nano_case {
	int64_t sec, nano;
	int ok;
	int64_t ms;
};

static const struct nano_case nano_cases[] = {
	{ 1637624602, 54000000, 1, 1637624602054LL }, /* .054, not .540 (Elastic's bug) */
	{ 1637624567, 332000000, 1, 1637624567332LL },
	{ 1637624567, 0, 1, 1637624567000LL },
	{ 1637624567, 999999999, 1, 1637624567999LL }, /* truncated */
	{ 1637624567, 1, 1, 1637624567000LL },
	{ 1637624567, 999999, 1, 1637624567000LL },
	{ 1637624567, 1000000, 1, 1637624567001LL },
	{ -1, 500000000, 1, -500 }, /* -1 s + 0.5 s */
	{ 0, 0, 1, 0 },
	{ 1637624567, -1, 0, 0 },
	{ 1637624567, 1000000000, 0, 0 },
	{ 253402300800LL, 0, 0, 0 }, /* year 10000 */
	{ INT64_MAX, 0, 0, 0 },      /* no overflow */
	{ INT64_MIN, 0, 0, 0 },
};

static void test_epoch_nano_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nano_cases) / sizeof(nano_cases[0]); i++) {
		const struct nano_case *c = &nano_cases[i];
		int64_t ms = 42;
		int rc = cfl_time_from_epoch_nano(c->sec, c->nano, &ms);

		if (c->ok) {
			if (rc != 0 || ms != c->ms)
				fail_msg("{%lld, %lld}: expected %lld, got rc %d ms %lld", (long long)c->sec,
				         (long long)c->nano, (long long)c->ms, rc, (long long)ms);
		} else if (rc == 0) {
			fail_msg("{%lld, %lld}: expected a rejection", (long long)c->sec, (long long)c->nano);
		}
	}
}

struct fmt_case {
	int64_t ms;
	const char *text; /* NULL: out of range */
};

static const struct fmt_case fmt_cases[] = {
	{ T0, "2021-11-23T00:44:36.398Z" },
	{ 1637624602054LL, "2021-11-22T23:43:22.054Z" },
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ -1, "1969-12-31T23:59:59.999Z" },
	{ -500, "1969-12-31T23:59:59.500Z" },
	{ -86400000LL, "1969-12-31T00:00:00.000Z" },
	{ 951782400000LL, "2000-02-29T00:00:00.000Z" },
	{ 1782510906271LL, "2026-06-26T21:55:06.271Z" },
	{ CFL_TIME_MIN_MS, "0000-01-01T00:00:00.000Z" },
	{ CFL_TIME_MAX_MS, "9999-12-31T23:59:59.999Z" },
	{ CFL_TIME_MIN_MS - 1, NULL },
	{ CFL_TIME_MAX_MS + 1, NULL },
};

static void test_format_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		char buf[32];
		size_t n = cfl_time_format_ms(fmt_cases[i].ms, buf, sizeof(buf));

		if (fmt_cases[i].text == NULL) {
			if (n != 0)
				fail_msg("%lld: expected out of range, got %s", (long long)fmt_cases[i].ms, buf);
			continue;
		}
		assert_int_equal(n, 24);
		assert_string_equal(buf, fmt_cases[i].text);
	}
}

/* every instant read back from its own text: format and parse agree */
static void test_format_parse_roundtrip(void **state)
{
	int64_t ms;

	(void)state;
	for (ms = CFL_TIME_MIN_MS; ms <= CFL_TIME_MAX_MS - 7777777777LL; ms += 7777777777LL) {
		char buf[32];
		int64_t back;

		assert_int_equal(cfl_time_format_ms(ms, buf, sizeof(buf)), 24);
		assert_int_equal(cfl_time_parse_iso8601(buf, 24, &back), 0);
		if (back != ms)
			fail_msg("%lld -> %s -> %lld", (long long)ms, buf, (long long)back);
	}
}

static void test_format_small_buffer(void **state)
{
	char buf[24];

	(void)state;
	assert_int_equal(cfl_time_format_ms(0, buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso8601_table),          cmocka_unit_test(test_iso8601_uses_len),
		cmocka_unit_test(test_epoch_nano_table),       cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_parse_roundtrip), cmocka_unit_test(test_format_small_buffer),
	};

	return cmocka_run_group_tests_name("cfl_time", tests, NULL, NULL);
}
