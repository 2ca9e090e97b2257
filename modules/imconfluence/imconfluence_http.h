/* imconfluence_http.h: one libcurl easy handle per input instance.
 *
 * Glue, but without rsyslog headers: the input thread owns a curl multi
 * handle and drives the transfers (see imconfluence.c); this file sets up
 * the easy handle once (TLS, proxy, auth, timeouts, no redirects, no
 * signals) and collects each reply: status, body (capped), Retry-After.
 *
 * Secrets: the password goes to CURLOPT_PASSWORD and the token into an
 * "Authorization: Bearer" header list; neither is copied anywhere else,
 * logged, or sent to any URL but the ones the caller builds from the
 * configured base. CURLOPT_VERBOSE stays off (it would print headers).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef IMCONFLUENCE_HTTP_H
#define IMCONFLUENCE_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

#include "cfl_ratelimit.h"

/* Our version, not rsyslog's: the module's config.h is rsyslog's, so the
 * build passes ours as CFL_PACKAGE_VERSION (Makefile.am, AM_CPPFLAGS). */
#ifndef CFL_PACKAGE_VERSION
#error "CFL_PACKAGE_VERSION (rsyslog-confluence's version) is not defined by the build"
#endif
/* What imconfluence sends as User-Agent and logs when it starts polling. */
#define IMC_USER_AGENT "rsyslog-imconfluence/" CFL_PACKAGE_VERSION

typedef struct icf_http_cfg {
	long timeout_ms;    /* whole request, connect included */
	const char *cacert; /* NULL: the system trust store */
	const char *mycert;
	const char *myprivkey;
	int allow_unsigned;   /* 1: do not verify the peer certificate */
	int skip_verify_host; /* 1: do not verify the host name */
	const char *proxy;    /* NULL or "": libcurl's default (environment) */
	const char *username; /* basic auth when no token; NULL: none */
	const char *password;
	const char *token;         /* "Authorization: Bearer <token>"; wins over basic */
	long tls_min;              /* CURL_SSLVERSION_* (0: libcurl's default) */
	long tls_max;              /* CURL_SSLVERSION_MAX_* (0: no maximum) */
	const char *ciphers;       /* CURLOPT_SSL_CIPHER_LIST, TLS <= 1.2; NULL: default */
	const char *tls13_ciphers; /* CURLOPT_TLS13_CIPHERS; NULL: default */
	const char *pinned_pubkey; /* CURLOPT_PINNEDPUBLICKEY: "sha256//..." or a PEM/DER file */
	size_t max_body;           /* a larger reply is an error */
	const char *user_agent;
	int (*should_stop)(void); /* polled during transfers; non-zero aborts */
} icf_http_cfg_t;

typedef struct icf_http_result {
	CURLcode curl_rc; /* CURLE_OK or the transfer error */
	long status;      /* HTTP status, 0 if none */
	const char *body; /* NUL-terminated; valid until the next start */
	size_t len;
	const char *retry_after; /* header value or NULL */
	const char *location;    /* header value or NULL */
	cfl_rl_headers_t rl;     /* the rate-limit headers, each NULL when absent */
	long total_ms;           /* the transfer's duration */
	const char *error;       /* when curl_rc != CURLE_OK: icf_http_failure's words, then curl's text */
	int too_big;             /* the body exceeded max_body */
	int stopped;             /* aborted because should_stop() said so */
	/* the Content-Type header's value or NULL; valid until the next start */
	const char *content_type;
	int proxy; /* the failure is the proxy's (error names it) */
} icf_http_result_t;

typedef struct icf_http icf_http_t;

/* NULL on failure, with a reason in err. The strings of cfg are copied. */
icf_http_t *icf_http_new(const icf_http_cfg_t *cfg, char *err, size_t errlen);
void icf_http_free(icf_http_t *h);

/* The TLS version parameter ("1.0" ... "1.3") as CURL_SSLVERSION_TLSv1_x
 * (max = 0) or CURL_SSLVERSION_MAX_TLSv1_x (max = 1); -1 if unknown. */
long icf_http_tls_version(const char *v, int max);

/* curl_rc (and the connect errno, CURLINFO_OS_ERRNO) in our own words. */
const char *icf_http_failure(CURLcode rc, long os_errno);

/* Prepares a GET of url; returns the easy handle to add to a multi handle. */
CURL *icf_http_start(icf_http_t *h, const char *url);

/* After the multi handle reported the transfer done with rc. */
void icf_http_finish(icf_http_t *h, CURLcode rc, icf_http_result_t *out);

CURL *icf_http_easy(const icf_http_t *h);

#endif
