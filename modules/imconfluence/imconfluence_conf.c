/* imconfluence_conf.c: parsing and checking one input() instance (glue;
 * see imconfluence_conf.h). Runs on rsyslogd's main thread while the
 * configuration loads; nothing here is shared with the input thread
 * before activation.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rsyslog.h"
#include "conf.h"
#include "errmsg.h"

#include "cfl_dedup.h"
#include "cfl_secret.h"
#include "imconfluence_conf.h"
#include "cfl_params_rsyslog.h"

/* Reads a password or token file (cfl_secret). Never logs the content. */
rsRetVal icf_read_secret_file(instanceConf_t *inst, const char *param, const char *path, char **out)
{
	cfl_errbuf_t err;
	unsigned mode;
	cfl_rc_t rc;

	rc = cfl_secret_read(param, path, out, &mode, &err);
	if ((mode & 0077) != 0)
		LogMsg(0, NO_ERRCODE, LOG_WARNING,
		       "imconfluence(%s): %s \"%s\" is readable by group or others (mode %03o); consider chmod 600",
		       inst->host, param, path, mode);
	if (rc == CFL_OK)
		return RS_RET_OK;
	LogError(0, rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR,
	         "imconfluence(%s): %s; this input stays disabled", inst->host, err.msg);
	return rc == CFL_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR;
}

/* the parameter table (imconfluence_params.def) in both forms */
#define CFL_PARAM(...) CFL_PARAM_ROW(instanceConf_t, __VA_ARGS__)
static const cfl_param_t params[] = {
#include "imconfluence_params.def"
};
#undef CFL_PARAM
#define CFL_PARAM(...) CFL_PARAM_RS_ROW(__VA_ARGS__)
static struct cnfparamdescr inppdescr[] = {
#include "imconfluence_params.def"
};
#undef CFL_PARAM
static struct cnfparamblk inppblk = { CNFPARAMBLK_VERSION, sizeof(inppdescr) / sizeof(inppdescr[0]), inppdescr };

#define NPARAMS (sizeof(params) / sizeof(params[0]))

void icf_inst_free(instanceConf_t *inst)
{
	cfl_secret_free(&inst->password);
	cfl_secret_free(&inst->token);
	cfl_params_free(params, NPARAMS, inst);
	free(inst->statePath);
	cfl_url_base_free(&inst->base);
	free(inst);
}

/* Cross-parameter checks; every message names the input by its url host.
 * bounds: the first out-of-bounds message of cfl_rs_params_store, or "". */
static rsRetVal icf_inst_check(instanceConf_t *inst, const char *bounds)
{
	cfl_flavor_t flavor;
	cfl_errbuf_t err;
	const char *h;
	size_t n;
	DEFiRet;

	if (!cfl_flavor_parse(inst->flavorName, &flavor)) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence: flavor \"%s\" is not one of auto, cloud, datacenter",
		         inst->flavorName);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (cfl_url_base_init(&inst->base, inst->url, flavor, &err) != CFL_OK) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence: %s", err.msg);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	/* "[::1]" -> "::1" for HOSTNAME */
	h = inst->base.host;
	n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		snprintf(inst->host, sizeof(inst->host), "%.*s", (int)(n - 2), h + 1);
	else
		snprintf(inst->host, sizeof(inst->host), "%s", h);
	if (bounds[0] != '\0') {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence(%s): %s", inst->host, bounds);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((inst->password != NULL && inst->passwordFile != NULL) || (inst->token != NULL && inst->tokenFile != NULL)) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence(%s): give either password or passwordFile, "
		         "and either token or tokenFile, not both", inst->host);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((inst->password != NULL || inst->passwordFile != NULL) && inst->username == NULL) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence(%s): password(File) needs username", inst->host);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if ((inst->token != NULL || inst->tokenFile != NULL) && inst->username != NULL)
		LogMsg(0, NO_ERRCODE, LOG_INFO, "imconfluence(%s): token and username are both set: the token "
		       "(Bearer) is used, basic authentication is not", inst->host);
	/* every Data Center search writes an audit event, which the next polls
	 * read: with too small pages for the overlap, requests feed themselves */
	if (inst->base.flavor == CFL_FLAVOR_DC &&
	    (int64_t)inst->overlap * 2 >= (int64_t)inst->pollingInterval * inst->pageSize)
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "imconfluence(%s): overlap=%d s is large for pollingInterval=%d s "
		       "and pageSize=%d: each Data Center request writes an \"Audit Log search performed\" event "
		       "that later polls re-read, so requests can multiply; keep overlap below "
		       "pollingInterval * pageSize / 2", inst->host, inst->overlap, inst->pollingInterval, inst->pageSize);
finalize_it:
	RETiRet;
}

rsRetVal icf_inst_new(struct nvlst *lst, instanceConf_t **pinst)
{
	struct cnfparamvals *pvals;
	instanceConf_t *inst = NULL;
	char bounds[CFL_ERRBUF_LEN] = "";
	DEFiRet;

	if ((pvals = nvlstGetParams(lst, &inppblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKmalloc(inst = calloc(1, sizeof(*inst)));
	if (cfl_params_defaults(params, NPARAMS, inst) != 0 ||
	    cfl_rs_params_store(params, &inppblk, pvals, inst, bounds, sizeof(bounds)) == -1) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "imconfluence: out of memory reading the input() parameters");
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
	}
	CHKiRet(icf_inst_check(inst, bounds));
	*pinst = inst;
	inst = NULL;
finalize_it:
	if (inst != NULL)
		icf_inst_free(inst);
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &inppblk);
	RETiRet;
}

/* Default state file: imconfluence-<host>-<hash of base url + flavor>.state
 * in the work directory; a relative stateFile is relative to it too. */
rsRetVal icf_state_path(instanceConf_t *inst, const char *wd)
{
	char name[512], key[2048], *c;
	uint64_t hash;
	DEFiRet;

	if (inst->stateFile != NULL && inst->stateFile[0] == '/') {
		CHKmalloc(inst->statePath = strdup(inst->stateFile));
		FINALIZE;
	}
	if (wd == NULL || wd[0] == '\0') {
		LogError(0, RS_RET_CONFIG_ERROR, "imconfluence(%s): no global(workDirectory=...) is set: set it or "
		         "give an absolute stateFile; without a state file every restart would re-read "
		         "initialLookback seconds of history", inst->host);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (inst->stateFile != NULL) {
		snprintf(name, sizeof(name), "%s", inst->stateFile);
	} else {
		snprintf(key, sizeof(key), "%s|%s", inst->base.url, cfl_flavor_name(inst->base.flavor));
		hash = cfl_dedup_fingerprint(key, strlen(key));
		snprintf(name, sizeof(name), "imconfluence-%s-%016" PRIx64 ".state", inst->host, hash);
		for (c = name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			      *c == '.' || *c == '-'))
				*c = '_';
	}
	CHKmalloc(inst->statePath = malloc(strlen(wd) + strlen(name) + 2));
	sprintf(inst->statePath, "%s/%s", wd, name);
finalize_it:
	RETiRet;
}

