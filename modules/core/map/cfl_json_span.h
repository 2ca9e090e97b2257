/* cfl_json_span.h: reading one audit event straight from its text.
 *
 * The event is validated once by cfl_jscan_document_depth() (modules/core/
 * base/cfl_jscan.h) and then read as spans into the text; only the pieces
 * the ECS document keeps become libfastjson values (cfl_span_json), so no
 * tree of the whole event is ever built. The readers below give the answers
 * the libfastjson tree they replace gave, so the documents do not change:
 *  - a member given twice counts with its last value (the tokener replaced);
 *  - a member whose value is null counts as absent (libfastjson hands out a
 *    NULL pointer for it);
 *  - numbers are integers unless they have a fraction or an exponent, an
 *    integer beyond int64 saturates, and a fractional number keeps its text
 *    (json_object_new_double_s), exactly as json_tokener made them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_JSON_SPAN_H
#define CFL_JSON_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "cfl_jscan.h"

/* The deepest value libfastjson's default tokener accepted: deeper events are
 * left to it, so they fail with the words they always failed with. */
#define CFL_SPAN_MAX_DEPTH 31

/* 1 if v is present: a span that is not JSON null (and not empty). */
static inline int cfl_span_ok(cfl_span_t v)
{
	return v.len > 0 && v.p[0] != 'n';
}

/* obj[name] (last one wins), 0 if absent, null, or obj is no object. */
int cfl_span_get(cfl_span_t obj, const char *name, cfl_span_t *out);

/* One pass over obj's members: out[i] = obj[names[i]] (last one wins), or
 * an empty span when absent or null. */
void cfl_span_pick(cfl_span_t obj, const char *const *names, size_t n, cfl_span_t *out);

/* The same over members cfl_jscan_document_members() recorded. */
void cfl_span_pick_members(const cfl_jmember_t *mem, size_t nmem, const char *const *names, size_t n, cfl_span_t *out);

/* Elements of an array span (0 for anything else). */
int cfl_span_count(cfl_span_t arr);

/* 1 if arr has no element (or is no array): cheaper than counting. */
int cfl_span_empty(cfl_span_t arr);

/* A string span's text: a pointer into the span when it has no escape, else
 * decoded into buf (NUL-terminated). Returns the length, or -1 if v is not a
 * string or its decoded text does not fit in cap - 1 bytes. The text is NOT
 * NUL-terminated in the first case. */
long cfl_span_text(cfl_span_t v, char *buf, size_t cap, const char **s);

/* 1 if v is a string whose text is s. */
int cfl_span_str_eq(cfl_span_t v, const char *s);

/* A number span: 1 and *i for an integer (saturated like the tokener), 2 and
 * *d for a number with a fraction or an exponent, 0 for anything else. */
int cfl_span_number(cfl_span_t v, int64_t *i, double *d);

/* A whole decimal integer in text ("-12", not "12x", "", "+1" or beyond
 * int64) into *out: 0, or -1 when it is not one. */
int cfl_text_int64(const char *s, int64_t *out);

/* The libfastjson value json_tokener made of v (new reference; NULL for JSON
 * null and on allocation failure). */
struct json_object *cfl_span_json(cfl_span_t v);

/* The same after the contract's clean-up (cfl_json_prune: no nulls, empty
 * strings, empty objects or arrays, recursively), built without them in the
 * first place; NULL if nothing is left. */
struct json_object *cfl_span_json_pruned(cfl_span_t v);

/* v as an ECS keyword (what cfl_json_keyword gave for the parsed value): a new
 * string for a non-empty string, the JSON text of a number or a boolean as a
 * string, NULL for anything else. */
struct json_object *cfl_span_keyword(cfl_span_t v);

/* The organization audit log's readers (cfl_map_org.c): its contract keeps
 * values as the event writes them (docs/org-audit-mapping.md), so these
 * differ from the tokener's answers above where the text says more:
 *  - cfl_span_json_literal: as cfl_span_json, except that an integer beyond
 *    int64 keeps its text (a double printed as written, where the tokener
 *    saturated), a number of 64 characters or more becomes a string of its
 *    text, and a member whose decoded name holds a NUL is left out (the
 *    tokener cut the name short);
 *  - cfl_span_keyword_literal: a string decoded (an empty one kept), a
 *    number or a boolean as its JSON text; NULL for anything else.
 * Both return a new reference, or NULL (and for JSON null). */
struct json_object *cfl_span_json_literal(cfl_span_t v);
struct json_object *cfl_span_keyword_literal(cfl_span_t v);

/* Deep equality as cfl_json_equal() had it for the parsed values. */
int cfl_span_equal(cfl_span_t a, cfl_span_t b);

#endif /* CFL_JSON_SPAN_H */
