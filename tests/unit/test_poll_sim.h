/* test_poll_sim.h: a simulated Confluence audit server and a driver that
 * runs cfl_poll against it, for the state machine tests.
 *
 * The server holds events (time, id, the second they become visible),
 * answers Cloud or Data Center pages for a cfl_request_t exactly as the
 * real APIs page (newest first; Cloud offset "start", DC keyset
 * "pageCursor" = "<ms>,<id>"), optionally with exclusive bounds, a capped
 * limit, or faults. The driver plays the glue: it fetches, feeds, emits,
 * commits, saves the state as text and can "crash" at chosen points and
 * restart from the saved text.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef TEST_POLL_SIM_H
#define TEST_POLL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_poll.h"

#define SIM_MAX_EVENTS 100000

typedef struct sim_event {
	int64_t ts;
	int id;             /* unique, appears in the text as "id" */
	int64_t visible_at; /* sim clock (ms) from which the server lists it */
	int twin_of;        /* >= 0: same text as that event (an identical twin) */
	int untimed;        /* the event has no time field */
	const char *action; /* DC actionI18nKey / Cloud summary */
} sim_event_t;

typedef struct sim_server {
	cfl_flavor_t flavor;
	sim_event_t *ev;
	size_t n, cap;
	long max_limit;       /* server-side cap on limit; 0 = none */
	int exclusive_bounds; /* from/to exclusive instead of inclusive */
	int endless;          /* every page claims a next page (and repeats) */
	int foreign_next;     /* next links point at evil.example */
	int repeat_cursor;    /* DC: nextPageCursor never changes */
	size_t reveal_after;  /* after answering this many requests ... */
	int reveal_id;        /* ... event reveal_id becomes visible (0: never) */
	int reveal_each;      /* after every answer the next hidden event (visible_at INT64_MAX) shows */
	int64_t now;          /* sim clock */
	size_t requests;
} sim_server_t;

void sim_init(sim_server_t *s, cfl_flavor_t flavor);
void sim_free(sim_server_t *s);
/* Adds an event; returns its id. */
int sim_add(sim_server_t *s, int64_t ts, int64_t visible_at);
/* n events spread evenly over [from, to]. */
void sim_add_spread(sim_server_t *s, size_t n, int64_t from, int64_t to);
/* malloc'ed page body for req. */
char *sim_answer(sim_server_t *s, const cfl_request_t *req);

typedef struct sim_driver {
	sim_server_t *srv;
	cfl_poll_cfg_t cfg;
	cfl_poll_t *poll;
	char *saved;           /* last saved state text, NULL before the first save */
	int *delivered;        /* per event id: how many times emitted */
	int64_t *delivered_ts; /* emitted times in emission order */
	size_t n_emitted, cap_emitted;
	size_t max_chunk; /* largest batch seen */
	size_t commits;   /* chunks committed (and the state saved) */
	size_t cycles;
	size_t restarts;
	size_t crash_after_fetch; /* > 0: drv_run "crashes" after this many fetches of a run */
	char warnings[8][CFL_ERRBUF_LEN];
	size_t n_warnings;
} sim_driver_t;

void drv_init(sim_driver_t *d, sim_server_t *srv, const cfl_poll_cfg_t *cfg);
void drv_free(sim_driver_t *d);
/* Restarts the poller from the saved state (a clean restart or a crash). */
void drv_restart(sim_driver_t *d);
/* Runs one poll cycle at the server's clock. crash_after_emit: if > 0,
 * after that many EMITs of this cycle the driver "crashes" (the batch was
 * submitted but not committed) and returns 1; otherwise returns 0. */
int drv_cycle(sim_driver_t *d, int crash_after_emit);
/* Same, and with stop_after_commit > 0: a clean stop (and restart) after
 * that many commits of this cycle; returns 1 then. With crash_after_fetch
 * set, a crash after that many fetches of the run (mid-walk) returns 1. */
int drv_run(sim_driver_t *d, int crash_after_emit, int stop_after_commit);
/* Number of ids delivered 0 times / more than once, among visible events
 * up to time `upto`. */
size_t drv_lost(const sim_driver_t *d, int64_t upto);
size_t drv_repeated(const sim_driver_t *d);

#endif
