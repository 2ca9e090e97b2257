/* test_poll_backoff.c: retry delays and Retry-After, including the
 * absurd values Atlassian has been seen to send.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfl_backoff.h"

#define NOW INT64_C(784111777000) /* Sun, 06 Nov 1994 08:49:37 GMT */
#define MAX INT64_C(300000)

static const struct {
	const char *value;
	int64_t ms; /* -1: ignored, fall back to exponential backoff */
} rows[] = {
	{ "2", 2000 },
	{ "0", 0 },
	{ " 120 ", 120000 },
	{ "300", 300000 },
	{ "301", MAX },                        /* clamped to maxBackoff */
	{ "9223372036854775807", MAX },        /* Long.MAX, seen from Cloud */
	{ "99999999999999999999999999", MAX }, /* beyond any integer type */
	{ "-5", -1 },
	{ "1.5", -1 },
	{ "", -1 },
	{ "soon", -1 },
	{ "Sun, 06 Nov 1994 08:49:47 GMT", 10000 },
	{ "Sun, 06 Nov 1994 08:49:00 GMT", 0 },   /* already past */
	{ "Mon, 06 Nov 1995 08:49:37 GMT", MAX }, /* a year ahead */
	{ "Sunday, 06-Nov-94 08:49:37 GMT", -1 }, /* obsolete RFC 850 form */
	{ "Sun, 06 Nov 1994 08:49:37 UTC", -1 },
	{ "Sun, 31 Feb 1994 08:49:37 GMT", -1 },
};

static void retry_after_values_are_honoured_and_clamped(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t got = cfl_retry_after_ms(rows[i].value, NOW, MAX);
		if (got != rows[i].ms)
			fail_msg("row %zu \"%s\": %lld ms, want %lld", i, rows[i].value, (long long)got,
			         (long long)rows[i].ms);
	}
	assert_int_equal(cfl_retry_after_ms(NULL, NOW, MAX), -1);
}

static void delays_double_up_to_the_cap_with_half_jitter(void **state)
{
	static const int64_t full[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000 };
	cfl_backoff_t b;
	size_t i;

	cfl_backoff_init(&b, 1000, MAX);
	for (i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		/* rnd 0 gives the fixed half, rnd max-ish the full delay */
		cfl_backoff_t copy = b;
		assert_int_equal(cfl_backoff_next(&copy, 0), full[i] / 2);
		assert_int_equal(cfl_backoff_next(&b, (uint32_t)(full[i] - full[i] / 2)), full[i]);
	}
	cfl_backoff_reset(&b);
	assert_int_equal(cfl_backoff_next(&b, 0), 500);
}

static void delays_stay_in_bounds_for_any_random_number(void **state)
{
	cfl_backoff_t b;
	uint32_t r = 12345;
	int i;

	cfl_backoff_init(&b, 1000, 5000);
	for (i = 0; i < 1000; i++) {
		int64_t d;
		r = r * 1103515245u + 12345u;
		d = cfl_backoff_next(&b, r);
		assert_true(d >= 0 && d <= 5000);
	}
	cfl_backoff_init(&b, 1000, 0); /* maxBackoff 0: never wait */
	assert_int_equal(cfl_backoff_next(&b, 77), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retry_after_values_are_honoured_and_clamped),
		cmocka_unit_test(delays_double_up_to_the_cap_with_half_jitter),
		cmocka_unit_test(delays_stay_in_bounds_for_any_random_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
