/* cfl_trace.h: one line of imconfluence's request trace (requestTraceFile).
 *
 * For troubleshooting, like Elastic's enable_request_tracer, but safe to
 * hand to a vendor: a JSON line per request with the time, input name,
 * method, URL, status, libcurl error, duration and response size. The URL
 * has any user:password@ and the values of credential-like query
 * parameters (token, access_token, password, api_key, apikey, secret, key,
 * signature, sig, auth*, jwt, code) replaced by "REDACTED"; request headers
 * (Authorization, cookies) are never part of a trace line.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_TRACE_H
#define CFL_TRACE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cfl_trace_rec {
	int64_t wall_ms;   /* when the request ended */
	const char *input; /* the input's name (for several inputs in one file) */
	const char *method;
	const char *url;
	long status;       /* 0: no HTTP answer */
	const char *error; /* libcurl's error text, or NULL */
	long duration_ms;
	size_t bytes;            /* response body size */
	const char *retry_after; /* rate-limit headers worth seeing, or NULL */
	const char *remaining;
	const char *near_limit;
} cfl_trace_rec_t;

/* Writes the URL with credentials redacted into out (always NUL-terminated,
 * cut at n - 1). */
void cfl_trace_redact_url(const char *url, char *out, size_t n);

/* The JSON line (with "\n") into out; returns its length, or 0 if it did
 * not fit in n. */
size_t cfl_trace_line(const cfl_trace_rec_t *r, char *out, size_t n);

#endif
