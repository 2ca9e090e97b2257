/* test_base_timeval.c: epoch milliseconds to struct timeval (cfl_timeval),
 * which both modules use for the message timestamp: floor, never a
 * negative tv_usec.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfl_timeval.h"

static const struct {
	int64_t ms;
	long long sec;
	long usec;
} rows[] = {
	{ 0, 0, 0 },
	{ 1, 0, 1000 },
	{ 999, 0, 999000 },
	{ 1000, 1, 0 },
	{ INT64_C(1637628276398), 1637628276, 398000 },
	{ -1, -1, 999000 }, /* 1969-12-31T23:59:59.999Z */
	{ -999, -1, 1000 },
	{ -1000, -1, 0 },
	{ -1001, -2, 999000 },
	{ -1500, -2, 500000 },
	{ INT64_C(-62167219200000), -62167219200, 0 }, /* year 0000 */
};

static void milliseconds_floor_to_seconds_and_microseconds(void **state)
{
	struct timeval tv;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cfl_ms_to_timeval(rows[i].ms, &tv);
		if ((long long)tv.tv_sec != rows[i].sec || (long)tv.tv_usec != rows[i].usec)
			fail_msg("%lld ms: {%lld, %ld}, want {%lld, %ld}", (long long)rows[i].ms, (long long)tv.tv_sec,
			         (long)tv.tv_usec, rows[i].sec, rows[i].usec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(milliseconds_floor_to_seconds_and_microseconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
