/* mmconfluence: rsyslog message modification module mapping one Confluence
 * audit event to ECS fields under $! (or a configured container).
 *
 * This file is glue only: it translates action parameters into the options
 * of the mapping core (modules/core/map/cfl_map.h), reads the source property,
 * hands its text to the core and attaches the resulting document. Every
 * mapping rule lives in the core, so confluence2ecs behaves identically.
 * The parameters are listed once, in mmconfluence_params.def; a test keeps
 * docs/mmconfluence.md's table in step with it.
 *
 * Concurrency & locking: the mapper in instanceData is shared by all
 * workers (cfl_map_event is reentrant) under a read lock; a HUP builds a new
 * mapper from the same parameters (re-reading the rulebase, the
 * categorization tables and the GeoIP databases, which geoipupdate replaces
 * in place) and swaps it in under the write lock, so a message is mapped
 * wholly with the old data or wholly with the new; if anything fails to load,
 * the old mapper stays. Counters are rsyslog's atomic STATSCOUNTERs. Nothing
 * else is shared, so worker instances hold only their pData.
 *
 * Copyright 2026 the rsyslog-confluence authors. Licensed under the
 * Apache License, Version 2.0.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <json.h>
#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "template.h"
#include "module-template.h"
#include "errmsg.h"
#include "msg.h"
#include "datetime.h"
#include "statsobj.h"
#include "unicode-helper.h"
#include "parserif.h"
#include "rsconf.h"
#include "cfl_rsversion.h"
#include "cfl_imfile.h"
#include "cfl_map.h"
#include "cfl_timeval.h"

MODULE_TYPE_OUTPUT;
MODULE_TYPE_NOKEEP;
MODULE_CNFNAME("mmconfluence");
DEF_OMOD_STATIC_DATA;
DEFobjCurrIf(datetime) DEFobjCurrIf(statsobj)
#ifndef CFL_PKGDATADIR
#define CFL_PKGDATADIR "/usr/share/rsyslog-confluence"
#endif

        /* the action's parameters as configured (mmconfluence_params.def) */
        typedef struct mmc_params {
	char *source;
	char *container;
	int preserveOriginal;
	char **tags; /* NULL-terminated */
	char *geoipCity;
	char *geoipAsn;
	char *ns;
	int setTimestamp;
	int eventId;
	char *rulebase;
	char *categories;
	char *orgCategories;
	char *product;
	int productDetect;
	char *jiraCategories;
	char *bitbucketCategories;
} mmc_params_t;

enum mmc_ctr_id {
#define MMC_COUNTER(id, name, meaning) MMC_C_##id,
#include "mmconfluence_counters.def"
#undef MMC_COUNTER
	MMC_NCTR
};
static const char *const ctr_names[MMC_NCTR] = {
#define MMC_COUNTER(id, name, meaning) [MMC_C_##id] = name,
#include "mmconfluence_counters.def"
#undef MMC_COUNTER
};
#define MMC_INC(pData, id) STATSCOUNTER_INC((pData)->ctr[MMC_C_##id].v, (pData)->ctr[MMC_C_##id].mut)

typedef struct _instanceData {
	cfl_mapper_t *mapper; /* under lock: read to map, written by HUP */
	pthread_rwlock_t lock;
	int lock_ready;
	mmc_params_t pm;     /* the parameters, kept for a HUP's reload */
	cfl_map_opts_t opts; /* built from pm */
	uchar *container;    /* "!" or "!sub!path" */
	int container_is_root;
	msgPropDescr_t *source; /* NULL: the message text */
	int set_timestamp;
	statsobj_t *stats;
	struct {
		STATSCOUNTER_DEF(v, mut)
	} ctr[MMC_NCTR]; /* mmconfluence_counters.def */
} instanceData;

typedef struct wrkrInstanceData {
	instanceData *pData;
} wrkrInstanceData_t;

struct modConfData_s {
	rsconf_t *pConf;
};
static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;

/* imfile's metadata (addMetadata="on"), consumed into log.file.path/log.offset */
static msgPropDescr_t meta_filename;
static msgPropDescr_t meta_offset;
static msgPropDescr_t meta_site;
static msgPropDescr_t meta_copy;    /* imconfluence: the n-th identical copy in a poll window */
static msgPropDescr_t meta_product; /* imconfluence: the product it polled */
static int n_instances;

/* the parameter table, in both forms: cfl_params[] and rsyslog's cfl_rs_blk */
#define CFL_PARAMS_STRUCT mmc_params_t
#define CFL_PARAMS_FILE "mmconfluence_params.def"
#include "cfl_params_rsyslog.h"

BEGINbeginCnfLoad
	CODESTARTbeginCnfLoad;
	loadModConf = pModConf;
	pModConf->pConf = pConf;
ENDbeginCnfLoad

BEGINendCnfLoad
	CODESTARTendCnfLoad;
ENDendCnfLoad

BEGINcheckCnf
	CODESTARTcheckCnf;
	/* The legacy directive is read by rsyslog's inputs, before any action:
	 * all this module can do is say so (tests/integration/repeated_msg_reduction.sh). */
	if (pModConf->pConf->globals.bReduceRepeatMsgs)
		LogMsg(0, RS_RET_OK_WARN, LOG_WARNING,
		       "mmconfluence: $RepeatedMsgReduction is on: rsyslog's imfile, imtcp and "
		       "imrelp inputs fold identical consecutive messages into one, and two "
		       "Confluence audit events can be identical -- set \"$RepeatedMsgReduction "
		       "off\" to keep every event (imconfluence is not affected)");
ENDcheckCnf

BEGINactivateCnf
	CODESTARTactivateCnf;
	runModConf = pModConf;
ENDactivateCnf

BEGINfreeCnf
	CODESTARTfreeCnf;
ENDfreeCnf

BEGINcreateInstance
	CODESTARTcreateInstance;
ENDcreateInstance

BEGINcreateWrkrInstance
	CODESTARTcreateWrkrInstance;
ENDcreateWrkrInstance

BEGINisCompatibleWithFeature
	CODESTARTisCompatibleWithFeature;
ENDisCompatibleWithFeature

BEGINfreeInstance
	CODESTARTfreeInstance;
	cfl_mapper_free(pData->mapper);
	if (pData->lock_ready)
		pthread_rwlock_destroy(&pData->lock);
	cfl_params_free(cfl_params, CFL_NPARAMS, &pData->pm);
	free(pData->container);
	if (pData->source != NULL) {
		msgPropDescrDestruct(pData->source);
		free(pData->source);
	}
	if (pData->stats != NULL)
		statsobj.Destruct(&pData->stats);
ENDfreeInstance

BEGINfreeWrkrInstance
	CODESTARTfreeWrkrInstance;
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
	CODESTARTdbgPrintInstInfo;
	DBGPRINTF("mmconfluence: container '%s'\n", pData->container);
ENDdbgPrintInstInfo

BEGINtryResume
	CODESTARTtryResume;
ENDtryResume

/* Reads an optional string property; *out is NULL when absent or empty. */
static uchar *get_prop(smsg_t *pMsg, msgPropDescr_t *prop, rs_size_t *len, unsigned short *must_free)
{
	uchar *val;

	*must_free = 0;
	val = MsgGetProp(pMsg, NULL, prop, len, must_free, NULL);
	if (val != NULL && *len == 0) {
		if (*must_free)
			free(val);
		*must_free = 0;
		val = NULL;
	}
	return val;
}

/* The event time becomes the message's own timestamp (timereported). The
 * glue writes tTIMESTAMP directly: rsyslog has no setter, and configure
 * pins the headers to the running daemon's exact version. */
static void set_msg_time(smsg_t *pMsg, int64_t ts_ms)
{
	struct timeval tv;

	cfl_ms_to_timeval(ts_ms, &tv);
	datetime.timeval2syslogTime(&tv, &pMsg->tTIMESTAMP, 1);
	pMsg->tTIMESTAMP.secfracPrecision = 3;
	pMsg->tTIMESTAMP.secfrac = (int)(tv.tv_usec / 1000);
}

/* When rsyslog received the message, in epoch ms: the pipeline_error
 * document's @timestamp (contract section 6). */
static int64_t received_ms(smsg_t *pMsg)
{
	const struct syslogTime *t = &pMsg->tRcvdAt;
	int64_t ms = (int64_t)datetime.syslogTime2time_t(t) * 1000;
	int64_t frac = t->secfrac;
	int prec = t->secfracPrecision;

	while (prec > 3) {
		frac /= 10;
		prec--;
	}
	while (prec < 3) {
		frac *= 10;
		prec++;
	}
	return ms + frac;
}

/* $!metadata!copy: a positive decimal integer (imconfluence sets it only
 * when > 0); anything else counts as 0, the first copy. */
static int parse_copy(const char *s)
{
	long n = 0;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > 1000000000L)
			return 0;
	}
	return *s == '\0' ? (int)n : 0;
}

/* Replaces the container's content by doc (stolen). At the root, $! then
 * holds the ECS document only; elsewhere only imfile's metadata goes. */
static rsRetVal attach_doc(instanceData *pData, smsg_t *pMsg, struct json_object *doc, int had_meta)
{
	DEFiRet;

	if (pData->container_is_root) {
		msgDelJSON(pMsg, (uchar *)"!");
		CHKiRet(msgAddJSON(pMsg, (uchar *)"!", doc, 0, 0));
	} else {
		if (had_meta)
			msgDelJSON(pMsg, (uchar *)"!metadata");
		CHKiRet(msgAddJSON(pMsg, pData->container, doc, 1, 0));
	}
finalize_it:
	RETiRet;
}

BEGINdoAction_NoStrings
	smsg_t **ppMsg = (smsg_t **)pMsgData;
	smsg_t *pMsg = ppMsg[0];
	instanceData *pData;
	cfl_map_input_t in;
	cfl_map_result_t res;
	cfl_map_status_t st;
	uchar *text = NULL, *fname = NULL, *foffs = NULL, *iname = NULL, *site = NULL, *copy = NULL;
	uchar *product = NULL;
	unsigned short free_text = 0, free_fname = 0, free_foffs = 0, free_site = 0, free_copy = 0;
	unsigned short free_product = 0;
	rs_size_t len = 0, lfname = 0, lfoffs = 0, lsite = 0, lcopy = 0, lproduct = 0;
	int liname = 0;
	int64_t offset;
	CODESTARTdoAction;
	pData = pWrkrData->pData;
	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	if (pData->source == NULL) {
		text = getMSG(pMsg);
		len = getMSGLen(pMsg);
	} else {
		text = MsgGetProp(pMsg, NULL, pData->source, &len, &free_text, NULL);
	}
	in.text = (const char *)(text == NULL ? (uchar *)"" : text);
	in.len = text == NULL ? 0 : (size_t)len;
	getInputName(pMsg, &iname, &liname);
	in.input_type = (iname != NULL && liname > 0) ? (const char *)iname : NULL;
	fname = get_prop(pMsg, &meta_filename, &lfname, &free_fname);
	foffs = get_prop(pMsg, &meta_offset, &lfoffs, &free_foffs);
	in.file_path = (const char *)fname;
	site = get_prop(pMsg, &meta_site, &lsite, &free_site);
	in.site = (const char *)site;
	if (cfl_imfile_offset((const char *)foffs, &offset)) {
		in.file_offset = offset;
		in.has_offset = 1;
	}
	in.received_ms = received_ms(pMsg);
	in.has_received = 1;
	copy = get_prop(pMsg, &meta_copy, &lcopy, &free_copy);
	in.copy = parse_copy((const char *)copy);
	product = get_prop(pMsg, &meta_product, &lproduct, &free_product);
	in.product = (const char *)product;

	pthread_rwlock_rdlock(&pData->lock);
	st = cfl_map_event(pData->mapper, &in, &res);
	pthread_rwlock_unlock(&pData->lock);
	if (st == CFL_MAP_EMPTY) {
		MMC_INC(pData, EMPTY);
		MsgSetParseSuccess(pMsg, 0);
		FINALIZE;
	}
	if (res.product_mismatch)
		MMC_INC(pData, MISMATCH);
	if (res.doc == NULL) {
		/* the core could not even build an error document (out of memory) */
		MMC_INC(pData, FAILED);
		MsgSetParseSuccess(pMsg, 0);
		FINALIZE;
	}
	if (st == CFL_MAP_OK && pData->set_timestamp && res.has_ts)
		set_msg_time(pMsg, res.ts_ms);
	iRet = attach_doc(pData, pMsg, res.doc,
	                  fname != NULL || foffs != NULL || site != NULL || copy != NULL || product != NULL);
	res.doc = NULL;
	if (iRet != RS_RET_OK) {
		LogError(0, iRet, "mmconfluence: could not attach the ECS document at '$%s'", pData->container);
		iRet = RS_RET_OK; /* an mm module never suspends: mark and go on */
		st = CFL_MAP_ERROR;
	}
	if (st == CFL_MAP_OK) {
		MMC_INC(pData, MAPPED);
	} else {
		MMC_INC(pData, FAILED);
	}
	MsgSetParseSuccess(pMsg, st == CFL_MAP_OK);
finalize_it:
	if (free_text)
		free(text);
	if (free_fname)
		free(fname);
	if (free_foffs)
		free(foffs);
	if (free_site)
		free(site);
	if (free_copy)
		free(copy);
	if (free_product)
		free(product);
ENDdoAction

/* "$!x!y", "!x!y" or "$!" -> "!x!y" / "!"; NULL when it is not under $! */
static const char *normalize_container(const char *name)
{
	if (name[0] == '$')
		name++;
	return name[0] == '!' ? name : NULL;
}

static rsRetVal set_source(instanceData *pData, const char *name)
{
	DEFiRet;

	if (!strcasecmp(name, "msg") || !strcmp(name, "$msg"))
		FINALIZE;
	if (name[0] != '$' || (name[1] != '!' && name[1] != '.' && name[1] != '/')) {
		parser_errmsg("mmconfluence: source '%s' is neither \"msg\" nor a "
		              "\"$!...\", \"$....\" or \"$/...\" variable",
		              name);
		ABORT_FINALIZE(RS_RET_INVALID_VAR);
	}
	CHKmalloc(pData->source = calloc(1, sizeof(msgPropDescr_t)));
	CHKiRet(msgPropDescrFill(pData->source, (uchar *)name, strlen(name)));
finalize_it:
	RETiRet;
}

static rsRetVal setup_stats(instanceData *pData)
{
	char name[64];
	size_t i;
	DEFiRet;

	n_instances++;
	if (n_instances == 1)
		snprintf(name, sizeof(name), "mmconfluence");
	else
		snprintf(name, sizeof(name), "mmconfluence-%d", n_instances);
	CHKiRet(statsobj.Construct(&pData->stats));
	CHKiRet(statsobj.SetName(pData->stats, (uchar *)name));
	CHKiRet(statsobj.SetOrigin(pData->stats, UCHAR_CONSTANT("mmconfluence")));
	for (i = 0; i < MMC_NCTR; i++) {
		STATSCOUNTER_INIT(pData->ctr[i].v, pData->ctr[i].mut);
		CHKiRet(statsobj.AddCounter(pData->stats, (const uchar *)ctr_names[i], ctrType_IntCtr,
		                            CTR_FLAG_RESETTABLE, &pData->ctr[i].v));
	}
	CHKiRet(statsobj.ConstructFinalize(pData->stats));
finalize_it:
	RETiRet;
}

BEGINnewActInst
	struct cnfparamvals *pvals;
	cfl_map_opts_t opts;
	mmc_params_t pm;
	const char *container;
	cfl_errbuf_t err = { CFL_OK, "" };
	size_t ntags = 0;
	CODESTARTnewActInst;
	memset(&pm, 0, sizeof(pm));
	if ((pvals = nvlstGetParams(lst, &cfl_rs_blk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CODE_STD_STRING_REQUESTnewActInst(1);
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, NULL, OMSR_TPL_AS_MSG));
	CHKiRet(createInstance(&pData));
	if (cfl_params_defaults(cfl_params, CFL_NPARAMS, &pm) != 0 ||
	    cfl_rs_params_store(cfl_params, &cfl_rs_blk, pvals, &pm, &err) != CFL_OK) {
		parser_errmsg("mmconfluence: %s", err.msg[0] ? err.msg : "out of memory reading the parameters");
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}

	if ((container = normalize_container(pm.container)) == NULL) {
		parser_errmsg("mmconfluence: container '%s' must be under $! (e.g. \"$!\" "
		              "or \"$!ecs\")",
		              pm.container);
		ABORT_FINALIZE(RS_RET_INVALID_VAR);
	}
	CHKmalloc(pData->container = (uchar *)strdup(container));
	pData->container_is_root = !strcmp((char *)pData->container, "!");
	CHKiRet(set_source(pData, pm.source));
	pData->set_timestamp = pm.setTimestamp;

	CHKiConcCtrl(pthread_rwlock_init(&pData->lock, NULL));
	pData->lock_ready = 1;
	memset(&opts, 0, sizeof(opts));
	opts.preserve_original = pm.preserveOriginal;
	opts.event_id = pm.eventId;
	opts.rulebase = pm.rulebase;
	opts.categories = pm.categories;
	opts.org_categories = pm.orgCategories;
	opts.geoip_city = pm.geoipCity;
	opts.geoip_asn = pm.geoipAsn;
	opts.ns = pm.ns;
	opts.product = pm.product;
	opts.product_detect = pm.productDetect;
	opts.jira_categories = pm.jiraCategories;
	opts.bitbucket_categories = pm.bitbucketCategories;
	while (pm.tags != NULL && pm.tags[ntags] != NULL)
		ntags++;
	opts.tags = (const char *const *)pm.tags;
	opts.ntags = ntags;
	err.msg[0] = '\0';
	if (cfl_mapper_new(&opts, &pData->mapper, &err) != CFL_OK) {
		parser_errmsg("mmconfluence: %s", err.msg[0] ? err.msg : "cannot set up the mapping");
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	CHKiRet(setup_stats(pData));
	/* kept for HUP: opts points into the strings of pm */
	pData->pm = pm;
	pData->opts = opts;
	memset(&pm, 0, sizeof(pm));
	/* rsyslog's statement macros without a semicolon, from here to ENDdoHUP,
	 * throw clang-format off: this part stays as written */
	/* clang-format off */
CODE_STD_FINALIZERnewActInst
	cfl_params_free(cfl_params, CFL_NPARAMS, &pm);
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &cfl_rs_blk);
ENDnewActInst

NO_LEGACY_CONF_parseSelectorAct

/* HUP: the rulebase, categorization tables and GeoIP databases are read
 * again (geoipupdate replaces the databases weekly; operators edit the
 * tables). All or nothing: a file that no longer loads keeps the old data. */
BEGINdoHUP
	cfl_mapper_t *fresh = NULL, *old;
	cfl_errbuf_t err = { CFL_OK, "" };
CODESTARTdoHUP;
	if (cfl_mapper_new(&pData->opts, &fresh, &err) != CFL_OK) {
		LogError(0, RS_RET_CONFIG_ERROR,
		         "mmconfluence: HUP: %s; the rulebase, categories and GeoIP "
		         "databases loaded before stay in use",
		         err.msg[0] ? err.msg : "cannot set up the mapping");
		FINALIZE;
	}
	pthread_rwlock_wrlock(&pData->lock);
	old = pData->mapper;
	pData->mapper = fresh;
	pthread_rwlock_unlock(&pData->lock);
	cfl_mapper_free(old);
	LogMsg(0, RS_RET_OK, LOG_INFO, "mmconfluence: HUP: rulebase, categories%s re-read",
	       (pData->opts.geoip_city != NULL && *pData->opts.geoip_city) ||
	                       (pData->opts.geoip_asn != NULL && *pData->opts.geoip_asn)
	               ? " and GeoIP databases"
	               : "");
finalize_it:
ENDdoHUP
/* clang-format on */

BEGINmodExit
	CODESTARTmodExit;
	msgPropDescrDestruct(&meta_filename);
	msgPropDescrDestruct(&meta_offset);
	msgPropDescrDestruct(&meta_site);
	msgPropDescrDestruct(&meta_copy);
	msgPropDescrDestruct(&meta_product);
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(datetime, CORE_COMPONENT);
ENDmodExit

BEGINqueryEtryPt
	CODESTARTqueryEtryPt;
	CODEqueryEtryPt_STD_OMOD_QUERIES CODEqueryEtryPt_STD_OMOD8_QUERIES CODEqueryEtryPt_STD_CONF2_OMOD_QUERIES
	        CODEqueryEtryPt_STD_CONF2_QUERIES CODEqueryEtryPt_doHUP
ENDqueryEtryPt

BEGINmodInit()
	CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
	CHKiRet(cfl_check_rsyslog_version("mmconfluence"));
	CODEmodInit_QueryRegCFSLineHdlr CHKiRet(objUse(datetime, CORE_COMPONENT));
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	CHKiRet(msgPropDescrFill(&meta_filename, (uchar *)"$!metadata!filename", sizeof("$!metadata!filename") - 1));
	CHKiRet(msgPropDescrFill(&meta_offset, (uchar *)"$!metadata!fileoffset", sizeof("$!metadata!fileoffset") - 1));
	CHKiRet(msgPropDescrFill(&meta_site, (uchar *)"$!metadata!site", sizeof("$!metadata!site") - 1));
	CHKiRet(msgPropDescrFill(&meta_copy, (uchar *)"$!metadata!copy", sizeof("$!metadata!copy") - 1));
	CHKiRet(msgPropDescrFill(&meta_product, (uchar *)"$!metadata!product", sizeof("$!metadata!product") - 1));
	DBGPRINTF("mmconfluence (rsyslog-confluence %s): built against rsyslog %s\n", CFL_PACKAGE_VERSION, VERSION);
ENDmodInit
