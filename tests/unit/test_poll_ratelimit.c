/* test_poll_ratelimit.c: the client-side token bucket and the decisions
 * taken from Atlassian's rate-limit headers.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_ratelimit.h"

#define NOW INT64_C(784111777000) /* Sun, 06 Nov 1994 08:49:37 GMT */
#define MAX INT64_C(300000)

static void off_never_waits(void **state)
{
	cfl_rl_t rl;
	int i, why = 0;

	cfl_rl_init(&rl, 0, 10, 1000);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(cfl_rl_wait(&rl, 1000 + i * CFL_RL_MIN_GAP_MS, &why), 0);
		cfl_rl_take(&rl, 1000 + i * CFL_RL_MIN_GAP_MS);
	}
}

/* Whatever the bucket and the server say, two requests start at least
 * CFL_RL_MIN_GAP_MS apart (a server answering at once, with no header to
 * slow us, must not be hammered). */
static void minimum_gap_between_requests(void **state)
{
	cfl_rl_t rl;
	int why = 0;

	cfl_rl_init(&rl, 0, 10, 1000);
	assert_int_equal(cfl_rl_wait(&rl, 1000, &why), 0); /* the first goes at once */
	cfl_rl_take(&rl, 1000);
	assert_int_equal(cfl_rl_wait(&rl, 1000, &why), CFL_RL_MIN_GAP_MS);
	assert_int_equal(why, 3);
	assert_int_equal(cfl_rl_wait(&rl, 1000 + CFL_RL_MIN_GAP_MS - 5, &why), 5);
	cfl_rl_defer(&rl, 1000, 0); /* a "go on at once" advice changes nothing */
	assert_int_equal(cfl_rl_wait(&rl, 1001, &why), CFL_RL_MIN_GAP_MS - 1);
	assert_int_equal(cfl_rl_wait(&rl, 1000 + CFL_RL_MIN_GAP_MS, &why), 0);
}

static void burst_then_one_per_interval(void **state)
{
	cfl_rl_t rl;
	int64_t t = 5000, w;
	int i, why = 0;

	cfl_rl_init(&rl, 60, 3, t); /* one a second, three at once */
	rl.min_gap_ms = 0;          /* the bucket alone (the gap has its own test) */
	for (i = 0; i < 3; i++) {
		assert_int_equal(cfl_rl_wait(&rl, t, &why), 0);
		cfl_rl_take(&rl, t);
	}
	w = cfl_rl_wait(&rl, t, &why);
	assert_int_equal(w, 1000);
	assert_int_equal(why, 1);
	assert_int_equal(cfl_rl_wait(&rl, t + 400, &why), 600);
	t += 1000;
	assert_int_equal(cfl_rl_wait(&rl, t, &why), 0);
	cfl_rl_take(&rl, t);
	assert_int_equal(cfl_rl_wait(&rl, t, &why), 1000);
	/* a long pause refills to the burst, never beyond */
	t += 3600000;
	for (i = 0; i < 3; i++) {
		assert_int_equal(cfl_rl_wait(&rl, t, &why), 0);
		cfl_rl_take(&rl, t);
	}
	assert_int_equal(cfl_rl_wait(&rl, t, &why), 1000);
}

static void sustained_rate_matches_the_limit(void **state)
{
	cfl_rl_t rl;
	int64_t t = 0;
	int n = 0, why;

	/* Elastic's org collector: 0.83 req/s = 50/min, burst 10; 10 minutes */
	cfl_rl_init(&rl, 50, 10, 0);
	while (t < 600000) {
		int64_t w = cfl_rl_wait(&rl, t, &why);
		if (w > 0) {
			t += w;
			continue;
		}
		cfl_rl_take(&rl, t);
		n++;
	}
	assert_in_range(n, 500, 511); /* 10 min at 50/min, plus the first burst */
}

static void server_advice_defers(void **state)
{
	cfl_rl_t rl;
	int why = 0;

	cfl_rl_init(&rl, 0, 1, 0);
	cfl_rl_defer(&rl, 100, 5000);
	assert_int_equal(cfl_rl_wait(&rl, 100, &why), 5000);
	assert_int_equal(why, 2);
	cfl_rl_defer(&rl, 200, 1000); /* an earlier advice does not shorten it */
	assert_int_equal(cfl_rl_wait(&rl, 200, &why), 4900);
	assert_int_equal(cfl_rl_wait(&rl, 5100, &why), 0);
}

static void advise(const cfl_rl_headers_t *h, cfl_rl_advice_t *a)
{
	cfl_rl_advise(h, NOW, MAX, a);
}

static void retry_after_on_any_reply(void **state)
{
	cfl_rl_headers_t h;
	cfl_rl_advice_t a;

	memset(&h, 0, sizeof(h));
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
	assert_int_equal(a.delay_ms, 0);
	assert_int_equal(a.remaining, -1);
	h.retry_after = "0"; /* Data Center: tokens left */
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
	h.retry_after = "7";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_RETRY_AFTER);
	assert_int_equal(a.delay_ms, 7000);
	h.retry_after = "Sun, 06 Nov 1994 08:49:40 GMT";
	advise(&h, &a);
	assert_int_equal(a.delay_ms, 3000);
	h.retry_after = "9223372036854775807";
	advise(&h, &a);
	assert_int_equal(a.delay_ms, MAX);
}

static void near_limit_spreads_until_reset(void **state)
{
	cfl_rl_headers_t h;
	cfl_rl_advice_t a;

	memset(&h, 0, sizeof(h));
	h.near_limit = "true";
	h.remaining = "3";
	h.reset = "1994-11-06T08:49:57Z"; /* 20 s ahead */
	h.reason = "jira-burst-based\x01\"x";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_NEAR_LIMIT);
	assert_int_equal(a.delay_ms, 5000); /* 20 s / (3 + 1) */
	assert_int_equal(a.remaining, 3);
	assert_string_equal(a.reason, "jira-burst-based??x");
	h.remaining = "0";
	advise(&h, &a);
	assert_int_equal(a.delay_ms, 20000 + CFL_RL_RESET_MARGIN_MS);
	h.remaining = NULL;
	advise(&h, &a);
	assert_int_equal(a.delay_ms, 20000 + CFL_RL_RESET_MARGIN_MS);
	h.reset = "784111787"; /* epoch seconds, 10 s ahead */
	advise(&h, &a);
	assert_int_equal(a.delay_ms, 10000 + CFL_RL_RESET_MARGIN_MS);
	h.reset = "1994-11-06T08:40:00Z"; /* already past: go */
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
	assert_int_equal(a.delay_ms, 0);
	h.reset = "2094-11-06T08:40:00Z"; /* a century: clamped */
	advise(&h, &a);
	assert_int_equal(a.delay_ms, MAX);
	h.reset = "soon"; /* unparsable, no fill rate: the burst window */
	advise(&h, &a);
	assert_int_equal(a.delay_ms, CFL_RL_NEAR_PAUSE_MS);
	h.near_limit = "false";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
}

static void low_remaining_slows_down_without_near_limit(void **state)
{
	cfl_rl_headers_t h;
	cfl_rl_advice_t a;

	memset(&h, 0, sizeof(h));
	h.remaining = "50";
	h.reset = "1994-11-06T09:49:37+01:00"; /* = 08:49:37Z + 0: now */
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO); /* plenty left */
	h.limit = "100";
	h.remaining = "10";
	h.reset = "1994-11-06T08:50:37Z";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_NEAR_LIMIT); /* 10% of the limit */
	assert_int_equal(a.delay_ms, 60000 / 11);
	h.remaining = "11";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
	/* Data Center's token bucket: one token per Interval/FillRate */
	memset(&h, 0, sizeof(h));
	h.limit = "20";
	h.remaining = "1";
	h.fill_rate = "2";
	h.interval_s = "1";
	advise(&h, &a);
	assert_int_equal(a.delay_ms, 500);
	h.remaining = "junk";
	advise(&h, &a);
	assert_int_equal(a.kind, CFL_RL_GO);
	assert_int_equal(a.remaining, -1);
}

static void reset_values(void **state)
{
	assert_int_equal(cfl_rl_parse_reset("2026-03-02T10:00:00Z"), INT64_C(1772445600000));
	assert_int_equal(cfl_rl_parse_reset(" 1772445600 "), INT64_C(1772445600000));
	assert_int_equal(cfl_rl_parse_reset(""), -1);
	assert_int_equal(cfl_rl_parse_reset(NULL), -1);
	assert_int_equal(cfl_rl_parse_reset("tomorrow"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(off_never_waits),
		cmocka_unit_test(minimum_gap_between_requests),
		cmocka_unit_test(burst_then_one_per_interval),
		cmocka_unit_test(sustained_rate_matches_the_limit),
		cmocka_unit_test(server_advice_defers),
		cmocka_unit_test(retry_after_on_any_reply),
		cmocka_unit_test(near_limit_spreads_until_reset),
		cmocka_unit_test(low_remaining_slows_down_without_near_limit),
		cmocka_unit_test(reset_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
