/* test_poll_machine.c: the paging / window / slicing state machine
 * (cfl_poll) against a simulated server (test_poll_sim.c): exactly-once
 * delivery across backfills, bursts, late events, restarts and crashes,
 * and the guards against misbehaving servers.
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

#include "cfl_dedup.h"
#include "cfl_poll.h"
#include "test_poll_sim.h"

#define T0 INT64_C(1700000000000) /* 2023-11-14T22:13:20Z */
#define SEC INT64_C(1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static cfl_poll_cfg_t cfg_for(cfl_flavor_t f, long page_size)
{
	cfl_poll_cfg_t c;

	memset(&c, 0, sizeof(c));
	c.flavor = f;
	c.page_size = page_size;
	c.overlap_ms = MIN;
	c.initial_lookback_ms = DAY;
	return c;
}

static void assert_chronological(const sim_driver_t *d)
{
	size_t i;

	for (i = 1; i < d->n_emitted; i++)
		if (d->delivered_ts[i] < d->delivered_ts[i - 1])
			fail_msg("event %zu (ts %lld) emitted after one of ts %lld", i, (long long)d->delivered_ts[i],
			         (long long)d->delivered_ts[i - 1]);
}

/* A day of history, 5000 events, pages of 100: everything once, in order,
 * with bounded batches and not many more requests than pages. */
static void backfill(cfl_flavor_t f)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(f, 100);

	sim_init(&s, f);
	sim_add_spread(&s, 5000, T0 - DAY + HOUR, T0 - HOUR);
	s.now = T0;
	drv_init(&d, &s, &c);
	assert_int_equal(drv_cycle(&d, 0), 0);
	assert_int_equal(drv_lost(&d, T0), 0);
	assert_int_equal(drv_repeated(&d), 0);
	assert_int_equal(d.n_emitted, 5000);
	assert_chronological(&d);
	assert_true(d.max_chunk <= 100);
	/* 50 pages of data; slices aim at 3/4 page, plus the initial narrowing */
	assert_true(s.requests <= 2 * 50 + 40);
	assert_int_equal(cfl_poll_stats(d.poll)->emitted, 5000);
	drv_free(&d);
	sim_free(&s);
}

static void cloud_backfill_delivers_every_event_once_in_order(void **state)
{
	backfill(CFL_FLAVOR_CLOUD);
}

static void dc_backfill_delivers_every_event_once_in_order(void **state)
{
	backfill(CFL_FLAVOR_DC);
}

/* 350 events in one millisecond cannot be sliced: the 1 ms slice is paged
 * through and emitted in chunks of at most a page. */
static void burst_in_one_millisecond_is_paged_through(void **state)
{
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	int k, i;

	for (k = 0; k < 2; k++) {
		sim_server_t s;
		sim_driver_t d;
		cfl_poll_cfg_t c = cfg_for(flavors[k], 100);
		sim_init(&s, flavors[k]);
		sim_add_spread(&s, 50, T0 - 10 * HOUR, T0 - 5 * HOUR);
		for (i = 0; i < 350; i++)
			sim_add(&s, T0 - 4 * HOUR, 0);
		sim_add_spread(&s, 50, T0 - 3 * HOUR, T0 - 2 * HOUR);
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_int_equal(drv_lost(&d, T0), 0);
		assert_int_equal(drv_repeated(&d), 0);
		assert_chronological(&d);
		assert_true(d.max_chunk <= 100);
		drv_free(&d);
		sim_free(&s);
	}
}

/* Two events with the same text in the same millisecond are two events. */
static void identical_twins_are_both_delivered_and_never_repeated(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 100);
	int a;

	sim_init(&s, CFL_FLAVOR_DC);
	a = sim_add(&s, T0 - 20 * SEC, 0);
	sim_add(&s, T0 - 20 * SEC, 0);
	s.ev[1].twin_of = a;
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[a], 2);
	/* the next poll re-reads the overlap, which holds both */
	s.now = T0 + 30 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[a], 2);
	/* a third identical one written late is new */
	sim_add(&s, T0 - 20 * SEC, T0 + 40 * SEC);
	s.ev[2].twin_of = a;
	s.now = T0 + 45 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[a], 3);
	assert_int_equal(cfl_poll_stats(d.poll)->duplicates, 2 + 2);
	drv_free(&d);
	sim_free(&s);
}

/* Data Center writes audit entries late: one that appears 20 s after its
 * time is caught by the next poll's overlap, once. */
static void late_event_within_overlap_is_delivered_once(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 100);
	int late;

	sim_init(&s, CFL_FLAVOR_DC);
	sim_add_spread(&s, 10, T0 - 5 * MIN, T0 - 1 * SEC);
	late = sim_add(&s, T0 - 2 * SEC, T0 + 18 * SEC);
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[late], 0);
	s.now = T0 + 20 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[late], 1);
	s.now = T0 + 40 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(drv_lost(&d, T0 + 40 * SEC), 0);
	assert_int_equal(drv_repeated(&d), 0);
	drv_free(&d);
	sim_free(&s);
}

/* Caught up, a poll with nothing new costs one request. */
static void steady_state_costs_one_request_per_poll(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 1000);
	size_t before;
	int i;

	sim_init(&s, CFL_FLAVOR_CLOUD);
	sim_add_spread(&s, 200, T0 - HOUR, T0);
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	for (i = 1; i <= 5; i++) {
		sim_add(&s, T0 + i * MIN - 5 * SEC, 0);
		s.now = T0 + i * MIN;
		before = s.requests;
		drv_cycle(&d, 0);
		assert_int_equal(s.requests - before, 1);
	}
	assert_int_equal(drv_lost(&d, s.now), 0);
	assert_int_equal(drv_repeated(&d), 0);
	drv_free(&d);
	sim_free(&s);
}

/* A clean stop after any commit, then a restart from the saved state:
 * 0 lost, 0 repeated. */
static void clean_restart_after_every_commit_neither_loses_nor_repeats(void **state)
{
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	int k, stops;

	for (k = 0; k < 2; k++) {
		sim_server_t s;
		sim_driver_t d;
		cfl_poll_cfg_t c = cfg_for(flavors[k], 50);
		sim_init(&s, flavors[k]);
		sim_add_spread(&s, 1000, T0 - 20 * HOUR, T0 - 10 * SEC);
		s.now = T0;
		drv_init(&d, &s, &c);
		stops = 0;
		while (drv_run(&d, 0, 1) == 1 && stops < 10000)
			stops++;
		assert_true(stops >= 20);
		assert_int_equal(drv_lost(&d, T0), 0);
		assert_int_equal(drv_repeated(&d), 0);
		assert_chronological(&d);
		drv_free(&d);
		sim_free(&s);
	}
}

/* kill -9 after events were submitted but before the state was saved: the
 * restart repeats at most that chunk and loses nothing. */
static void crash_before_commit_repeats_at_most_one_chunk(void **state)
{
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	int k, crashes;

	for (k = 0; k < 2; k++) {
		sim_server_t s;
		sim_driver_t d;
		cfl_poll_cfg_t c = cfg_for(flavors[k], 100);
		sim_init(&s, flavors[k]);
		sim_add_spread(&s, 3000, T0 - 20 * HOUR, T0 - 10 * SEC);
		s.now = T0;
		drv_init(&d, &s, &c);
		crashes = 0;
		while (drv_cycle(&d, 3 + crashes) == 1)
			crashes++;
		assert_true(crashes >= 3);
		assert_int_equal(drv_lost(&d, T0), 0);
		assert_true(drv_repeated(&d) <= (size_t)crashes * 100);
		drv_free(&d);
		sim_free(&s);
	}
}

/* Cloud pages by offset: an event written into the window while we page
 * shifts the next page by one, which must not deliver its first event
 * twice; the late event itself comes with the next poll's overlap. */
static void cloud_offset_shift_while_paging_is_not_a_duplicate(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	int i, late;

	sim_init(&s, CFL_FLAVOR_CLOUD);
	for (i = 0; i < 250; i++)
		sim_add(&s, T0 - 10 * SEC, 0);
	late = sim_add(&s, T0 - 10 * SEC, INT64_MAX);
	s.reveal_id = late;
	s.reveal_after = 1; /* written while the walk is at its first page */
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(drv_repeated(&d), 0);
	assert_int_equal(cfl_poll_stats(d.poll)->duplicates, 1); /* the shifted one */
	assert_int_equal(d.delivered[late], 0);
	s.now = T0 + 5 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[late], 1);
	assert_int_equal(drv_lost(&d, s.now), 0);
	assert_int_equal(drv_repeated(&d), 0);
	drv_free(&d);
	sim_free(&s);
}

/* Whether a server treats from/to as inclusive or exclusive, nothing on a
 * slice boundary is lost. */
static void exclusive_bounds_lose_nothing(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 20);
	int i;

	sim_init(&s, CFL_FLAVOR_DC);
	for (i = 0; i < 400; i++)
		sim_add(&s, T0 - HOUR + (i / 4) * SEC, 0); /* 4 per second: many on boundaries */
	s.exclusive_bounds = 1;
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(drv_lost(&d, T0), 0);
	assert_int_equal(drv_repeated(&d), 0);
	drv_free(&d);
	sim_free(&s);
}

/* A server that gives fewer events per page than asked (Cloud "may be
 * restricted by fixed system limits"). */
static void server_capped_page_size_loses_nothing(void **state)
{
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	int k;

	for (k = 0; k < 2; k++) {
		sim_server_t s;
		sim_driver_t d;
		cfl_poll_cfg_t c = cfg_for(flavors[k], 1000);
		sim_init(&s, flavors[k]);
		sim_add_spread(&s, 3000, T0 - 20 * HOUR, T0 - 10 * SEC);
		s.max_limit = 100;
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_int_equal(drv_lost(&d, T0), 0);
		assert_int_equal(drv_repeated(&d), 0);
		assert_true(s.requests < 3 * 30 + 40);
		drv_free(&d);
		sim_free(&s);
	}
}

/* A Cloud server whose every page has _links.next (Elastic #8406). */
static void endless_paging_stops_with_a_warning(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 10);

	sim_init(&s, CFL_FLAVOR_CLOUD);
	sim_add_spread(&s, 30, T0 - HOUR, T0 - MIN);
	s.endless = 1;
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_true(s.requests < 5000);
	assert_true(cfl_poll_stats(d.poll)->guard_stops > 0);
	assert_true(d.n_warnings > 0);
	assert_int_equal(drv_repeated(&d), 0);
	drv_free(&d);
	sim_free(&s);
}

static void dc_repeated_cursor_stops_paging(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 10);
	int i;

	sim_init(&s, CFL_FLAVOR_DC);
	for (i = 0; i < 35; i++)
		sim_add(&s, T0 - HOUR, 0);
	s.repeat_cursor = 1;
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_true(s.requests < 200);
	assert_true(cfl_poll_stats(d.poll)->guard_stops > 0);
	assert_non_null(strstr(d.warnings[0], "nextPageCursor"));
	drv_free(&d);
	sim_free(&s);
}

/* A next link to another host is reported and never used: paging goes on
 * with our own offsets and loses nothing. */
static void foreign_next_link_is_reported_and_ignored(void **state)
{
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_CLOUD, CFL_FLAVOR_DC };
	cfl_base_t base;
	cfl_errbuf_t err;
	int k;

	for (k = 0; k < 2; k++) {
		sim_server_t s;
		sim_driver_t d;
		cfl_poll_cfg_t c = cfg_for(flavors[k], 10);
		assert_int_equal(cfl_url_base_init(&base, "http://sim/", flavors[k], &err), CFL_OK);
		c.base = &base;
		sim_init(&s, flavors[k]);
		for (int i = 0; i < 25; i++)
			sim_add(&s, T0 - HOUR, 0);
		s.foreign_next = 1;
		s.now = T0;
		drv_init(&d, &s, &c);
		drv_cycle(&d, 0);
		assert_int_equal(drv_lost(&d, T0), 0);
		assert_true(cfl_poll_stats(d.poll)->foreign_links > 0);
		assert_non_null(strstr(d.warnings[0], "another host"));
		drv_free(&d);
		sim_free(&s);
		cfl_url_base_free(&base);
	}
}

static void excluded_actions_are_dropped_and_counted_once(void **state)
{
	static const char *const excl[] = { "atlassian.audit.event.action.audit.search", NULL };
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 100);
	int i, x;

	c.exclude = excl;
	sim_init(&s, CFL_FLAVOR_DC);
	for (i = 0; i < 10; i++) {
		x = sim_add(&s, T0 - 30 * SEC + i * SEC, 0);
		if (i % 2)
			s.ev[x].action = "atlassian.audit.event.action.audit.search";
	}
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	s.now = T0 + 10 * SEC; /* re-reads all of them in the overlap */
	drv_cycle(&d, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(d.delivered[i], i % 2 ? 0 : 1);
	assert_int_equal(cfl_poll_stats(d.poll)->excluded, 5);
	assert_int_equal(cfl_poll_stats(d.poll)->emitted, 5);
	drv_free(&d);
	sim_free(&s);
}

static void events_without_time_are_still_delivered(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	int x;

	sim_init(&s, CFL_FLAVOR_CLOUD);
	sim_add(&s, T0 - 10 * MIN, 0);
	x = sim_add(&s, T0 - 9 * MIN, 0);
	s.ev[x].untimed = 1;
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[x], 1);
	assert_true(cfl_poll_stats(d.poll)->untimed >= 1);
	drv_free(&d);
	sim_free(&s);
}

/* The window end is fixed when the cycle starts: an event stamped after it
 * waits for the next cycle. */
static void window_end_is_fixed_per_cycle(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	int future;

	sim_init(&s, CFL_FLAVOR_CLOUD);
	sim_add(&s, T0 - MIN, 0);
	future = sim_add(&s, T0 + 5 * SEC, 0); /* a server clock ahead of ours */
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[future], 0);
	assert_int_equal(cfl_poll_window_end(d.poll), T0);
	s.now = T0 + 10 * SEC;
	drv_cycle(&d, 0);
	assert_int_equal(d.delivered[future], 1);
	drv_free(&d);
	sim_free(&s);
}

/* A failed parse changes nothing: the same request comes again. */
static void bad_body_repeats_the_same_request(void **state)
{
	static const char *const bodies[] = {
		"<html>502 Bad Gateway</html>",
		"{\"results\":[{\"creationDate\":1",
		"",
		"{\"entities\":[]}",
	};
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	cfl_request_t r1, r2;
	cfl_errbuf_t err;
	cfl_poll_t *p = cfl_poll_new(&c, &err);
	size_t i;

	cfl_poll_begin(p, T0);
	assert_int_equal(cfl_poll_next(p, &r1), CFL_POLL_FETCH);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_not_equal(cfl_poll_feed(p, bodies[i], strlen(bodies[i]), &err), CFL_OK);
		assert_int_equal(cfl_poll_next(p, &r2), CFL_POLL_FETCH);
		assert_memory_equal(&r1, &r2, sizeof(r1));
	}
	assert_int_equal(cfl_poll_cursor(p, &r1.from_ms), 0);
	cfl_poll_free(p);
}

/* Pin the wire: the first request covers [now - lookback - 1, now + 1]. */
static void first_request_covers_the_lookback_window(void **state)
{
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_DC, 500);
	cfl_request_t r;
	cfl_errbuf_t err;
	cfl_poll_t *p = cfl_poll_new(&c, &err);
	const char *empty = "{\"entities\":[],\"pagingInfo\":{\"lastPage\":true,\"size\":0}}";
	const cfl_poll_event_t *evs;
	int64_t cur;

	cfl_poll_begin(p, T0);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_FETCH);
	assert_int_equal(r.from_ms, T0 - DAY - 1);
	assert_int_equal(r.to_ms, T0 + 1);
	assert_int_equal(r.limit, 500);
	assert_null(r.page_cursor);
	assert_int_equal(cfl_poll_feed(p, empty, strlen(empty), &err), CFL_OK);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_EMIT);
	assert_int_equal(cfl_poll_batch(p, &evs), 0);
	assert_int_equal(cfl_poll_commit(p, &err), CFL_OK);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_IDLE);
	/* an empty first run still moves the cursor to the window end */
	assert_int_equal(cfl_poll_cursor(p, &cur), 1);
	assert_int_equal(cur, T0);
	/* the next window starts one overlap before */
	cfl_poll_begin(p, T0 + MIN);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_FETCH);
	assert_int_equal(r.from_ms, T0 - MIN - 1);
	assert_int_equal(r.to_ms, T0 + MIN + 1);
	cfl_poll_free(p);
}

static void clock_going_back_waits(void **state)
{
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	cfl_state_t st;
	cfl_request_t r;
	cfl_errbuf_t err;
	cfl_poll_t *p = cfl_poll_new(&c, &err);

	memset(&st, 0, sizeof(st));
	st.has_cursor = 1;
	st.cursor_ms = T0;
	st.low_ms = T0 - MIN;
	assert_int_equal(cfl_poll_restore(p, &st, &err), CFL_OK);
	cfl_poll_begin(p, T0 - HOUR);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_IDLE);
	cfl_poll_begin(p, T0 + SEC);
	assert_int_equal(cfl_poll_next(p, &r), CFL_POLL_FETCH);
	assert_int_equal(r.from_ms, T0 - MIN - 1);
	cfl_poll_free(p);
}

/* After a backfill the state holds only the fingerprints it needs: events
 * at the cursor's millisecond, not a whole overlap of history. */
static void backfill_state_stays_small(void **state)
{
	sim_server_t s;
	sim_driver_t d;
	cfl_poll_cfg_t c = cfg_for(CFL_FLAVOR_CLOUD, 100);
	cfl_state_t st;
	cfl_errbuf_t err;

	sim_init(&s, CFL_FLAVOR_CLOUD);
	sim_add_spread(&s, 2000, T0 - DAY + MIN, T0 - 2 * HOUR);
	s.now = T0;
	drv_init(&d, &s, &c);
	drv_cycle(&d, 1000); /* stop in the middle */
	assert_non_null(d.saved);
	assert_int_equal(cfl_state_parse(d.saved, strlen(d.saved), &st, &err), CFL_OK);
	assert_true(st.n_fps <= 2);
	cfl_state_free(&st);
	drv_free(&d);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cloud_backfill_delivers_every_event_once_in_order),
		cmocka_unit_test(dc_backfill_delivers_every_event_once_in_order),
		cmocka_unit_test(burst_in_one_millisecond_is_paged_through),
		cmocka_unit_test(identical_twins_are_both_delivered_and_never_repeated),
		cmocka_unit_test(late_event_within_overlap_is_delivered_once),
		cmocka_unit_test(steady_state_costs_one_request_per_poll),
		cmocka_unit_test(clean_restart_after_every_commit_neither_loses_nor_repeats),
		cmocka_unit_test(crash_before_commit_repeats_at_most_one_chunk),
		cmocka_unit_test(cloud_offset_shift_while_paging_is_not_a_duplicate),
		cmocka_unit_test(exclusive_bounds_lose_nothing),
		cmocka_unit_test(server_capped_page_size_loses_nothing),
		cmocka_unit_test(endless_paging_stops_with_a_warning),
		cmocka_unit_test(dc_repeated_cursor_stops_paging),
		cmocka_unit_test(foreign_next_link_is_reported_and_ignored),
		cmocka_unit_test(excluded_actions_are_dropped_and_counted_once),
		cmocka_unit_test(events_without_time_are_still_delivered),
		cmocka_unit_test(window_end_is_fixed_per_cycle),
		cmocka_unit_test(bad_body_repeats_the_same_request),
		cmocka_unit_test(first_request_covers_the_lookback_window),
		cmocka_unit_test(clock_going_back_waits),
		cmocka_unit_test(backfill_state_stays_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
