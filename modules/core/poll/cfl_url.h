/* cfl_url.h: every request URL is built here, from the configured base.
 *
 * The poller never requests a URL the server handed it (Cloud's
 * _links.next, Data Center's nextPageLink): it keeps the paging
 * parameters itself and builds each request from the configured base URL
 * with libcurl's URL API, which also percent-encodes the query values
 * (ISO dates contain ':' and may contain '+', DC page cursors contain ',').
 * Credentials therefore only ever go to the configured scheme, host and
 * port; cfl_url_same_origin() tells the glue when a server's next link
 * points elsewhere, so it can warn.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_URL_H
#define CFL_URL_H

#include <stdint.h>

#include "cfl_flavor.h"
#include "cfl_status.h"

typedef struct cfl_base {
	char *url;           /* normalised base, e.g. https://h.example/confluence */
	char *host;          /* host name as in the URL, for messages and hostname */
	char *path;          /* base path without trailing '/', may be "" */
	char *origin;        /* scheme://host:port, for comparisons */
	cfl_flavor_t flavor; /* never CFL_FLAVOR_AUTO after cfl_url_base_init */
} cfl_base_t;

/* Parses and checks the configured url: http or https, a host, no user
 * info (credentials belong in username/password/token), no query or
 * fragment. A trailing '/', a trailing API path and, for Cloud, a
 * trailing "/wiki" are removed, so "https://x.atlassian.net/wiki/" works.
 * flavor AUTO is resolved with cfl_flavor_detect(). */
cfl_rc_t cfl_url_base_init(cfl_base_t *b, const char *url, cfl_flavor_t flavor, cfl_errbuf_t *err);
void cfl_url_base_free(cfl_base_t *b);

/* Parameters of one audit API request. Bounds are inclusive epoch ms. */
typedef struct cfl_request {
	int64_t from_ms;
	int64_t to_ms;
	long offset; /* Cloud "start" */
	long limit;
	const char *page_cursor; /* Data Center "pageCursor" / organization "cursor"; NULL on a first page */
	const char *org_id;      /* organization: the orgId of the path */
} cfl_request_t;

/* Builds the request URL into *out (malloc'ed; free() it). Organization:
 * with a cursor only cursor and limit are sent, else from, to, limit and
 * sortOrder=asc (epoch ms, as the events-stream takes them). */
cfl_rc_t cfl_url_build(const cfl_base_t *b, const cfl_request_t *r, char **out, cfl_errbuf_t *err);

/* Resolves link (absolute, protocol-relative or relative) against the base
 * and returns 1 if it has the base's scheme, host and port, 0 if not, -1 if
 * it cannot be parsed. */
int cfl_url_same_origin(const cfl_base_t *b, const char *link);

#endif
