/* cfl_jspan_json.h: libfastjson values made from cfl_jscan spans, for the
 * mappers that read an event in place (cfl_map_org.c) but must still hand
 * over a libfastjson document. Every function returns a NEW reference, or
 * NULL (for a span of another type, JSON null, or out of memory).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_JSPAN_JSON_H
#define CFL_JSPAN_JSON_H

#include <json.h>

#include "cfl_jscan.h"

/* A string span, decoded (escapes resolved); NULL if v is not a string. */
struct json_object *cfl_jspan_string(cfl_span_t v);

/* v as an ECS keyword: a string decoded, a number or a boolean as its JSON
 * text; NULL for null, objects and arrays. Empty strings are kept. */
struct json_object *cfl_jspan_keyword(cfl_span_t v);

/* Any value, recursively, "as is": objects keep their members (decoded keys;
 * a repeated key: the last one wins, as in libfastjson's parser), integers
 * that fit in int64 stay integers, other numbers become doubles that keep
 * their text. NULL for JSON null. */
struct json_object *cfl_jspan_value(cfl_span_t v);

#endif /* CFL_JSPAN_JSON_H */
