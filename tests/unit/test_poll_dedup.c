/* test_poll_dedup.c: the delivered-fingerprint set (cfl_dedup): counts per
 * fingerprint, per-read occurrence counting, pruning and the size cap.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_dedup.h"

static void fingerprint_is_xxh3_of_the_exact_text(void **state)
{
	const char *a = "{\"a\":1}", *b = "{\"a\": 1}";

	assert_true(cfl_dedup_fingerprint(a, strlen(a)) == cfl_dedup_fingerprint(a, strlen(a)));
	assert_true(cfl_dedup_fingerprint(a, strlen(a)) != cfl_dedup_fingerprint(b, strlen(b)));
	/* XXH3-64 of the empty input (a published test vector) */
	assert_true(cfl_dedup_fingerprint("", 0) == UINT64_C(0x2D06800538D394C2));
}

static void reread_is_duplicate_as_often_as_delivered(void **state)
{
	cfl_dedup_t *d = cfl_dedup_new(100);

	assert_int_equal(cfl_dedup_is_dup(d, 42, 1), 0);         /* unknown */
	assert_int_equal(cfl_dedup_add(d, 42, 1000, 2), CFL_OK); /* two identical events delivered */
	assert_int_equal(cfl_dedup_is_dup(d, 42, 2), 1);
	assert_int_equal(cfl_dedup_is_dup(d, 42, 2), 1);
	assert_int_equal(cfl_dedup_is_dup(d, 42, 2), 0); /* a third is new */
	/* a new read starts counting again */
	assert_int_equal(cfl_dedup_is_dup(d, 42, 3), 1);
	assert_int_equal(cfl_dedup_add(d, 42, 1000, 1), CFL_OK);
	assert_int_equal(cfl_dedup_count(d), 1);
	cfl_dedup_free(d);
}

static void prune_forgets_entries_below_the_low_mark(void **state)
{
	cfl_dedup_t *d = cfl_dedup_new(1000);
	cfl_fp_t fp;
	int64_t ts;
	uint32_t cnt;
	size_t pos = 0, n = 0;
	int i;

	for (i = 0; i < 500; i++)
		assert_int_equal(cfl_dedup_add(d, (cfl_fp_t)i * 7919u + 1, 1000 + i, 1), CFL_OK);
	cfl_dedup_prune(d, 1400);
	assert_int_equal(cfl_dedup_count(d), 100);
	while (cfl_dedup_iter(d, &pos, &fp, &ts, &cnt)) {
		assert_true(ts >= 1400);
		assert_int_equal(cnt, 1);
		n++;
	}
	assert_int_equal(n, 100);
	assert_int_equal(cfl_dedup_is_dup(d, 1, 9), 0);                         /* ts 1000: gone */
	assert_int_equal(cfl_dedup_is_dup(d, (cfl_fp_t)450 * 7919u + 1, 9), 1); /* ts 1450: kept */
	cfl_dedup_free(d);
}

static void cap_evicts_the_oldest_and_counts_them(void **state)
{
	cfl_dedup_t *d = cfl_dedup_new(64);
	int i;

	for (i = 0; i < 200; i++)
		assert_int_equal(cfl_dedup_add(d, (cfl_fp_t)i + 1, i, 1), CFL_OK);
	assert_true(cfl_dedup_count(d) <= 64);
	assert_true(cfl_dedup_evicted(d) >= 200 - 64);
	assert_int_equal(cfl_dedup_is_dup(d, 200, 1), 1); /* the newest stays */
	assert_int_equal(cfl_dedup_is_dup(d, 1, 1), 0);   /* the oldest went */
	cfl_dedup_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fingerprint_is_xxh3_of_the_exact_text),
		cmocka_unit_test(reread_is_duplicate_as_often_as_delivered),
		cmocka_unit_test(prune_forgets_entries_below_the_low_mark),
		cmocka_unit_test(cap_evicts_the_oldest_and_counts_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
