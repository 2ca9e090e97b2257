/* cfl_inputcfg.c: see cfl_inputcfg.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_dedup.h"
#include "cfl_inputcfg.h"

/* The organization flavour: an org API key (Bearer) and a usable orgId. */
static cfl_rc_t check_org(const cfl_inputcfg_t *c, cfl_errbuf_t *err)
{
	size_t n;

	if (c->flavor != CFL_FLAVOR_ORG)
		return c->org_id == NULL
		               ? CFL_OK
		               : cfl_err_set(err, CFL_EINVAL, "orgId applies to flavor=\"organization\" only");
	if (c->org_id == NULL || c->org_id[0] == '\0')
		return cfl_err_set(err, CFL_EINVAL,
		                   "flavor=\"organization\" needs orgId (the id after /o/ in "
		                   "https://admin.atlassian.com/o/<orgId>/...)");
	n = strlen(c->org_id);
	if (n > 128 || strspn(c->org_id, "0123456789abcdefABCDEF-") != n)
		return cfl_err_set(err, CFL_EINVAL,
		                   "orgId \"%.128s\" is not an organization id (hex digits and "
		                   "'-', e.g. 00000000-0000-0000-0000-000000000000)",
		                   c->org_id);
	if (!c->token && !c->token_file)
		return cfl_err_set(err, CFL_EINVAL,
		                   "flavor=\"organization\" needs the organization API key in "
		                   "tokenFile (or token); it is sent as a Bearer token");
	if (c->username || c->password || c->password_file)
		return cfl_err_set(err, CFL_EINVAL,
		                   "flavor=\"organization\" takes an API key in tokenFile, not "
		                   "username/password");
	return CFL_OK;
}

cfl_rc_t cfl_inputcfg_check(const cfl_inputcfg_t *c, cfl_errbuf_t *err, cfl_errbuf_t *info, cfl_errbuf_t *warn)
{
	info->msg[0] = '\0';
	warn->msg[0] = '\0';
	if (check_org(c, err) != CFL_OK)
		return CFL_EINVAL;
	if (c->product == CFL_PRODUCT_BITBUCKET && c->flavor == CFL_FLAVOR_CLOUD)
		return cfl_err_set(err, CFL_EINVAL, "Bitbucket Cloud has no audit API; use flavor=\"organization\"");
	if ((c->password && c->password_file) || (c->token && c->token_file))
		return cfl_err_set(err, CFL_EINVAL,
		                   "give either password or passwordFile, and either token or "
		                   "tokenFile, not both");
	if ((c->password || c->password_file) && !c->username)
		return cfl_err_set(err, CFL_EINVAL, "password(File) needs username");
	if (c->username && !c->password && !c->password_file && !c->token && !c->token_file)
		return cfl_err_set(err, CFL_EINVAL,
		                   "username needs passwordFile (or password): on Cloud an API token of that "
		                   "account, on Data Center the user's password; or use tokenFile instead");
	if ((c->token || c->token_file) && c->username)
		cfl_err_set(info, CFL_OK,
		            "token and username are both set: the token (Bearer) is used, basic "
		            "authentication is not");
	/* every Data Center search writes an audit event, which the next polls
	 * read: with too small pages for the overlap, requests feed themselves */
	if (c->flavor == CFL_FLAVOR_DC && (int64_t)c->overlap * 2 >= (int64_t)c->polling_interval * c->page_size)
		cfl_err_set(warn, CFL_OK,
		            "overlap=%d s is large for pollingInterval=%d s and pageSize=%d: each Data "
		            "Center request writes an \"Audit Log search performed\" event that later polls "
		            "re-read, so requests can multiply; keep overlap below pollingInterval * pageSize / 2",
		            c->overlap, c->polling_interval, c->page_size);
	return CFL_OK;
}

cfl_rc_t cfl_inputcfg_state_url(const char *base_url, cfl_flavor_t flavor, const char *org_id, char **out)
{
	size_t n;

	if (flavor != CFL_FLAVOR_ORG || org_id == NULL)
		return (*out = strdup(base_url)) != NULL ? CFL_OK : CFL_ENOMEM;
	n = strlen(base_url) + sizeof(CFL_ORG_PATH_PREFIX) + strlen(org_id);
	if ((*out = malloc(n)) == NULL)
		return CFL_ENOMEM;
	/* "https://api.atlassian.com/" + "admin/v1/orgs/<id>": one '/' between them */
	snprintf(*out, n, "%s%s%s", base_url,
	         &CFL_ORG_PATH_PREFIX[base_url[0] != '\0' && base_url[strlen(base_url) - 1] == '/'], org_id);
	return CFL_OK;
}

void cfl_inputcfg_host(const char *h, char *out, size_t len)
{
	size_t n = strlen(h);

	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		snprintf(out, len, "%.*s", (int)(n - 2), h + 1);
	else
		snprintf(out, len, "%s", h);
}

cfl_rc_t cfl_inputcfg_state_path(const char *state_file, const char *wd, const char *host, const char *base_url,
                                 const char *flavor, const char *product, char **out, cfl_errbuf_t *err)
{
	char *key = NULL, *name = NULL, *c;
	const char *prod = product != NULL && strcmp(product, "confluence") != 0 ? product : NULL;
	size_t n;
	cfl_rc_t rc = CFL_ENOMEM;

	*out = NULL;
	if (state_file != NULL && state_file[0] == '/')
		return (*out = strdup(state_file)) != NULL ? CFL_OK : cfl_err_set(err, CFL_ENOMEM, "out of memory");
	if (wd == NULL || wd[0] == '\0')
		return cfl_err_set(err, CFL_EINVAL,
		                   "no global(workDirectory=...) is set: set it or give an absolute "
		                   "stateFile; without a state file every restart would re-read initialLookback "
		                   "seconds of history");
	if (state_file != NULL) {
		name = strdup(state_file);
	} else {
		/* Confluence keeps the name it always had; another product names
		 * itself and hashes into the key, so it never shares a file */
		n = strlen(base_url) + strlen(flavor) + (prod ? strlen(prod) : 0) + 3;
		if ((key = malloc(n)) == NULL)
			goto done;
		snprintf(key, n, "%s|%s%s%s", base_url, flavor, prod ? "|" : "", prod ? prod : "");
		n = strlen(host) + (prod ? strlen(prod) + 1 : 0) + sizeof("imconfluence--0123456789abcdef.state");
		if ((name = malloc(n)) == NULL)
			goto done;
		snprintf(name, n, "imconfluence-%s%s%s-%016" PRIx64 ".state", host, prod ? "-" : "", prod ? prod : "",
		         (uint64_t)cfl_dedup_fingerprint(key, strlen(key)));
		for (c = name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			      *c == '.' || *c == '-'))
				*c = '_';
	}
	if (name == NULL)
		goto done;
	n = strlen(wd) + strlen(name) + 2;
	if ((*out = malloc(n)) == NULL)
		goto done;
	snprintf(*out, n, "%s/%s", wd, name);
	rc = CFL_OK;
done:
	free(key);
	free(name);
	return rc == CFL_OK ? CFL_OK : cfl_err_set(err, rc, "out of memory");
}

int cfl_inputcfg_state_foreign(const char *path, const char *st_url, const char *st_flavor, const char *base_url,
                               const char *flavor, char *why, size_t len)
{
	if (strcmp(st_url, base_url) != 0)
		snprintf(why, len, "state file %s belongs to another url (%s)", path, st_url);
	else if (strcmp(st_flavor, flavor) != 0)
		snprintf(why, len, "state file %s belongs to another flavor (%s)", path, st_flavor);
	else
		return 0;
	return 1;
}
