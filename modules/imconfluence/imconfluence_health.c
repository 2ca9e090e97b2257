/* imconfluence_health.c: what an operator watches of one input: the
 * health gauges of impstats (cursor.lag, cursor.ahead, failures.streak,
 * lastsuccess.age), the failure counters by class (http.3xx, http.html,
 * http.auth), and the lines that say the input works: "first poll done"
 * and, while a backfill runs, a progress line at most every
 * PROGRESS_EVERY_MS.
 *
 * The gauges are levels computed from two clocks and two remembered
 * times (the cursor, the last success), at the end of every attempt
 * whatever its outcome, and after each impstats report (statsobj's read
 * notifier): an input that no longer polls -- disabled, paused, waiting
 * out a long Retry-After -- still shows its lag and its age growing.
 *
 * Concurrency: everything runs on the input thread, except
 * icf_health_init (activation, main thread) and gauges_now (also
 * impstats' thread, through the read notifier); what both threads touch
 * (cursor_ms, ok_ms, the gauges) is read and written atomically.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "errmsg.h"
#include "glbl.h"
#include "prop.h"
#include "ruleset.h"
#include "datetime.h"
#include "statsobj.h"
#include "unicode-helper.h"

#include "cfl_state.h"
#include "cfl_time.h"
#include "imconfluence_conf.h"
#include "imconfluence_rt.h"

#define PROGRESS_EVERY_MS 60000      /* at most one progress line a minute */
#define BACKFILL_LAG_MS (10 * 60000) /* "backfilling" = cursor this far behind */

int64_t icf_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void gauge(icf_rt_t *rt, enum icf_ctr_id id, int64_t v)
{
	__atomic_store_n(&rt->ctr[id].v, (intctr_t)(v > 0 ? v : 0), __ATOMIC_RELAXED);
}

/* The levels, from the clocks and what was remembered. Counters are
 * unsigned: a cursor in the future shows in cursor.ahead. */
static void gauges_now(icf_rt_t *rt)
{
	int64_t cursor = __atomic_load_n(&rt->health.cursor_ms, __ATOMIC_RELAXED);
	int64_t ok = __atomic_load_n(&rt->health.ok_ms, __ATOMIC_RELAXED);
	int64_t wall = icf_wall_ms(), mono = icf_mono_ms();

	gauge(rt, ICF_C_CURSOR_LAG, (wall - cursor) / 1000);
	gauge(rt, ICF_C_CURSOR_AHEAD, (cursor - wall) / 1000);
	gauge(rt, ICF_C_SUCCESS_AGE, (mono - ok) / 1000);
}

/* impstats' thread, after it wrote this input's line: the next report
 * shows the levels of now, even when the input does not poll. */
static void on_stats_read(statsobj_t *o __attribute__((unused)), void *ctx)
{
	gauges_now(ctx);
}

/* Activation (main thread): the lag starts from the state file's cursor,
 * or, on a first run, from where the first window starts (initialLookback
 * ago); the age from now. A state file that cannot be read is reported
 * later, by the input thread (load_state). */
rsRetVal icf_health_init(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	int64_t cursor = icf_wall_ms() - (int64_t)inst->initialLookback * 1000;
	cfl_state_t st;
	cfl_errbuf_t err;
	DEFiRet;

	memset(&st, 0, sizeof(st));
	if (inst->statePath != NULL && cfl_state_load(inst->statePath, &st, &err) == CFL_OK && st.has_cursor)
		cursor = st.cursor_ms;
	cfl_state_free(&st);
	rt->health.cursor_ms = cursor;
	rt->health.ok_ms = icf_mono_ms();
	rt->health.progress_ms = rt->health.ok_ms; /* the first progress line after PROGRESS_EVERY_MS */
	gauges_now(rt);
	CHKiRet(statsobj.SetReadNotifier(rt->stats, on_stats_read, rt));
finalize_it:
	RETiRet;
}

/* After each attempt (input thread): the source's cursor, once it has one,
 * and the levels. */
void icf_health_update(icf_rt_t *rt)
{
	int64_t cursor;

	if (rt->src != NULL && cfl_source_cursor(rt->src, &cursor))
		__atomic_store_n(&rt->health.cursor_ms, cursor, __ATOMIC_RELAXED);
	gauges_now(rt);
}

/* A request succeeded: the streak ends. */
void icf_health_ok(icf_rt_t *rt)
{
	rt->health.streak = 0;
	gauge(rt, ICF_C_FAIL_STREAK, 0);
	__atomic_store_n(&rt->health.ok_ms, icf_mono_ms(), __ATOMIC_RELAXED);
	icf_health_update(rt);
}

/* An attempt failed (any cfl_fail_t): the streak grows; redirects, HTML
 * pages and refused credentials are counted by class besides. */
void icf_health_failed(icf_rt_t *rt, cfl_fail_t fail)
{
	switch (fail) {
	case CFL_FAIL_REDIRECT: ICF_INC(rt, HTTP_3XX); break;
	case CFL_FAIL_HTML: ICF_INC(rt, HTTP_HTML); break;
	case CFL_FAIL_AUTH:
	case CFL_FAIL_FORBIDDEN: ICF_INC(rt, HTTP_AUTH); break;
	default: break;
	}
	rt->health.streak++;
	gauge(rt, ICF_C_FAIL_STREAK, rt->health.streak);
	icf_health_update(rt);
}

/* During a backfill (the cursor more than BACKFILL_LAG_MS behind the
 * window's end): where it is, at most every PROGRESS_EVERY_MS. Called
 * after every page and every chunk handed to rsyslog. */
void icf_health_progress(icf_rt_t *rt, int64_t now)
{
	char iso[CFL_TIME_ISO_LEN];
	int64_t cursor = __atomic_load_n(&rt->health.cursor_ms, __ATOMIC_RELAXED), behind;

	if (rt->src == NULL || now - rt->health.progress_ms < PROGRESS_EVERY_MS)
		return;
	behind = cfl_source_window_end(rt->src) - cursor;
	if (behind < BACKFILL_LAG_MS)
		return;
	rt->health.progress_ms = now;
	rt->health.backfill_logged = 1;
	cfl_time_format_ms(cursor, iso, sizeof(iso));
	LogMsg(0, NO_ERRCODE, LOG_INFO,
	       "%s: backfill in progress: %" PRIu64 " events submitted and %" PRIu64 " pages read so far, "
	       "cursor at %s, %.1f hours of history to go",
	       rt->label, rt->submitted_total, rt->seen.pages, iso, (double)behind / 3600000.0);
}

/* The source is idle (the window is read): the first time, say that the
 * input works; after a backfill that logged progress, that it is over. */
void icf_health_idle(icf_rt_t *rt)
{
	char iso[CFL_TIME_ISO_LEN];
	int64_t cursor;

	icf_health_update(rt);
	if (!rt->health.first_done) {
		rt->health.first_done = 1;
		rt->health.backfill_logged = 0;
		if (cfl_source_cursor(rt->src, &cursor))
			cfl_time_format_ms(cursor, iso, sizeof(iso));
		LogMsg(0, NO_ERRCODE, LOG_INFO,
		       "%s: first poll done: %" PRIu64 " events, cursor at %s, next poll in %d s", rt->label,
		       rt->submitted_total, cfl_source_cursor(rt->src, &cursor) ? iso : "none (nothing delivered yet)",
		       rt->inst->pollingInterval);
	} else if (rt->health.backfill_logged) {
		rt->health.backfill_logged = 0;
		LogMsg(0, NO_ERRCODE, LOG_INFO,
		       "%s: backfill done, %" PRIu64 " events submitted; now polling every %d s", rt->label,
		       rt->submitted_total, rt->inst->pollingInterval);
	}
}
