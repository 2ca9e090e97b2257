/* imconfluence_http.c: the per-instance libcurl easy handle (see
 * imconfluence_http.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>

#include "cfl_trace.h"
#include "imconfluence_http.h"

/* libcurl is chosen by version at build time (configure: >= 7.66, the
 * curl_multi_poll and URL API the glue and core use). Options newer than
 * that are set only where they exist; README.md says what degrades. */
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the string forms; the masks are deprecated there */
#define ICF_HAVE_PROTOCOLS_STR 1
#endif
#if LIBCURL_VERSION_NUM >= 0x075700 /* 7.87 */
#define ICF_HAVE_QUICK_EXIT 1
#endif

/* The strings of icf_http_cfg_t the handle copies: libcurl keeps some of
 * the pointers it is given, and the caller's may change after a HUP. */
/* (clang-format does not settle on one layout for these X-macros) */
/* clang-format off */
#define ICF_HTTP_CFG_STRINGS(X) \
	X(cacert) X(mycert) X(myprivkey) X(proxy) X(username) X(password) X(token) X(user_agent) X(ciphers) \
	X(tls13_ciphers) X(pinned_pubkey)

/* The rate-limit headers kept from a reply: cfl_rl_headers_t's member and
 * the header's name. */
#define ICF_HTTP_RL_HEADERS(X) \
	X(limit, "X-RateLimit-Limit") X(remaining, "X-RateLimit-Remaining") X(reset, "X-RateLimit-Reset") \
	X(near_limit, "X-RateLimit-NearLimit") X(fill_rate, "X-RateLimit-FillRate") \
	X(interval_s, "X-RateLimit-Interval-Seconds") X(reason, "RateLimit-Reason")
/* clang-format on */

struct icf_http {
	CURL *easy;
	struct curl_slist *headers;
	icf_http_cfg_t cfg; /* its strings point into own */
	struct {
#define ICF_OWN(f) char *f;
		ICF_HTTP_CFG_STRINGS(ICF_OWN)
#undef ICF_OWN
	} own; /* owned copies of cfg's strings, wiped when freed */
	char *body;
	size_t len, cap;
	int too_big;
	char retry_after[128];
	char location[512];
	struct {
#define ICF_RL(f, name) char f[128];
		ICF_HTTP_RL_HEADERS(ICF_RL)
#undef ICF_RL
	} rl; /* rate-limit headers of the last reply, "" when absent */
	char errbuf[CURL_ERROR_SIZE];
	char errmsg[CURL_ERROR_SIZE + 512]; /* our words (naming a proxy), then libcurl's */
	char setup_err[256];                /* which option libcurl refused */
};

/* One option, checked on its own: on failure setup_err names the libcurl
 * option and the input parameter behind it (NULL: none, built in). */
#define SETOPT(h, opt, val, param) set1((h), #opt, (param), curl_easy_setopt((h)->easy, opt, val))

static int set1(icf_http_t *h, const char *opt, const char *param, CURLcode rc)
{
	if (rc == CURLE_OK)
		return 1;
	snprintf(h->setup_err, sizeof(h->setup_err), "libcurl %s refused %s%s%s%s: %s",
	         curl_version_info(CURLVERSION_NOW)->version, opt, param ? " (parameter " : "", param ? param : "",
	         param ? ")" : "", curl_easy_strerror(rc));
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	icf_http_t *h = ud;
	size_t n = size * nmemb, cap;
	char *nb;

	if (h->len + n + 1 > h->cfg.max_body) {
		h->too_big = 1;
		return 0; /* aborts the transfer */
	}
	if (h->len + n + 1 > h->cap) {
		cap = h->cap ? h->cap : 65536;
		while (cap < h->len + n + 1)
			cap *= 2;
		if ((nb = realloc(h->body, cap)) == NULL)
			return 0;
		h->body = nb;
		h->cap = cap;
	}
	memcpy(h->body + h->len, data, n);
	h->len += n;
	h->body[h->len] = '\0';
	return n;
}

/* Copies the value of header "name:" if line is that header. */
static void grab_header(const char *line, size_t n, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), vl;
	const char *v;

	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	v = line + nl + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	vl = (size_t)(line + n - v);
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (vl >= outlen)
		vl = outlen - 1;
	memcpy(out, v, vl);
	out[vl] = '\0';
}

static void clear_headers(icf_http_t *h)
{
	h->retry_after[0] = '\0';
	h->location[0] = '\0';
	memset(&h->rl, 0, sizeof(h->rl));
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	icf_http_t *h = ud;
	size_t n = size * nmemb;

	/* a new response (e.g. after a proxy's CONNECT 200) starts afresh */
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		clear_headers(h);
		/* libcurl refuses a header line over 100 KB (or headers over its
		 * total) without a message of its own: its error would read
		 * "Out of memory". Say what happened instead; libcurl's own
		 * message, when it has one, replaces this, and the end of the
		 * headers clears it. */
		snprintf(h->errbuf, sizeof(h->errbuf),
		         "the server's reply headers could not be read: a header "
		         "line longer than libcurl accepts (100 KB), or too many headers, after \"%.*s\"",
		         (int)(n > 40 ? 40 : n - (data[n - 1] == '\n') - (n > 1 && data[n - 2] == '\r')), data);
	} else if (n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		h->errbuf[0] = '\0';
	}
	grab_header(data, n, "Retry-After", h->retry_after, sizeof(h->retry_after));
	grab_header(data, n, "Location", h->location, sizeof(h->location));
#define ICF_GRAB(f, name) grab_header(data, n, name, h->rl.f, sizeof(h->rl.f));
	ICF_HTTP_RL_HEADERS(ICF_GRAB)
#undef ICF_GRAB
	return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	icf_http_t *h = ud;

	return h->cfg.should_stop != NULL && h->cfg.should_stop();
}

/* Copies s into *own; NULL for NULL or "" (unset) and on ENOMEM. */
static const char *keep(char **own, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return NULL;
	*own = strdup(s);
	return *own;
}

static void wipe_free(char *s)
{
	if (s != NULL)
		memset(s, 0, strlen(s));
	free(s);
}

static int set_auth(icf_http_t *h)
{
	char *hdr;
	size_t n;
	struct curl_slist *l;

	if (h->cfg.token != NULL) {
		n = strlen(h->cfg.token) + sizeof("Authorization: Bearer ");
		if ((hdr = malloc(n)) == NULL)
			return 0;
		snprintf(hdr, n, "Authorization: Bearer %s", h->cfg.token);
		l = curl_slist_append(h->headers, hdr);
		memset(hdr, 0, n);
		free(hdr);
		if (l == NULL)
			return 0;
		h->headers = l;
		return 1;
	}
	if (h->cfg.username == NULL)
		return 1;
	return SETOPT(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC, "username") &&
	       SETOPT(h, CURLOPT_USERNAME, h->cfg.username, "username") &&
	       SETOPT(h, CURLOPT_PASSWORD, h->cfg.password ? h->cfg.password : "", "password/passwordFile");
}

long icf_http_tls_version(const char *v, int max)
{
	static const char *const names[] = { "1.0", "1.1", "1.2", "1.3" };
	static const long min_v[] = { CURL_SSLVERSION_TLSv1_0, CURL_SSLVERSION_TLSv1_1, CURL_SSLVERSION_TLSv1_2,
		                      CURL_SSLVERSION_TLSv1_3 };
	static const long max_v[] = { CURL_SSLVERSION_MAX_TLSv1_0, CURL_SSLVERSION_MAX_TLSv1_1,
		                      CURL_SSLVERSION_MAX_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_3 };
	size_t i;

	for (i = 0; v != NULL && i < 4; i++)
		if (strcmp(v, names[i]) == 0)
			return max ? max_v[i] : min_v[i];
	return -1;
}

static int set_tls(icf_http_t *h)
{
	const icf_http_cfg_t *c = &h->cfg;

	if ((c->tls_min != 0 || c->tls_max != 0) &&
	    !SETOPT(h, CURLOPT_SSLVERSION, c->tls_min | c->tls_max, "tls.minVersion/tls.maxVersion"))
		return 0;
	if (c->ciphers != NULL && !SETOPT(h, CURLOPT_SSL_CIPHER_LIST, c->ciphers, "tls.cipherList"))
		return 0;
	/* 7.61; a TLS backend without it (e.g. GnuTLS before 7.83) says so here */
	if (c->tls13_ciphers != NULL && !SETOPT(h, CURLOPT_TLS13_CIPHERS, c->tls13_ciphers, "tls.tls13Ciphers"))
		return 0;
	if (c->pinned_pubkey != NULL && !SETOPT(h, CURLOPT_PINNEDPUBLICKEY, c->pinned_pubkey, "tls.pinnedPublicKey"))
		return 0;
	if (c->cacert != NULL && !SETOPT(h, CURLOPT_CAINFO, c->cacert, "tls.cacert"))
		return 0;
	if (c->mycert != NULL && !SETOPT(h, CURLOPT_SSLCERT, c->mycert, "tls.mycert"))
		return 0;
	if (c->myprivkey != NULL && !SETOPT(h, CURLOPT_SSLKEY, c->myprivkey, "tls.myprivkey"))
		return 0;
	return SETOPT(h, CURLOPT_SSL_VERIFYPEER, c->allow_unsigned ? 0L : 1L, "allowUnsignedCerts") &&
	       SETOPT(h, CURLOPT_SSL_VERIFYHOST, c->skip_verify_host ? 0L : 2L, "skipVerifyHost");
}

/* Only http and https, for the request and for any redirect (none is
 * followed anyway: credentials must not leave the configured host). */
static int set_protocols(icf_http_t *h)
{
#ifdef ICF_HAVE_PROTOCOLS_STR
	return SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https", NULL) &&
	       SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https", NULL);
#else
	return SETOPT(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS), NULL) &&
	       SETOPT(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS), NULL);
#endif
}

static int set_options(icf_http_t *h)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(NULL, "Accept: application/json")) == NULL) {
		snprintf(h->setup_err, sizeof(h->setup_err), "out of memory");
		return 0;
	}
	h->headers = l;
	if (!set_auth(h) || !set_tls(h) || !set_protocols(h))
		return 0;
#ifdef ICF_HAVE_QUICK_EXIT
	/* shutdown need not wait for a DNS thread; older libcurl just waits */
	if (!SETOPT(h, CURLOPT_QUICK_EXIT, 1L, NULL))
		return 0;
#endif
	return SETOPT(h, CURLOPT_HTTPHEADER, h->headers, "token/tokenFile") && SETOPT(h, CURLOPT_NOSIGNAL, 1L, NULL) &&
	       SETOPT(h, CURLOPT_TIMEOUT_MS, h->cfg.timeout_ms, "timeout") &&
	       SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, h->cfg.timeout_ms, "timeout") &&
	       SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L, NULL) && SETOPT(h, CURLOPT_USERAGENT, h->cfg.user_agent, NULL) &&
	       SETOPT(h, CURLOPT_ACCEPT_ENCODING, "", NULL) && SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L, NULL) &&
	       SETOPT(h, CURLOPT_ERRORBUFFER, h->errbuf, NULL) && SETOPT(h, CURLOPT_WRITEFUNCTION, on_body, NULL) &&
	       SETOPT(h, CURLOPT_WRITEDATA, h, NULL) && SETOPT(h, CURLOPT_HEADERFUNCTION, on_header, NULL) &&
	       SETOPT(h, CURLOPT_HEADERDATA, h, NULL) && SETOPT(h, CURLOPT_NOPROGRESS, 0L, NULL) &&
	       SETOPT(h, CURLOPT_XFERINFOFUNCTION, on_progress, NULL) && SETOPT(h, CURLOPT_XFERINFODATA, h, NULL) &&
	       (h->cfg.proxy == NULL || SETOPT(h, CURLOPT_PROXY, h->cfg.proxy, "proxy"));
}

icf_http_t *icf_http_new(const icf_http_cfg_t *cfg, char *err, size_t errlen)
{
	icf_http_t *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->cfg = *cfg;
	if (h->cfg.user_agent == NULL)
		h->cfg.user_agent = IMC_USER_AGENT;
#define ICF_KEEP(f) h->cfg.f = keep(&h->own.f, h->cfg.f);
	ICF_HTTP_CFG_STRINGS(ICF_KEEP)
#undef ICF_KEEP
	if ((h->easy = curl_easy_init()) == NULL || !set_options(h)) {
		if (h->setup_err[0])
			snprintf(err, errlen, "cannot set up libcurl: %s", h->setup_err);
		else
			snprintf(err, errlen, "cannot set up libcurl (%s): curl_easy_init failed",
			         curl_version_info(CURLVERSION_NOW)->version);
		icf_http_free(h);
		return NULL;
	}
	return h;
}

void icf_http_free(icf_http_t *h)
{
	struct curl_slist *l;

	if (h == NULL)
		return;
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	for (l = h->headers; l != NULL; l = l->next) /* held the token */
		memset(l->data, 0, strlen(l->data));
	curl_slist_free_all(h->headers);
#define ICF_WIPE(f) wipe_free(h->own.f);
	ICF_HTTP_CFG_STRINGS(ICF_WIPE)
#undef ICF_WIPE
	free(h->body);
	free(h);
}

CURL *icf_http_start(icf_http_t *h, const char *url)
{
	h->len = 0;
	if (h->body != NULL)
		h->body[0] = '\0';
	h->too_big = 0;
	clear_headers(h);
	h->errbuf[0] = '\0';
	if (curl_easy_setopt(h->easy, CURLOPT_URL, url) != CURLE_OK)
		return NULL;
	return h->easy;
}

/* With proxy= set, a failure that is the proxy's says so: libcurl could not
 * reach the proxy (resolve, connect), or the proxy refused the CONNECT
 * tunnel (407: it wants credentials). 1 if so (h->errmsg written). The
 * proxy URL is shown with any user:password redacted. */
static int proxy_failure(icf_http_t *h, CURLcode rc, long os_errno, icf_http_result_t *out)
{
	char proxy[256];
	long connect_code = 0;
	const char *libcurl = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);

	if (h->cfg.proxy == NULL)
		return 0;
	curl_easy_getinfo(h->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
	cfl_trace_redact_url(h->cfg.proxy, proxy, sizeof(proxy));
	if (connect_code != 0 && connect_code != 200) {
		snprintf(h->errmsg, sizeof(h->errmsg),
		         "the proxy %s refused the tunnel (CONNECT answered HTTP %ld%s): %s", proxy, connect_code,
		         connect_code == 407 ? ", it wants credentials: give its user and password in proxy" : "",
		         libcurl);
	} else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_PROXY) {
		snprintf(h->errmsg, sizeof(h->errmsg), "the proxy %s: %s: %s", proxy, icf_http_failure(rc, os_errno),
		         libcurl);
	} else {
		return 0;
	}
	out->proxy = 1;
	return 1;
}

void icf_http_finish(icf_http_t *h, CURLcode rc, icf_http_result_t *out)
{
	curl_off_t total_us = 0;

	memset(out, 0, sizeof(*out));
	out->curl_rc = rc;
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = h->body != NULL ? h->body : "";
	out->len = h->len;
	out->retry_after = h->retry_after[0] ? h->retry_after : NULL;
	out->location = h->location[0] ? h->location : NULL;
	if (curl_easy_getinfo(h->easy, CURLINFO_CONTENT_TYPE, &out->content_type) != CURLE_OK)
		out->content_type = NULL;
	out->rl.retry_after = out->retry_after;
#define ICF_OUT(f, name) out->rl.f = h->rl.f[0] ? h->rl.f : NULL;
	ICF_HTTP_RL_HEADERS(ICF_OUT)
#undef ICF_OUT
	if (curl_easy_getinfo(h->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK)
		out->total_ms = (long)(total_us / 1000);
	out->too_big = h->too_big;
	out->stopped = rc == CURLE_ABORTED_BY_CALLBACK && h->cfg.should_stop != NULL && h->cfg.should_stop();
	if (rc != CURLE_OK) {
		long os_errno = 0;

		curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &os_errno);
		if (!proxy_failure(h, rc, os_errno, out))
			snprintf(h->errmsg, sizeof(h->errmsg), "%s: %s", icf_http_failure(rc, os_errno),
			         h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		out->error = h->errmsg;
	}
}

/* Operators and tests match these words; libcurl's own text changes between
 * versions ("Couldn't connect" became "Could not connect" in 8.x). */
const char *icf_http_failure(CURLcode rc, long os_errno)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED)
			return "cannot connect (connection refused)";
		if (os_errno == EHOSTUNREACH || os_errno == ENETUNREACH)
			return "cannot connect (host unreachable)";
		if (os_errno == ETIMEDOUT)
			return "cannot connect (timed out)";
		return "cannot connect";
	case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve host";
	case CURLE_COULDNT_RESOLVE_PROXY: return "cannot resolve the proxy's host";
	case CURLE_OPERATION_TIMEDOUT: return "timed out";
	case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed";
#if LIBCURL_VERSION_NUM < 0x073e00 /* 7.62 merged it into PEER_FAILED_VERIFICATION */
	case CURLE_SSL_CACERT:
#endif
	case CURLE_PEER_FAILED_VERIFICATION: return "TLS server certificate not verified";
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return "TLS server key does not match the pinned key";
	case CURLE_SSL_CERTPROBLEM: return "TLS client certificate unusable";
	case CURLE_SSL_CACERT_BADFILE: return "TLS CA file unusable";
	case CURLE_SSL_CIPHER: return "TLS cipher unusable";
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR: return "connection broken";
	case CURLE_GOT_NOTHING: return "connection closed without a reply";
	case CURLE_PARTIAL_FILE: return "reply cut short";
	case CURLE_UNSUPPORTED_PROTOCOL: return "scheme not allowed (only http and https)";
	case CURLE_ABORTED_BY_CALLBACK: return "stopped";
	case CURLE_WRITE_ERROR: return "reply not stored";
	default: return "transfer failed";
	}
}

CURL *icf_http_easy(const icf_http_t *h)
{
	return h->easy;
}
