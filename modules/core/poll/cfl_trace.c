/* cfl_trace.c: request trace lines with credentials redacted (see
 * cfl_trace.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfl_sbuf.h"
#include "cfl_time.h"
#include "cfl_trace.h"

#define REDACTED "REDACTED"

static int secret_param(const char *name, size_t n)
{
	static const char *const names[] = { "token",     "access_token", "password", "passwd",        "pwd",
		                             "api_key",   "apikey",       "secret",   "client_secret", "key",
		                             "signature", "sig",          "jwt",      "code" };
	size_t i;

	if (n >= 4 && strncasecmp(name, "auth", 4) == 0)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0)
			return 1;
	return 0;
}

void cfl_trace_redact_url(const char *url, char *out, size_t n)
{
	cfl_sbuf_t b;
	const char *p = url, *auth, *at, *end, *q, *amp, *eq;

	if (n == 0)
		return;
	cfl_sbuf_fixed(&b, out, n);
	if (url == NULL)
		return;
	/* scheme://[userinfo@]authority */
	auth = strstr(p, "://");
	if (auth != NULL) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		at = NULL;
		for (q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		cfl_sbuf_add(&b, p, (size_t)(auth - p));
		if (at != NULL) {
			cfl_sbuf_str(&b, REDACTED "@");
			auth = at + 1;
		}
		p = auth;
	}
	q = strchr(p, '?');
	if (q == NULL) {
		cfl_sbuf_str(&b, p);
		goto done;
	}
	cfl_sbuf_add(&b, p, (size_t)(q + 1 - p));
	for (p = q + 1; *p != '\0' && *p != '#'; p = *amp == '&' ? amp + 1 : amp) {
		amp = p + strcspn(p, "&#");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && secret_param(p, (size_t)(eq - p))) {
			cfl_sbuf_add(&b, p, (size_t)(eq + 1 - p));
			cfl_sbuf_str(&b, REDACTED);
		} else {
			cfl_sbuf_add(&b, p, (size_t)(amp - p));
		}
		if (*amp == '&')
			cfl_sbuf_str(&b, "&");
	}
	cfl_sbuf_str(&b, p); /* a fragment, if any */
done:
	if (b.failed) { /* cut, never leaving half a secret: the cut part was not written */
		out[n - 1] = '\0';
	}
}

static void put_field(cfl_sbuf_t *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	cfl_sbuf_str(b, ",\"");
	cfl_sbuf_str(b, name);
	cfl_sbuf_str(b, "\":");
	cfl_sbuf_json_string(b, value);
}

size_t cfl_trace_line(const cfl_trace_rec_t *r, char *out, size_t n)
{
	cfl_sbuf_t b;
	char iso[CFL_TIME_ISO_LEN], url[4096], num[64];

	if (n == 0)
		return 0;
	cfl_sbuf_fixed(&b, out, n);
	cfl_time_format_ms(r->wall_ms, iso, sizeof(iso));
	cfl_trace_redact_url(r->url, url, sizeof(url));
	cfl_sbuf_str(&b, "{\"@timestamp\":");
	cfl_sbuf_json_string(&b, iso);
	put_field(&b, "input", r->input);
	put_field(&b, "method", r->method != NULL ? r->method : "GET");
	put_field(&b, "url", url);
	snprintf(num, sizeof(num), ",\"status\":%ld,\"duration_ms\":%ld,\"bytes\":%zu", r->status, r->duration_ms,
	         r->bytes);
	cfl_sbuf_str(&b, num);
	put_field(&b, "error", r->error);
	put_field(&b, "retry_after", r->retry_after);
	put_field(&b, "ratelimit_remaining", r->remaining);
	put_field(&b, "ratelimit_nearlimit", r->near_limit);
	cfl_sbuf_str(&b, "}\n");
	return b.failed ? 0 : b.len;
}
