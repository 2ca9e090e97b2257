/* imconfluence_conf.h: one input() instance's configuration (glue).
 *
 * The parameters of input(type="imconfluence") as parsed and checked by
 * imconfluence_conf.c; they are listed once, with their types, defaults
 * and bounds, in imconfluence_params.def, and docs/imconfluence.md's
 * table is checked against that file (tests/integration/docs_params.sh).
 * Include after "config.h" and the rsyslog headers.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef IMCONFLUENCE_CONF_H
#define IMCONFLUENCE_CONF_H

#include "cfl_flavor.h"
#include "cfl_url.h"

typedef struct icf_rt icf_rt_t;

typedef struct instanceConf_s {
	/* configuration, read-only after activation, except password and
	 * token: the input thread reads passwordFile and tokenFile again
	 * after a HUP (icf_rt_hup), and only it uses them then */
	char *url;
	/* as configured, then spelled in lower case: confluence, jira or
	 * bitbucket ($!metadata!product, the default state file name) */
	char *productName;
	char *flavorName; /* as configured; parsed into base.flavor */
	char *orgId;      /* organization flavour: the org's id */
	char *stateUrl;   /* what the state file belongs to: base.url, plus
	                           * /admin/v1/orgs/<orgId> for the organization flavour */
	char *username;
	char *password;
	char *passwordFile;
	char *token;
	char *tokenFile;
	int pollingInterval;
	int initialLookback;
	int pageSize;
	int overlap;
	char *stateFile; /* as configured; NULL = default name */
	char *statePath; /* resolved in checkCnf */
	int timeout;
	char *cacert;
	char *mycert;
	char *myprivkey;
	int allowUnsignedCerts;
	int skipVerifyHost;
	char *proxy;
	char **exclude; /* NULL-terminated */
	int maxBackoff;
	uchar *pszBindRuleset;
	ruleset_t *pBindRuleset;
	char *tag;
	int iFacility;
	int iSeverity;
	char *name;               /* NULL: inputname "imconfluence", stats "imconfluence(<host>)" */
	int maxRequestsPerMinute; /* 0: no client-side limit */
	int requestBurst;
	char *tlsMinVersion; /* "1.0" ... "1.3" or NULL */
	char *tlsMaxVersion;
	char *tlsCipherList;
	char *tlsTls13Ciphers;
	char *tlsPinnedPublicKey;
	char *requestTraceFile;
	int addMetadata; /* $!metadata!site and !product on every message */
	cfl_base_t base; /* the parsed url */
	char host[256];  /* the url's host: the HOSTNAME property, and messages' name without name= */
	char *cnfFile;   /* where the input() statement is (rsyslog's parser), NULL if unknown */
	int cnfLine;     /* the line that ends it */
	int secretWait;  /* passwordFile/tokenFile could not be read: polls after a HUP reads it
	                  * (set by checkCnf, cleared by the input thread) */
	icf_rt_t *rt;    /* runtime, owned by the input thread */
	struct instanceConf_s *next;
} instanceConf_t;

/* How messages name an input before it runs: name when set, else the url's
 * host, as its stats object does; once it runs, its icf_rt_t's label. */
#define ICF_LOGNAME(inst) ((inst)->name != NULL && (inst)->name[0] != '\0' ? (inst)->name : (inst)->host)


/* A new instance from an input() statement's parameters: defaults,
 * values, bounds and cross-parameter checks; parses url and flavor. Every
 * message names the input by ICF_LOGNAME. */
rsRetVal icf_inst_new(struct nvlst *lst, instanceConf_t **pinst);
void icf_inst_free(instanceConf_t *inst);

/* Logs a configuration error (LOG_ERR, so `rsyslogd -N1` fails) or, with
 * sev LOG_WARNING/LOG_INFO, a note: "imconfluence(<host>): input() at
 * <file>:<line>: <text>" (without the location where rsyslog's parser does
 * not tell it). */
void icf_cnf_log(const instanceConf_t *inst, int sev, rsRetVal code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* What can be checked without the network, at config check time (also
 * under `rsyslogd -N1`): the secret files are read (a failure sets
 * secretWait), the TLS files and the state directory checked. Every
 * problem is a configuration error naming the input() statement; the
 * input is kept, and starts polling once the problem is gone (a secret
 * file: after a HUP). drop_uid, drop_gid: the ids rsyslogd drops
 * privileges to (privDrop.user/group), 0 when none. */
void icf_preflight(instanceConf_t *inst, int drop_uid, int drop_gid);

/* Resolves inst->statePath against the work directory wd ("" if unset). */
rsRetVal icf_state_path(instanceConf_t *inst, const char *wd);

/* Reads a password or token file (cfl_secret_read: first line, trailing
 * blanks removed, at most CFL_SECRET_MAX bytes) into *out, replacing and
 * wiping its old value; on failure *out is unchanged and the log says why,
 * then consequence ("this input stays disabled"). Never logs the content. */
rsRetVal icf_read_secret_file(instanceConf_t *inst, const char *param, const char *path, char **out,
                              const char *consequence);

#endif
