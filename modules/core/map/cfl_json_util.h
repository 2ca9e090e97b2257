/* cfl_json_util.h: small libfastjson helpers shared by the mapping core:
 * typed reads, constant-key writes, keyword coercion, deep equality and the
 * contract's final clean-up (section 6: drop nulls and empties recursively).
 * Reference rules are libfastjson's: "add" functions steal the value.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_JSON_UTIL_H
#define CFL_JSON_UTIL_H

#include <stddef.h>
#include <json.h>

#include "cfl_status.h"

/* obj[key] if obj is an object and the member exists (borrowed), else NULL. */
struct json_object *cfl_json_get(struct json_object *obj, const char *key);

/* obj[key] as a string (borrowed, NUL-terminated) and its length, or NULL if
 * absent or not a string. Empty strings are returned as such. */
const char *cfl_json_get_str(struct json_object *obj, const char *key, size_t *len);

/* Adds val (stolen) under a key that lives in static storage. NULL val is
 * ignored. Replaces an existing member. */
void cfl_json_add(struct json_object *obj, const char *const_key, struct json_object *val);

/* Same, for a key the caller knows is not yet in obj (skips the lookup). */
void cfl_json_add_new(struct json_object *obj, const char *const_key, struct json_object *val);

/* "Put" as the contract's user/group rules mean it: val (stolen) replaces
 * obj[key]; a NULL or empty-string val removes obj[key] instead. */
void cfl_json_put(struct json_object *obj, const char *const_key, struct json_object *val);

/* Sets root[path] = val (stolen; NULL: nothing) for a dotted field path in
 * static storage (a CFL_FP_ constant of cfl_fields.h): each object on the way
 * is found, or created when missing (replacing a member that is not an
 * object); the last segment is added as a constant key and replaces an
 * existing member. It walks from root at every call: off the hot path only;
 * there, add CFL_LEAF(path) to the parent object the caller keeps. */
void cfl_json_set_path(struct json_object *root, const char *path, struct json_object *val);

/* Child object obj[key], created (static key) if missing or not an object. */
struct json_object *cfl_json_child(struct json_object *obj, const char *const_key);

/* v as an ECS keyword: a new reference to v if it is a string, a new string of
 * its JSON text for numbers and booleans, NULL for anything else (null, objects,
 * arrays) and for empty strings. */
struct json_object *cfl_json_keyword(struct json_object *v);

/* Deep equality: same type, same scalars, objects with the same members
 * (order free), arrays element by element. */
int cfl_json_equal(struct json_object *a, struct json_object *b);

/* Section 6 clean-up of v's members/elements: removes, recursively, nulls,
 * empty strings, empty objects and empty arrays (false and 0 stay). Returns 1
 * if v itself is now empty (or null / empty string), 0 otherwise. */
int cfl_json_prune(struct json_object *v);

/* 1 if v is NULL, null, "", {} or []. */
int cfl_json_is_empty(struct json_object *v);

/* One pass over obj's members: out[i] = obj[names[i]] (borrowed) or NULL.
 * Cheaper than n lookups, each of which scans the members again. */
void cfl_json_pick(struct json_object *obj, const char *const *names, size_t n, struct json_object **out);

/* Parses exactly text[0..len) as one JSON value with this thread's reusable
 * tokener. CFL_OK and *out (new reference; NULL for JSON null), or an error
 * code with a reason in why (may be NULL). */
cfl_rc_t cfl_json_parse(const char *text, size_t len, struct json_object **out, cfl_errbuf_t *why);

#endif /* CFL_JSON_UTIL_H */
