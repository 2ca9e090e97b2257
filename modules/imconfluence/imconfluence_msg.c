/* imconfluence_msg.c: a source's events as rsyslog messages: properties,
 * timestamps, $!metadata, and the multi-submit batch. Kept apart from the
 * driver, which decides when a chunk goes out and what follows it.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "rsyslog.h"
#include "conf.h"
#include "syslogd-types.h"
#include "srUtils.h"
#include "errmsg.h"
#include "glbl.h"
#include "msg.h"
#include "prop.h"
#include "ruleset.h"
#include "datetime.h"
#include "statsobj.h"
#include "dirty.h"
#include "cfl_rscompat.h"

#include "cfl_timeval.h"
#include "imconfluence_conf.h"
#include "imconfluence_rt.h"

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

static rsRetVal submit_event(icf_rt_t *rt, multi_submit_t *ms, const cfl_event_t *ev)
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
	MsgSetInputName(pMsg, rt->pInputName != NULL ? rt->pInputName : icf_module_input_name);
	MsgSetRawMsg(pMsg, ev->json, ev->len);
	MsgSetMSGoffs(pMsg, 0);
	MsgSetHOSTNAME(pMsg, (const uchar *)inst->host, (int)strlen(inst->host));
	MsgSetRcvFrom(pMsg, rt->pRcvFrom);
	MsgSetTAG(pMsg, (const uchar *)inst->tag, strlen(inst->tag));
	msgSetPRI(pMsg, inst->iFacility | inst->iSeverity);
	MsgSetRuleset(pMsg, inst->pBindRuleset);
	/* which site: a Cloud event does not say (mmconfluence: service.address);
	 * which product: a Data Center event does not say either */
	if (inst->addMetadata) {
		struct json_object *p;
		CHKiRet(msgAddMetadata(pMsg, (uchar *)"site", (uchar *)rt->site));
		if ((p = json_object_new_string(inst->productName)) == NULL)
			ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
		/* the leaf itself: a second msgAddMetadata would merge into the
		 * existing !metadata, which lands at $! in rsyslog 8.2302 */
		CHKiRet(msgAddJSON(pMsg, (uchar *)"!metadata!product", p, 0, 0));
	}
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

/* Submits the chunk. On a failure what was batched is still flushed;
 * the caller does not commit, so the chunk is handed over again. */
rsRetVal icf_submit(icf_rt_t *rt, const cfl_event_t *evs, size_t n)
{
	smsg_t *msgs[CONF_NUM_MULTISUB];
	multi_submit_t ms;
	size_t i;
	DEFiRet;

	ms.ppMsgs = msgs;
	ms.maxElem = CONF_NUM_MULTISUB;
	ms.nElem = 0;
	for (i = 0; i < n; i++)
		CHKiRet(submit_event(rt, &ms, &evs[i]));
	CHKiRet(multiSubmitFlush(&ms));
finalize_it:
	if (iRet != RS_RET_OK && ms.nElem > 0)
		multiSubmitFlush(&ms);
	RETiRet;
}
