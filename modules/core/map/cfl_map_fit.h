/* cfl_map_fit.h: fitting a finished document to the data stream's mappings
 * (contract section 6, "A document Elasticsearch indexes"): strings cut to
 * Lucene's term limit, misshapen parts moved aside as text, both recorded
 * in the document. cfl_map.c calls it on every document it hands out.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_MAP_FIT_H
#define CFL_MAP_FIT_H

#include <stddef.h>
#include <json.h>

/* Lucene's limit for one indexed term, in UTF-8 bytes. */
#define CFL_FIT_TERM_MAX 32766
#define CFL_FIT_TAG_TRUNCATED "value_truncated"
#define CFL_FIT_TAG_MOVED "value_moved"
#define CFL_FIT_TAG_UTF8 "invalid_utf8_replaced"

/* Fits doc in place; org: the organization data stream's document (root
 * atlassian_cloud.audit), else the Confluence one (confluence.audit).
 * Returns 0 if nothing changed, 1 if something was cut or moved, -1 when
 * memory ran out on the way (the document is then fitted as far as it got). */
int cfl_map_fit(struct json_object *doc, int org);

/* Same, for the document under root ns ("confluence", "jira", "bitbucket",
 * "atlassian_cloud"; another name: atlassian_cloud's rules). */
int cfl_map_fit_ns(struct json_object *doc, const char *ns);

/* The XXH3-128 of s[0..len) as 32 lowercase hex digits (canonical,
 * big-endian): event.id's form (contract section 2). New reference. */
struct json_object *cfl_fit_hash_id(const char *s, size_t len);

/* The length of s[0..len) cut to at most max bytes without splitting a
 * UTF-8 character. */
size_t cfl_fit_utf8_cut(const char *s, size_t len, size_t max);

/* 1 if s[0..len) is valid UTF-8 (no overlong forms, surrogates or code
 * points over U+10FFFF), else 0. */
int cfl_fit_utf8_valid(const char *s, size_t len);

/* len without a last character that s[0..len) holds only in part (what a
 * snprintf cut leaves behind). */
size_t cfl_fit_utf8_whole(const char *s, size_t len);

#endif /* CFL_MAP_FIT_H */
