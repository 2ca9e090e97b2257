/* imconfluence: rsyslog input module polling the Confluence audit APIs.
 *
 * Skeleton from the foundation issue: it registers the module, accepts
 * input() instances and runs an input thread that idles until rsyslogd
 * shuts down. The polling logic lives in modules/common (plain C, unit
 * tested); this file only translates parameters, messages and counters.
 *
 * Concurrency: one input thread (runInput) owns all instance state.
 *
 * Copyright 2026 the rsyslog-confluence authors. Licensed under the
 * Apache License, Version 2.0.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "module-template.h"
#include "errmsg.h"
#include "glbl.h"
#include "srUtils.h"

MODULE_TYPE_INPUT;
MODULE_TYPE_NOKEEP;
MODULE_CNFNAME("imconfluence");

DEF_IMOD_STATIC_DATA;
DEFobjCurrIf(glbl)

typedef struct instanceConf_s {
	char *url;
	struct instanceConf_s *next;
} instanceConf_t;

struct modConfData_s {
	rsconf_t *pConf;
	instanceConf_t *root, *tail;
};
static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;

static struct cnfparamdescr inppdescr[] = {
	{ "url", eCmdHdlrString, CNFPARAM_REQUIRED },
};
static struct cnfparamblk inppblk = { CNFPARAMBLK_VERSION,
	sizeof(inppdescr) / sizeof(struct cnfparamdescr), inppdescr };

BEGINnewInpInst
	struct cnfparamvals *pvals;
	instanceConf_t *inst = NULL;
	int i;
CODESTARTnewInpInst;
	if((pvals = nvlstGetParams(lst, &inppblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKmalloc(inst = calloc(1, sizeof(*inst)));
	for(i = 0 ; i < inppblk.nParams ; ++i) {
		if(!pvals[i].bUsed)
			continue;
		if(!strcmp(inppblk.descr[i].name, "url"))
			inst->url = es_str2cstr(pvals[i].val.d.estr, NULL);
	}
	if(loadModConf->tail == NULL)
		loadModConf->root = inst;
	else
		loadModConf->tail->next = inst;
	loadModConf->tail = inst;
	inst = NULL;
finalize_it:
	free(inst);
	cnfparamvalsDestruct(pvals, &inppblk);
ENDnewInpInst

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
ENDcheckCnf

BEGINactivateCnf
CODESTARTactivateCnf;
	runModConf = pModConf;
ENDactivateCnf

BEGINfreeCnf
	instanceConf_t *inst, *del;
CODESTARTfreeCnf;
	for(inst = pModConf->root ; inst != NULL ; ) {
		del = inst;
		inst = inst->next;
		free(del->url);
		free(del);
	}
ENDfreeCnf

BEGINrunInput
CODESTARTrunInput;
	while(glbl.GetGlobalInputTermState() == 0)
		srSleep(0, 200000);
ENDrunInput

BEGINwillRun
CODESTARTwillRun;
ENDwillRun

BEGINafterRun
CODESTARTafterRun;
ENDafterRun

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature;
	if(eFeat == sFEATURENonCancelInputTermination)
		iRet = RS_RET_OK;
ENDisCompatibleWithFeature

BEGINmodExit
CODESTARTmodExit;
	objRelease(glbl, CORE_COMPONENT);
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt;
CODEqueryEtryPt_STD_IMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_STD_CONF2_IMOD_QUERIES
CODEqueryEtryPt_IsCompatibleWithFeature_IF_OMOD_QUERIES
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(glbl, CORE_COMPONENT));
ENDmodInit
