/* imconfluence: rsyslog input module polling the Confluence Cloud and Data
 * Center audit APIs, with no loss and no duplicates (docs/imconfluence.md).
 *
 * Glue only. Paging, windows, slicing, dedup, the state file, backoff and
 * what a failed request means are the plain-C core in modules/core/poll
 * (cfl_poll and friends, unit tested without rsyslog); parameters are
 * listed in imconfluence_params.def and read in imconfluence_conf.c, the
 * HTTP handle is imconfluence_http.c. This file holds the module's entry
 * points, runs the requests, turns events into messages and keeps the
 * counters.
 *
 * Concurrency: one input thread (runInput) runs every input() instance.
 * Requests of all instances run concurrently on one curl multi handle,
 * which the thread polls in slices of at most 100 ms; everything else
 * (parsing, submitting, writing state files) happens on that thread, so
 * instance runtime state needs no locks. Configuration is read-only once
 * activated. Counters are written by that thread and read by impstats
 * (statsobj's atomic helpers). Every wait - a request, a backoff, the
 * polling interval - notices rsyslogd's shutdown within about 100 ms, so
 * the thread ends well inside inputs.timeout.shutdown.
 *
 * Copyright 2026 the rsyslog-confluence authors. Licensed under the
 * Apache License, Version 2.0.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "srUtils.h"
#include "module-template.h"
#include "errmsg.h"
#include "glbl.h"
#include "msg.h"
#include "prop.h"
#include "ruleset.h"
#include "datetime.h"
#include "statsobj.h"
#include "unicode-helper.h"
#include "dirty.h"
#include "cfl_rscompat.h"
#include "cfl_rsversion.h"

#include "cfl_backoff.h"
#include "cfl_damp.h"
#include "cfl_dedup.h"
#include "cfl_flavor.h"
#include "cfl_inputcfg.h"
#include "cfl_time.h"
#include "cfl_timeval.h"
#include "cfl_orgwalk.h"
#include "cfl_outcome.h"
#include "cfl_poll.h"
#include "cfl_ratelimit.h"
#include "cfl_state.h"
#include "cfl_trace.h"
#include "cfl_url.h"
#include "imconfluence_conf.h"
#include "imconfluence_http.h"

MODULE_TYPE_INPUT;
MODULE_TYPE_NOKEEP;
MODULE_CNFNAME("imconfluence");

DEF_IMOD_STATIC_DATA;
DEFobjCurrIf(glbl)
DEFobjCurrIf(prop)
DEFobjCurrIf(ruleset)
DEFobjCurrIf(datetime)
DEFobjCurrIf(statsobj)

#define MAX_BODY_BYTES (64u * 1024u * 1024u)
#define LOOP_SLICE_MS 100            /* the longest the input thread blocks */
#define BACKOFF_BASE_MS 1000
#define PROGRESS_EVERY_MS 30000      /* backfill progress in rsyslog's log */
#define BACKFILL_LAG_MS (10 * 60000) /* "backfilling" = cursor this far behind */
#define REPEAT_LOG_MS (5 * 60000)    /* the same failure is logged again after this */
/* what an unreadable secret file means, at start and after a HUP */
#define DISABLED "this input stays disabled"
#define KEPT "the credential read before stays in use (after rsyslogd dropped privileges, the file " \
	"must be readable by its user)"

struct modConfData_s {
	rsconf_t *pConf;
	instanceConf_t *root, *tail;
};
static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;
static prop_t *pInputName = NULL;
static int hup_seq = 0;          /* bumped by doHUP (main thread); read by the input thread */

#include "im-helper.h" /* needs instanceConf_t, modConfData_t and the ruleset interface */

typedef enum rt_phase {
	RT_DISABLED = 0,  /* could not be set up; logged */
	RT_WAIT,          /* run the state machine at wake_ms */
	RT_IN_FLIGHT,     /* a request is on the multi handle */
	RT_PAUSED         /* the state file is unusable: re-checked every pollingInterval */
} rt_phase_t;

struct icf_rt {
	instanceConf_t *inst;
	cfl_poll_t *poll;
	cfl_orgwalk_t *walk;      /* instead of poll for flavor="organization" */
	icf_http_t *http;
	cfl_backoff_t backoff;
	rt_phase_t phase;
	int64_t wake_ms;          /* monotonic */
	unsigned rnd;
	char *url;                /* of the request in flight, or pending (built, waiting for the rate limit) */
	int pending;              /* url is built and waits for cfl_rl_wait() */
	cfl_rl_t rl;              /* maxRequestsPerMinute and the server's rate-limit advice */
	int hup_seen;             /* the hup_seq this input has acted on */
	int64_t slow_logged_ms;   /* when a slow-down was last logged */
	FILE *trace;              /* requestTraceFile, or NULL */
	prop_t *pInputName;       /* name, or NULL: the module's "imconfluence" */
	char *site;               /* $!metadata!site: the url without a trailing "/" */
	/* logging */
	cfl_damp_t damp;          /* kinds: cfl_fail_t (CFL_FAIL_NONE = CFL_DAMP_NONE) */
	int64_t progress_ms;
	int backfill_logged;
	uint64_t submitted_total;
	char warned[CFL_ERRBUF_LEN];  /* the last core warning logged, and when */
	int64_t warned_ms;
	int64_t paused_logged_ms;     /* when the unusable state file was reported */
	/* message properties and rate limiting */
	prop_t *pRcvFrom;
	cfl_poll_stats_t seen;    /* core counters already added to the statsobj */
	cfl_orgwalk_stats_t oseen; /* the same for the organization walker */
	/* impstats */
	statsobj_t *stats;
	STATSCOUNTER_DEF(ctrRequests, mutCtrRequests)
	STATSCOUNTER_DEF(ctrPages, mutCtrPages)
	STATSCOUNTER_DEF(ctrSubmitted, mutCtrSubmitted)
	STATSCOUNTER_DEF(ctrDuplicates, mutCtrDuplicates)
	STATSCOUNTER_DEF(ctrExcluded, mutCtrExcluded)
	STATSCOUNTER_DEF(ctrRetries, mutCtrRetries)
	STATSCOUNTER_DEF(ctrHttp4xx, mutCtrHttp4xx)
	STATSCOUNTER_DEF(ctrHttp5xx, mutCtrHttp5xx)
	STATSCOUNTER_DEF(ctrHttp429, mutCtrHttp429)
	STATSCOUNTER_DEF(ctrCurlErrors, mutCtrCurlErrors)
	STATSCOUNTER_DEF(ctrParseErrors, mutCtrParseErrors)
	STATSCOUNTER_DEF(ctrRateLimitWaits, mutCtrRateLimitWaits)
	STATSCOUNTER_DEF(ctrThrottled, mutCtrThrottled)
	STATSCOUNTER_DEF(ctrNearLimit, mutCtrNearLimit)
	STATSCOUNTER_DEF(ctrStateErrors, mutCtrStateErrors)
	STATSCOUNTER_DEF(ctrPagingGuards, mutCtrPagingGuards)
	STATSCOUNTER_DEF(ctrForeignLinks, mutCtrForeignLinks)
	STATSCOUNTER_DEF(ctrCursorDrops, mutCtrCursorDrops)
	STATSCOUNTER_DEF(ctrRefetches, mutCtrRefetches)
	STATSCOUNTER_DEF(ctrReplans, mutCtrReplans)
	STATSCOUNTER_DEF(ctrOddTime, mutCtrOddTime)
	STATSCOUNTER_DEF(ctrCursorResets, mutCtrCursorResets)
	intctr_t ctrCursorLag;    /* seconds; a gauge, set (not added) */
	intctr_t ctrCursorAhead;  /* seconds the cursor is ahead of the clock (a gauge; lag is then 0) */
};

/* ---- small helpers ------------------------------------------------------ */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int term_requested(void)
{
	return glbl.GetGlobalInputTermState() != 0;
}

BEGINnewInpInst
	instanceConf_t *inst;
CODESTARTnewInpInst;
	CHKiRet(icf_inst_new(lst, &inst));
	if (loadModConf->tail == NULL)
		loadModConf->root = inst;
	else
		loadModConf->tail->next = inst;
	loadModConf->tail = inst;
finalize_it:
ENDnewInpInst

BEGINbeginCnfLoad
CODESTARTbeginCnfLoad;
	loadModConf = pModConf;
	pModConf->pConf = pConf;
	pModConf->root = pModConf->tail = NULL;
ENDbeginCnfLoad

BEGINendCnfLoad
CODESTARTendCnfLoad;
ENDendCnfLoad

static inline void std_checkRuleset_genErrMsg(__attribute__((unused)) modConfData_t *modConf, instanceConf_t *inst)
{
	LogError(0, NO_ERRCODE, "imconfluence(%s): ruleset '%s' not found - using default ruleset instead",
	         inst->host, inst->pszBindRuleset);
}

BEGINcheckCnf
	instanceConf_t *inst, *other;
CODESTARTcheckCnf;
	for (inst = pModConf->root; inst != NULL; inst = inst->next) {
		std_checkRuleset(pModConf, inst);
		for (other = pModConf->root; inst->name != NULL && other != inst; other = other->next) {
			if (other->name != NULL && strcmp(other->name, inst->name) == 0) {
				LogError(0, RS_RET_CONFIG_ERROR, "imconfluence(%s): two inputs are named \"%s\"; "
				         "names must be unique (they name the impstats counters)", inst->host, inst->name);
				ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
			}
		}
		CHKiRet(icf_state_path(inst, (const char *)CFL_GLBL_WORKDIR(pModConf->pConf)));
		for (other = pModConf->root; other != inst; other = other->next) {
			if (strcmp(other->statePath, inst->statePath) == 0) {
				LogError(0, RS_RET_CONFIG_ERROR, "imconfluence(%s): two inputs use the same state file "
				         "%s; give each its own stateFile", inst->host, inst->statePath);
				ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
			}
		}
	}
finalize_it:
ENDcheckCnf

/* ---- runtime set-up (activation, main thread) -------------------------- */

static rsRetVal rt_stats_new(icf_rt_t *rt, const char *name)
{
	DEFiRet;

	CHKiRet(statsobj.Construct(&rt->stats));
	CHKiRet(statsobj.SetName(rt->stats, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(rt->stats, (uchar *)"imconfluence"));
#define ICF_CTR(label, ctr, mut) \
	STATSCOUNTER_INIT(rt->ctr, rt->mut); \
	CHKiRet(statsobj.AddCounter(rt->stats, UCHAR_CONSTANT(label), ctrType_IntCtr, CTR_FLAG_RESETTABLE, &rt->ctr));
	ICF_CTR("requests", ctrRequests, mutCtrRequests)
	ICF_CTR("pages", ctrPages, mutCtrPages)
	ICF_CTR("submitted", ctrSubmitted, mutCtrSubmitted)
	ICF_CTR("duplicates", ctrDuplicates, mutCtrDuplicates)
	ICF_CTR("excluded", ctrExcluded, mutCtrExcluded)
	ICF_CTR("retries", ctrRetries, mutCtrRetries)
	ICF_CTR("http.4xx", ctrHttp4xx, mutCtrHttp4xx)
	ICF_CTR("http.5xx", ctrHttp5xx, mutCtrHttp5xx)
	ICF_CTR("http.429", ctrHttp429, mutCtrHttp429)
	ICF_CTR("curl.errors", ctrCurlErrors, mutCtrCurlErrors)
	ICF_CTR("parse.errors", ctrParseErrors, mutCtrParseErrors)
	ICF_CTR("ratelimit.waits", ctrRateLimitWaits, mutCtrRateLimitWaits)
	ICF_CTR("ratelimit.throttled", ctrThrottled, mutCtrThrottled)
	ICF_CTR("ratelimit.nearlimit", ctrNearLimit, mutCtrNearLimit)
	ICF_CTR("state.errors", ctrStateErrors, mutCtrStateErrors)
	ICF_CTR("paging.guards", ctrPagingGuards, mutCtrPagingGuards)
	ICF_CTR("links.foreign", ctrForeignLinks, mutCtrForeignLinks)
	ICF_CTR("cursor.drops", ctrCursorDrops, mutCtrCursorDrops)
	ICF_CTR("pages.refetched", ctrRefetches, mutCtrRefetches)
	ICF_CTR("walks.replanned", ctrReplans, mutCtrReplans)
	ICF_CTR("events.oddtime", ctrOddTime, mutCtrOddTime)
	ICF_CTR("cursor.resets", ctrCursorResets, mutCtrCursorResets)
#undef ICF_CTR
	rt->ctrCursorLag = 0;
	CHKiRet(statsobj.AddCounter(rt->stats, UCHAR_CONSTANT("cursor.lag"), ctrType_IntCtr, CTR_FLAG_NONE,
	                            &rt->ctrCursorLag));
	rt->ctrCursorAhead = 0;
	CHKiRet(statsobj.AddCounter(rt->stats, UCHAR_CONSTANT("cursor.ahead"), ctrType_IntCtr, CTR_FLAG_NONE,
	                            &rt->ctrCursorAhead));
	CHKiRet(statsobj.ConstructFinalize(rt->stats));
finalize_it:
	RETiRet;
}

/* A unique stats object name per input: imconfluence(<name>) when named
 * (stable whatever the order of the inputs), else imconfluence(<host>),
 * then -2 ... */
static void stats_name(instanceConf_t *inst, char *out, size_t len)
{
	instanceConf_t *o;
	int same = 0;

	if (inst->name != NULL) {
		snprintf(out, len, "imconfluence(%s)", inst->name);
		return;
	}
	for (o = runModConf->root; o != inst; o = o->next)
		if (strcmp(o->host, inst->host) == 0)
			same++;
	if (same == 0)
		snprintf(out, len, "imconfluence(%s)", inst->host);
	else
		snprintf(out, len, "imconfluence(%s)-%d", inst->host, same + 1);
}

static rsRetVal rt_new(instanceConf_t *inst)
{
	icf_rt_t *rt;
	char name[300];
	DEFiRet;

	CHKmalloc(rt = calloc(1, sizeof(*rt)));
	inst->rt = rt;
	rt->inst = inst;
	rt->phase = RT_DISABLED;
	cfl_damp_init(&rt->damp, REPEAT_LOG_MS);
	rt->rnd = (unsigned)(wall_ms() ^ (intptr_t)inst);
	stats_name(inst, name, sizeof(name));
	CHKiRet(rt_stats_new(rt, name));
	CHKiRet(prop.Construct(&rt->pRcvFrom));
	CHKiRet(prop.SetString(rt->pRcvFrom, (uchar *)inst->host, strlen(inst->host)));
	CHKiRet(prop.ConstructFinalize(rt->pRcvFrom));
	CHKmalloc(rt->site = strdup(inst->base.url));
	if (strlen(rt->site) > 1 && rt->site[strlen(rt->site) - 1] == '/')
		rt->site[strlen(rt->site) - 1] = '\0';
	if (inst->name != NULL) {
		CHKiRet(prop.Construct(&rt->pInputName));
		CHKiRet(prop.SetString(rt->pInputName, (uchar *)inst->name, strlen(inst->name)));
		CHKiRet(prop.ConstructFinalize(rt->pInputName));
	}
	rt->phase = RT_WAIT;
finalize_it:
	RETiRet;
}

static void rt_free(icf_rt_t *rt)
{
	if (rt == NULL)
		return;
	cfl_poll_free(rt->poll);
	cfl_orgwalk_free(rt->walk);
	icf_http_free(rt->http);
	free(rt->url);
	if (rt->stats != NULL)
		statsobj.Destruct(&rt->stats);
	if (rt->pRcvFrom != NULL)
		prop.Destruct(&rt->pRcvFrom);
	if (rt->pInputName != NULL)
		prop.Destruct(&rt->pInputName);
	if (rt->trace != NULL)
		fclose(rt->trace);
	free(rt->site);
	free(rt);
}

/* Secrets are read before rsyslogd drops privileges. */
BEGINactivateCnfPrePrivDrop
	instanceConf_t *inst;
CODESTARTactivateCnfPrePrivDrop;
	runModConf = pModConf;
	for (inst = pModConf->root; inst != NULL; inst = inst->next) {
		if (rt_new(inst) != RS_RET_OK) {
			LogError(0, RS_RET_ERR, "imconfluence(%s): cannot set up this input; it stays disabled", inst->host);
			if (inst->rt != NULL)
				inst->rt->phase = RT_DISABLED;
			continue;
		}
		if ((inst->passwordFile != NULL && icf_read_secret_file(inst, "passwordFile", inst->passwordFile,
		                                                        &inst->password, DISABLED) != RS_RET_OK) ||
		    (inst->tokenFile != NULL &&
		     icf_read_secret_file(inst, "tokenFile", inst->tokenFile, &inst->token, DISABLED) != RS_RET_OK))
			inst->rt->phase = RT_DISABLED;
	}
ENDactivateCnfPrePrivDrop

BEGINactivateCnf
CODESTARTactivateCnf;
	runModConf = pModConf;
ENDactivateCnf

BEGINfreeCnf
	instanceConf_t *inst, *del;
CODESTARTfreeCnf;
	for (inst = pModConf->root; inst != NULL;) {
		del = inst;
		inst = inst->next;
		rt_free(del->rt);
		icf_inst_free(del);
	}
ENDfreeCnf

/* ---- logging failures once per streak ------------------------------------ */

static void recovered(icf_rt_t *rt)
{
	unsigned n = cfl_damp_recovered(&rt->damp);

	if (n > 0)
		LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): requests succeed again after %u failed attempt(s)",
		       rt->inst->host, n);
	cfl_backoff_reset(&rt->backoff);
}

/* ---- state --------------------------------------------------------------- */

static void update_lag(icf_rt_t *rt)
{
	int64_t cursor;

	if (rt->walk != NULL ? cfl_orgwalk_checkpoint(rt->walk, &cursor) : cfl_poll_cursor(rt->poll, &cursor)) {
		rt->ctrCursorLag = (intctr_t)((wall_ms() - cursor) / 1000 > 0 ? (wall_ms() - cursor) / 1000 : 0);
		/* counters are unsigned: a cursor in the future shows here */
		rt->ctrCursorAhead = (intctr_t)((cursor - wall_ms()) / 1000 > 0 ? (cursor - wall_ms()) / 1000 : 0);
	}
}

static void save_state(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_state_t st;
	cfl_errbuf_t err;

	memset(&st, 0, sizeof(st));
	if ((rt->walk != NULL ? cfl_orgwalk_snapshot(rt->walk, &st) : cfl_poll_snapshot(rt->poll, &st)) != CFL_OK) {
		STATSCOUNTER_INC(rt->ctrStateErrors, rt->mutCtrStateErrors);
		LogError(0, RS_RET_OUT_OF_MEMORY, "imconfluence(%s): out of memory saving the state", inst->host);
		return;
	}
	st.base_url = inst->stateUrl;
	st.flavor = (char *)cfl_flavor_name(inst->base.flavor);
	if (cfl_state_save(inst->statePath, &st, &err) != CFL_OK) {
		STATSCOUNTER_INC(rt->ctrStateErrors, rt->mutCtrStateErrors);
		if (cfl_damp_should_log(&rt->damp, CFL_FAIL_STATE, mono_ms()))
			LogError(0, RS_RET_IO_ERROR, "imconfluence(%s): %s; polling goes on, but after a restart "
			         "events may be repeated", inst->host, err.msg);
	}
	cfl_orgwalk_snapshot_free(&st); /* ids, api_cursor and fps, whichever are set */
}

/* How this input runs, for the start-up line: auth mode, proxy, TLS,
 * intervals. Never a secret: which credential is used, not its value; the
 * proxy URL with any user:password redacted. */
static void describe(const instanceConf_t *inst, char *out, size_t len)
{
	char proxy[512], limit[64];
	const char *auth;

	if (inst->token != NULL)
		auth = inst->tokenFile != NULL ? "bearer token from tokenFile" : "bearer token";
	else if (inst->username != NULL)
		auth = inst->passwordFile != NULL ? "basic, password from passwordFile" : "basic";
	else
		auth = "none";
	if (inst->proxy != NULL && inst->proxy[0] != '\0')
		cfl_trace_redact_url(inst->proxy, proxy, sizeof(proxy));
	else
		snprintf(proxy, sizeof(proxy), "libcurl default (environment)");
	if (inst->maxRequestsPerMinute > 0)
		snprintf(limit, sizeof(limit), "%d/min, burst %d", inst->maxRequestsPerMinute, inst->requestBurst);
	else
		snprintf(limit, sizeof(limit), "off");
	snprintf(out, len, "auth: %s; proxy: %s; TLS: verify peer %s, verify host %s, CA %s, pinned key %s, "
	         "versions %s..%s; pollingInterval %d s, pageSize %d, overlap %d s, timeout %d s, maxBackoff %d s, "
	         "maxRequestsPerMinute %s%s%s",
	         auth, proxy, inst->allowUnsignedCerts ? "OFF" : "on", inst->skipVerifyHost ? "OFF" : "on",
	         inst->cacert != NULL ? inst->cacert : "system", inst->tlsPinnedPublicKey != NULL ? "on" : "off",
	         inst->tlsMinVersion != NULL ? inst->tlsMinVersion : "default",
	         inst->tlsMaxVersion != NULL ? inst->tlsMaxVersion : "any", inst->pollingInterval, inst->pageSize,
	         inst->overlap, inst->timeout, inst->maxBackoff, limit,
	         inst->requestTraceFile != NULL ? "; request trace to " : "",
	         inst->requestTraceFile != NULL ? inst->requestTraceFile : "");
}

/* Loads the state file into a new poller. On a corrupt or foreign state
 * file the input pauses (no event lost, none repeated) and says how to
 * resume; the message is repeated at most every REPEAT_LOG_MS. */
static rsRetVal load_state(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_state_t st;
	cfl_errbuf_t err;
	char iso[CFL_TIME_ISO_LEN], why[CFL_ERRBUF_LEN + 512], how[2048];
	int64_t now = mono_ms();
	cfl_rc_t rc;
	DEFiRet;

	memset(&st, 0, sizeof(st));
	why[0] = '\0';
	cfl_state_remove_temps(inst->statePath);
	rc = cfl_state_load(inst->statePath, &st, &err);
	if (rc == CFL_OK)
		cfl_inputcfg_state_foreign(inst->statePath, st.base_url, st.flavor, inst->stateUrl,
		                           cfl_flavor_name(inst->base.flavor), why, sizeof(why));
	else if (rc != CFL_ENOENT)
		snprintf(why, sizeof(why), "%s", err.msg);
	if (why[0] != '\0') {
		if (rt->paused_logged_ms == 0 || now - rt->paused_logged_ms >= REPEAT_LOG_MS) {
			rt->paused_logged_ms = now;
			STATSCOUNTER_INC(rt->ctrStateErrors, rt->mutCtrStateErrors);
			LogError(0, RS_RET_CONFIG_ERROR, "imconfluence(%s): %s. This input is paused so that no event is "
			         "lost or repeated; repair, move or delete the file (deleting it restarts with "
			         "initialLookback=%d s of history). Checked again every %d s.", inst->host, why,
			         inst->initialLookback, inst->pollingInterval);
		}
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (rc == CFL_OK && (rt->walk != NULL ? cfl_orgwalk_restore(rt->walk, &st, &err)
	                                      : cfl_poll_restore(rt->poll, &st, &err)) != CFL_OK)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	describe(inst, how, sizeof(how));
	if (rc == CFL_OK && st.has_cursor) {
		cfl_time_format_ms(st.cursor_ms, iso, sizeof(iso));
		LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): polling %s (%s), resuming after %s (state file %s; %s; " IMC_USER_AGENT ")",
		       inst->host, inst->stateUrl, cfl_flavor_name(inst->base.flavor), iso, inst->statePath, how);
	} else {
		LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): polling %s (%s), first run: reading the last %d s "
		       "(state file %s; %s; " IMC_USER_AGENT ")", inst->host, inst->stateUrl, cfl_flavor_name(inst->base.flavor),
		       inst->initialLookback, inst->statePath, how);
	}
	rt->paused_logged_ms = 0;
finalize_it:
	cfl_state_free(&st);
	RETiRet;
}

/* ---- runtime start/stop (input thread) ------------------------------------ */

/* flavor="organization": the events-stream walker instead of cfl_poll */
static rsRetVal rt_new_walk(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_orgwalk_cfg_t cfg;
	cfl_errbuf_t err;
	DEFiRet;

	memset(&cfg, 0, sizeof(cfg));
	cfg.org_id = inst->orgId;
	cfg.page_size = inst->pageSize;
	cfg.overlap_ms = (int64_t)inst->overlap * 1000;
	cfg.initial_lookback_ms = (int64_t)inst->initialLookback * 1000;
	cfg.exclude = (const char *const *)inst->exclude;
	cfl_orgwalk_free(rt->walk);
	if ((rt->walk = cfl_orgwalk_new(&cfg, &err)) == NULL) {
		LogError(0, RS_RET_ERR, "imconfluence(%s): %s", inst->host, err.msg);
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
	RETiRet;
}

static rsRetVal rt_new_poll(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_poll_cfg_t cfg;
	cfl_errbuf_t err;
	DEFiRet;

	if (inst->base.flavor == CFL_FLAVOR_ORG)
		return rt_new_walk(rt);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flavor = inst->base.flavor;
	cfg.page_size = inst->pageSize;
	cfg.overlap_ms = (int64_t)inst->overlap * 1000;
	cfg.initial_lookback_ms = (int64_t)inst->initialLookback * 1000;
	cfg.exclude = (const char *const *)inst->exclude;
	cfg.base = &inst->base;
	cfl_poll_free(rt->poll);
	if ((rt->poll = cfl_poll_new(&cfg, &err)) == NULL) {
		LogError(0, RS_RET_ERR, "imconfluence(%s): %s", inst->host, err.msg);
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
	RETiRet;
}

/* requestTraceFile: opened (again, after a HUP: log rotation) by the input
 * thread, appended to, mode 0600; a failure is logged and tracing is off. */
static void open_trace(icf_rt_t *rt)
{
	const char *path = rt->inst->requestTraceFile;
	int fd;

	if (rt->trace != NULL)
		fclose(rt->trace);
	rt->trace = NULL;
	if (path == NULL)
		return;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    (rt->trace = fdopen(fd, "a")) == NULL) {
		LogError(errno, RS_RET_IO_ERROR, "imconfluence(%s): cannot open requestTraceFile %s; no trace",
		         rt->inst->host, path);
		if (fd >= 0)
			close(fd);
	}
}

/* One trace line per finished request (cfl_trace: credentials redacted). */
static void trace_request(icf_rt_t *rt, const icf_http_result_t *r)
{
	cfl_trace_rec_t tr;
	char line[8192];
	size_t n;

	if (rt->trace == NULL)
		return;
	memset(&tr, 0, sizeof(tr));
	tr.wall_ms = wall_ms();
	tr.input = rt->inst->name != NULL ? rt->inst->name : rt->inst->host;
	tr.method = "GET";
	tr.url = rt->url;
	tr.status = r->curl_rc == CURLE_OK ? r->status : 0;
	tr.error = r->curl_rc != CURLE_OK ? r->error : NULL;
	tr.duration_ms = r->total_ms;
	tr.bytes = r->len;
	tr.retry_after = r->retry_after;
	tr.remaining = r->rl.remaining;
	tr.near_limit = r->rl.near_limit;
	if ((n = cfl_trace_line(&tr, line, sizeof(line))) > 0) {
		fwrite(line, 1, n, rt->trace);
		fflush(rt->trace);
	}
}

/* A new HTTP handle from the configuration and the current credentials
 * (at start, and after a HUP re-read the secret files); NULL on failure. */
static icf_http_t *rt_new_http(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	icf_http_cfg_t hc;
	icf_http_t *h;
	char err[256];

	memset(&hc, 0, sizeof(hc));
	hc.timeout_ms = (long)inst->timeout * 1000;
	hc.cacert = inst->cacert;
	hc.mycert = inst->mycert;
	hc.myprivkey = inst->myprivkey;
	hc.allow_unsigned = inst->allowUnsignedCerts;
	hc.skip_verify_host = inst->skipVerifyHost;
	hc.proxy = inst->proxy;
	hc.tls_min = inst->tlsMinVersion != NULL ? icf_http_tls_version(inst->tlsMinVersion, 0) : 0;
	hc.tls_max = inst->tlsMaxVersion != NULL ? icf_http_tls_version(inst->tlsMaxVersion, 1) : 0;
	hc.ciphers = inst->tlsCipherList;
	hc.tls13_ciphers = inst->tlsTls13Ciphers;
	hc.pinned_pubkey = inst->tlsPinnedPublicKey;
	hc.token = inst->token;
	hc.username = inst->token == NULL ? inst->username : NULL;
	hc.password = inst->password;
	hc.max_body = MAX_BODY_BYTES;
	hc.user_agent = IMC_USER_AGENT;
	hc.should_stop = term_requested;
	if ((h = icf_http_new(&hc, err, sizeof(err))) == NULL)
		LogError(0, RS_RET_ERR, "imconfluence(%s): %s (check the tls.* parameters)", inst->host, err);
	return h;
}

/* After a HUP, between requests: the password or token file is read again
 * (personal access tokens expire) and the HTTP handle rebuilt with it;
 * the request trace file is reopened. The poller, its cursor and any
 * pending request are untouched: nothing is lost or read twice. On a read
 * error the old credential stays in use. */
static void rt_hup(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	icf_http_t *h;
	int reread = 0;

	rt->hup_seen = __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST);
	open_trace(rt);
	if (inst->passwordFile != NULL &&
	    icf_read_secret_file(inst, "passwordFile", inst->passwordFile, &inst->password, KEPT) == RS_RET_OK)
		reread = 1;
	if (inst->tokenFile != NULL &&
	    icf_read_secret_file(inst, "tokenFile", inst->tokenFile, &inst->token, KEPT) == RS_RET_OK)
		reread = 1;
	if (!reread)
		return;
	if ((h = rt_new_http(rt)) == NULL)
		return;
	icf_http_free(rt->http);
	rt->http = h;
	LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): HUP: %s read again; polling goes on from the same cursor",
	       inst->host, inst->tokenFile != NULL ? "tokenFile" : "passwordFile");
}

static rsRetVal rt_start(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	DEFiRet;

	cfl_backoff_init(&rt->backoff, BACKOFF_BASE_MS, (int64_t)inst->maxBackoff * 1000);
	if ((rt->http = rt_new_http(rt)) == NULL) {
		LogError(0, RS_RET_ERR, "imconfluence(%s): this input stays disabled", inst->host);
		ABORT_FINALIZE(RS_RET_ERR);
	}
	CHKiRet(rt_new_poll(rt));
	open_trace(rt);
	rt->hup_seen = __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST);
	rt->wake_ms = mono_ms();
	cfl_rl_init(&rt->rl, inst->maxRequestsPerMinute, inst->requestBurst, rt->wake_ms);
	rt->progress_ms = rt->wake_ms; /* first progress line after PROGRESS_EVERY_MS */
	if (load_state(rt) != RS_RET_OK) {
		rt->phase = RT_PAUSED;
		rt->wake_ms += (int64_t)inst->pollingInterval * 1000;
		FINALIZE;
	}
	rt->phase = RT_WAIT;
finalize_it:
	RETiRet;
}

/* ---- emitting ------------------------------------------------------------- */

/* Adds one message to the batch. Not ratelimitAddMsg(): the input needs no
 * rate limit, and with `$RepeatedMsgReduction on` that would fold two
 * identical audit events into one (tests/integration/repeated_msg_reduction.sh).
 * A message over maxMessageSize goes alone, as ratelimitAddMsg sends it. */
static rsRetVal enqueue_msg(multi_submit_t *ms, smsg_t *pMsg)
{
	DEFiRet;

	if (pMsg->iLenRawMsg > CFL_GLBL_MAXLINE(runConf)) {
		if (ms->nElem > 0)
			CHKiRet(multiSubmitMsg2(ms));
		CHKiRet(submitMsg2(pMsg));
		FINALIZE;
	}
	ms->ppMsgs[ms->nElem++] = pMsg;
	if (ms->nElem == ms->maxElem)
		CHKiRet(multiSubmitMsg2(ms));
finalize_it:
	RETiRet;
}

static rsRetVal submit_event(icf_rt_t *rt, multi_submit_t *ms, const cfl_poll_event_t *ev)
{
	instanceConf_t *inst = rt->inst;
	struct syslogTime st;
	struct timeval tv;
	smsg_t *pMsg;
	DEFiRet;

	cfl_ms_to_timeval(ev->ts_ms, &tv);
	datetime.timeval2syslogTime(&tv, &st, TIME_IN_UTC);
	/* timereported is the event time; timegenerated stays the time we read
	 * it (outputs bucket and alert on it). rsyslog has no setter for the
	 * former: configure pins these headers to the running daemon's version. */
	CHKiRet(msgConstruct(&pMsg));
	memcpy(&pMsg->tTIMESTAMP, &st, sizeof(st));
	MsgSetFlowControlType(pMsg, eFLOWCTL_FULL_DELAY);
	MsgSetInputName(pMsg, rt->pInputName != NULL ? rt->pInputName : pInputName);
	MsgSetRawMsg(pMsg, ev->json, ev->len);
	MsgSetMSGoffs(pMsg, 0);
	MsgSetHOSTNAME(pMsg, (const uchar *)inst->host, (int)strlen(inst->host));
	MsgSetRcvFrom(pMsg, rt->pRcvFrom);
	MsgSetTAG(pMsg, (const uchar *)inst->tag, strlen(inst->tag));
	msgSetPRI(pMsg, inst->iFacility | inst->iSeverity);
	MsgSetRuleset(pMsg, inst->pBindRuleset);
	/* which site: a Cloud event does not say (mmconfluence: service.address) */
	if (inst->addMetadata)
		CHKiRet(msgAddMetadata(pMsg, (uchar *)"site", (uchar *)rt->site));
	/* the (n+1)-th identical event of a window: mmconfluence folds the
	 * number into event.id, so identical events stay distinct documents */
	if (ev->copy > 0) {
		struct json_object *v = json_object_new_int64((int64_t)ev->copy);
		if (v == NULL)
			ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
		/* the leaf itself: merging an object into an existing
		 * !metadata lands at $! in rsyslog 8.2302 */
		CHKiRet(msgAddJSON(pMsg, (uchar *)"!metadata!copy", v, 0, 0));
	}
	CHKiRet(enqueue_msg(ms, pMsg));
finalize_it:
	RETiRet;
}

/* The organization walker's counters since the last call. */
static void org_sync_counters(icf_rt_t *rt)
{
	const cfl_orgwalk_stats_t *s = cfl_orgwalk_stats(rt->walk);

	STATSCOUNTER_ADD(rt->ctrPages, rt->mutCtrPages, s->pages - rt->oseen.pages);
	STATSCOUNTER_ADD(rt->ctrSubmitted, rt->mutCtrSubmitted, s->emitted - rt->oseen.emitted);
	STATSCOUNTER_ADD(rt->ctrDuplicates, rt->mutCtrDuplicates, s->duplicates - rt->oseen.duplicates);
	STATSCOUNTER_ADD(rt->ctrExcluded, rt->mutCtrExcluded, s->excluded - rt->oseen.excluded);
	STATSCOUNTER_ADD(rt->ctrPagingGuards, rt->mutCtrPagingGuards, s->guard_stops - rt->oseen.guard_stops);
	STATSCOUNTER_ADD(rt->ctrCursorDrops, rt->mutCtrCursorDrops, s->cursor_drops - rt->oseen.cursor_drops);
	STATSCOUNTER_ADD(rt->ctrOddTime, rt->mutCtrOddTime, s->odd_time - rt->oseen.odd_time);
	STATSCOUNTER_ADD(rt->ctrCursorResets, rt->mutCtrCursorResets, s->cursor_resets - rt->oseen.cursor_resets);
	rt->submitted_total += s->emitted - rt->oseen.emitted;
	rt->oseen = *s;
}

/* The core's counters since the last call go into the stats object. */
static void sync_counters(icf_rt_t *rt)
{
	const cfl_poll_stats_t *s;

	if (rt->walk != NULL) {
		org_sync_counters(rt);
		return;
	}
	s = cfl_poll_stats(rt->poll);
	STATSCOUNTER_ADD(rt->ctrPages, rt->mutCtrPages, s->pages - rt->seen.pages);
	STATSCOUNTER_ADD(rt->ctrSubmitted, rt->mutCtrSubmitted, s->emitted - rt->seen.emitted);
	STATSCOUNTER_ADD(rt->ctrDuplicates, rt->mutCtrDuplicates, s->duplicates - rt->seen.duplicates);
	STATSCOUNTER_ADD(rt->ctrExcluded, rt->mutCtrExcluded, s->excluded - rt->seen.excluded);
	STATSCOUNTER_ADD(rt->ctrPagingGuards, rt->mutCtrPagingGuards, s->guard_stops - rt->seen.guard_stops);
	STATSCOUNTER_ADD(rt->ctrForeignLinks, rt->mutCtrForeignLinks, s->foreign_links - rt->seen.foreign_links);
	STATSCOUNTER_ADD(rt->ctrRefetches, rt->mutCtrRefetches, s->refetches - rt->seen.refetches);
	STATSCOUNTER_ADD(rt->ctrReplans, rt->mutCtrReplans, s->replans - rt->seen.replans);
	STATSCOUNTER_ADD(rt->ctrOddTime, rt->mutCtrOddTime, s->odd_time - rt->seen.odd_time);
	STATSCOUNTER_ADD(rt->ctrCursorResets, rt->mutCtrCursorResets, s->cursor_resets - rt->seen.cursor_resets);
	rt->submitted_total += s->emitted - rt->seen.emitted;
	rt->seen = *s;
}

/* emit_chunk for the organization walker: one page, in processing order. */
static rsRetVal org_emit_chunk(icf_rt_t *rt)
{
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t ms;
	const cfl_orgwalk_event_t *evs;
	cfl_errbuf_t err;
	size_t n, i;
	DEFiRet;

	ms.ppMsgs = msgs;
	ms.maxElem = CONF_NUM_MULTISUB;
	ms.nElem = 0;
	n = cfl_orgwalk_batch(rt->walk, &evs);
	for (i = 0; i < n; i++) {
		const cfl_poll_event_t pe = { .json = evs[i].json, .len = evs[i].len, .ts_ms = evs[i].ts_ms };
		CHKiRet(submit_event(rt, &ms, &pe));
	}
	CHKiRet(multiSubmitFlush(&ms));
	if (cfl_orgwalk_commit(rt->walk, &err) != CFL_OK) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "imconfluence(%s): %s", rt->inst->host, err.msg);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	save_state(rt);
	sync_counters(rt);
	update_lag(rt);
finalize_it:
	if (iRet != RS_RET_OK && ms.nElem > 0)
		multiSubmitFlush(&ms);
	RETiRet;
}

/* Hands one chunk to rsyslog, then commits and saves the state: the
 * cursor never gets ahead of what rsyslog has. */
static rsRetVal emit_chunk(icf_rt_t *rt)
{
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t ms;
	const cfl_poll_event_t *evs;
	cfl_errbuf_t err;
	size_t n, i;
	DEFiRet;

	if (rt->walk != NULL)
		return org_emit_chunk(rt);
	ms.ppMsgs = msgs;
	ms.maxElem = CONF_NUM_MULTISUB;
	ms.nElem = 0;
	n = cfl_poll_batch(rt->poll, &evs);
	for (i = 0; i < n; i++)
		CHKiRet(submit_event(rt, &ms, &evs[i]));
	CHKiRet(multiSubmitFlush(&ms));
	if (cfl_poll_commit(rt->poll, &err) != CFL_OK) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "imconfluence(%s): %s", rt->inst->host, err.msg);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	save_state(rt);
	sync_counters(rt);
	update_lag(rt);
finalize_it:
	if (iRet != RS_RET_OK && ms.nElem > 0)
		multiSubmitFlush(&ms);
	RETiRet;
}

/* During a long backfill: where we are, every PROGRESS_EVERY_MS. */
static void log_progress(icf_rt_t *rt, int64_t now)
{
	char iso[CFL_TIME_ISO_LEN];
	int64_t cursor, behind;

	if (rt->walk != NULL ? !cfl_orgwalk_checkpoint(rt->walk, &cursor) : !cfl_poll_cursor(rt->poll, &cursor))
		return;
	behind = (rt->walk != NULL ? cfl_orgwalk_walk_to(rt->walk) : cfl_poll_window_end(rt->poll)) - cursor;
	if (behind < BACKFILL_LAG_MS || now - rt->progress_ms < PROGRESS_EVERY_MS)
		return;
	rt->progress_ms = now;
	rt->backfill_logged = 1;
	cfl_time_format_ms(cursor, iso, sizeof(iso));
	LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): backfill in progress: %" PRIu64 " events submitted so far, "
	       "now at %s, %.1f hours to go", rt->inst->host, rt->submitted_total, iso, (double)behind / 3600000.0);
}

/* The core's warnings (next link to another host, paging guards); the same
 * text is repeated at most every REPEAT_LOG_MS. */
static void log_warnings(icf_rt_t *rt, int64_t now)
{
	char w[CFL_ERRBUF_LEN];

	while (rt->walk != NULL ? cfl_orgwalk_take_warning(rt->walk, w, sizeof(w))
	                        : cfl_poll_take_warning(rt->poll, w, sizeof(w))) {
		if (strcmp(w, rt->warned) == 0 && now - rt->warned_ms < REPEAT_LOG_MS)
			continue;
		snprintf(rt->warned, sizeof(rt->warned), "%s", w);
		rt->warned_ms = now;
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "imconfluence(%s): %s", rt->inst->host, w);
	}
}

/* ---- the per-instance step ------------------------------------------------ */

/* Sends the pending request once the rate limit allows; otherwise waits. */
static void send_pending(icf_rt_t *rt, CURLM *multi, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	CURL *easy;
	int64_t wait;
	int why = 0;

	if ((wait = cfl_rl_wait(&rt->rl, now, &why)) > 0) {
		if (why == 1)
			STATSCOUNTER_INC(rt->ctrThrottled, rt->mutCtrThrottled);
		DBGPRINTF("imconfluence(%s): rate limit: next request in %" PRId64 " ms (%s)\n", inst->host, wait,
		          why == 1 ? "maxRequestsPerMinute" : "server's advice");
		rt->wake_ms = now + wait;
		return;
	}
	DBGPRINTF("imconfluence(%s): GET %s\n", inst->host, rt->url);
	if ((easy = icf_http_start(rt->http, rt->url)) == NULL || curl_multi_add_handle(multi, easy) != CURLM_OK) {
		LogError(0, RS_RET_ERR, "imconfluence(%s): cannot start a request", inst->host);
		rt->wake_ms = now + cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
		return;
	}
	rt->pending = 0;
	cfl_rl_take(&rt->rl, now);
	STATSCOUNTER_INC(rt->ctrRequests, rt->mutCtrRequests);
	rt->phase = RT_IN_FLIGHT;
}

static void start_request(icf_rt_t *rt, CURLM *multi, const cfl_request_t *req, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	cfl_errbuf_t err;

	free(rt->url);
	rt->url = NULL;
	rt->pending = 0;
	if (cfl_url_build(&inst->base, req, &rt->url, &err) != CFL_OK) {
		if (cfl_damp_should_log_once(&rt->damp, CFL_FAIL_URL, now))
			LogError(0, RS_RET_ERR, "imconfluence(%s): %s (logged once until a request succeeds)", inst->host,
			         err.msg);
		rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
		return;
	}
	rt->pending = 1;
	send_pending(rt, multi, now);
}

/* rt_step for the organization walker. */
static void org_step(icf_rt_t *rt, CURLM *multi, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	cfl_request_t req;

	cfl_orgwalk_begin(rt->walk, wall_ms());
	while (!term_requested()) {
		switch (cfl_orgwalk_next(rt->walk, &req)) {
		case CFL_ORGWALK_FETCH:
			start_request(rt, multi, &req, now);
			return;
		case CFL_ORGWALK_EMIT:
			if (emit_chunk(rt) != RS_RET_OK) {
				rt->wake_ms = now + cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
				return;
			}
			log_warnings(rt, now);
			log_progress(rt, now);
			break;
		case CFL_ORGWALK_IDLE:
			if (rt->backfill_logged) {
				LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): backfill done, %" PRIu64 " events submitted; "
				       "now polling every %d s", inst->host, rt->submitted_total, inst->pollingInterval);
				rt->backfill_logged = 0;
			}
			update_lag(rt);
			rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
			return;
		}
	}
}

/* Runs the state machine until it needs the network or is done. */
static void rt_step(icf_rt_t *rt, CURLM *multi, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	cfl_request_t req;

	if (rt->phase == RT_PAUSED) {
		rt->pending = 0; /* a request built by the poller replaced here is void */
		if (rt_new_poll(rt) != RS_RET_OK || load_state(rt) != RS_RET_OK) {
			rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
			return;
		}
		rt->phase = RT_WAIT;
	}
	if (rt->pending) {
		send_pending(rt, multi, now);
		return;
	}
	if (rt->walk != NULL) {
		org_step(rt, multi, now);
		return;
	}
	cfl_poll_begin(rt->poll, wall_ms());
	while (!term_requested()) {
		switch (cfl_poll_next(rt->poll, &req)) {
		case CFL_POLL_FETCH:
			start_request(rt, multi, &req, now);
			return;
		case CFL_POLL_EMIT:
			if (emit_chunk(rt) != RS_RET_OK) {
				rt->wake_ms = now + cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
				return;
			}
			log_progress(rt, now);
			break;
		case CFL_POLL_IDLE:
			if (rt->backfill_logged) {
				LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): backfill done, %" PRIu64 " events submitted; "
				       "now polling every %d s", inst->host, rt->submitted_total, inst->pollingInterval);
				rt->backfill_logged = 0;
			}
			update_lag(rt);
			rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
			return;
		}
	}
}

/* ---- outcomes of a request ------------------------------------------------ */

/* A 400, 404 or 410 to a request that carried an events-stream cursor: the
 * cursor is stale or invalid. It is dropped (and the state saved without
 * it), and the walk resumes from the checkpoint at once. Returns 1 if so. */
static int org_cursor_rejected(icf_rt_t *rt, const icf_http_result_t *r, int64_t now)
{
	char why[CFL_ERRBUF_LEN], ex[160];

	if (r->curl_rc != CURLE_OK || (r->status != 400 && r->status != 404 && r->status != 410) ||
	    !cfl_orgwalk_cursor_rejected(rt->walk, wall_ms(), why, sizeof(why)))
		return 0;
	cfl_excerpt(r->body, r->len, ex, sizeof(ex));
	LogMsg(0, NO_ERRCODE, LOG_WARNING, "imconfluence(%s): HTTP %ld (%s): %s", rt->inst->host, r->status, ex, why);
	STATSCOUNTER_INC(rt->ctrHttp4xx, rt->mutCtrHttp4xx);
	save_state(rt);
	sync_counters(rt);
	rt->wake_ms = now;
	return 1;
}

/* A failed request: cfl_outcome says what it means and how long to wait;
 * here it is counted and logged (once per streak). */
static void on_failure(icf_rt_t *rt, const icf_http_result_t *r, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	cfl_outcome_cfg_t oc;
	cfl_reply_t rep;
	cfl_outcome_t o;
	int log;

	if (rt->walk != NULL && org_cursor_rejected(rt, r, now))
		return;
	memset(&rep, 0, sizeof(rep));
	rep.curl_rc = (int)r->curl_rc;
	rep.curl_error = r->error;
	rep.curl_name = curl_easy_strerror(r->curl_rc);
	rep.status = r->curl_rc == CURLE_OK ? r->status : 0;
	rep.body = r->body;
	rep.len = r->len;
	rep.retry_after = r->retry_after;
	rep.location = r->location;
	rep.too_big = r->too_big;
	rep.https = strncmp(inst->base.url, "https:", 6) == 0;
	rep.url = rt->url;
	oc.max_backoff_ms = (int64_t)inst->maxBackoff * 1000;
	oc.polling_interval_s = inst->pollingInterval;
	oc.flavor_name = cfl_flavor_name(inst->base.flavor);
	oc.max_body = MAX_BODY_BYTES;
	cfl_outcome_decide(&rep, &oc, &rt->backoff, (uint32_t)rand_r(&rt->rnd), wall_ms(), &o);
	switch (o.fail) {
	case CFL_FAIL_AUTH:
	case CFL_FAIL_FORBIDDEN:
	case CFL_FAIL_CLIENT:
		STATSCOUNTER_INC(rt->ctrHttp4xx, rt->mutCtrHttp4xx);
		break;
	case CFL_FAIL_RATE:
		STATSCOUNTER_INC(rt->ctrHttp429, rt->mutCtrHttp429);
		break;
	case CFL_FAIL_SERVER:
		STATSCOUNTER_INC(rt->ctrHttp5xx, rt->mutCtrHttp5xx);
		break;
	case CFL_FAIL_TRANSPORT:
	case CFL_FAIL_TOO_BIG:
		STATSCOUNTER_INC(rt->ctrCurlErrors, rt->mutCtrCurlErrors);
		break;
	default:
		break;
	}
	if (o.rate_wait) {
		STATSCOUNTER_INC(rt->ctrRateLimitWaits, rt->mutCtrRateLimitWaits);
	}
	if (o.retry) {
		STATSCOUNTER_INC(rt->ctrRetries, rt->mutCtrRetries);
	}
	log = o.log_once ? cfl_damp_should_log_once(&rt->damp, (int)o.fail, now)
	                 : cfl_damp_should_log(&rt->damp, (int)o.fail, now);
	if (log && o.warning)
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "imconfluence(%s): %s", inst->host, o.msg);
	else if (log)
		LogError(0, RS_RET_ERR, "imconfluence(%s): %s", inst->host, o.msg);
	rt->wake_ms = now + o.delay_ms;
}

static void on_ok(icf_rt_t *rt, CURLM *multi, const icf_http_result_t *r, int64_t now)
{
	cfl_errbuf_t err;
	int64_t delay;

	if ((rt->walk != NULL ? cfl_orgwalk_feed(rt->walk, r->body, r->len, &err)
	                      : cfl_poll_feed(rt->poll, r->body, r->len, &err)) != CFL_OK) {
		STATSCOUNTER_INC(rt->ctrParseErrors, rt->mutCtrParseErrors);
		STATSCOUNTER_INC(rt->ctrRetries, rt->mutCtrRetries);
		delay = cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
		if (cfl_damp_should_log(&rt->damp, CFL_FAIL_BODY, now))
			LogError(0, RS_RET_ERR, "imconfluence(%s): unusable reply to %s: %s. Retrying in %.1f s",
			         rt->inst->host, rt->url, err.msg, (double)delay / 1000);
		rt->wake_ms = now + delay;
		return;
	}
	recovered(rt);
	log_warnings(rt, now);
	sync_counters(rt);
	rt->phase = RT_WAIT;
	rt_step(rt, multi, now);
}

/* The server's rate-limit headers on any reply: the next request waits
 * what they advise (cfl_ratelimit). A 429's or 5xx's Retry-After is
 * on_failure's (cfl_outcome) and counted there. */
static void rate_advice(icf_rt_t *rt, const icf_http_result_t *r, int64_t now)
{
	cfl_rl_advice_t a;

	if (r->curl_rc != CURLE_OK)
		return;
	cfl_rl_advise(&r->rl, wall_ms(), (int64_t)rt->inst->maxBackoff * 1000, &a);
	if (a.kind == CFL_RL_GO)
		return;
	cfl_rl_defer(&rt->rl, now, a.delay_ms);
	if (r->status == 429 || r->status >= 500)
		return;
	if (a.kind == CFL_RL_RETRY_AFTER) {
		STATSCOUNTER_INC(rt->ctrRateLimitWaits, rt->mutCtrRateLimitWaits);
	} else {
		STATSCOUNTER_INC(rt->ctrNearLimit, rt->mutCtrNearLimit);
	}
	if (rt->slow_logged_ms == 0 || now - rt->slow_logged_ms >= REPEAT_LOG_MS) {
		rt->slow_logged_ms = now;
		LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): the server asks to slow down (%s%s%s%s): next "
		       "request in %.1f s", rt->inst->host, a.kind == CFL_RL_RETRY_AFTER ? "Retry-After" : "near its rate limit",
		       a.remaining >= 0 ? ", remaining requests reported" : "", a.reason[0] ? ", reason " : "", a.reason,
		       (double)a.delay_ms / 1000);
	}
}

static void rt_done(icf_rt_t *rt, CURLM *multi, CURLcode rc)
{
	icf_http_result_t r;
	int64_t now = mono_ms();

	icf_http_finish(rt->http, rc, &r);
	rt->phase = RT_WAIT;
	if (r.stopped)
		return;
	DBGPRINTF("imconfluence(%s): HTTP %ld, %zu bytes, curl %d\n", rt->inst->host, r.status, r.len, (int)rc);
	trace_request(rt, &r);
	rate_advice(rt, &r, now);
	if (rc == CURLE_OK && r.status == 200)
		on_ok(rt, multi, &r, now);
	else
		on_failure(rt, &r, now);
}

/* ---- the input thread ------------------------------------------------------ */

static icf_rt_t *rt_of_easy(CURL *easy)
{
	instanceConf_t *inst;

	for (inst = runModConf->root; inst != NULL; inst = inst->next)
		if (inst->rt != NULL && inst->rt->http != NULL && icf_http_easy(inst->rt->http) == easy)
			return inst->rt;
	return NULL;
}

/* Starts due instances; returns how long the thread may block (ms). */
static int run_due(CURLM *multi)
{
	instanceConf_t *inst;
	int64_t now = mono_ms(), wait = LOOP_SLICE_MS;

	for (inst = runModConf->root; inst != NULL && !term_requested(); inst = inst->next) {
		icf_rt_t *rt = inst->rt;
		if (rt == NULL || (rt->phase != RT_WAIT && rt->phase != RT_PAUSED))
			continue;
		if (rt->hup_seen != __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST))
			rt_hup(rt);
		if (now >= rt->wake_ms)
			rt_step(rt, multi, now);
		if ((rt->phase == RT_WAIT || rt->phase == RT_PAUSED) && rt->wake_ms - now < wait)
			wait = rt->wake_ms - now;
	}
	return wait < 0 ? 0 : (int)wait;
}

static void collect_done(CURLM *multi)
{
	CURLMsg *m;
	icf_rt_t *rt;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		rt = rt_of_easy(m->easy_handle);
		curl_multi_remove_handle(multi, m->easy_handle);
		if (rt != NULL)
			rt_done(rt, multi, m->data.result);
	}
}

BEGINrunInput
	CURLM *multi = NULL;
	instanceConf_t *inst;
	int running, wait;
CODESTARTrunInput;
	if ((multi = curl_multi_init()) == NULL) {
		LogError(0, RS_RET_ERR, "imconfluence: cannot create a curl multi handle; no input runs");
		ABORT_FINALIZE(RS_RET_ERR);
	}
	for (inst = runModConf->root; inst != NULL; inst = inst->next)
		if (inst->rt != NULL && inst->rt->phase == RT_WAIT && rt_start(inst->rt) != RS_RET_OK)
			inst->rt->phase = RT_DISABLED;
	while (!term_requested()) {
		wait = run_due(multi);
		curl_multi_poll(multi, NULL, 0, wait, NULL);
		curl_multi_perform(multi, &running);
		collect_done(multi);
	}
	DBGPRINTF("imconfluence: input thread stops\n");
finalize_it:
	for (inst = runModConf->root; inst != NULL; inst = inst->next) {
		icf_rt_t *rt = inst->rt;
		if (rt == NULL)
			continue;
		if (rt->phase == RT_IN_FLIGHT && multi != NULL)
			curl_multi_remove_handle(multi, icf_http_easy(rt->http));
		icf_http_free(rt->http);
		rt->http = NULL;
		cfl_poll_free(rt->poll);
		rt->poll = NULL;
		cfl_orgwalk_free(rt->walk);
		rt->walk = NULL;
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
ENDrunInput

BEGINwillRun
CODESTARTwillRun;
	if (runModConf->root == NULL)
		ABORT_FINALIZE(RS_RET_NO_RUN);
	CHKiRet(prop.Construct(&pInputName));
	CHKiRet(prop.SetString(pInputName, UCHAR_CONSTANT("imconfluence"), sizeof("imconfluence") - 1));
	CHKiRet(prop.ConstructFinalize(pInputName));
finalize_it:
ENDwillRun

BEGINafterRun
CODESTARTafterRun;
	if (pInputName != NULL)
		prop.Destruct(&pInputName);
ENDafterRun

/* SIGHUP, on rsyslogd's main thread: only noted here; each input acts on
 * it between two requests (rt_hup). */
static rsRetVal doHUP(void __attribute__((unused)) *pData)
{
	__atomic_add_fetch(&hup_seq, 1, __ATOMIC_SEQ_CST);
	return RS_RET_OK;
}

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature;
	if (eFeat == sFEATURENonCancelInputTermination)
		iRet = RS_RET_OK;
ENDisCompatibleWithFeature

BEGINmodExit
CODESTARTmodExit;
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(datetime, CORE_COMPONENT);
	objRelease(ruleset, CORE_COMPONENT);
	objRelease(prop, CORE_COMPONENT);
	objRelease(glbl, CORE_COMPONENT);
	curl_global_cleanup();
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt;
CODEqueryEtryPt_STD_IMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_STD_CONF2_PREPRIVDROP_QUERIES
CODEqueryEtryPt_STD_CONF2_IMOD_QUERIES
CODEqueryEtryPt_IsCompatibleWithFeature_IF_OMOD_QUERIES
CODEqueryEtryPt_doHUP
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
	CHKiRet(cfl_check_rsyslog_version("imconfluence"));
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(glbl, CORE_COMPONENT));
	CHKiRet(objUse(prop, CORE_COMPONENT));
	CHKiRet(objUse(ruleset, CORE_COMPONENT));
	CHKiRet(objUse(datetime, CORE_COMPONENT));
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	/* once per process, never per instance: curl_global_init is not thread-safe */
	if (curl_global_init(CURL_GLOBAL_ALL) != 0) {
		LogError(0, RS_RET_ERR, "imconfluence: curl_global_init failed");
		ABORT_FINALIZE(RS_RET_ERR);
	}
ENDmodInit
