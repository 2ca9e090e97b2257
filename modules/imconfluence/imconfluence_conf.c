/* imconfluence_conf.c: parsing and checking one input() instance (glue;
 * see imconfluence_conf.h). Runs on rsyslogd's main thread while the
 * configuration loads; nothing here is shared with the input thread
 * before activation.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsyslog.h"
#include "conf.h"
#include "errmsg.h"
#include "cfl_rscompat.h"

#include "cfl_inputcfg.h"
#include "cfl_secret.h"
#include "imconfluence_conf.h"
#include "imconfluence_http.h"

void icf_cnf_log(const instanceConf_t *inst, int sev, rsRetVal code, const char *fmt, ...)
{
	char msg[2048], where[600] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (inst->cnfFile != NULL)
		snprintf(where, sizeof(where), "input() at %s:%d: ", inst->cnfFile, inst->cnfLine);
	/* one name per input: name= when set, else the url's host (none yet
	 * when the url itself is wrong) */
	const char *label = ICF_LOGNAME(inst);

	if (sev == LOG_ERR)
		LogError(0, code, "imconfluence%s%s%s: %s%s", label[0] ? "(" : "", label, label[0] ? ")" : "", where,
		         msg);
	else
		LogMsg(0, code, sev, "imconfluence%s%s%s: %s%s", label[0] ? "(" : "", label, label[0] ? ")" : "", where,
		       msg);
}

/* Reads a password or token file (cfl_secret). Never logs the content. */
rsRetVal icf_read_secret_file(instanceConf_t *inst, const char *param, const char *path, char **out,
                              const char *consequence)
{
	cfl_errbuf_t err;
	unsigned mode;
	cfl_rc_t rc;

	rc = cfl_secret_read(param, path, out, &mode, &err);
	if ((mode & 0077) != 0)
		icf_cnf_log(inst, LOG_WARNING, NO_ERRCODE,
		            "%s \"%s\" is readable by group or others (mode %03o); consider chmod 600", param, path,
		            mode);
	if (rc == CFL_OK)
		return RS_RET_OK;
	icf_cnf_log(inst, LOG_ERR, rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR, "%s; %s", err.msg,
	            consequence);
	return rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR;
}

/* the parameter table, in both forms: cfl_params[] and rsyslog's cfl_rs_blk */
#define CFL_PARAMS_STRUCT instanceConf_t
#define CFL_PARAMS_FILE "imconfluence_params.def"
#include "cfl_params_rsyslog.h"

void icf_inst_free(instanceConf_t *inst)
{
	cfl_secret_free(&inst->password);
	cfl_secret_free(&inst->token);
	cfl_params_free(cfl_params, CFL_NPARAMS, inst);
	free(inst->statePath);
	free(inst->stateUrl);
	free(inst->cnfFile);
	cfl_url_base_free(&inst->base);
	free(inst);
}

/* Cross-parameter checks; every message names the input by its url host.
 * bounds: the first out-of-bounds message of cfl_rs_params_store, or "". */
static rsRetVal icf_inst_check(instanceConf_t *inst, const char *bounds)
{
	cfl_inputcfg_t ic;
	cfl_flavor_t flavor;
	cfl_product_t product;
	cfl_errbuf_t err, info, warn;
	DEFiRet;

	if (!cfl_flavor_parse(inst->flavorName, &flavor)) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR,
		            "flavor \"%s\" is not one of auto, cloud, datacenter, "
		            "organization",
		            inst->flavorName);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((product = (cfl_product_t)cfl_product_parse(inst->productName)) == (cfl_product_t)-1) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR,
		            "product \"%s\" is not one of confluence, jira, bitbucket", inst->productName);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	strcpy(inst->productName, cfl_product_name(product)); /* as it is spelled in messages and file names */
	if (inst->url == NULL && flavor != CFL_FLAVOR_ORG) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR,
		            "url is required (only flavor=\"organization\" has a "
		            "default, %s)",
		            CFL_ORG_DEFAULT_URL);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (cfl_url_base_init(&inst->base, inst->url != NULL ? inst->url : CFL_ORG_DEFAULT_URL, flavor, &err) !=
	    CFL_OK) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR, "%s", err.msg);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	/* one Cloud site serves Confluence and Jira: the product picks the API */
	inst->base.flavor = cfl_flavor_for_product(inst->base.flavor, product);
	cfl_inputcfg_host(inst->base.host, inst->host, sizeof(inst->host));
	if (inst->maxRequestsPerMinute < 0) /* not set: the flavour's default */
		inst->maxRequestsPerMinute = flavor == CFL_FLAVOR_ORG ? CFL_ORG_DEFAULT_RPM : 0;
	if (cfl_inputcfg_state_url(inst->base.url, inst->base.flavor, inst->orgId, &inst->stateUrl) != CFL_OK) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_OUT_OF_MEMORY, "out of memory");
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	if (bounds[0] != '\0') {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR, "%s", bounds);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((inst->tlsMinVersion != NULL && icf_http_tls_version(inst->tlsMinVersion, 0) < 0) ||
	    (inst->tlsMaxVersion != NULL && icf_http_tls_version(inst->tlsMaxVersion, 1) < 0)) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR,
		            "tls.minVersion and tls.maxVersion take 1.0, 1.1, "
		            "1.2 or 1.3");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->tlsMinVersion != NULL && inst->tlsMaxVersion != NULL &&
	    strcmp(inst->tlsMinVersion, inst->tlsMaxVersion) > 0) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR, "tls.minVersion %s is above tls.maxVersion %s",
		            inst->tlsMinVersion, inst->tlsMaxVersion);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->myprivkey != NULL && inst->mycert == NULL) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR,
		            "tls.myprivkey needs tls.mycert, the client certificate the key belongs to");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (inst->name != NULL && inst->name[0] == '\0') {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR, "name must not be empty");
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	memset(&ic, 0, sizeof(ic));
	ic.username = inst->username != NULL;
	ic.password = inst->password != NULL;
	ic.password_file = inst->passwordFile != NULL;
	ic.token = inst->token != NULL;
	ic.token_file = inst->tokenFile != NULL;
	ic.org_id = inst->orgId;
	ic.flavor = inst->base.flavor;
	ic.product = product;
	ic.overlap = inst->overlap;
	ic.polling_interval = inst->pollingInterval;
	ic.page_size = inst->pageSize;
	if (cfl_inputcfg_check(&ic, &err, &info, &warn) != CFL_OK) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_PARAM_ERROR, "%s", err.msg);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (info.msg[0] != '\0')
		icf_cnf_log(inst, LOG_INFO, NO_ERRCODE, "%s", info.msg);
	if (warn.msg[0] != '\0')
		icf_cnf_log(inst, LOG_WARNING, NO_ERRCODE, "%s", warn.msg);
finalize_it:
	RETiRet;
}

rsRetVal icf_inst_new(struct nvlst *lst, instanceConf_t **pinst)
{
	struct cnfparamvals *pvals;
	instanceConf_t *inst = NULL;
	cfl_errbuf_t bounds = { CFL_OK, "" };
	const char *where;
	DEFiRet;

	if ((pvals = nvlstGetParams(lst, &cfl_rs_blk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKmalloc(inst = calloc(1, sizeof(*inst)));
	/* rsyslog's parser is at the end of this input() statement now */
	if ((where = CFL_CNF_FILE()) != NULL)
		CHKmalloc(inst->cnfFile = strdup(where));
	inst->cnfLine = CFL_CNF_LINE();
	if (cfl_params_defaults(cfl_params, CFL_NPARAMS, inst) != 0 ||
	    cfl_rs_params_store(cfl_params, &cfl_rs_blk, pvals, inst, &bounds) == CFL_ENOMEM) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_OUT_OF_MEMORY, "out of memory reading the input() parameters");
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	CHKiRet(icf_inst_check(inst, bounds.msg));
	*pinst = inst;
	inst = NULL;
finalize_it:
	if (inst != NULL)
		icf_inst_free(inst);
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &cfl_rs_blk);
	RETiRet;
}

/* The state file's path (cfl_inputcfg_state_path). */
rsRetVal icf_state_path(instanceConf_t *inst, const char *wd)
{
	cfl_errbuf_t err;
	cfl_rc_t rc;

	rc = cfl_inputcfg_state_path(inst->stateFile, wd, inst->host, inst->stateUrl,
	                             cfl_flavor_name(inst->base.flavor), inst->productName, &inst->statePath, &err);
	if (rc == CFL_OK)
		return RS_RET_OK;
	icf_cnf_log(inst, LOG_ERR, rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR, "%s", err.msg);
	return rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR;
}
