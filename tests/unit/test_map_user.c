/* test_map_user.c -- the Cloud group-name split of contract section 5
 * ("<name>:<uuid>" -> group name and id, cfl_split_group_uuid in
 * modules/core/map/cfl_map_user.c). The user/group rules themselves are
 * specified by the data-driven cases in tests/cases/map/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_map_int.h"

struct split_case {
	const char *in;
	const char *name; /* NULL: not split */
};

static const struct split_case split_cases[] = {
	{ "confluence-users:4375f4c3-bfdf-4f36-a62e-141ccf1588a3", "confluence-users" },
	{ "Detect & Response - Change Approvals:12e51e32-77ee-45ef-a643-55d4c7f6327c",
	  "Detect & Response - Change Approvals" },
	{ "a:b:12e51e32-77ee-45ef-a643-55d4c7f6327c", "a:b" }, /* at the LAST colon */
	{ "x:12e51e32-77ee-45ef-a643-55d4c7f6327c", "x" },
	{ "caf\xc3\xa9:12e51e32-77ee-45ef-a643-55d4c7f6327c", "caf\xc3\xa9" },
	{ ":12e51e32-77ee-45ef-a643-55d4c7f6327c", NULL },   /* no name before it */
	{ "x:12E51E32-77EE-45EF-A643-55D4C7F6327C", NULL },  /* lower-case hex only, as Elastic */
	{ "x:12e51e32-77ee-45ef-a643-55d4c7f6327", NULL },   /* 35 characters */
	{ "x:12e51e32-77ee-45ef-a643-55d4c7f6327cc", NULL }, /* 37: the uuid must end the name */
	{ "x:12e51e3277ee-45ef-a643-55d4c7f6327c0", NULL },  /* dashes misplaced */
	{ "x:12e51e32-77ee-45ef-a643-55d4c7f6327g", NULL },
	{ "x 12e51e32-77ee-45ef-a643-55d4c7f6327c", NULL }, /* no colon */
	/* the files fixture's Cloud line: a colon, but no uuid after it */
	{ "89a1d5c1-2b3e-4f67-8a9b-0c1d2e3f4a5b; User: 000000000000000000000000", NULL },
	{ "confluence-users", NULL },
	{ "", NULL },
};

static void test_split_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		size_t n = cfl_split_group_uuid(c->in, strlen(c->in));

		if (c->name == NULL) {
			if (n != 0)
				fail_msg("\"%s\": expected no split, got name of %zu bytes", c->in, n);
			continue;
		}
		if (n != strlen(c->name) || memcmp(c->in, c->name, n) != 0)
			fail_msg("\"%s\": expected name \"%s\", got %zu bytes", c->in, c->name, n);
		assert_int_equal(strlen(c->in + n + 1), 36);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
	};

	return cmocka_run_group_tests_name("cfl_map_user", tests, NULL, NULL);
}
