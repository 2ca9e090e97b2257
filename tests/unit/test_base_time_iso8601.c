/* test_base_time_iso8601.c: ISO 8601 <-> epoch ms (cfl_time), as Data Center writes and
 * reads its timestamps and the poller builds its windows. One row per case;
 * odd rows carry a comment.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_time.h"

#define REJECT INT64_MIN

static const struct {
	const char *in;
	int64_t ms; /* REJECT: must not parse */
} rows[] = {
	{ "2021-11-23T00:44:36.398Z", INT64_C(1637628276398) },
	{ "2021-11-23T00:44:36Z", INT64_C(1637628276000) },
	{ "2021-11-22T23:47:20.782708Z", INT64_C(1637624840782) }, /* micros truncated */
	{ "2021-11-23T01:44:36.398+01:00", INT64_C(1637628276398) },
	{ "2021-11-22T23:44:36.398-0100", INT64_C(1637628276398) },
	{ "2021-11-23 00:44:36.398Z", INT64_C(1637628276398) }, /* space separator */
	{ "2021-11-23T00:44:36.398", INT64_C(1637628276398) },  /* no zone = UTC */
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1969-12-31T23:59:59.999Z", -1 },
	{ "2024-02-29T12:00:00Z", INT64_C(1709208000000) }, /* leap day */
	{ "2016-12-31T23:59:60Z", REJECT },                 /* Java's Instant never writes :60 */
	{ "2023-02-29T12:00:00Z", REJECT },                 /* not a leap year */
	{ "2021-13-01T00:00:00Z", REJECT },
	{ "2021-11-23T24:00:00Z", REJECT },
	{ "2021-11-23T00:44:36.Z", REJECT },
	{ "2021-11-23T00:44:36.398ZZ", REJECT },
	{ "2021-11-23", INT64_C(1637625600000) }, /* a date alone is midnight UTC */
	{ "1637628276398", REJECT },
	{ "", REJECT },
	{ "2021-11-23T00:44:36+25:00", REJECT },
};

static void timestamps_parse_or_are_rejected(void **state)
{
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ok = cfl_time_parse_iso8601(rows[i].in, strlen(rows[i].in), &ms) == 0;
		if (rows[i].ms == REJECT ? ok : (!ok || ms != rows[i].ms))
			fail_msg("row %zu \"%s\": ok %d ms %lld", i, rows[i].in, ok, (long long)ms);
	}
}

static const struct {
	int64_t ms;
	const char *out;
} fmt[] = {
	{ INT64_C(1637628276398), "2021-11-23T00:44:36.398Z" },
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ -1, "1969-12-31T23:59:59.999Z" },
	{ INT64_C(1709208000000), "2024-02-29T12:00:00.000Z" },
	{ CFL_TIME_MIN_MS, "0000-01-01T00:00:00.000Z" },
	{ CFL_TIME_MAX_MS, "9999-12-31T23:59:59.999Z" },
	{ CFL_TIME_MIN_MS - 1, "" }, /* out of range: nothing, not garbage */
	{ INT64_MAX, "" },
};

static void timestamps_format_with_milliseconds_and_z(void **state)
{
	char out[CFL_TIME_ISO_LEN];
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(cfl_time_format_ms(fmt[i].ms, out, sizeof(out)), strlen(fmt[i].out));
		assert_string_equal(out, fmt[i].out);
	}
}

static void format_and_parse_round_trip(void **state)
{
	char out[CFL_TIME_ISO_LEN];
	int64_t ms, back;

	for (ms = -INT64_C(5000000000000); ms < INT64_C(5000000000000); ms += INT64_C(7777777777)) {
		assert_int_equal(cfl_time_format_ms(ms, out, sizeof(out)), 24);
		assert_int_equal(cfl_time_parse_iso8601(out, strlen(out), &back), 0);
		assert_int_equal(back, ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timestamps_parse_or_are_rejected),
		cmocka_unit_test(timestamps_format_with_milliseconds_and_z),
		cmocka_unit_test(format_and_parse_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
