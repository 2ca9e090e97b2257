/* cfl_outcome.c: the outcome of a request (see cfl_outcome.h).
 *
 * CURLcode values are used by number (6, 7, 28, ...) only where a hint
 * depends on them, and named through curl/curl.h, which the core already
 * depends on for cfl_url.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cfl_outcome.h"
#include "cfl_status.h"

#define EXCERPT 120
#define TITLE 80
#define SNIFF 4096 /* where an HTML page's start and title are looked for */

/* 1 if data[0..len) starts with word (ASCII, case ignored) */
static int starts_with_ci(const char *data, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && strncasecmp(data, word, n) == 0;
}

int cfl_reply_is_html(const cfl_reply_t *r)
{
	const char *ct = r->content_type, *b = r->body;
	size_t len = r->len;

	while (b != NULL && len > 0 && isspace((unsigned char)*b)) {
		b++;
		len--;
	}
	/* JSON, whatever the label says, is for the parser to judge */
	if (b == NULL || (len > 0 && (*b == '{' || *b == '[')))
		return 0;
	if (ct != NULL) {
		while (*ct == ' ')
			ct++;
		if (starts_with_ci(ct, strlen(ct), "text/html") ||
		    starts_with_ci(ct, strlen(ct), "application/xhtml+xml"))
			return 1;
		if (starts_with_ci(ct, strlen(ct), "application/json"))
			return 0;
	}
	return starts_with_ci(b, len, "<!doctype html") || starts_with_ci(b, len, "<html");
}

/* The text of the page's <title>, as a printable excerpt, or "" */
static void html_title(const cfl_reply_t *r, char *out, size_t max)
{
	size_t len = r->len < SNIFF ? r->len : SNIFF, i, end;
	const char *b = r->body;

	out[0] = '\0';
	for (i = 0; b != NULL && i < len; i++) {
		if (b[i] != '<' || !starts_with_ci(b + i, len - i, "<title"))
			continue;
		while (i < len && b[i] != '>')
			i++;
		for (end = ++i; end < len && b[end] != '<'; end++)
			;
		while (i < end && isspace((unsigned char)b[i]))
			i++;
		while (end > i && isspace((unsigned char)b[end - 1]))
			end--;
		if (end > i)
			cfl_excerpt(b + i, end - i, out, max);
		return;
	}
}

/* A 200 with an HTML page: most often a single sign-on or login page that
 * the server (or a proxy in front of it) shows instead of the API, which a
 * password of an SSO-managed account gets; tokens are not redirected. */
static void html_page(const cfl_reply_t *r, const cfl_outcome_cfg_t *cfg, cfl_outcome_t *o)
{
	char title[TITLE + 1];

	html_title(r, title, TITLE);
	o->fail = CFL_FAIL_HTML;
	o->log_once = 1;
	snprintf(o->msg, sizeof(o->msg),
	         "the server answered with an HTML page%s%s%s instead of the audit API's JSON: a single sign-on "
	         "or login page? Check url (the site's base URL, not an address a browser was sent to) and the "
	         "credentials: an API token (Cloud) or a personal access token (Data Center) is not sent to "
	         "single sign-on, a password of an SSO-managed account may be. Retrying in %.1f s, backing "
	         "off up to maxBackoff=%lld s (logged once until a request succeeds)",
	         title[0] ? " (title \"" : "", title, title[0] ? "\")" : "", (double)o->delay_ms / 1000,
	         (long long)(cfg->max_backoff_ms / 1000));
}

static void transport(const cfl_reply_t *r, const cfl_outcome_cfg_t *cfg, cfl_outcome_t *o)
{
	const char *hint = "";

	if (r->proxy)
		hint = "; check proxy (its host and port, and that it lets this host CONNECT to the url's port)";
	else if (r->curl_rc == CURLE_PEER_FAILED_VERIFICATION || r->curl_rc == CURLE_SSL_CONNECT_ERROR ||
	         r->curl_rc == CURLE_SSL_CERTPROBLEM || r->curl_rc == CURLE_SSL_CACERT_BADFILE)
		hint = "; check tls.cacert (the CA that signed the server's certificate), tls.mycert/tls.myprivkey, "
		       "or the url's host name";
	else if (r->https && (r->curl_rc == CURLE_SEND_ERROR || r->curl_rc == CURLE_RECV_ERROR))
		/* a server that wants a client certificate just drops the handshake */
		hint = "; if the server requires a client certificate, set tls.mycert and tls.myprivkey";
	else if (r->curl_rc == CURLE_COULDNT_RESOLVE_HOST || r->curl_rc == CURLE_COULDNT_RESOLVE_PROXY)
		hint = "; check the host name in url (or proxy)";
	snprintf(o->msg, sizeof(o->msg),
	         "request failed: %s (curl: %s)%s. Retrying in %.1f s, backing off up to "
	         "maxBackoff=%lld s",
	         r->curl_error ? r->curl_error : "?", r->curl_name ? r->curl_name : "?", hint,
	         (double)o->delay_ms / 1000, (long long)(cfg->max_backoff_ms / 1000));
}

/* The organization audit log has its own credentials and permission. */
static int is_org(const cfl_outcome_cfg_t *cfg)
{
	return cfg->flavor_name != NULL && strcmp(cfg->flavor_name, "organization") == 0;
}

static void client_error(const cfl_reply_t *r, const cfl_outcome_cfg_t *cfg, cfl_outcome_t *o)
{
	char ex[EXCERPT + 1];

	cfl_excerpt(r->body ? r->body : "", r->len, ex, EXCERPT);
	o->delay_ms = (int64_t)cfg->polling_interval_s * 1000;
	if (r->status == 401) {
		o->fail = CFL_FAIL_AUTH;
		o->log_once = 1;
		if (is_org(cfg))
			snprintf(
			        o->msg, sizeof(o->msg),
			        "authentication failed (HTTP 401): check the organization API key "
			        "in tokenFile (Atlassian Administration > Settings > API keys; it expires after at most "
			        "a year). Retrying every %d s",
			        cfg->polling_interval_s);
		else
			snprintf(
			        o->msg, sizeof(o->msg),
			        "authentication failed (HTTP 401): check username and "
			        "password/passwordFile (Cloud: the account's e-mail and an API token) or token/tokenFile (a "
			        "Data Center personal access token). Retrying every %d s",
			        cfg->polling_interval_s);
	} else if (r->status == 403 && is_org(cfg)) {
		o->fail = CFL_FAIL_FORBIDDEN;
		o->log_once = 1;
		snprintf(o->msg, sizeof(o->msg),
		         "access denied (HTTP 403): the organization API key needs the "
		         "read:events:admin scope and must belong to the organization orgId names (server said: "
		         "\"%s\"). Retrying every %d s",
		         ex, cfg->polling_interval_s);
	} else if (r->status == 403) {
		o->fail = CFL_FAIL_FORBIDDEN;
		o->log_once = 1;
		snprintf(o->msg, sizeof(o->msg),
		         "access denied (HTTP 403): reading the audit log needs the Confluence "
		         "Administrator permission%s (server said: \"%s\"). Retrying every %d s",
		         r->body != NULL && strstr(r->body, "Free") != NULL
		                 ? ", and Confluence Cloud's Free plan has no audit log"
		                 : "; Confluence Cloud's Free plan has no audit log",
		         ex, cfg->polling_interval_s);
	} else if (r->status == 407) {
		/* only a proxy answers 407 (a plain-HTTP url through proxy=) */
		o->fail = CFL_FAIL_CLIENT;
		o->log_once = 1;
		snprintf(o->msg, sizeof(o->msg),
		         "the proxy asks for authentication (HTTP 407 Proxy Authentication Required): give its user "
		         "and password in proxy (\"http://user:password@proxy:3128\"), or let the proxy admit this "
		         "host. Retrying every %d s",
		         cfg->polling_interval_s);
	} else if (r->status == 404 && is_org(cfg)) {
		o->fail = CFL_FAIL_CLIENT;
		snprintf(
		        o->msg, sizeof(o->msg),
		        "HTTP 404 for %s (server said: \"%s\"): check orgId (the id after /o/ in "
		        "https://admin.atlassian.com/o/<orgId>/...) and that the API key belongs to that organization. "
		        "Retrying every %d s",
		        r->url ? r->url : "?", ex, cfg->polling_interval_s);
	} else if (r->status >= 300 && r->status < 400) {
		o->fail = CFL_FAIL_REDIRECT;
		o->log_once = 1;
		snprintf(o->msg, sizeof(o->msg),
		         "the server redirects (HTTP %ld) to %s; redirects are not followed, so "
		         "credentials never leave the configured host: set url to the final base URL. Retrying every "
		         "%d s",
		         r->status, r->location ? r->location : "(no Location)", cfg->polling_interval_s);
	} else {
		o->fail = CFL_FAIL_CLIENT;
		snprintf(o->msg, sizeof(o->msg),
		         "HTTP %ld for %s (server said: \"%s\"): check url (a Cloud site, a "
		         "Cloud gateway base or a Data Center base URL with its context path) and flavor=%s. Retrying "
		         "every %d s",
		         r->status, r->url ? r->url : "?", ex, cfg->flavor_name ? cfg->flavor_name : "?",
		         cfg->polling_interval_s);
	}
}

void cfl_outcome_decide(const cfl_reply_t *r, const cfl_outcome_cfg_t *cfg, cfl_backoff_t *bo, uint32_t rnd,
                        int64_t now_ms, cfl_outcome_t *o)
{
	int64_t ra;

	memset(o, 0, sizeof(*o));
	if (r->curl_rc == 0 && r->status == 200 && cfl_reply_is_html(r)) {
		o->retry = 1;
		o->delay_ms = cfl_backoff_next(bo, rnd);
		html_page(r, cfg, o);
		return;
	}
	if (r->curl_rc == 0 && r->status == 200) {
		cfl_backoff_reset(bo);
		return;
	}
	if (r->curl_rc != 0 || r->status == 0) {
		o->retry = 1;
		o->delay_ms = cfl_backoff_next(bo, rnd);
		if (r->too_big) {
			o->fail = CFL_FAIL_TOO_BIG;
			snprintf(o->msg, sizeof(o->msg),
			         "the reply is larger than %zu bytes; lower pageSize. Retrying in "
			         "%.1f s",
			         cfg->max_body, (double)o->delay_ms / 1000);
		} else {
			o->fail = CFL_FAIL_TRANSPORT;
			transport(r, cfg, o);
		}
		return;
	}
	if (r->status == 429 || r->status >= 500) {
		o->retry = 1;
		ra = cfl_retry_after_ms(r->retry_after, now_ms, cfg->max_backoff_ms);
		o->rate_wait = ra >= 0;
		/* the server may lengthen the wait, never shorten it below the
		 * backoff: "Retry-After: 0" (or a date in the past) on every 429
		 * made thousands of requests a second */
		o->delay_ms = cfl_backoff_next(bo, rnd);
		if (ra > o->delay_ms)
			o->delay_ms = ra;
		if (r->status == 429) {
			o->fail = CFL_FAIL_RATE;
			o->warning = 1;
			snprintf(o->msg, sizeof(o->msg),
			         "rate limited (HTTP 429, Retry-After: %s); waiting %.1f s (at most "
			         "maxBackoff=%lld s)",
			         r->retry_after ? r->retry_after : "none", (double)o->delay_ms / 1000,
			         (long long)(cfg->max_backoff_ms / 1000));
		} else {
			o->fail = CFL_FAIL_SERVER;
			snprintf(o->msg, sizeof(o->msg),
			         "server error HTTP %ld%s%s%s; retrying in %.1f s, backing off up "
			         "to maxBackoff=%lld s",
			         r->status, r->retry_after ? " (Retry-After: " : "",
			         r->retry_after ? r->retry_after : "", r->retry_after ? ")" : "",
			         (double)o->delay_ms / 1000, (long long)(cfg->max_backoff_ms / 1000));
		}
		return;
	}
	client_error(r, cfg, o);
}
