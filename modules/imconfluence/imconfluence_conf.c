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
#include "imconfluence_conf.h"

void icf_free_secret(char **s)
{
	if (*s != NULL) {
		memset(*s, 0, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* Reads a password or token file: the first line, without trailing
 * whitespace. Never logs the content. */
rsRetVal icf_read_secret_file(instanceConf_t *inst, const char *param, const char *path, char **out)
{
	char buf[8192];
	struct stat sb;
	size_t n;
	FILE *f;
	DEFiRet;

	if ((f = fopen(path, "r")) == NULL) {
		LogError(errno, RS_RET_FILE_NOT_FOUND, "imconfluence(%s): cannot read %s \"%s\"; this input stays disabled",
		         inst->host, param, path);
		ABORT_FINALIZE(RS_RET_FILE_NOT_FOUND);
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 0077) != 0)
		LogMsg(0, NO_ERRCODE, LOG_WARNING,
		       "imconfluence(%s): %s \"%s\" is readable by group or others (mode %03o); consider chmod 600",
		       inst->host, param, path, (unsigned)(sb.st_mode & 0777));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (n == 0) {
		LogError(0, RS_RET_CONFIG_ERROR, "imconfluence(%s): %s \"%s\" is empty; this input stays disabled",
		         inst->host, param, path);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	icf_free_secret(out);
	CHKmalloc(*out = strdup(buf));
finalize_it:
	memset(buf, 0, sizeof(buf));
	RETiRet;
}

void icf_inst_free(instanceConf_t *inst)
{
	char **x;

	free(inst->url);
	free(inst->username);
	icf_free_secret(&inst->password);
	free(inst->passwordFile);
	icf_free_secret(&inst->token);
	free(inst->tokenFile);
	free(inst->stateFile);
	free(inst->statePath);
	free(inst->cacert);
	free(inst->mycert);
	free(inst->myprivkey);
	free(inst->proxy);
	for (x = inst->exclude; x != NULL && *x != NULL; x++)
		free(*x);
	free(inst->exclude);
	free(inst->pszBindRuleset);
	free(inst->tag);
	cfl_url_base_free(&inst->base);
	free(inst);
}

rsRetVal icf_inst_new(instanceConf_t **pinst)
{
	instanceConf_t *inst;
	DEFiRet;

	CHKmalloc(inst = calloc(1, sizeof(*inst)));
	inst->flavor = CFL_FLAVOR_AUTO;
	inst->pollingInterval = DFLT_POLLING_INTERVAL;
	inst->initialLookback = DFLT_INITIAL_LOOKBACK;
	inst->pageSize = DFLT_PAGE_SIZE;
	inst->overlap = DFLT_OVERLAP;
	inst->timeout = DFLT_TIMEOUT;
	inst->maxBackoff = DFLT_MAX_BACKOFF;
	inst->iFacility = DFLT_FACILITY;
	inst->iSeverity = DFLT_SEVERITY;
	*pinst = inst;
finalize_it:
	RETiRet;
}

static char *param_str(struct cnfparamvals *v)
{
	return es_str2cstr(v->val.d.estr, NULL);
}

static rsRetVal set_exclude(instanceConf_t *inst, struct cnfarray *ar)
{
	int j;
	DEFiRet;

	CHKmalloc(inst->exclude = calloc((size_t)ar->nmemb + 1, sizeof(char *)));
	for (j = 0; j < ar->nmemb; j++)
		CHKmalloc(inst->exclude[j] = es_str2cstr(ar->arr[j], NULL));
finalize_it:
	RETiRet;
}

/* One parameter into inst; flavor is checked in icf_inst_check(). */
rsRetVal icf_inst_set(instanceConf_t *inst, const char *name, struct cnfparamvals *v, char **flavor)
{
	DEFiRet;

	if (!strcmp(name, "url")) inst->url = param_str(v);
	else if (!strcmp(name, "flavor")) *flavor = param_str(v);
	else if (!strcmp(name, "username")) inst->username = param_str(v);
	else if (!strcmp(name, "password")) inst->password = param_str(v);
	else if (!strcmp(name, "passwordFile")) inst->passwordFile = param_str(v);
	else if (!strcmp(name, "token")) inst->token = param_str(v);
	else if (!strcmp(name, "tokenFile")) inst->tokenFile = param_str(v);
	else if (!strcmp(name, "pollingInterval")) inst->pollingInterval = (int)v->val.d.n;
	else if (!strcmp(name, "initialLookback")) inst->initialLookback = (int)v->val.d.n;
	else if (!strcmp(name, "pageSize")) inst->pageSize = (int)v->val.d.n;
	else if (!strcmp(name, "overlap")) inst->overlap = (int)v->val.d.n;
	else if (!strcmp(name, "stateFile")) inst->stateFile = param_str(v);
	else if (!strcmp(name, "timeout")) inst->timeout = (int)v->val.d.n;
	else if (!strcmp(name, "tls.cacert")) inst->cacert = param_str(v);
	else if (!strcmp(name, "tls.mycert")) inst->mycert = param_str(v);
	else if (!strcmp(name, "tls.myprivkey")) inst->myprivkey = param_str(v);
	else if (!strcmp(name, "allowUnsignedCerts")) inst->allowUnsignedCerts = (sbool)v->val.d.n;
	else if (!strcmp(name, "skipVerifyHost")) inst->skipVerifyHost = (sbool)v->val.d.n;
	else if (!strcmp(name, "proxy")) inst->proxy = param_str(v);
	else if (!strcmp(name, "excludeActions")) iRet = set_exclude(inst, v->val.d.ar);
	else if (!strcmp(name, "maxBackoff")) inst->maxBackoff = (int)v->val.d.n;
	else if (!strcmp(name, "ruleset")) inst->pszBindRuleset = (uchar *)param_str(v);
	else if (!strcmp(name, "tag")) inst->tag = param_str(v);
	else if (!strcmp(name, "facility")) inst->iFacility = (int)v->val.d.n;
	else if (!strcmp(name, "severity")) inst->iSeverity = (int)v->val.d.n;
	else {
		LogError(0, RS_RET_INTERNAL_ERROR, "imconfluence: program error, unhandled parameter '%s'", name);
		iRet = RS_RET_INTERNAL_ERROR;
	}
	RETiRet;
}

/* Cross-parameter checks; every message names the input by its url host. */
rsRetVal icf_inst_check(instanceConf_t *inst, const char *flavor)
{
	cfl_errbuf_t err;
	const char *h;
	size_t n;
	DEFiRet;

	if (flavor != NULL && !cfl_flavor_parse(flavor, &inst->flavor)) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence: flavor \"%s\" is not one of auto, cloud, datacenter",
		         flavor);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	if (cfl_url_base_init(&inst->base, inst->url, inst->flavor, &err) != CFL_OK) {
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
	if (inst->pageSize > MAX_PAGE_SIZE) {
		LogError(0, RS_RET_PARAM_ERROR, "imconfluence(%s): pageSize %d is larger than %d", inst->host,
		         inst->pageSize, MAX_PAGE_SIZE);
		ABORT_FINALIZE(RS_RET_PARAM_ERROR);
	}
	/* every Data Center search writes an audit event, which the next polls
	 * read: with too small pages for the overlap, requests feed themselves */
	if (inst->base.flavor == CFL_FLAVOR_DC && inst->overlap * 2 >= inst->pollingInterval * inst->pageSize)
		LogMsg(0, NO_ERRCODE, LOG_WARNING, "imconfluence(%s): overlap=%d s is large for pollingInterval=%d s "
		       "and pageSize=%d: each Data Center request writes an \"Audit Log search performed\" event "
		       "that later polls re-read, so requests can multiply; keep overlap below "
		       "pollingInterval * pageSize / 2", inst->host, inst->overlap, inst->pollingInterval, inst->pageSize);
	if (inst->tag == NULL)
		CHKmalloc(inst->tag = strdup(DFLT_TAG));
finalize_it:
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

