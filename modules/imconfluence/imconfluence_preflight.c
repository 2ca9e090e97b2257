/* imconfluence_preflight.c: what can be checked about one input() without
 * the network (see icf_preflight in imconfluence_conf.h): the secret files,
 * the TLS files and the state directory. Runs in checkCnf, so that
 * `rsyslogd -N1` reports these mistakes (any error logged there makes it
 * exit 1), before rsyslogd drops privileges.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsyslog.h"
#include "conf.h"
#include "errmsg.h"

#include "cfl_secret.h"
#include "imconfluence_conf.h"

/* what a missing secret means: the input waits for it */
#define WAITS "this input does not poll until the file can be read and rsyslogd gets a HUP"
/* what a bad TLS file means: libcurl refuses every request */
#define TLS_FAILS "every request fails until it is fixed"

static void check_tls_file(instanceConf_t *inst, const char *param, const char *path)
{
	cfl_errbuf_t err;

	if (path == NULL || path[0] == '\0' || cfl_file_check(param, path, &err) == CFL_OK)
		return;
	icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR, "%s; %s", err.msg, TLS_FAILS);
}

/* The state file's directory exists and can be written (rsyslogd runs as
 * root here; after privDrop the directory must be its user's too). */
static void check_state_dir(instanceConf_t *inst)
{
	char *dir = strdup(inst->statePath), *slash;
	struct stat sb;
	int e;

	if (dir == NULL)
		return;
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, strlen(dir) + 1, "%s", strlen(dir) >= 1 ? "." : "");
	if (stat(dir, &sb) != 0) {
		e = errno;
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR,
		            "the state file's directory \"%s\" cannot be used: %s (create it, or set stateFile or "
		            "global(workDirectory)); the cursor cannot be saved, so a restart repeats events",
		            dir, strerror(e));
	} else if (!S_ISDIR(sb.st_mode)) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR, "the state file's directory \"%s\" is not a directory",
		            dir);
	} else if (access(dir, W_OK | X_OK) != 0) {
		e = errno;
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR,
		            "the state file's directory \"%s\" is not writable: %s; the cursor cannot be saved, so a "
		            "restart repeats events",
		            dir, strerror(e));
	} else if (stat(inst->statePath, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR, "the state file \"%s\" is not a regular file",
		            inst->statePath);
	}
	free(dir);
}

void icf_preflight(instanceConf_t *inst)
{
	if ((inst->passwordFile != NULL &&
	     icf_read_secret_file(inst, "passwordFile", inst->passwordFile, &inst->password, WAITS) != RS_RET_OK) ||
	    (inst->tokenFile != NULL &&
	     icf_read_secret_file(inst, "tokenFile", inst->tokenFile, &inst->token, WAITS) != RS_RET_OK))
		inst->secretWait = 1;
	check_tls_file(inst, "tls.cacert", inst->cacert);
	check_tls_file(inst, "tls.mycert", inst->mycert);
	check_tls_file(inst, "tls.myprivkey", inst->myprivkey);
	/* a pin is "sha256//<base64>[;...]" or the name of a key file */
	if (inst->tlsPinnedPublicKey != NULL && strncmp(inst->tlsPinnedPublicKey, "sha256//", 8) != 0)
		check_tls_file(inst, "tls.pinnedPublicKey", inst->tlsPinnedPublicKey);
	if (inst->statePath != NULL)
		check_state_dir(inst);
}
