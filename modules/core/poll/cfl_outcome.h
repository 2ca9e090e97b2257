/* cfl_outcome.h: what a finished request means, and what to do next.
 *
 * The glue hands in what libcurl reported (a transport error, or an HTTP
 * status with headers and body); this decides the next step and words the
 * message, so the decisions and the wording are unit-tested and the glue
 * only logs, counts and waits:
 *   200                 feed the body to cfl_poll, unless it is an HTML
 *                       page (a single sign-on or login page, a proxy's
 *                       or a starting server's page): backoff, logged
 *                       once per streak with a hint about SSO
 *   429, 5xx            exponential backoff, lengthened (never shortened)
 *                       to Retry-After when given (clamped to maxBackoff)
 *   transport errors    exponential backoff (timeouts, resets, TLS, too big)
 *   401, 403, 3xx, 4xx  a configuration problem: wait pollingInterval; 401,
 *                       403 and 3xx are to be logged once per streak
 * Messages never contain credentials (the core never sees any) and quote at
 * most a short printable excerpt of a reply.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_OUTCOME_H
#define CFL_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_backoff.h"
#include "cfl_status.h"

typedef enum cfl_fail {
	CFL_FAIL_NONE = 0,  /* a 200: feed it */
	CFL_FAIL_AUTH,      /* 401 */
	CFL_FAIL_FORBIDDEN, /* 403 */
	CFL_FAIL_REDIRECT,  /* 3xx (never followed) */
	CFL_FAIL_CLIENT,    /* other 4xx */
	CFL_FAIL_RATE,      /* 429 */
	CFL_FAIL_SERVER,    /* 5xx */
	CFL_FAIL_TRANSPORT, /* no usable HTTP answer */
	CFL_FAIL_TOO_BIG,   /* the reply exceeded the size limit */
	CFL_FAIL_HTML,      /* a 200 with an HTML page (SSO or login page?) */
	/* Never decided by cfl_outcome_decide(): failures the caller meets after
	 * a 200, named here so every failure of a poll has one enum. */
	CFL_FAIL_BODY,  /* a 200 that is not an audit page (cfl_poll_feed failed) */
	CFL_FAIL_STATE, /* the state file cannot be written */
	CFL_FAIL_URL    /* no request URL can be built from what the server sent */
} cfl_fail_t;

typedef struct cfl_reply {
	int curl_rc;            /* CURLcode; 0 when an HTTP answer arrived */
	const char *curl_error; /* libcurl's text for curl_rc */
	const char *curl_name;  /* curl_easy_strerror(curl_rc) */
	long status;
	const char *body;
	size_t len;
	const char *retry_after; /* header value or NULL */
	const char *location;    /* header value or NULL */
	int too_big;
	int https;                /* the request was https */
	const char *url;          /* the request URL (no credentials in it) */
	const char *content_type; /* header value or NULL */
	int proxy;                /* the transport failure is the configured proxy's */
} cfl_reply_t;

typedef struct cfl_outcome_cfg {
	int64_t max_backoff_ms;
	int polling_interval_s;
	const char *flavor_name;
	size_t max_body;
} cfl_outcome_cfg_t;

typedef struct cfl_outcome {
	cfl_fail_t fail;
	int64_t delay_ms;         /* wait before the next attempt */
	int retry;                /* the wait is a retry (backoff or Retry-After), not the polling interval */
	int rate_wait;            /* the wait follows the server's Retry-After */
	int log_once;             /* log once per streak only */
	int warning;              /* a warning, not an error */
	char msg[CFL_ERRBUF_LEN]; /* for the log, without the "imconfluence(<host>): " prefix */
} cfl_outcome_t;

/* 1 if r's body is an HTML page: its Content-Type says text/html or
 * application/xhtml+xml, or (no usable Content-Type) it starts with
 * "<!DOCTYPE html" or "<html", whatever the case and leading blanks. A
 * body starting with '{' or '[' is never HTML (the parser judges it). */
int cfl_reply_is_html(const cfl_reply_t *r);

/* Decides the outcome of r. bo is advanced when the wait is a backoff;
 * rnd is a random number for its jitter; now_ms is the wall clock (for a
 * Retry-After HTTP date). */
void cfl_outcome_decide(const cfl_reply_t *r, const cfl_outcome_cfg_t *cfg, cfl_backoff_t *bo, uint32_t rnd,
                        int64_t now_ms, cfl_outcome_t *out);

#endif
