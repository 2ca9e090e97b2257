/* imconfluence_conf.h: one input() instance's configuration (glue).
 *
 * The parameters of input(type="imconfluence") as parsed and checked by
 * imconfluence_conf.c; the parameter table itself is in imconfluence.c,
 * and docs/imconfluence.md lists exactly its entries (a test compares).
 * Include after "config.h" and the rsyslog headers.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef IMCONFLUENCE_CONF_H
#define IMCONFLUENCE_CONF_H

#include "cfl_flavor.h"
#include "cfl_url.h"

/* defaults of the input() parameters (docs/imconfluence.md lists them) */
#define DFLT_POLLING_INTERVAL 60
#define DFLT_INITIAL_LOOKBACK 86400
#define DFLT_PAGE_SIZE 1000
#define DFLT_OVERLAP 60
#define DFLT_TIMEOUT 30
#define DFLT_MAX_BACKOFF 300
#define DFLT_TAG "confluence-audit"
#define DFLT_FACILITY (16 << 3) /* local0 */
#define DFLT_SEVERITY 6         /* info */

#define MAX_PAGE_SIZE 10000

typedef struct icf_rt icf_rt_t;

typedef struct instanceConf_s {
	/* configuration, read-only after activation */
	char *url;
	cfl_flavor_t flavor;
	char *username;
	char *password;
	char *passwordFile;
	char *token;
	char *tokenFile;
	int pollingInterval;
	int initialLookback;
	int pageSize;
	int overlap;
	char *stateFile;          /* as configured; NULL = default name */
	char *statePath;          /* resolved in checkCnf */
	int timeout;
	char *cacert;
	char *mycert;
	char *myprivkey;
	sbool allowUnsignedCerts;
	sbool skipVerifyHost;
	char *proxy;
	char **exclude;           /* NULL-terminated */
	int maxBackoff;
	uchar *pszBindRuleset;
	ruleset_t *pBindRuleset;
	char *tag;
	int iFacility;
	int iSeverity;
	cfl_base_t base;          /* the parsed url */
	char host[256];           /* for messages and the HOSTNAME property */
	icf_rt_t *rt;             /* runtime, owned by the input thread */
	struct instanceConf_s *next;
} instanceConf_t;


/* A new instance with the defaults. */
rsRetVal icf_inst_new(instanceConf_t **pinst);
void icf_inst_free(instanceConf_t *inst);

/* Stores parameter `name` (as in the table) of v; flavor is kept as text
 * in *flavor until icf_inst_check(). */
rsRetVal icf_inst_set(instanceConf_t *inst, const char *name, struct cnfparamvals *v, char **flavor);

/* Cross-parameter checks once all are set; parses url and flavor. Every
 * message names the input by its url host. */
rsRetVal icf_inst_check(instanceConf_t *inst, const char *flavor);

/* Resolves inst->statePath against the work directory wd ("" if unset). */
rsRetVal icf_state_path(instanceConf_t *inst, const char *wd);

/* Reads a password or token file (first line, trailing blanks removed)
 * into *out, replacing and wiping its old value. Never logs the content. */
rsRetVal icf_read_secret_file(instanceConf_t *inst, const char *param, const char *path, char **out);

/* Overwrites and frees a secret. */
void icf_free_secret(char **s);

#endif
