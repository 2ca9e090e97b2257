/* cfl_sbuf.h: the core's one string builder, for text built piece by
 * piece (state files, trace lines). Either over the caller's fixed buffer
 * or growing on the heap; either way a piece that does not fit (or cannot
 * be allocated) sets `failed` and it and everything after are dropped
 * whole, so the text never ends in half a piece (half a secret, half a
 * JSON string).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_SBUF_H
#define CFL_SBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct cfl_sbuf {
	char *p; /* NUL-terminated while len > 0 or the fixed buffer has room */
	size_t len, cap;
	int fixed;  /* p is the caller's buffer of cap bytes, never grown or freed */
	int failed; /* a piece was dropped: p holds only what came before it */
} cfl_sbuf_t;

/* Over buf (cap bytes; buf[0] = '\0' when cap > 0). */
void cfl_sbuf_fixed(cfl_sbuf_t *b, char *buf, size_t cap);

/* Growing; p is malloc'ed (NULL until the first piece), the caller frees it. */
void cfl_sbuf_heap(cfl_sbuf_t *b);

void cfl_sbuf_add(cfl_sbuf_t *b, const char *s, size_t n);
void cfl_sbuf_str(cfl_sbuf_t *b, const char *s);
void cfl_sbuf_i64(cfl_sbuf_t *b, int64_t v);

/* A JSON string, quotes included: '"' and '\' escaped, control characters
 * as \u00XX; NULL as "". */
void cfl_sbuf_json_string(cfl_sbuf_t *b, const char *s);

#endif
