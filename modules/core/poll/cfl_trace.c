/* cfl_trace.c: request trace lines with credentials redacted (see
 * cfl_trace.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfl_time.h"
#include "cfl_trace.h"

#define REDACTED "REDACTED"

typedef struct sbuf {
	char *p;
	size_t n, len;
	int overflow;
} sbuf_t;

static void put(sbuf_t *b, const char *s, size_t n)
{
	if (b->overflow || b->len + n + 1 > b->n) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(sbuf_t *b, const char *s)
{
	put(b, s, strlen(s));
}

static int secret_param(const char *name, size_t n)
{
	static const char *const names[] = { "token", "access_token", "password", "passwd", "pwd",
		"api_key", "apikey", "secret", "client_secret", "key", "signature", "sig", "jwt", "code" };
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
	sbuf_t b = { out, n, 0, 0 };
	const char *p = url, *auth, *at, *end, *q, *amp, *eq;

	if (n == 0)
		return;
	out[0] = '\0';
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
		put(&b, p, (size_t)(auth - p));
		if (at != NULL) {
			puts_(&b, REDACTED "@");
			auth = at + 1;
		}
		p = auth;
	}
	q = strchr(p, '?');
	if (q == NULL) {
		puts_(&b, p);
		goto done;
	}
	put(&b, p, (size_t)(q + 1 - p));
	for (p = q + 1; *p != '\0' && *p != '#'; p = *amp == '&' ? amp + 1 : amp) {
		amp = p + strcspn(p, "&#");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && secret_param(p, (size_t)(eq - p))) {
			put(&b, p, (size_t)(eq + 1 - p));
			puts_(&b, REDACTED);
		} else {
			put(&b, p, (size_t)(amp - p));
		}
		if (*amp == '&')
			puts_(&b, "&");
	}
	puts_(&b, p); /* a fragment, if any */
done:
	if (b.overflow) { /* cut, never leaving half a secret: the cut part was not written */
		out[n - 1] = '\0';
	}
}

/* A JSON string (quotes included); control characters as \u00XX. */
static void put_json_str(sbuf_t *b, const char *s)
{
	char esc[8];

	puts_(b, "\"");
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(b, esc);
		} else {
			put(b, (const char *)&c, 1);
		}
	}
	puts_(b, "\"");
}

static void put_field(sbuf_t *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	puts_(b, ",\"");
	puts_(b, name);
	puts_(b, "\":");
	put_json_str(b, value);
}

size_t cfl_trace_line(const cfl_trace_rec_t *r, char *out, size_t n)
{
	sbuf_t b = { out, n, 0, 0 };
	char iso[CFL_TIME_ISO_LEN], url[4096], num[64];

	if (n == 0)
		return 0;
	out[0] = '\0';
	cfl_time_format_ms(r->wall_ms, iso, sizeof(iso));
	cfl_trace_redact_url(r->url, url, sizeof(url));
	puts_(&b, "{\"@timestamp\":");
	put_json_str(&b, iso);
	put_field(&b, "input", r->input);
	put_field(&b, "method", r->method != NULL ? r->method : "GET");
	put_field(&b, "url", url);
	snprintf(num, sizeof(num), ",\"status\":%ld,\"duration_ms\":%ld,\"bytes\":%zu", r->status, r->duration_ms,
	         r->bytes);
	puts_(&b, num);
	put_field(&b, "error", r->error);
	put_field(&b, "retry_after", r->retry_after);
	put_field(&b, "ratelimit_remaining", r->remaining);
	put_field(&b, "ratelimit_nearlimit", r->near_limit);
	puts_(&b, "}\n");
	return b.overflow ? 0 : b.len;
}
