/* cfl_sbuf.c: the string builder (see cfl_sbuf.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_sbuf.h"

void cfl_sbuf_fixed(cfl_sbuf_t *b, char *buf, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = buf;
	b->cap = cap;
	b->fixed = 1;
	if (cap > 0)
		buf[0] = '\0';
}

void cfl_sbuf_heap(cfl_sbuf_t *b)
{
	memset(b, 0, sizeof(*b));
}

/* Room for n more bytes and the NUL, or failed. */
static int reserve(cfl_sbuf_t *b, size_t n)
{
	char *np;
	size_t cap;

	if (b->failed)
		return 0;
	if (b->len + n + 1 <= b->cap)
		return 1;
	if (b->fixed) {
		b->failed = 1;
		return 0;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->failed = 1;
		return 0;
	}
	b->p = np;
	b->cap = cap;
	return 1;
}

void cfl_sbuf_add(cfl_sbuf_t *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void cfl_sbuf_str(cfl_sbuf_t *b, const char *s)
{
	cfl_sbuf_add(b, s, strlen(s));
}

void cfl_sbuf_i64(cfl_sbuf_t *b, int64_t v)
{
	char num[24];

	cfl_sbuf_add(b, num, (size_t)snprintf(num, sizeof(num), "%" PRId64, v));
}

void cfl_sbuf_json_string(cfl_sbuf_t *b, const char *s)
{
	char esc[8];

	cfl_sbuf_add(b, "\"", 1);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			cfl_sbuf_add(b, esc, 2);
		} else if (c < 0x20) {
			cfl_sbuf_add(b, esc, (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c));
		} else {
			cfl_sbuf_add(b, s, 1);
		}
	}
	cfl_sbuf_add(b, "\"", 1);
}
