/* cfl_map_work.h: one event in flight through the mapping core (what
 * cfl_map.c and the shape mappers fill), and the helpers they share
 * (cfl_map_work.c). Callers of cfl_map.h never see it.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_MAP_WORK_H
#define CFL_MAP_WORK_H

#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "cfl_map.h"
#include "cfl_status.h"
#include "cfl_jscan.h"

/* The top-level members any shape uses, picked in one pass over the event. */
typedef enum cfl_field {
	CFL_F_TIMESTAMP,
	CFL_F_CREATION_DATE,
	CFL_F_REMOTE_ADDRESS,
	CFL_F_SUMMARY,
	CFL_F_ENTITIES,
	CFL_F_RESULTS, /* envelopes */
	CFL_F_SOURCE,
	CFL_F_AUTHOR,
	CFL_F_AUDIT_TYPE,
	CFL_F_TYPE,
	CFL_F_METHOD,
	CFL_F_SYSTEM,
	CFL_F_EXTRA_ATTRIBUTES,
	CFL_F_CHANGED_VALUES,
	CFL_F_AFFECTED_OBJECTS, /* DC */
	CFL_F_CATEGORY,
	CFL_F_ASSOCIATED_OBJECTS,
	CFL_F_AFFECTED_OBJECT, /* Cloud */
	CFL_F_CREATED,
	CFL_F_ID,
	CFL_F_RECORDS,
	CFL_F_OBJECT_ITEM,
	CFL_F_ASSOCIATED_ITEMS,
	CFL_F_AUTHOR_ACCOUNT_ID,
	CFL_F_AUTHOR_KEY,
	CFL_F_EVENT_SOURCE, /* Jira Cloud (cfl_map_jiracloud.c) */
	CFL_NFIELDS
} cfl_field_t;
extern const char *const cfl_field_names[CFL_NFIELDS];

#define CFL_HOST_MAX 256

/* One event in flight. The shape mappers read the event's spans (root, f[])
 * and fill the output objects; every json pointer below is borrowed from
 * `doc` or `audit`. Nothing of the event is a libfastjson value until a
 * mapper makes it one for the document (cfl_json_span.h). */
typedef struct cfl_map_work {
	const cfl_mapper_t *m;
	cfl_span_t root;             /* the event object, validated by cfl_jscan */
	cfl_span_t f[CFL_NFIELDS];   /* its top-level members; .p NULL if absent or null */
	struct json_object *doc;     /* the ECS document */
	struct json_object *event;   /* doc.event */
	struct json_object *audit;   /* confluence.audit, attached to doc at the end */
	struct json_object *user;    /* doc.user, NULL until a rule needs it */
	struct json_object *source;  /* doc.source, NULL until needed */
	struct json_object *group;   /* doc.group, NULL until a rule needs it */
	struct json_object *action;  /* event.action, NULL if none */
	struct json_object *address; /* source.address, NULL if none */
	/* a Cloud record, Confluence's or Jira's: no system, the site names it */
	int is_cloud;
	cfl_product_t product;        /* resolved before the shape mapper runs */
	struct json_object *more_ips; /* Jira's other source addresses (in audit), borrowed */
	int audit_clean;              /* set by a shape mapper whose audit holds no empties */
	int64_t ts_ms;
	char host[CFL_HOST_MAX]; /* host of service.address, for related.hosts ("" = none) */
	cfl_errbuf_t error;      /* why the event failed (CFL_OK, "" = it did not) */
} cfl_map_work_t;

/* 1 if top-level member f of the event is there (and not null). */
static inline int cfl_work_has(const cfl_map_work_t *ev, cfl_field_t f)
{
	return ev->f[f].p != NULL;
}

/* Helpers the orchestration and the shape mappers share. */
/* Records why the event cannot be mapped; returns CFL_EPARSE. */
cfl_rc_t cfl_work_fail(cfl_map_work_t *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct json_object *cfl_work_user(cfl_map_work_t *ev);
/* user.id and user.full_name from the author's id and name spans (kept as
 * keywords, anything else ignored). Both shapes' authors use it. */
void cfl_work_author(cfl_map_work_t *ev, cfl_span_t id, cfl_span_t name);
/* Same, the name to user.name (Jira and Bitbucket Data Center authors). */
void cfl_work_author_as(cfl_map_work_t *ev, cfl_span_t id, cfl_span_t name, const char *name_key);
struct json_object *cfl_work_group(cfl_map_work_t *ev);
/* Sets source.address (v stolen; NULL: nothing). */
void cfl_work_address(cfl_map_work_t *ev, struct json_object *v);
/* Sets event.action (v stolen; NULL: nothing). */
void cfl_work_action(cfl_map_work_t *ev, struct json_object *v);

#endif /* CFL_MAP_WORK_H */
