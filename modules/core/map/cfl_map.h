/* cfl_map.h: public API of the mapping core: one Confluence audit message in,
 * one ECS document out (docs/ecs-mapping.md is the contract).
 *
 * The core is plain C on libfastjson, liblognorm, libmaxminddb and libxxhash; it
 * includes no rsyslog header. mmconfluence (the rsyslog action) and confluence2ecs
 * (the command-line twin) are thin callers of the three functions below.
 *
 * Ownership, stated once for every cfl_* function:
 *  - Strings and options passed in are borrowed; the mapper copies what it keeps.
 *  - cfl_map_result.doc is a NEW reference: the caller owns it and releases it
 *    with json_object_put(). Remember that libfastjson's json_object_object_add()
 *    and json_object_array_add() STEAL the reference they are given, so adding
 *    doc into another tree transfers ownership; do not put it afterwards.
 *  - A document's containers (objects, arrays) are its own. Some of its string
 *    leaves that are the same in every document (ecs.version, event.kind,
 *    event.dataset, data_stream.*, tags, event.category/type values) are shared,
 *    reference-counted objects; libfastjson has no call that changes a string
 *    in place, so this is invisible unless a caller writes into one directly.
 *  - A cfl_mapper_t is immutable after cfl_mapper_new(): any number of threads may
 *    call cfl_map_event() on the same mapper at once. cfl_mapper_free() must not
 *    race with them; documents already returned stay valid after it.
 *  - cfl_map_event() reads the event in place (cfl_jscan; no tree of the input
 *    is built). It remembers recent GeoIP and liblognorm results, and keeps a
 *    reusable libfastjson tokener for the messages the strict scanner refuses,
 *    per thread (fixed-size thread-local storage; the tokener is freed when
 *    the thread ends).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_MAP_H
#define CFL_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <json.h> /* libfastjson */

#include "cfl_status.h"
#include "cfl_product.h"

#define CFL_ECS_VERSION "8.11.0"
#define CFL_DATASET "atlassian_confluence.audit"
#define CFL_MODULE "atlassian_confluence"
#define CFL_PRESERVE_TAG "preserve_original_event"

/* The Atlassian product an event belongs to (docs/jira-bitbucket-mapping.md
 * section 1): it chooses the dataset, the audit namespace, the categorization
 * table and the product's field rules. Data Center events of the three
 * products share one format, so the product is resolved per event. */
/* cfl_product_t, cfl_product_parse, cfl_product_name: cfl_product.h (base) */

typedef struct cfl_map_opts {
	const char *rulebase;       /* path of confluence-audit.rulebase (required) */
	const char *categories;     /* path of confluence-categories.json (required) */
	const char *org_categories; /* organization audit log's table; NULL or "": the
	                             * atlassian-cloud-categories.json beside categories,
	                             * or in CFL_PKGDATADIR when that directory has none */
	const char *geoip_city;     /* NULL or "" = no City lookup */
	const char *geoip_asn;      /* NULL or "" = no ASN lookup */
	const char *ns;             /* data_stream.namespace; NULL = "default" */
	int preserve_original;      /* event.original + tag preserve_original_event */
	int event_id;               /* event.id = XXH3-128 (hex) of the event's JSON text */
	const char *const *tags;
	size_t ntags;
	const char *product;              /* events nothing else attributes; NULL or "" = "confluence" */
	int product_detect;               /* an event's product-owned i18n key decides its product */
	const char *jira_categories;      /* NULL or "": jira-categories.json beside categories,
	                                   * else the installed one (as org_categories) */
	const char *bitbucket_categories; /* same, bitbucket-categories.json */
} cfl_map_opts_t;

typedef struct cfl_mapper cfl_mapper_t;

/* Loads rulebase, categories and GeoIP databases. Returns CFL_OK and sets *out,
 * or an error code with a message in err naming the file (and line, for the
 * categories file and for rulebase errors liblognorm locates). */
cfl_rc_t cfl_mapper_new(const cfl_map_opts_t *o, cfl_mapper_t **out, cfl_errbuf_t *err);
void cfl_mapper_free(cfl_mapper_t *m);

/* Why ns cannot be a data stream namespace (Elasticsearch's index name rules
 * and Fleet's: lowercase, no '-', none of \ / * ? " < > | , # : or space, not
 * starting with '_' or '+', at most 100 bytes), or NULL if it can (NULL and
 * "" mean "default"). cfl_mapper_new() refuses such a namespace. */
const char *cfl_namespace_problem(const char *ns);

typedef struct cfl_map_input {
	const char *text;
	size_t len;             /* message text (may have a prefix, may not be JSON at all) */
	const char *input_type; /* $inputname, NULL if unknown -> input.type */
	const char *file_path;  /* imfile metadata filename or NULL -> log.file.path */
	int64_t file_offset;
	int has_offset;   /* -> log.offset */
	const char *site; /* imconfluence's $!metadata!site (the url polled) or NULL:
	                                 * a Cloud event's service.address and related.hosts */
	int64_t received_ms;
	int has_received;    /* when the message arrived (epoch ms UTC): the
	                                 * pipeline_error document's @timestamp; without it,
	                                 * the time of the call */
	const char *product; /* imconfluence's $!metadata!product or NULL: the product
	                                 * polled, which beats the configured one */
	int copy;            /* > 0: the n-th identical copy of an event (imconfluence's
	                                 * $!metadata!copy): event.id takes the number in */
} cfl_map_input_t;

typedef enum cfl_map_status {
	CFL_MAP_OK = 0,    /* doc is the ECS event */
	CFL_MAP_EMPTY = 1, /* an API envelope with an empty event list: not an event, doc NULL */
	CFL_MAP_ERROR = 2  /* doc is a pipeline_error document (contract section 6); also for a
	                     * NON-empty envelope: a whole API page is not one event, and is
	                     * kept whole rather than guessed at (split pages before mapping) */
} cfl_map_status_t;

typedef struct cfl_map_result {
	struct json_object *doc; /* new reference owned by the caller (OK and ERROR); NULL for EMPTY */
	int64_t ts_ms;
	int has_ts;           /* event time in epoch ms UTC when known (for setTimestamp) */
	int product_mismatch; /* the event's i18n keys name another product than the one it
	                            * was mapped as (a misrouted input: impstats product.mismatch) */
} cfl_map_result_t;

/* Maps one message. Never fails without a document except for EMPTY: a message
 * that cannot be mapped still yields a pipeline_error document carrying it. */
cfl_map_status_t cfl_map_event(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_map_result_t *res);

/* "ok", "empty" or "error": for logs and counters. */
const char *cfl_map_status_name(cfl_map_status_t st);

#endif /* CFL_MAP_H */
