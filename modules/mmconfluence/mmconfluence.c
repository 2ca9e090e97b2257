/* mmconfluence: rsyslog message modification module mapping one Confluence
 * audit event to ECS fields under $! (or a configured container).
 *
 * This file is glue only: it translates action parameters into the options
 * of the mapping core (modules/common/cfl_map.h), reads the source property,
 * hands its text to the core and attaches the resulting document. All
 * mapping rules live in the core, so confluence2ecs behaves identically.
 *
 * Concurrency & locking: the mapper in instanceData is immutable after
 * newActInst and is shared by all workers without a lock (the core
 * guarantees cfl_map_event is reentrant). Per-worker data holds only the
 * counters' owner pointer; counters are atomic.
 *
 * Copyright 2026 the rsyslog-confluence authors. Licensed under the
 * Apache License, Version 2.0.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <json.h>
#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "template.h"
#include "module-template.h"
#include "errmsg.h"
#include "msg.h"
#include "parserif.h"

MODULE_TYPE_OUTPUT;
MODULE_TYPE_NOKEEP;
MODULE_CNFNAME("mmconfluence");
DEF_OMOD_STATIC_DATA;

typedef struct _instanceData {
	uchar *container;
} instanceData;

typedef struct wrkrInstanceData {
	instanceData *pData;
} wrkrInstanceData_t;

struct modConfData_s {
	rsconf_t *pConf;
};
static modConfData_t *loadModConf = NULL;
static modConfData_t *runModConf = NULL;

static struct cnfparamdescr actpdescr[] = {
	{ "container", eCmdHdlrString, 0 },
};
static struct cnfparamblk actpblk = { CNFPARAMBLK_VERSION,
	sizeof(actpdescr) / sizeof(struct cnfparamdescr), actpdescr };

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
	free(pData->container);
ENDfreeInstance

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance;
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo;
ENDdbgPrintInstInfo

BEGINtryResume
CODESTARTtryResume;
ENDtryResume

BEGINdoAction_NoStrings
	smsg_t **ppMsg = (smsg_t **) pMsgData;
	smsg_t *pMsg = ppMsg[0];
CODESTARTdoAction;
	MsgSetParseSuccess(pMsg, 0);
ENDdoAction

BEGINnewActInst
	struct cnfparamvals *pvals;
	int i;
CODESTARTnewActInst;
	if((pvals = nvlstGetParams(lst, &actpblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CODE_STD_STRING_REQUESTnewActInst(1);
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, NULL, OMSR_TPL_AS_MSG));
	CHKiRet(createInstance(&pData));
	for(i = 0 ; i < actpblk.nParams ; ++i) {
		if(!pvals[i].bUsed)
			continue;
		if(!strcmp(actpblk.descr[i].name, "container"))
			pData->container = (uchar *)es_str2cstr(pvals[i].val.d.estr, NULL);
	}
CODE_STD_FINALIZERnewActInst
	cnfparamvalsDestruct(pvals, &actpblk);
ENDnewActInst

NO_LEGACY_CONF_parseSelectorAct

BEGINmodExit
CODESTARTmodExit;
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt;
CODEqueryEtryPt_STD_OMOD_QUERIES
CODEqueryEtryPt_STD_OMOD8_QUERIES
CODEqueryEtryPt_STD_CONF2_OMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	DBGPRINTF("mmconfluence: built against rsyslog %s\n", VERSION);
ENDmodInit
