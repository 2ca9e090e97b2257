/* test_poll_walk.c: the walk of cfl_poll (newest first with the API's own
 * paging, then hand-over oldest first) against the simulated server
 * (test_poll_sim.c): requests per backfill against the ideal
 * ceil(events / pageSize) + 1 for burst shapes, order, chunked commits,
 * the memory cap (pages dropped and fetched again), pages that change
 * between walk and re-fetch, kill -9 in the middle of a walk, and the
 * walk's page limit.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_poll.h"
#include "test_poll_sim.h"

#define T0 INT64_C(1700000000000) /* 2023-11-14T22:13:20Z */
#define SEC INT64_C(1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static const cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };

static cfl_poll_cfg_t cfg_for(cfl_flavor_t f, long page_size)
{
	cfl_poll_cfg_t c;

	memset(&c, 0, sizeof(c));
	c.flavor = f;
	c.page_size = page_size;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = 100 * DAY;
	return c;
}

static size_t ideal(size_t events, long page_size)
{
	return (events + (size_t)page_size - 1) / (size_t)page_size + 1;
}

static void assert_chronological(const sim_driver_t *d)
{
	size_t i;

	for (i = 1; i < d->n_emitted; i++)
		if (d->delivered_ts[i] < d->delivered_ts[i - 1])
			fail_msg("event %zu (ts %lld) emitted after one of ts %lld", i, (long long)d->delivered_ts[i],
			         (long long)d->delivered_ts[i - 1]);
}

static void assert_all_once(const sim_driver_t *d, size_t events)
{
	assert_int_equal(drv_lost(d, d->srv->now), 0);
	assert_int_equal(drv_repeated(d), 0);
	assert_int_equal(d->n_emitted, events);
	assert_chronological(d);
	assert_true(d->max_chunk <= (size_t)d->cfg.page_size);
}

typedef struct shape {
	const char *name;
	size_t spread; /* events evenly over spread_days before the burst */
	int64_t spread_days;
	size_t burst;     /* events within one second (or one ms) */
	int64_t burst_ms; /* the burst's width */
	long page_size;
} shape_t;

static const shape_t shapes[] = {
	{ "elastic fixture-like", 77, 5, 106, 1000, 10 },
	{ "3000 in a second + 2000 over 90 days", 2000, 90, 3000, 1000, 200 },
	{ "2500 in a second + 1500 over 90 days", 1500, 90, 2500, 1000, 100 },
	{ "20000 evenly over 30 days", 20000, 30, 0, 0, 1000 },
	{ "1000 in one millisecond", 20, 1, 1000, 1, 10 },
};

/* Every shape on both flavors, enough memory: requests <= 1.5 x ideal,
 * everything once and in order, chunks of at most a page. */
static void burst_shapes_cost_at_most_one_and_a_half_times_the_ideal(void **state)
{
	size_t k, f;

	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		for (f = 0; f < 2; f++) {
			const shape_t *sh = &shapes[k];
			cfl_poll_cfg_t c = cfg_for(flavors[f], sh->page_size);
			size_t n = sh->spread + sh->burst, best;
			sim_server_t s;
			sim_driver_t d;
			sim_init(&s, flavors[f]);
			sim_add_spread(&s, sh->spread, T0 - sh->spread_days * DAY, T0 - MIN);
			if (sh->burst > 0)
				sim_add_spread(&s, sh->burst, T0 - 2 * DAY, T0 - 2 * DAY + sh->burst_ms - 1);
			s.now = T0;
			drv_init(&d, &s, &c);
			assert_int_equal(drv_cycle(&d, 0), 0);
			best = ideal(n, sh->page_size);
			print_message("# %-40s %-10s requests %zu, ideal %zu\n", sh->name, cfl_flavor_name(flavors[f]),
			              s.requests, best);
			assert_true(s.requests * 2 <= best * 3);
			assert_all_once(&d, n);
			assert_int_equal(cfl_poll_stats(d.poll)->refetches, 0);
			/* a commit (and a state save) at least once per page */
			assert_true(d.commits >= (n + (size_t)sh->page_size - 1) / (size_t)sh->page_size);
			drv_free(&d);
			sim_free(&s);
		}
	}
}

/* A window bigger than the memory cap is cut into segments (oldest
 * first) that fill about half the cap: the first walk is wasted once,
 * then each segment costs its pages. */
static void memory_cap_cuts_the_window_into_segments(void **state)
{
	size_t f;

	for (f = 0; f < 2; f++) {
		cfl_poll_cfg_t c = cfg_for(flavors[f], 100);
		const cfl_poll_stats_t *st;
		sim_server_t s;
		sim_driver_t d;
		c.hold_bytes = 256 * 1024; /* about 9 pages */
		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 20000, T0 - 20 * DAY, T0 - MIN);
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		st = cfl_poll_stats(d.poll);
		print_message("# cut %-10s requests %zu, ideal %zu, segments %llu, cuts %llu, walks %llu\n",
		              cfl_flavor_name(flavors[f]), s.requests, ideal(20000, 100),
		              (unsigned long long)st->segments, (unsigned long long)st->cuts,
		              (unsigned long long)st->walks);
		assert_true(st->cuts >= 1);
		assert_true(st->segments > 10);
		assert_int_equal(st->refetches, 0);
		assert_true(s.requests * 2 <= ideal(20000, 100) * 3);
		assert_all_once(&d, 20000);
		drv_free(&d);
		sim_free(&s);
	}
}

/* A burst in one millisecond bigger than the cap cannot be cut: its
 * segment is walked with the cap (the pages walked first give their
 * events up) and those pages are fetched again at hand-over. Still once,
 * in order, and under 2.2 x the ideal. */
static void burst_bigger_than_the_cap_is_fetched_twice(void **state)
{
	size_t f;

	for (f = 0; f < 2; f++) {
		cfl_poll_cfg_t c = cfg_for(flavors[f], 50);
		const cfl_poll_stats_t *st;
		sim_server_t s;
		sim_driver_t d;
		c.hold_bytes = 512 * 1024; /* about 30 pages */
		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 6000, T0 - 20 * DAY, T0 - MIN);
		sim_add_spread(&s, 2500, T0 - 3 * DAY, T0 - 3 * DAY); /* 50 pages */
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		st = cfl_poll_stats(d.poll);
		print_message("# burst > cap %-10s requests %zu, ideal %zu, refetched %llu\n",
		              cfl_flavor_name(flavors[f]), s.requests, ideal(8500, 50),
		              (unsigned long long)st->refetches);
		assert_true(st->refetches > 0);
		assert_true(st->dropped == st->refetches);
		assert_int_equal(st->replans, 0);
		assert_true(s.requests * 10 <= ideal(8500, 50) * 22);
		assert_all_once(&d, 8500);
		drv_free(&d);
		sim_free(&s);
	}
}

/* Events written late into the window between the walk and the re-fetch
 * of a dropped page (Cloud: the offsets shift; DC: the page holds another
 * event): the re-fetched page is not the page the walk saw, so the rest
 * is walked again from the cursor. Nothing lost, nothing twice, and the
 * late event comes in this cycle. */
static void page_changed_before_refetch_is_walked_again(void **state)
{
	size_t f;

	for (f = 0; f < 2; f++) {
		cfl_poll_cfg_t c = cfg_for(flavors[f], 50);
		sim_server_t s;
		sim_driver_t d;
		int late;
		c.hold_bytes = 16 * 1024;
		c.initial_lookback_ms = HOUR; /* the window starts with the burst: no cut */
		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 2000, T0 - HOUR, T0 - HOUR);
		late = sim_add(&s, T0 - HOUR, INT64_MAX); /* the newest in server order */
		s.reveal_id = late;
		s.reveal_after = 40; /* the walk's 40 pages are done */
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_true(cfl_poll_stats(d.poll)->replans >= 1);
		assert_int_equal(d.delivered[late], 1);
		assert_all_once(&d, 2001);
		drv_free(&d);
		sim_free(&s);
	}
}

/* A server whose pages change all the time (an event written into the
 * window after every request): after a few walks the pages are taken as
 * fetched, with a warning; the cycle ends and nothing is delivered twice. */
static void pages_that_never_stop_changing_are_taken_as_fetched(void **state)
{
	size_t f;
	int i;

	for (f = 0; f < 2; f++) {
		cfl_poll_cfg_t c = cfg_for(flavors[f], 50);
		sim_server_t s;
		sim_driver_t d;
		c.hold_bytes = 16 * 1024;
		c.initial_lookback_ms = HOUR;
		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 1000, T0 - HOUR, T0 - HOUR);
		for (i = 0; i < 2000; i++)
			sim_add(&s, T0 - HOUR, INT64_MAX);
		s.reveal_each = 1;
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_true(s.requests < 1000);
		assert_true(cfl_poll_stats(d.poll)->guard_stops > 0);
		assert_non_null(strstr(d.warnings[0], "keep changing"));
		assert_int_equal(drv_repeated(&d), 0);
		drv_free(&d);
		sim_free(&s);
	}
}

/* kill -9 in the middle of a walk (nothing handed over in this cycle yet)
 * and in the middle of a hand-over: the restart walks again; nothing lost,
 * at most the chunk in flight twice. */
static void kill_mid_walk_and_mid_hand_over_restores(void **state)
{
	size_t f, cap;

	for (cap = 0; cap < 2; cap++) {
		for (f = 0; f < 2; f++) {
			cfl_poll_cfg_t c = cfg_for(flavors[f], 100);
			sim_server_t s;
			sim_driver_t d;
			int crashes = 0;
			if (cap)
				c.hold_bytes = 32 * 1024;
			sim_init(&s, flavors[f]);
			sim_add_spread(&s, 2500, T0 - 5 * DAY, T0 - MIN);
			sim_add_spread(&s, 700, T0 - 2 * DAY, T0 - 2 * DAY + 999);
			s.now = T0;
			drv_init(&d, &s, &c);
			d.crash_after_fetch = 7; /* mid-walk: 32 pages (with the cap: a later segment's) */
			assert_int_equal(drv_cycle(&d, 0), 1);
			if (!cap) {
				assert_int_equal(d.n_emitted, 0);
				assert_null(d.saved);
			}
			d.crash_after_fetch = 0;
			/* now crash in the hand-over, after 2, 3, ... chunks */
			while (drv_cycle(&d, 2 + crashes) == 1)
				crashes++;
			assert_true(crashes >= 3);
			assert_int_equal(drv_lost(&d, T0), 0);
			assert_true(drv_repeated(&d) <= (size_t)crashes * 100);
			drv_free(&d);
			sim_free(&s);
		}
	}
}

/* A walk is limited in pages (memory for its records): a longer window is
 * cut into segments, oldest first; a walk that cannot be cut (everything
 * in one millisecond) stops with a warning and bounded requests. */
static void walk_page_limit_cuts_the_window(void **state)
{
	size_t f;

	for (f = 0; f < 2; f++) {
		cfl_poll_cfg_t c = cfg_for(flavors[f], 20);
		sim_server_t s;
		sim_driver_t d;
		c.max_walk_pages = 10;
		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 1000, T0 - 10 * DAY, T0 - MIN);
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_true(cfl_poll_stats(d.poll)->replans > 0);
		assert_true(cfl_poll_stats(d.poll)->segments > 1);
		assert_all_once(&d, 1000);
		drv_free(&d);
		sim_free(&s);

		sim_init(&s, flavors[f]);
		sim_add_spread(&s, 500, T0 - HOUR, T0 - HOUR);
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		/* one cut (to the millisecond), the guard, the rest of the window */
		assert_true(s.requests <= 2 * 10 + 1);
		assert_true(cfl_poll_stats(d.poll)->guard_stops > 0);
		assert_non_null(strstr(d.warnings[0], "one millisecond"));
		assert_int_equal(drv_repeated(&d), 0);
		drv_free(&d);
		sim_free(&s);
	}
}

/* Caught up, a poll costs one request, also right after a backfill that
 * needed the cap. */
static void after_a_capped_backfill_a_poll_costs_one_request(void **state)
{
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 100);
	sim_server_t s;
	sim_driver_t d;
	size_t before;
	int i;

	c.hold_bytes = 16 * 1024;
	sim_init(&s, CFL_FLAVOR_DC);
	sim_add_spread(&s, 3000, T0 - 3 * DAY, T0 - 2 * MIN);
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	for (i = 1; i <= 3; i++) {
		sim_add(&s, T0 + i * MIN - 5 * SEC, 0);
		s.now = T0 + i * MIN;
		before = s.requests;
		drv_cycle(&d, 0);
		assert_int_equal(s.requests - before, 1);
	}
	assert_all_once(&d, 3003);
	drv_free(&d);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_shapes_cost_at_most_one_and_a_half_times_the_ideal),
		cmocka_unit_test(memory_cap_cuts_the_window_into_segments),
		cmocka_unit_test(burst_bigger_than_the_cap_is_fetched_twice),
		cmocka_unit_test(page_changed_before_refetch_is_walked_again),
		cmocka_unit_test(pages_that_never_stop_changing_are_taken_as_fetched),
		cmocka_unit_test(kill_mid_walk_and_mid_hand_over_restores),
		cmocka_unit_test(walk_page_limit_cuts_the_window),
		cmocka_unit_test(after_a_capped_backfill_a_poll_costs_one_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
