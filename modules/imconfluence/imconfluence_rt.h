/* imconfluence_rt.h: one input's runtime, shared by the module's entry
 * points (imconfluence.c), the driver (imconfluence_driver.c), the
 * messages (imconfluence_msg.c) and the counters (imconfluence_counters.c). Include after "config.h", the
 * rsyslog headers and imconfluence_conf.h.
 *
 * Concurrency: everything here belongs to the one input thread, except
 * the counters, which impstats reads through statsobj's atomic helpers,
 * and the health levels (icf_health_t's cursor_ms and ok_ms, the gauges),
 * which impstats' thread also computes after each report
 * (imconfluence_health.c): those are read and written atomically.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef IMCONFLUENCE_RT_H
#define IMCONFLUENCE_RT_H

#include <stdio.h>

#include <curl/curl.h>

#include "cfl_backoff.h"
#include "cfl_damp.h"
#include "cfl_outcome.h"
#include "cfl_ratelimit.h"
#include "cfl_source.h"
#include "imconfluence_http.h"

/* The rsyslog interfaces, acquired once in modInit (imconfluence.c) and
 * named as objUse() needs them. */
extern glbl_if_t glbl;
extern prop_if_t prop;
extern ruleset_if_t ruleset;
extern datetime_if_t datetime;
extern statsobj_if_t statsobj;

#define ICF_MAX_BODY_BYTES (64u * 1024u * 1024u)

typedef enum icf_phase {
	RT_DISABLED = 0, /* could not be set up; logged */
	RT_WAIT,         /* run the source at wake_ms */
	RT_IN_FLIGHT,    /* a request is on the multi handle */
	RT_PAUSED        /* the state file is unusable: re-checked every pollingInterval */
} icf_phase_t;

/* the counters' indexes, from the table */
enum icf_ctr_id {
#define ICF_COUNTER(id, name, kind, member, meaning) ICF_C_##id,
#include "imconfluence_counters.def"
#undef ICF_COUNTER
	ICF_NCTR
};

typedef struct icf_ctr {
	STATSCOUNTER_DEF(v, mut)
} icf_ctr_t;

/* imconfluence_health.c's bookkeeping */
typedef struct icf_health {
	int64_t cursor_ms;   /* wall clock: the cursor, or where the first window starts; atomic */
	int64_t ok_ms;       /* monotonic: the last successful request, or the start; atomic */
	unsigned streak;     /* attempts failed in a row */
	int first_done;      /* "first poll done" was logged */
	int64_t progress_ms; /* monotonic: when progress was last logged */
	int backfill_logged; /* progress was logged since the source was last idle */
} icf_health_t;

struct icf_rt {
	instanceConf_t *inst;
	char *label; /* the stats object's name, "imconfluence(<name or host>)": every log line's prefix */
	cfl_source_t *src;
	icf_http_t *http;
	cfl_backoff_t backoff;
	icf_phase_t phase;
	int64_t wake_ms; /* monotonic */
	unsigned rnd;
	char *url;              /* of the request in flight, or pending (built, waiting for the rate limit) */
	int pending;            /* url is built and waits for cfl_rl_wait() */
	cfl_rl_t rl;            /* maxRequestsPerMinute and the server's rate-limit advice */
	int hup_seen;           /* the HUP count this input has acted on */
	int64_t slow_logged_ms; /* when a slow-down was last logged */
	FILE *trace;            /* requestTraceFile, or NULL */
	prop_t *pInputName;     /* name, or NULL: the module's "imconfluence" */
	prop_t *pRcvFrom;
	char *site; /* $!metadata!site: the url without a trailing "/" */
	/* logging */
	cfl_damp_t damp;       /* kinds: cfl_fail_t (CFL_FAIL_NONE = CFL_DAMP_NONE) */
	cfl_damp_t state_damp; /* the state file's own streak (save_state), apart from the requests' */
	icf_health_t health;
	uint64_t submitted_total;
	char warned[CFL_ERRBUF_LEN]; /* the last core warning logged, and when */
	int64_t warned_ms;
	int64_t paused_logged_ms; /* when the unusable state file was reported */
	/* impstats */
	cfl_src_stats_t seen; /* the source's counters already added to the statsobj */
	statsobj_t *stats;
	icf_ctr_t ctr[ICF_NCTR];
};

#define ICF_INC(rt, id) STATSCOUNTER_INC((rt)->ctr[ICF_C_##id].v, (rt)->ctr[ICF_C_##id].mut)

/* imconfluence_counters.c */
rsRetVal icf_counters_new(icf_rt_t *rt, const char *name);
/* adds what the source counted since the last call */
void icf_counters_sync(icf_rt_t *rt);

/* imconfluence_health.c: gauges, counters by class, first-poll and
 * progress lines (input thread, but icf_health_init: activation) */
rsRetVal icf_health_init(icf_rt_t *rt);
void icf_health_update(icf_rt_t *rt);
void icf_health_ok(icf_rt_t *rt);
void icf_health_failed(icf_rt_t *rt, cfl_fail_t fail);
void icf_health_progress(icf_rt_t *rt, int64_t now);
void icf_health_idle(icf_rt_t *rt);
int64_t icf_wall_ms(void);

/* imconfluence_msg.c: submits a chunk of events to rsyslog */
rsRetVal icf_submit(icf_rt_t *rt, const cfl_event_t *evs, size_t n);

/* imconfluence_driver.c, all on the input thread but icf_rt_new/free
 * (activation and freeCnf, main thread) */
rsRetVal icf_rt_new(instanceConf_t *inst, const char *stats_name);
void icf_rt_free(icf_rt_t *rt);
rsRetVal icf_rt_start(icf_rt_t *rt, int hup_seen);
void icf_rt_stop(icf_rt_t *rt, CURLM *multi);
void icf_rt_hup(icf_rt_t *rt, int hup_seq);
void icf_rt_step(icf_rt_t *rt, CURLM *multi, int64_t now);
void icf_rt_done(icf_rt_t *rt, CURLM *multi, CURLcode rc);
int64_t icf_mono_ms(void);
int icf_term_requested(void);

/* the module's own input name property (imconfluence.c) */
extern prop_t *icf_module_input_name;

#endif
