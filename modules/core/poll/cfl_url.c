/* cfl_url.c: request URLs from the configured base (see cfl_url.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cfl_time.h"
#include "cfl_url.h"

/* Copies a curl-allocated string into malloc'ed memory and frees it. */
static char *take(char *curl_str)
{
	char *s = curl_str != NULL ? strdup(curl_str) : NULL;

	curl_free(curl_str);
	return s;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && strncmp(s + n - sl, suffix, sl) == 0;
}

/* Normalised base path: no trailing '/', no API path, no Cloud "/wiki". */
static char *norm_path(const char *path, cfl_flavor_t flavor)
{
	size_t n = strlen(path);
	char *out;

	while (n > 0 && path[n - 1] == '/')
		n--;
	if (ends_with(path, n, CFL_CLOUD_AUDIT_PATH))
		n -= strlen(CFL_CLOUD_AUDIT_PATH);
	else if (ends_with(path, n, CFL_DC_AUDIT_PATH))
		n -= strlen(CFL_DC_AUDIT_PATH);
	else if (ends_with(path, n, CFL_JIRA_AUDIT_PATH))
		n -= strlen(CFL_JIRA_AUDIT_PATH);
	if (flavor == CFL_FLAVOR_CLOUD && ends_with(path, n, CFL_CLOUD_CONTEXT))
		n -= strlen(CFL_CLOUD_CONTEXT);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, path, n);
	out[n] = '\0';
	return out;
}

/* "scheme://host:port" of a parsed handle, with the default port filled in. */
static char *origin_of(CURLU *h)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *o = NULL;
	size_t n;

	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		n = strlen(scheme) + strlen(host) + strlen(port) + 5;
		if ((o = malloc(n)) != NULL) {
			char *c;
			snprintf(o, n, "%s://%s:%s", scheme, host, port);
			for (c = o; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return o;
}

static cfl_rc_t check_parts(CURLU *h, const char *url, cfl_errbuf_t *err)
{
	char *part = NULL;
	cfl_rc_t rc = CFL_OK;

	if (curl_url_get(h, CURLUPART_SCHEME, &part, 0) != CURLUE_OK ||
	    (strcasecmp(part, "http") != 0 && strcasecmp(part, "https") != 0))
		rc = cfl_err_set(err, CFL_EINVAL, "url \"%s\": the scheme must be http or https", url);
	curl_free(part);
	part = NULL;
	if (rc == CFL_OK && curl_url_get(h, CURLUPART_USER, &part, 0) == CURLUE_OK)
		rc = cfl_err_set(err, CFL_EINVAL,
		                 "url must not contain user information: put credentials into "
		                 "username/password(File) or token(File)");
	curl_free(part);
	part = NULL;
	if (rc == CFL_OK && (curl_url_get(h, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	                     curl_url_get(h, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK))
		rc = cfl_err_set(err, CFL_EINVAL, "url \"%s\" must be a base URL without '?query' or '#fragment'", url);
	curl_free(part);
	return rc;
}

cfl_rc_t cfl_url_base_init(cfl_base_t *b, const char *url, cfl_flavor_t flavor, cfl_errbuf_t *err)
{
	CURLU *h = curl_url();
	char *path = NULL;
	cfl_rc_t rc = CFL_OK;

	memset(b, 0, sizeof(*b));
	if (h == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory parsing the url");
	if (url == NULL || url[0] == '\0') {
		rc = cfl_err_set(err, CFL_EINVAL, "url is empty");
		goto done;
	}
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK) {
		rc = cfl_err_set(err, CFL_EINVAL,
		                 "url \"%s\" is not a valid absolute URL (expected e.g. https://example.atlassian.net)",
		                 url);
		goto done;
	}
	if ((rc = check_parts(h, url, err)) != CFL_OK)
		goto done;
	if (curl_url_get(h, CURLUPART_HOST, &b->host, 0) != CURLUE_OK || b->host[0] == '\0') {
		rc = cfl_err_set(err, CFL_EINVAL, "url \"%s\" has no host", url);
		goto done;
	}
	b->host = take(b->host);
	b->flavor = flavor != CFL_FLAVOR_AUTO ? flavor : cfl_flavor_detect(b->host);
	if (curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rc = cfl_err_set(err, CFL_EINVAL, "url \"%s\" has no path", url);
		goto done;
	}
	b->path = norm_path(path, b->flavor);
	if (b->path == NULL || curl_url_set(h, CURLUPART_PATH, b->path[0] ? b->path : "/", 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_URL, &b->url, 0) != CURLUE_OK || (b->url = take(b->url)) == NULL ||
	    (b->origin = origin_of(h)) == NULL) {
		rc = cfl_err_set(err, CFL_ENOMEM, "out of memory parsing the url");
		goto done;
	}
	if (b->path[0] != '\0' && b->url[strlen(b->url) - 1] == '/')
		b->url[strlen(b->url) - 1] = '\0';
done:
	curl_free(path);
	curl_url_cleanup(h);
	if (rc != CFL_OK)
		cfl_url_base_free(b);
	return rc;
}

void cfl_url_base_free(cfl_base_t *b)
{
	free(b->url);
	free(b->host);
	free(b->path);
	free(b->origin);
	memset(b, 0, sizeof(*b));
}

/* Appends "name=value" to the query, percent-encoding the value. */
static int add_query(CURLU *h, const char *name, const char *value)
{
	char buf[4096]; /* an organization cursor is opaque, and may be long */

	if ((size_t)snprintf(buf, sizeof(buf), "%s=%s", name, value) >= sizeof(buf))
		return 0;
	return curl_url_set(h, CURLUPART_QUERY, buf, CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK;
}

static int add_query_num(CURLU *h, const char *name, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return add_query(h, name, num);
}

/* Jira Cloud's form of a bound: "YYYY-MM-DDTHH:MM:SS.mmm+0000" (an explicit
 * offset, never a zone-less time the site would read in its own zone). */
static int jira_time(int64_t ms, char *out, size_t len)
{
	char iso[CFL_TIME_ISO_LEN];

	if (cfl_time_format_ms(ms, iso, sizeof(iso)) == 0)
		return 0;
	return (size_t)snprintf(out, len, "%.23s+0000", iso) < len;
}

static int set_query(CURLU *h, const cfl_base_t *b, const cfl_request_t *r)
{
	char from[CFL_TIME_ISO_LEN + 4], to[CFL_TIME_ISO_LEN + 4];

	if (b->flavor == CFL_FLAVOR_ORG && r->page_cursor != NULL)
		return add_query(h, CFL_ORG_Q_CURSOR, r->page_cursor) && add_query_num(h, CFL_ORG_Q_LIMIT, r->limit);
	if (b->flavor == CFL_FLAVOR_ORG)
		return add_query_num(h, CFL_ORG_Q_FROM, r->from_ms) && add_query_num(h, CFL_ORG_Q_TO, r->to_ms) &&
		       add_query_num(h, CFL_ORG_Q_LIMIT, r->limit) && add_query(h, CFL_ORG_Q_SORT, CFL_ORG_SORT_ASC);
	if (b->flavor == CFL_FLAVOR_CLOUD)
		return add_query_num(h, CFL_CLOUD_Q_START_DATE, r->from_ms) &&
		       add_query_num(h, CFL_CLOUD_Q_END_DATE, r->to_ms) &&
		       add_query_num(h, CFL_CLOUD_Q_START, r->offset) && add_query_num(h, CFL_CLOUD_Q_LIMIT, r->limit);
	if (b->flavor == CFL_FLAVOR_JIRA_CLOUD)
		return jira_time(r->from_ms, from, sizeof(from)) && jira_time(r->to_ms, to, sizeof(to)) &&
		       add_query_num(h, CFL_JIRA_Q_OFFSET, r->offset) && add_query_num(h, CFL_JIRA_Q_LIMIT, r->limit) &&
		       add_query(h, CFL_JIRA_Q_FROM, from) && add_query(h, CFL_JIRA_Q_TO, to);
	if (cfl_time_format_ms(r->from_ms, from, sizeof(from)) == 0 ||
	    cfl_time_format_ms(r->to_ms, to, sizeof(to)) == 0)
		return 0; /* a window outside years 0000-9999: no request */
	return add_query(h, CFL_DC_Q_FROM, from) && add_query(h, CFL_DC_Q_TO, to) &&
	       add_query_num(h, CFL_DC_Q_LIMIT, r->limit) &&
	       (r->page_cursor == NULL || add_query(h, CFL_DC_Q_PAGE_CURSOR, r->page_cursor));
}

cfl_rc_t cfl_url_build(const cfl_base_t *b, const cfl_request_t *r, char **out, cfl_errbuf_t *err)
{
	CURLU *h = curl_url();
	char path[2048];
	const char *api = b->flavor == CFL_FLAVOR_CLOUD        ? CFL_CLOUD_AUDIT_PATH
	                  : b->flavor == CFL_FLAVOR_JIRA_CLOUD ? CFL_JIRA_AUDIT_PATH
	                                                       : CFL_DC_AUDIT_PATH;
	cfl_rc_t rc = CFL_OK;

	*out = NULL;
	if (h == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory building a request URL");
	if (b->flavor == CFL_FLAVOR_ORG && (r->org_id == NULL || r->org_id[0] == '\0' || strchr(r->org_id, '/'))) {
		rc = cfl_err_set(err, CFL_EINVAL, "no usable orgId for the organization events-stream");
		goto done;
	}
	if ((b->flavor == CFL_FLAVOR_ORG
	             ? (size_t)snprintf(path, sizeof(path), "%s" CFL_ORG_PATH_PREFIX "%s" CFL_ORG_PATH_SUFFIX, b->path,
	                                r->org_id)
	             : (size_t)snprintf(path, sizeof(path), "%s%s", b->path, api)) >= sizeof(path)) {
		rc = cfl_err_set(err, CFL_ELIMIT, "the url path is longer than %zu bytes", sizeof(path));
		goto done;
	}
	if (curl_url_set(h, CURLUPART_URL, b->url, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_PATH, path, 0) != CURLUE_OK || !set_query(h, b, r) ||
	    curl_url_get(h, CURLUPART_URL, out, 0) != CURLUE_OK) {
		rc = cfl_err_set(err, CFL_EINVAL, "cannot build a request URL from base %s", b->url);
		goto done;
	}
	if ((*out = take(*out)) == NULL)
		rc = cfl_err_set(err, CFL_ENOMEM, "out of memory building a request URL");
done:
	curl_url_cleanup(h);
	return rc;
}

int cfl_url_same_origin(const cfl_base_t *b, const char *link)
{
	CURLU *h = curl_url();
	char *o = NULL;
	int same = -1;

	if (h == NULL || link == NULL)
		goto done;
	if (curl_url_set(h, CURLUPART_URL, b->url, 0) != CURLUE_OK ||
	    curl_url_set(h, CURLUPART_URL, link, 0) != CURLUE_OK)
		goto done;
	if ((o = origin_of(h)) != NULL)
		same = strcmp(o, b->origin) == 0;
done:
	free(o);
	curl_url_cleanup(h);
	return same;
}
