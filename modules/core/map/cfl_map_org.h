/* cfl_map_org.h: the organization audit log's mapper (Atlassian
 * Administration's events, docs/org-audit-mapping.md): one event, read in
 * place as a cfl_jscan span, to one ECS document of dataset
 * atlassian_cloud.audit. cfl_map.c calls it for every message whose shape is
 * an org event (or an org API page); mmconfluence and confluence2ecs get it
 * through cfl_map_event() with no option of their own.
 *
 * Ownership and threads as in cfl_map.h: a cfl_map_org_t is immutable after
 * cfl_map_org_new(), documents are new references owned by the caller.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_MAP_ORG_H
#define CFL_MAP_ORG_H

#include <stddef.h>

#include "cfl_map.h"
#include "cfl_geoip.h"
#include "cfl_jscan.h"
#include "cfl_status.h"

#define CFL_ORG_ECS_VERSION "9.3.0"
#define CFL_ORG_DATASET "atlassian_cloud.audit"
#define CFL_ORG_MODULE "atlassian_cloud"
#define CFL_ORG_CATEGORIES_FILE "atlassian-cloud-categories.json"

typedef struct cfl_map_org cfl_map_org_t;

/* Loads the org categorization table: o->org_categories, or when that is
 * NULL or "", CFL_ORG_CATEGORIES_FILE in the directory of o->categories.
 * geo (may be NULL) is borrowed and must outlive the result; only its ASN
 * database is used. Takes namespace, tags and original-preserving from o. */
cfl_rc_t cfl_map_org_new(const cfl_map_opts_t *o, const cfl_geoip_t *geo, cfl_map_org_t **out, cfl_errbuf_t *err);
void cfl_map_org_free(cfl_map_org_t *org);

/* The shapes of docs/org-audit-mapping.md section 1, for a span from a
 * successful cfl_jscan_document(). */
typedef enum cfl_org_shape {
	CFL_ORG_NONE = 0, /* not an org message: a Confluence event, or anything else */
	CFL_ORG_EVENT,    /* top-level id, "type": "events", attributes{} with action or time */
	CFL_ORG_PAGE      /* an events-stream page: data[] and meta or links, no id/type */
} cfl_org_shape_t;
cfl_org_shape_t cfl_map_org_shape(cfl_span_t root);

/* Maps one org event or page (shape from cfl_map_org_shape, not NONE). root
 * spans the event's JSON text inside in->text; event.original is root's
 * text byte for byte, the pipeline_error document carries all of in->text.
 * Never fails without a document except for an empty page (CFL_MAP_EMPTY). */
cfl_map_status_t cfl_map_org(const cfl_map_org_t *org, const cfl_map_input_t *in, cfl_span_t root,
                             cfl_org_shape_t shape, cfl_map_result_t *res);

/* For a caller that has not scanned the text: scans json[0..len) (the JSON
 * object inside in->text) and maps it when it is an org event or page, or
 * when it is not valid JSON but has the org tell-tale "type":"events" (a
 * pipeline_error document of the org dataset). Returns 1 with *st and res
 * set, or 0 (nothing done: not an org message; the caller maps it). */
int cfl_map_org_try(const cfl_map_org_t *org, const cfl_map_input_t *in, const char *json, size_t len,
                    cfl_map_status_t *st, cfl_map_result_t *res);

#endif /* CFL_MAP_ORG_H */
