/* imconfluence: rsyslog input module polling the Confluence Cloud and Data
 * Center audit APIs and the Atlassian organization audit log, with no loss
 * and no duplicates (docs/imconfluence.md).
 *
 * Glue only. This file holds the module's entry points (configuration,
 * activation, the input thread's loop, HUP); imconfluence_driver.c runs
 * each input against its source (paging, windows, dedup and the state
 * file are the plain-C core in modules/core/poll, behind cfl_source.h);
 * imconfluence_msg.c turns events into messages; imconfluence_counters.c
 * keeps the impstats counters of imconfluence_counters.def. Parameters are
 * listed in imconfluence_params.def and read in imconfluence_conf.c, the
 * HTTP handle is imconfluence_http.c.
 *
 * Concurrency: one input thread (runInput) runs every input() instance.
 * Requests of all instances run concurrently on one curl multi handle,
 * which the thread polls in slices of at most 100 ms; everything else
 * (parsing, submitting, writing state files) happens on that thread, so
 * instance runtime state needs no locks. The configuration is read-only
 * once activated, except the password and token, which the input thread
 * re-reads after a HUP (only it reads them then), and secretWait, which
 * only it clears. Counters are written by
 * that thread and read by impstats (statsobj's atomic helpers). Every
 * wait - a request, a backoff, the polling interval - notices rsyslogd's
 * shutdown within about 100 ms, so the thread ends well inside
 * inputs.timeout.shutdown.
 *
 * Copyright 2026 the rsyslog-confluence authors. Licensed under the
 * Apache License, Version 2.0.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "cfl_rscompat.h"
#include "cfl_rsversion.h"

#include "imconfluence_conf.h"
#include "imconfluence_http.h"
#include "imconfluence_rt.h"

MODULE_TYPE_INPUT;
MODULE_TYPE_NOKEEP;
MODULE_CNFNAME("imconfluence");

DEF_IMOD_STATIC_DATA;
/* not DEFobjCurrIf (static): the driver and the counters use them too
 * (imconfluence_rt.h); only modInit leaves the .so, so they stay ours */
glbl_if_t glbl = { .ifVersion = glblCURR_IF_VERSION, .ifIsLoaded = 0 };
prop_if_t prop = { .ifVersion = propCURR_IF_VERSION, .ifIsLoaded = 0 };
ruleset_if_t ruleset = { .ifVersion = rulesetCURR_IF_VERSION, .ifIsLoaded = 0 };
datetime_if_t datetime = { .ifVersion = datetimeCURR_IF_VERSION, .ifIsLoaded = 0 };
statsobj_if_t statsobj = { .ifVersion = statsobjCURR_IF_VERSION, .ifIsLoaded = 0 };

#define LOOP_SLICE_MS 100 /* the longest the input thread blocks */
/* what a secret file still unreadable after a HUP means */
#define SECRET_STILL "this input still waits for it (the next HUP reads it again)"

struct modConfData_s {
	rsconf_t *pConf;
	instanceConf_t *root, *tail;
};
static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;
prop_t *icf_module_input_name = NULL;
static int hup_seq = 0; /* bumped by doHUP (main thread); read by the input thread */

#include "im-helper.h" /* needs instanceConf_t, modConfData_t and the ruleset interface */

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
	icf_cnf_log(inst, LOG_ERR, NO_ERRCODE, "ruleset '%s' not found - using default ruleset instead",
	            inst->pszBindRuleset);
}

BEGINcheckCnf
	instanceConf_t *inst, *other;
	CODESTARTcheckCnf;
	for (inst = pModConf->root; inst != NULL; inst = inst->next) {
		std_checkRuleset(pModConf, inst);
		for (other = pModConf->root; inst->name != NULL && other != inst; other = other->next) {
			if (other->name != NULL && strcmp(other->name, inst->name) == 0) {
				icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR,
				            "two inputs are named \"%s\"; names must be unique (they name the impstats "
				            "counters)",
				            inst->name);
				ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
			}
		}
		CHKiRet(icf_state_path(inst, (const char *)CFL_GLBL_WORKDIR(pModConf->pConf)));
		for (other = pModConf->root; other != inst; other = other->next) {
			if (strcmp(other->statePath, inst->statePath) == 0) {
				icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR,
				            "two inputs use the same state file %s; give each its own stateFile",
				            inst->statePath);
				ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
			}
		}
		icf_preflight(inst, pModConf->pConf->globals.uidDropPriv, pModConf->pConf->globals.gidDropPriv);
	}
finalize_it:
ENDcheckCnf

/* ---- runtime set-up (activation, main thread) -------------------------- */

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

/* Before rsyslogd drops privileges. */
BEGINactivateCnfPrePrivDrop
	instanceConf_t *inst;
	CODESTARTactivateCnfPrePrivDrop;
	runModConf = pModConf;
	for (inst = pModConf->root; inst != NULL; inst = inst->next) {
		char name[300];

		stats_name(inst, name, sizeof(name));
		if (icf_rt_new(inst, name) != RS_RET_OK) {
			LogError(0, RS_RET_ERR, "imconfluence(%s): cannot set up this input; it stays disabled",
			         ICF_LOGNAME(inst));
			if (inst->rt != NULL)
				inst->rt->phase = RT_DISABLED;
			continue;
		}
		/* the secret files were read by checkCnf (icf_preflight) */
		if (inst->secretWait)
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
		icf_rt_free(del->rt);
		icf_inst_free(del);
	}
ENDfreeCnf

/* ---- the input thread ------------------------------------------------------ */

static icf_rt_t *rt_of_easy(CURL *easy)
{
	instanceConf_t *inst;

	for (inst = runModConf->root; inst != NULL; inst = inst->next)
		if (inst->rt != NULL && inst->rt->http != NULL && icf_http_easy(inst->rt->http) == easy)
			return inst->rt;
	return NULL;
}

/* After a HUP, an input whose secret file could not be read at start
 * reads it again, and starts polling once it can (icf_preflight logged
 * why it waits; a file still missing is logged again). */
static void secret_retry(instanceConf_t *inst, int seq)
{
	icf_rt_t *rt = inst->rt;
	int ok;

	rt->hup_seen = seq;
	ok = (inst->passwordFile == NULL || icf_read_secret_file(inst, "passwordFile", inst->passwordFile,
	                                                         &inst->password, SECRET_STILL) == RS_RET_OK) &&
	     (inst->tokenFile == NULL ||
	      icf_read_secret_file(inst, "tokenFile", inst->tokenFile, &inst->token, SECRET_STILL) == RS_RET_OK);
	if (!ok)
		return;
	inst->secretWait = 0;
	LogMsg(0, NO_ERRCODE, LOG_INFO, "%s: HUP: %s read; this input starts polling", rt->label,
	       inst->tokenFile != NULL ? "tokenFile" : "passwordFile");
	if (icf_rt_start(rt, seq) != RS_RET_OK)
		rt->phase = RT_DISABLED;
}

/* Starts due instances; returns how long the thread may block (ms). */
static int run_due(CURLM *multi)
{
	instanceConf_t *inst;
	int64_t now = icf_mono_ms(), wait = LOOP_SLICE_MS;

	for (inst = runModConf->root; inst != NULL && !icf_term_requested(); inst = inst->next) {
		icf_rt_t *rt = inst->rt;
		int seq = __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST);

		if (rt != NULL && rt->phase == RT_DISABLED && inst->secretWait && rt->hup_seen != seq)
			secret_retry(inst, seq);
		if (rt == NULL || (rt->phase != RT_WAIT && rt->phase != RT_PAUSED))
			continue;
		if (rt->hup_seen != __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST))
			icf_rt_hup(rt, __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST));
		if (now >= rt->wake_ms)
			icf_rt_step(rt, multi, now);
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
			icf_rt_done(rt, multi, m->data.result);
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
		if (inst->rt != NULL && inst->rt->phase == RT_WAIT &&
		    icf_rt_start(inst->rt, __atomic_load_n(&hup_seq, __ATOMIC_SEQ_CST)) != RS_RET_OK)
			inst->rt->phase = RT_DISABLED;
	while (!icf_term_requested()) {
		wait = run_due(multi);
		curl_multi_poll(multi, NULL, 0, wait, NULL);
		curl_multi_perform(multi, &running);
		collect_done(multi);
	}
	DBGPRINTF("imconfluence: input thread stops\n");
finalize_it:
	for (inst = runModConf->root; inst != NULL; inst = inst->next) {
		icf_rt_t *rt = inst->rt;
		if (rt != NULL)
			icf_rt_stop(rt, multi);
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
ENDrunInput

BEGINwillRun
	CODESTARTwillRun;
	if (runModConf->root == NULL)
		ABORT_FINALIZE(RS_RET_NO_RUN);
	CHKiRet(prop.Construct(&icf_module_input_name));
	CHKiRet(prop.SetString(icf_module_input_name, UCHAR_CONSTANT("imconfluence"), sizeof("imconfluence") - 1));
	CHKiRet(prop.ConstructFinalize(icf_module_input_name));
finalize_it:
ENDwillRun

BEGINafterRun
	CODESTARTafterRun;
	if (icf_module_input_name != NULL)
		prop.Destruct(&icf_module_input_name);
ENDafterRun

/* SIGHUP, on rsyslogd's main thread: only noted here; each input acts on
 * it between two requests (icf_rt_hup). */
static rsRetVal doHUP(void *pData __attribute__((unused)))
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

/* a list of statement macros, one per line: clang-format 11 to 19 do not
 * break it alike */
/* clang-format off */
BEGINqueryEtryPt
	CODESTARTqueryEtryPt;
	CODEqueryEtryPt_STD_IMOD_QUERIES
	CODEqueryEtryPt_STD_CONF2_QUERIES
	CODEqueryEtryPt_STD_CONF2_PREPRIVDROP_QUERIES
	CODEqueryEtryPt_STD_CONF2_IMOD_QUERIES
	CODEqueryEtryPt_IsCompatibleWithFeature_IF_OMOD_QUERIES
	CODEqueryEtryPt_doHUP
ENDqueryEtryPt
/* clang-format on */

BEGINmodInit()
	CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
	CHKiRet(cfl_check_rsyslog_version("imconfluence"));
	CODEmodInit_QueryRegCFSLineHdlr CHKiRet(objUse(glbl, CORE_COMPONENT));
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
