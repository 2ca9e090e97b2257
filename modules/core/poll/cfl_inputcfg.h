/* cfl_inputcfg.h: what imconfluence checks about one input() once its
 * parameters are read (plain C, no rsyslog header): the checks across
 * parameters, the input's host name, its state file's path, and whether a
 * state file belongs to it. The glue prefixes "imconfluence(<host>): ".
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_INPUTCFG_H
#define CFL_INPUTCFG_H

#include <stddef.h>

#include "cfl_flavor.h"
#include "cfl_status.h"

typedef struct cfl_inputcfg {
	int username, password, password_file, token, token_file; /* 1 if given */
	const char *org_id;                                       /* orgId, NULL if not given */
	cfl_flavor_t flavor;                                      /* resolved: never CFL_FLAVOR_AUTO */
	cfl_product_t product;
	int overlap;          /* seconds */
	int polling_interval; /* seconds */
	int page_size;
} cfl_inputcfg_t;

/* CFL_OK, or CFL_EINVAL and why in err (Bitbucket with a Cloud url: it has
 * no audit API there; both a secret and its file, a password without
 * username, a username without password or token; organization: no API key, a username or
 * password, no orgId or one with characters an org id never has; orgId
 * given to another flavour). Even when CFL_OK, info->msg and warn->msg
 * say what to log at that level; "" when nothing. */
cfl_rc_t cfl_inputcfg_check(const cfl_inputcfg_t *c, cfl_errbuf_t *err, cfl_errbuf_t *info, cfl_errbuf_t *warn);

/* What a state file belongs to (*out, malloc'ed): base_url, and for the
 * organization flavour base_url + "/admin/v1/orgs/<org_id>" (so two orgs
 * polled from one base get two state files). CFL_ENOMEM. */
cfl_rc_t cfl_inputcfg_state_url(const char *base_url, cfl_flavor_t flavor, const char *org_id, char **out);

/* The url's host as HOSTNAME and in messages: "[::1]" -> "::1". */
void cfl_inputcfg_host(const char *url_host, char *out, size_t len);

/* The state file's path into *out (malloc'ed): state_file if absolute;
 * else relative to the work directory wd: state_file, or by default
 * imconfluence-<host>-<XXH3-64 of "base_url|flavor">.state (product NULL or
 * "confluence": the name existing configurations have), else
 * imconfluence-<host>-<product>-<XXH3-64 of "base_url|flavor|product">.state,
 * with every character but [A-Za-z0-9.-] of it replaced by '_'. Without wd
 * (NULL or "") a relative one is CFL_EINVAL; CFL_ENOMEM. */
cfl_rc_t cfl_inputcfg_state_path(const char *state_file, const char *wd, const char *host, const char *base_url,
                                 const char *flavor, const char *product, char **out, cfl_errbuf_t *err);

/* 0 if a state file written for st_url/st_flavor belongs to the input
 * polling base_url as flavor; else 1 and why (len bytes) names the file
 * and what it belongs to. */
int cfl_inputcfg_state_foreign(const char *path, const char *st_url, const char *st_flavor, const char *base_url,
                               const char *flavor, char *why, size_t len);

#endif
