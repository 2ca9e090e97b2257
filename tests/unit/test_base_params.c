/* test_base_params.c: a module's parameter table (cfl_params): defaults,
 * bounds and their one message, storing, lookup and the docs rows.
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

#include "cfl_params.h"

typedef struct conf {
	char *url;
	char *tag;
	int interval;
	int verify;
	char **list;
} conf_t;

#define CFL_PARAM(...) CFL_PARAM_ROW(conf_t, __VA_ARGS__)
static const cfl_param_t t[] = { CFL_PARAM("url", STRING, REQUIRED, url, NULL, 0, 0, 0, "(required)") CFL_PARAM(
	"tag", STRING, 0, tag, "confluence-audit", 0, 0, 0, "confluence-audit")
	                                 CFL_PARAM("pollingInterval", INT, 0, interval, NULL, 60, 1, 604800, "60")
	                                         CFL_PARAM("verify", BINARY, 0, verify, NULL, 1, 0, 0, "on")
	                                                 CFL_PARAM("list", ARRAY, 0, list, NULL, 0, 0, 0, "[]") };
#undef CFL_PARAM
#define N (sizeof(t) / sizeof(t[0]))

static void defaults_are_stored(void **state)
{
	conf_t c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfl_params_defaults(t, N, &c), 0);
	assert_null(c.url);
	assert_string_equal(c.tag, "confluence-audit");
	assert_int_equal(c.interval, 60);
	assert_int_equal(c.verify, 1);
	assert_null(c.list);
	assert_int_equal(t[0].flags, CFL_PF_REQUIRED);
	cfl_params_free(t, N, &c);
	assert_null(c.tag);
}

static void bounds_are_inclusive_and_named_in_one_message(void **state)
{
	const cfl_param_t *p = cfl_params_find(t, N, "pollingInterval");
	cfl_errbuf_t err = { CFL_OK, "" };
	conf_t c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfl_param_set_num(p, &c, 1, &err), CFL_OK);
	assert_int_equal(c.interval, 1);
	assert_int_equal(cfl_param_set_num(p, &c, 604800, &err), CFL_OK);
	assert_int_equal(c.interval, 604800);
	assert_string_equal(err.msg, "");
	assert_int_equal(cfl_param_set_num(p, &c, 0, &err), CFL_EINVAL);
	assert_string_equal(err.msg, "parameter 'pollingInterval' must be between 1 and 604800, got 0");
	assert_int_equal(c.interval, 604800);
	/* beyond int: refused, never truncated into range */
	assert_int_equal(cfl_param_set_num(p, &c, 4294967297LL, &err), CFL_EINVAL);
	assert_string_equal(err.msg, "parameter 'pollingInterval' must be between 1 and 604800, got 4294967297");
	assert_int_equal(cfl_param_set_num(p, &c, -5, NULL), CFL_EINVAL);
	assert_int_equal(c.interval, 604800);
	/* binary values are not bounded */
	assert_int_equal(cfl_param_set_num(cfl_params_find(t, N, "verify"), &c, 0, &err), CFL_OK);
	assert_int_equal(c.verify, 0);
}

static void strings_and_arrays_replace_the_old_value(void **state)
{
	conf_t c;
	char **a = calloc(3, sizeof(char *));

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfl_params_defaults(t, N, &c), 0);
	cfl_param_set_str(cfl_params_find(t, N, "tag"), &c, strdup("mine"));
	assert_string_equal(c.tag, "mine");
	a[0] = strdup("x");
	a[1] = strdup("y");
	cfl_param_set_array(cfl_params_find(t, N, "list"), &c, a);
	assert_string_equal(c.list[1], "y");
	cfl_params_free(t, N, &c); /* no leak under ASan/valgrind */
	assert_null(c.list);
}

static void lookup_ignores_case_like_rsyslog(void **state)
{
	assert_ptr_equal(cfl_params_find(t, N, "POLLINGinterval"), &t[2]);
	assert_null(cfl_params_find(t, N, "polling"));
}

static void docs_rows(void **state)
{
	char row[200];

	cfl_param_doc_row(&t[0], row, sizeof(row));
	assert_string_equal(row, "url|string|(required)|");
	cfl_param_doc_row(&t[2], row, sizeof(row));
	assert_string_equal(row, "pollingInterval|integer|60|1..604800");
	cfl_param_doc_row(&t[3], row, sizeof(row));
	assert_string_equal(row, "verify|binary|on|");
	assert_string_equal(cfl_ptype_name(CFL_PT_WORD), "word");
	assert_string_equal(cfl_ptype_name(CFL_PT_FACILITY), "facility");
	assert_string_equal(cfl_ptype_name(CFL_PT_SEVERITY), "severity");
	assert_string_equal(cfl_ptype_name(CFL_PT_ARRAY), "array");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_stored),
		cmocka_unit_test(bounds_are_inclusive_and_named_in_one_message),
		cmocka_unit_test(strings_and_arrays_replace_the_old_value),
		cmocka_unit_test(lookup_ignores_case_like_rsyslog),
		cmocka_unit_test(docs_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
