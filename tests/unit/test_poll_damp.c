/* test_poll_damp.c: a failure is logged once per streak (cfl_damp), as
 * imconfluence does for failed requests and unwritable state files.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfl_damp.h"

#define REPEAT 300000 /* 5 minutes */
#define T0 INT64_C(1000000)

static void a_streak_is_logged_first_and_again_after_the_repeat(void **state)
{
	cfl_damp_t d;

	cfl_damp_init(&d, REPEAT);
	assert_true(cfl_damp_should_log(&d, 5, T0));
	assert_false(cfl_damp_should_log(&d, 5, T0 + 1000));
	assert_false(cfl_damp_should_log(&d, 5, T0 + REPEAT - 1));
	assert_true(cfl_damp_should_log(&d, 5, T0 + REPEAT));
	assert_false(cfl_damp_should_log(&d, 5, T0 + REPEAT + 1));
	assert_int_equal(d.count, 5);
}

static void a_change_of_kind_is_logged_and_restarts_the_count(void **state)
{
	cfl_damp_t d;

	cfl_damp_init(&d, REPEAT);
	assert_true(cfl_damp_should_log(&d, 5, T0));
	assert_false(cfl_damp_should_log(&d, 5, T0 + 1));
	assert_true(cfl_damp_should_log(&d, 7, T0 + 2));
	assert_int_equal(d.count, 1);
	assert_true(cfl_damp_should_log(&d, 5, T0 + 3));
}

static void once_kinds_are_logged_once_per_streak(void **state)
{
	cfl_damp_t d;

	cfl_damp_init(&d, REPEAT);
	assert_true(cfl_damp_should_log_once(&d, 2, T0));
	assert_false(cfl_damp_should_log_once(&d, 2, T0 + REPEAT));
	assert_false(cfl_damp_should_log_once(&d, 2, T0 + 10 * REPEAT));
	assert_int_equal(d.count, 3);
	/* another kind in between starts a new streak */
	assert_true(cfl_damp_should_log(&d, 9, T0 + 10 * REPEAT + 1));
	assert_true(cfl_damp_should_log_once(&d, 2, T0 + 10 * REPEAT + 2));
}

static void recovery_reports_the_streak_once(void **state)
{
	cfl_damp_t d;

	cfl_damp_init(&d, REPEAT);
	assert_int_equal(cfl_damp_recovered(&d), 0); /* nothing failed */
	cfl_damp_should_log(&d, 5, T0);
	cfl_damp_should_log(&d, 5, T0 + 1);
	cfl_damp_should_log(&d, 5, T0 + 2);
	assert_int_equal(cfl_damp_recovered(&d), 3);
	assert_int_equal(cfl_damp_recovered(&d), 0);
	/* the next failure, even of the same kind, is logged at once */
	assert_true(cfl_damp_should_log(&d, 5, T0 + 3));
	assert_int_equal(cfl_damp_recovered(&d), 1);
	assert_true(cfl_damp_should_log_once(&d, 2, T0 + 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_streak_is_logged_first_and_again_after_the_repeat),
		cmocka_unit_test(a_change_of_kind_is_logged_and_restarts_the_count),
		cmocka_unit_test(once_kinds_are_logged_once_per_streak),
		cmocka_unit_test(recovery_reports_the_streak_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
