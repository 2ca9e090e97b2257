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
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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

/* Whether rsyslogd, after dropping privileges to uid (and gid, or the
 * group it has now), may write and search the directory sb: by the mode
 * bits, for the user's groups (initgroups) and gid alike. 1 whenever it
 * cannot tell (an ACL, no passwd entry), so that -N1 never refuses what
 * may work. */
static int writable_after_drop(const char *dir, const struct stat *sb, uid_t uid, gid_t gid)
{
	gid_t groups[256];
	int n = 256, i, member;
	struct passwd *pw;

	if (getxattr(dir, "system.posix_acl_access", NULL, 0) >= 0)
		return 1;
	if (sb->st_uid == uid)
		return (sb->st_mode & 0300) == 0300;
	if ((pw = getpwuid(uid)) == NULL || getgrouplist(pw->pw_name, gid, groups, &n) < 0)
		return 1;
	for (member = 0, i = 0; i < n; i++)
		member |= groups[i] == sb->st_gid;
	if (member || sb->st_gid == gid)
		return (sb->st_mode & 0030) == 0030;
	return (sb->st_mode & 0003) == 0003;
}

/* The state file's directory exists and can be written (rsyslogd runs as
 * root here; after privDrop, drop_uid must be able to write it too). */
static void check_state_dir(instanceConf_t *inst, int drop_uid, int drop_gid)
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
	} else if (drop_uid > 0 && geteuid() == 0 &&
	           !writable_after_drop(dir, &sb, (uid_t)drop_uid, drop_gid > 0 ? (gid_t)drop_gid : getgid())) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR,
		            "the state file's directory \"%s\" is not writable by user id %d, which rsyslogd drops "
		            "privileges to (privDrop.user); the cursor cannot be saved, so a restart repeats events",
		            dir, drop_uid);
	} else if (stat(inst->statePath, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		icf_cnf_log(inst, LOG_ERR, RS_RET_CONFIG_ERROR, "the state file \"%s\" is not a regular file",
		            inst->statePath);
	}
	free(dir);
}

void icf_preflight(instanceConf_t *inst, int drop_uid, int drop_gid)
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
		check_state_dir(inst, drop_uid, drop_gid);
}
