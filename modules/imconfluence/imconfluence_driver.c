/* imconfluence_driver.c: runs one input: asks its source (cfl_source.h)
 * what to do, performs the requests, hands events to rsyslog, saves the
 * state and logs. The driver never asks which source it runs: what differs
 * between the APIs is the source's, so a new API needs no change here.
 *
 * Everything here runs on the input thread (imconfluence.c's runInput),
 * except icf_rt_new/icf_rt_free (activation and freeCnf, main thread).
 *
 * Licensed under the Apache License, Version 2.0.
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
#include "errmsg.h"
#include "glbl.h"
#include "prop.h"
#include "ruleset.h"
#include "datetime.h"
#include "statsobj.h"
#include "unicode-helper.h"
#include "dirty.h"

#include "cfl_inputcfg.h"
#include "cfl_outcome.h"
#include "cfl_time.h"
#include "cfl_trace.h"
#include "cfl_url.h"
#include "imconfluence_conf.h"
#include "imconfluence_rt.h"

#define BACKOFF_BASE_MS 1000
#define REPEAT_LOG_MS (5 * 60000) /* the same failure is logged again after this */
/* what an unreadable secret file means after a HUP */
#define KEPT                                                                                    \
	"the credential read before stays in use (after rsyslogd dropped privileges, the file " \
	"must be readable by its user)"

int64_t icf_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int icf_term_requested(void)
{
	return glbl.GetGlobalInputTermState() != 0;
}

/* ---- set-up (activation, main thread) ----------------------------------- */

rsRetVal icf_rt_new(instanceConf_t *inst, const char *stats_name)
{
	icf_rt_t *rt;
	DEFiRet;

	CHKmalloc(rt = calloc(1, sizeof(*rt)));
	inst->rt = rt;
	rt->inst = inst;
	rt->phase = RT_DISABLED;
	cfl_damp_init(&rt->damp, REPEAT_LOG_MS);
	rt->rnd = (unsigned)(icf_wall_ms() ^ (intptr_t)inst);
	CHKmalloc(rt->label = strdup(stats_name));
	CHKiRet(icf_counters_new(rt, stats_name));
	CHKiRet(icf_health_init(rt));
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

void icf_rt_free(icf_rt_t *rt)
{
	if (rt == NULL)
		return;
	cfl_source_free(rt->src);
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
	free(rt->label);
	free(rt);
}

/* ---- logging -------------------------------------------------------------- */

static void recovered(icf_rt_t *rt)
{
	unsigned n = cfl_damp_recovered(&rt->damp);

	if (n > 0)
		LogMsg(0, NO_ERRCODE, LOG_INFO, "%s: requests succeed again after %u failed attempt(s)", rt->label, n);
	cfl_backoff_reset(&rt->backoff);
	icf_health_ok(rt);
}

/* The source's warnings (next link to another host, paging guards, an
 * overflowing dedup set); the same text is repeated at most every
 * REPEAT_LOG_MS. */
static void log_warnings(icf_rt_t *rt, int64_t now)
{
	char w[CFL_ERRBUF_LEN];

	while (cfl_source_take_warning(rt->src, w, sizeof(w))) {
		if (strcmp(w, rt->warned) == 0 && now - rt->warned_ms < REPEAT_LOG_MS)
			continue;
		snprintf(rt->warned, sizeof(rt->warned), "%s", w);
		rt->warned_ms = now;
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "%s: %s", rt->label, w);
	}
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
	snprintf(out, len,
	         "auth: %s; proxy: %s; TLS: verify peer %s, verify host %s, CA %s, pinned key %s, "
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

/* ---- state ---------------------------------------------------------------- */

/* A state file that cannot be written is logged once per streak (again
 * after REPEAT_LOG_MS), apart from the requests' streak: requests that
 * succeed meanwhile do not end it; the first save that works does. */
static void save_state(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_state_t st;
	cfl_errbuf_t err;
	unsigned n;

	if (rt->state_damp.repeat_ms == 0)
		cfl_damp_init(&rt->state_damp, REPEAT_LOG_MS);
	if (cfl_source_snapshot(rt->src, inst->stateUrl, cfl_flavor_name(inst->base.flavor), &st) != CFL_OK) {
		ICF_INC(rt, STATE_ERRORS);
		LogError(0, RS_RET_OUT_OF_MEMORY, "%s: out of memory saving the state", rt->label);
	} else if (cfl_state_save(inst->statePath, &st, &err) != CFL_OK) {
		ICF_INC(rt, STATE_ERRORS);
		if (cfl_damp_should_log(&rt->state_damp, CFL_FAIL_STATE, icf_mono_ms()))
			LogError(0, RS_RET_IO_ERROR,
			         "%s: state file not saved: %s; polling goes on, but after a restart "
			         "events may be repeated (logged once until the state file is written again)",
			         rt->label, err.msg);
	} else if ((n = cfl_damp_recovered(&rt->state_damp)) > 0) {
		LogMsg(0, NO_ERRCODE, LOG_INFO, "%s: the state file %s is written again, after %u failure(s)",
		       rt->label, inst->statePath, n);
	}
	cfl_state_free(&st);
}

/* Loads the state file into a new source. On a corrupt or foreign state
 * file the input pauses (no event lost, none repeated) and says how to
 * resume; the message is repeated at most every REPEAT_LOG_MS. */
static rsRetVal load_state(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_state_t st;
	cfl_errbuf_t err;
	char iso[CFL_TIME_ISO_LEN], why[CFL_ERRBUF_LEN + 512], how[2048];
	int64_t now = icf_mono_ms();
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
			ICF_INC(rt, STATE_ERRORS);
			LogError(0, RS_RET_CONFIG_ERROR,
			         "%s: %s. This input is paused so that no event is "
			         "lost or repeated; repair, move or delete the file (deleting it restarts with "
			         "initialLookback=%d s of history). Checked again every %d s.",
			         rt->label, why, inst->initialLookback, inst->pollingInterval);
		}
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (rc == CFL_OK && cfl_source_restore(rt->src, &st, &err) != CFL_OK)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	describe(inst, how, sizeof(how));
	if (rc == CFL_OK && st.has_cursor) {
		cfl_time_format_ms(st.cursor_ms, iso, sizeof(iso));
		LogMsg(0, NO_ERRCODE, LOG_INFO,
		       "%s: polling %s (%s), resuming after %s (state file %s; %s; " IMC_USER_AGENT ")", rt->label,
		       inst->stateUrl, cfl_flavor_name(inst->base.flavor), iso, inst->statePath, how);
	} else {
		LogMsg(0, NO_ERRCODE, LOG_INFO,
		       "%s: polling %s (%s), first run: reading the last %d s "
		       "(state file %s; %s; " IMC_USER_AGENT ")",
		       rt->label, inst->stateUrl, cfl_flavor_name(inst->base.flavor), inst->initialLookback,
		       inst->statePath, how);
	}
	rt->paused_logged_ms = 0;
	icf_health_update(rt); /* the restored cursor */
finalize_it:
	cfl_state_free(&st);
	RETiRet;
}

/* A new source for the configured flavour (cfl_sources.def). */
static rsRetVal new_source(icf_rt_t *rt)
{
	instanceConf_t *inst = rt->inst;
	cfl_source_cfg_t cfg;
	cfl_errbuf_t err;
	DEFiRet;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flavor = inst->base.flavor;
	cfg.org_id = inst->orgId;
	cfg.page_size = inst->pageSize;
	cfg.overlap_ms = (int64_t)inst->overlap * 1000;
	cfg.initial_lookback_ms = (int64_t)inst->initialLookback * 1000;
	cfg.exclude = (const char *const *)inst->exclude;
	cfg.base = &inst->base;
	cfl_source_free(rt->src);
	if ((rt->src = cfl_source_new(&cfg, &err)) == NULL) {
		LogError(0, RS_RET_ERR, "%s: %s", rt->label, err.msg);
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
	RETiRet;
}

/* ---- the request trace ----------------------------------------------------- */

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
		LogError(errno, RS_RET_IO_ERROR, "%s: cannot open requestTraceFile %s; no trace", rt->label, path);
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
	tr.wall_ms = icf_wall_ms();
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

/* ---- start, HUP, stop -------------------------------------------------------- */

/* A new HTTP handle from the configuration and the current credentials
 * (at start, and after a HUP re-read the secret files); NULL on failure. */
static icf_http_t *new_http(icf_rt_t *rt)
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
	hc.max_body = ICF_MAX_BODY_BYTES;
	hc.user_agent = IMC_USER_AGENT;
	hc.should_stop = icf_term_requested;
	if ((h = icf_http_new(&hc, err, sizeof(err))) == NULL)
		LogError(0, RS_RET_ERR, "%s: %s (check the tls.* parameters)", rt->label, err);
	return h;
}

/* After a HUP, between requests: the password or token file is read again
 * (personal access tokens expire) and the HTTP handle rebuilt with it;
 * the request trace file is reopened. The source, its cursor and any
 * pending request are untouched: nothing is lost or read twice. On a read
 * error the old credential stays in use. */
void icf_rt_hup(icf_rt_t *rt, int hup_seq)
{
	instanceConf_t *inst = rt->inst;
	icf_http_t *h;
	int reread = 0;

	rt->hup_seen = hup_seq;
	open_trace(rt);
	if (inst->passwordFile != NULL &&
	    icf_read_secret_file(inst, "passwordFile", inst->passwordFile, &inst->password, KEPT) == RS_RET_OK)
		reread = 1;
	if (inst->tokenFile != NULL &&
	    icf_read_secret_file(inst, "tokenFile", inst->tokenFile, &inst->token, KEPT) == RS_RET_OK)
		reread = 1;
	if (!reread)
		return;
	if ((h = new_http(rt)) == NULL)
		return;
	icf_http_free(rt->http);
	rt->http = h;
	LogMsg(0, NO_ERRCODE, LOG_INFO, "%s: HUP: %s read again; polling goes on from the same cursor", rt->label,
	       inst->tokenFile != NULL ? "tokenFile" : "passwordFile");
}

rsRetVal icf_rt_start(icf_rt_t *rt, int hup_seen)
{
	instanceConf_t *inst = rt->inst;
	DEFiRet;

	cfl_backoff_init(&rt->backoff, BACKOFF_BASE_MS, (int64_t)inst->maxBackoff * 1000);
	if ((rt->http = new_http(rt)) == NULL) {
		LogError(0, RS_RET_ERR, "%s: this input stays disabled", rt->label);
		ABORT_FINALIZE(RS_RET_ERR);
	}
	CHKiRet(new_source(rt));
	open_trace(rt);
	rt->hup_seen = hup_seen;
	rt->wake_ms = icf_mono_ms();
	cfl_rl_init(&rt->rl, inst->maxRequestsPerMinute, inst->requestBurst, rt->wake_ms);
	if (load_state(rt) != RS_RET_OK) {
		icf_health_failed(rt, CFL_FAIL_STATE);
		rt->phase = RT_PAUSED;
		rt->wake_ms += (int64_t)inst->pollingInterval * 1000;
		FINALIZE;
	}
	rt->phase = RT_WAIT;
finalize_it:
	RETiRet;
}

/* The input thread ends: the request in flight is abandoned (its chunk was
 * never committed, so the next start repeats it). */
void icf_rt_stop(icf_rt_t *rt, CURLM *multi)
{
	if (rt->phase == RT_IN_FLIGHT && multi != NULL)
		curl_multi_remove_handle(multi, icf_http_easy(rt->http));
	icf_http_free(rt->http);
	rt->http = NULL;
	cfl_source_free(rt->src);
	rt->src = NULL;
}

/* ---- emitting ------------------------------------------------------------- */

/* Hands one chunk to rsyslog, then commits and saves the state: the
 * cursor never gets ahead of what rsyslog has. */
static rsRetVal emit_chunk(icf_rt_t *rt)
{
	const cfl_event_t *evs;
	cfl_errbuf_t err;
	size_t n;
	DEFiRet;

	n = cfl_source_batch(rt->src, &evs);
	CHKiRet(icf_submit(rt, evs, n));
	if (cfl_source_commit(rt->src, &err) != CFL_OK) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "%s: %s", rt->label, err.msg);
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	save_state(rt);
	icf_counters_sync(rt);
	icf_health_update(rt);
finalize_it:
	RETiRet;
}

/* ---- the step ---------------------------------------------------------------- */

/* Sends the pending request once the rate limit allows; otherwise waits. */
static void send_pending(icf_rt_t *rt, CURLM *multi, int64_t now)
{
	CURL *easy;
	int64_t wait;
	int why = 0;

	if ((wait = cfl_rl_wait(&rt->rl, now, &why)) > 0) {
		if (why == 1)
			ICF_INC(rt, THROTTLED);
		DBGPRINTF("%s: rate limit: next request in %" PRId64 " ms (%s)\n", rt->label, wait,
		          why == 1 ? "maxRequestsPerMinute" : "server's advice");
		rt->wake_ms = now + wait;
		return;
	}
	DBGPRINTF("%s: GET %s\n", rt->label, rt->url);
	if ((easy = icf_http_start(rt->http, rt->url)) == NULL || curl_multi_add_handle(multi, easy) != CURLM_OK) {
		LogError(0, RS_RET_ERR, "%s: cannot start a request", rt->label);
		icf_health_failed(rt, CFL_FAIL_TRANSPORT);
		rt->wake_ms = now + cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
		return;
	}
	rt->pending = 0;
	cfl_rl_take(&rt->rl, now);
	ICF_INC(rt, REQUESTS);
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
			LogError(0, RS_RET_ERR, "%s: %s (logged once until a request succeeds)", rt->label, err.msg);
		icf_health_failed(rt, CFL_FAIL_URL);
		rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
		return;
	}
	rt->pending = 1;
	send_pending(rt, multi, now);
}

/* Runs the source until it needs the network or is done. */
void icf_rt_step(icf_rt_t *rt, CURLM *multi, int64_t now)
{
	instanceConf_t *inst = rt->inst;
	cfl_request_t req;

	if (rt->phase == RT_PAUSED) {
		rt->pending = 0; /* a request built by the source replaced here is void */
		if (new_source(rt) != RS_RET_OK || load_state(rt) != RS_RET_OK) {
			icf_health_failed(rt, CFL_FAIL_STATE);
			rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
			return;
		}
		rt->phase = RT_WAIT;
	}
	if (rt->pending) {
		send_pending(rt, multi, now);
		return;
	}
	cfl_source_begin(rt->src, icf_wall_ms());
	while (!icf_term_requested()) {
		switch (cfl_source_next(rt->src, &req)) {
		case CFL_SRC_FETCH: start_request(rt, multi, &req, now); return;
		case CFL_SRC_EMIT:
			if (emit_chunk(rt) != RS_RET_OK) {
				rt->wake_ms = now + cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
				return;
			}
			log_warnings(rt, now);
			icf_health_progress(rt, now);
			break;
		case CFL_SRC_IDLE:
			icf_health_idle(rt);
			rt->wake_ms = now + (int64_t)inst->pollingInterval * 1000;
			return;
		}
	}
}

/* ---- outcomes of a request ------------------------------------------------ */

/* A 400, 404 or 410 the source can recover from (the organization walk's
 * stale cursor): it drops what was rejected, the state is saved without
 * it, and the source goes on at once. Returns 1 if so. */
static int rejected(icf_rt_t *rt, const icf_http_result_t *r, int64_t now)
{
	char why[CFL_ERRBUF_LEN], ex[160];

	if (r->curl_rc != CURLE_OK || (r->status != 400 && r->status != 404 && r->status != 410) ||
	    !cfl_source_rejected(rt->src, icf_wall_ms(), why, sizeof(why)))
		return 0;
	cfl_excerpt(r->body, r->len, ex, sizeof(ex));
	LogMsg(0, NO_ERRCODE, LOG_WARNING, "%s: HTTP %ld (%s): %s", rt->label, r->status, ex, why);
	ICF_INC(rt, HTTP_4XX);
	save_state(rt);
	icf_counters_sync(rt);
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

	if (rejected(rt, r, now))
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
	rep.content_type = r->content_type;
	rep.proxy = r->proxy;
	oc.max_backoff_ms = (int64_t)inst->maxBackoff * 1000;
	oc.polling_interval_s = inst->pollingInterval;
	oc.flavor_name = cfl_flavor_name(inst->base.flavor);
	oc.max_body = ICF_MAX_BODY_BYTES;
	cfl_outcome_decide(&rep, &oc, &rt->backoff, (uint32_t)rand_r(&rt->rnd), icf_wall_ms(), &o);
	switch (o.fail) {
	case CFL_FAIL_AUTH:
	case CFL_FAIL_FORBIDDEN:
	case CFL_FAIL_CLIENT: ICF_INC(rt, HTTP_4XX); break;
	case CFL_FAIL_RATE: ICF_INC(rt, HTTP_429); break;
	case CFL_FAIL_SERVER: ICF_INC(rt, HTTP_5XX); break;
	case CFL_FAIL_TRANSPORT:
	case CFL_FAIL_TOO_BIG: ICF_INC(rt, CURL_ERRORS); break;
	default: break;
	}
	icf_health_failed(rt, o.fail);
	if (o.rate_wait) {
		ICF_INC(rt, RATELIMIT_WAITS);
	}
	if (o.retry) {
		ICF_INC(rt, RETRIES);
	}
	log = o.log_once ? cfl_damp_should_log_once(&rt->damp, (int)o.fail, now)
	                 : cfl_damp_should_log(&rt->damp, (int)o.fail, now);
	if (log && o.warning)
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "%s: %s", rt->label, o.msg);
	else if (log)
		LogError(0, RS_RET_ERR, "%s: %s", rt->label, o.msg);
	rt->wake_ms = now + o.delay_ms;
}

static void on_ok(icf_rt_t *rt, CURLM *multi, const icf_http_result_t *r, int64_t now)
{
	cfl_errbuf_t err;
	int64_t delay;

	if (cfl_source_feed(rt->src, r->body, r->len, &err) != CFL_OK) {
		ICF_INC(rt, PARSE_ERRORS);
		ICF_INC(rt, RETRIES);
		delay = cfl_backoff_next(&rt->backoff, (uint32_t)rand_r(&rt->rnd));
		if (cfl_damp_should_log(&rt->damp, CFL_FAIL_BODY, now))
			LogError(0, RS_RET_ERR, "%s: unusable reply to %s: %s. Retrying in %.1f s", rt->label, rt->url,
			         err.msg, (double)delay / 1000);
		icf_health_failed(rt, CFL_FAIL_BODY);
		rt->wake_ms = now + delay;
		return;
	}
	recovered(rt);
	log_warnings(rt, now);
	icf_counters_sync(rt);
	icf_health_progress(rt, now);
	rt->phase = RT_WAIT;
	icf_rt_step(rt, multi, now);
}

/* The server's rate-limit headers on any reply: the next request waits
 * what they advise (cfl_ratelimit). A 429's or 5xx's Retry-After is
 * on_failure's (cfl_outcome) and counted there. */
static void rate_advice(icf_rt_t *rt, const icf_http_result_t *r, int64_t now)
{
	cfl_rl_advice_t a;

	if (r->curl_rc != CURLE_OK)
		return;
	cfl_rl_advise(&r->rl, icf_wall_ms(), (int64_t)rt->inst->maxBackoff * 1000, &a);
	if (a.kind == CFL_RL_GO)
		return;
	cfl_rl_defer(&rt->rl, now, a.delay_ms);
	if (r->status == 429 || r->status >= 500)
		return;
	if (a.kind == CFL_RL_RETRY_AFTER) {
		ICF_INC(rt, RATELIMIT_WAITS);
	} else {
		ICF_INC(rt, NEAR_LIMIT);
	}
	if (rt->slow_logged_ms == 0 || now - rt->slow_logged_ms >= REPEAT_LOG_MS) {
		rt->slow_logged_ms = now;
		LogMsg(0, NO_ERRCODE, LOG_INFO,
		       "%s: the server asks to slow down (%s%s%s%s): next "
		       "request in %.1f s",
		       rt->label, a.kind == CFL_RL_RETRY_AFTER ? "Retry-After" : "near its rate limit",
		       a.remaining >= 0 ? ", remaining requests reported" : "", a.reason[0] ? ", reason " : "",
		       a.reason, (double)a.delay_ms / 1000);
	}
}

/* A 200 with an HTML page is a failure (cfl_outcome: CFL_FAIL_HTML). */
static int is_html(const icf_http_result_t *r)
{
	cfl_reply_t rep;

	memset(&rep, 0, sizeof(rep));
	rep.body = r->body;
	rep.len = r->len;
	rep.content_type = r->content_type;
	return cfl_reply_is_html(&rep);
}

/* A request of this input finished (the multi handle said so). */
void icf_rt_done(icf_rt_t *rt, CURLM *multi, CURLcode rc)
{
	icf_http_result_t r;
	int64_t now = icf_mono_ms();

	icf_http_finish(rt->http, rc, &r);
	rt->phase = RT_WAIT;
	if (r.stopped)
		return;
	DBGPRINTF("%s: HTTP %ld, %zu bytes, curl %d\n", rt->label, r.status, r.len, (int)rc);
	trace_request(rt, &r);
	rate_advice(rt, &r, now);
	if (rc == CURLE_OK && r.status == 200 && !is_html(&r))
		on_ok(rt, multi, &r, now);
	else
		on_failure(rt, &r, now);
}
