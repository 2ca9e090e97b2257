/* cfl_jscan.h: a strict, allocation-free JSON scanner over a byte buffer.
 *
 * Why not libfastjson for the page bodies: we must hand each audit event
 * over exactly as the server wrote it (msg = the event's own JSON text,
 * compact), and the event's fingerprint must not depend on how a JSON
 * library re-renders numbers, escapes or key order. So a page is scanned
 * in place: cfl_jscan_document() validates the whole body once (RFC 8259
 * grammar, nesting depth <= CFL_JSCAN_MAX_DEPTH, no control characters in
 * strings), then spans (pointer + length into the caller's buffer) are
 * walked with the iterators below, and cfl_jscan_compact() copies a value
 * with the insignificant whitespace removed and every other byte kept.
 *
 * The iterators and accessors assume a span that came out of a successful
 * cfl_jscan_document(); on anything else their result is unspecified (but
 * they never read outside the span).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_JSCAN_H
#define CFL_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_status.h"

#define CFL_JSCAN_MAX_DEPTH 64

typedef struct cfl_span {
	const char *p;
	size_t len;
} cfl_span_t;

typedef enum cfl_jtype {
	CFL_JNONE = 0,
	CFL_JOBJECT,
	CFL_JARRAY,
	CFL_JSTRING,
	CFL_JNUMBER,
	CFL_JTRUE,
	CFL_JFALSE,
	CFL_JNULL
} cfl_jtype_t;

/* Validates buf[0..len) as exactly one JSON value with optional whitespace
 * around it. On success *root spans the value. On failure err says what
 * and at which byte offset; CFL_ETRUNC when the input ends inside a value
 * (a cut-off body), CFL_EPARSE otherwise, CFL_ELIMIT for too deep nesting. */
cfl_rc_t cfl_jscan_document(const char *buf, size_t len, cfl_span_t *root, cfl_errbuf_t *err);

/* The same, and no value deeper than max_value_depth (the root value is at
 * depth 0, a member of it at 1; -1: no such limit): the event mapper keeps
 * the nesting limit of the libfastjson parser it replaced. */
cfl_rc_t cfl_jscan_document_depth(const char *buf, size_t len, int max_value_depth, cfl_span_t *root,
                                  cfl_errbuf_t *err);

/* A member of an object: its name (with the quotes) and its value. */
typedef struct cfl_jmember {
	cfl_span_t key;
	cfl_span_t val;
} cfl_jmember_t;

/* The same again, and while it validates it records the root object's
 * members in top[0..max) in text order, so a reader of the top level need
 * not walk the text a second time. *ntop is the number of members; more than
 * max means only the first max were recorded. top may be NULL (max 0). */
cfl_rc_t cfl_jscan_document_members(const char *buf, size_t len, int max_value_depth, cfl_span_t *root,
                                    cfl_jmember_t *top, size_t max, size_t *ntop, cfl_errbuf_t *err);

cfl_jtype_t cfl_jscan_type(cfl_span_t v);

/* Iterating an object or an array span. begin returns 0 if v is not of
 * that type. next returns 1 and the next member (key span includes the
 * quotes) or element, 0 at the end. */
typedef struct cfl_jiter {
	const char *p;
	const char *end;
} cfl_jiter_t;

int cfl_jscan_obj_begin(cfl_span_t v, cfl_jiter_t *it);
int cfl_jscan_obj_next(cfl_jiter_t *it, cfl_span_t *key, cfl_span_t *val);
int cfl_jscan_arr_begin(cfl_span_t v, cfl_jiter_t *it);
int cfl_jscan_arr_next(cfl_jiter_t *it, cfl_span_t *val);

/* 1 if the string span key (with quotes) decodes to name. */
int cfl_jscan_key_eq(cfl_span_t key, const char *name);

/* Finds member name of object obj; returns 1 and its value, 0 if absent
 * (or obj is not an object). The first member of that name wins. */
int cfl_jscan_member(cfl_span_t obj, const char *name, cfl_span_t *val);

/* Decodes a string span into out (NUL-terminated, UTF-8; \u escapes and
 * surrogate pairs decoded). Returns the decoded length, or -1 if v is not
 * a string or the result does not fit in outlen - 1 bytes. */
long cfl_jscan_string(cfl_span_t v, char *out, size_t outlen);

/* Integer value of a number span; a fraction is truncated toward zero.
 * Returns 0 if v is not a number or out of int64 range. */
int cfl_jscan_int64(cfl_span_t v, int64_t *out);

/* 1 and *out for true/false; 0 for anything else. */
int cfl_jscan_bool(cfl_span_t v, int *out);

/* Copies v to out without insignificant whitespace; out must hold v.len
 * bytes. Returns the number of bytes written. */
size_t cfl_jscan_compact(cfl_span_t v, char *out);

#endif
