/* test_base_imfile.c: imfile's $!metadata!fileoffset as mmconfluence reads it
 * (cfl_imfile).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfl_imfile.h"

static void offsets_are_non_negative_decimal_integers(void **state)
{
	int64_t v = 42;

	assert_int_equal(cfl_imfile_offset("0", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(cfl_imfile_offset("123456", &v), 1);
	assert_int_equal(v, 123456);
	assert_int_equal(cfl_imfile_offset("9223372036854775807", &v), 1);
	assert_true(v == INT64_MAX);
	assert_int_equal(cfl_imfile_offset("+7", &v), 1); /* as strtoll, unchanged */
	assert_int_equal(v, 7);
}

static void anything_else_is_no_offset(void **state)
{
	static const char *bad[] = {
		"", "-1", "12abc", "12 ", "abc", "0x10", "9223372036854775808", "99999999999999999999"
	};
	int64_t v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfl_imfile_offset(bad[i], &v) != 0)
			fail_msg("\"%s\" was accepted as %lld", bad[i], (long long)v);
	assert_int_equal(cfl_imfile_offset(NULL, &v), 0);
	assert_int_equal(v, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_are_non_negative_decimal_integers),
		cmocka_unit_test(anything_else_is_no_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
