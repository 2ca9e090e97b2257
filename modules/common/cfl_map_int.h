/* cfl_map_int.h -- what the mapping core's own files share and callers of
 * cfl_map.h never see: the mapper, the per-event working state, and the entry
 * points of the shape mappers (cfl_map_cloud.c, cfl_map_dc.c) and of the
 * user/group rules (cfl_map_user.c). cfl_map.c orchestrates them. */
#ifndef CFL_MAP_INT_H
#define CFL_MAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "cfl_map.h"
#include "cfl_categories.h"
#include "cfl_geoip.h"
#include "cfl_lognorm.h"

/* Strings that are the same in every document, built once and shared by
 * reference (immutable: libfastjson has no call that changes a string). */
enum cfl_leaf {
	CFL_L_ECS_VERSION, CFL_L_KIND_EVENT, CFL_L_KIND_ERROR, CFL_L_DATASET, CFL_L_MODULE,
	CFL_L_LOGS, CFL_L_NAMESPACE, CFL_NLEAVES
};

struct cfl_mapper {
	cfl_lognorm *ln;
	cfl_categories *cats;
	cfl_geoip *geo;
	struct json_object *leaf[CFL_NLEAVES];
	struct json_object **tags;  /* configured tags, each once, then preserve_original_event if on */
	size_t ntags;
	int preserve_original;
	int event_id;
};

/* The top-level members any shape uses, picked in one pass over the event. */
enum cfl_field {
	CFL_F_TIMESTAMP, CFL_F_CREATION_DATE, CFL_F_REMOTE_ADDRESS, CFL_F_SUMMARY,
	CFL_F_ENTITIES, CFL_F_RESULTS,                                   /* envelopes */
	CFL_F_SOURCE, CFL_F_AUTHOR, CFL_F_AUDIT_TYPE, CFL_F_TYPE, CFL_F_METHOD, CFL_F_SYSTEM,
	CFL_F_EXTRA_ATTRIBUTES, CFL_F_CHANGED_VALUES, CFL_F_AFFECTED_OBJECTS,  /* DC */
	CFL_F_CATEGORY, CFL_F_ASSOCIATED_OBJECTS, CFL_F_AFFECTED_OBJECT,       /* Cloud */
	CFL_NFIELDS
};
extern const char *const cfl_field_names[CFL_NFIELDS];

#define CFL_HOST_MAX 256
#define CFL_ERR_MAX 512

/* One event in flight. The shape mappers read `in` and fill the output
 * objects; every json pointer below is borrowed from `doc` or `audit`. */
struct cfl_event {
	const cfl_mapper *m;
	struct json_object *in;      /* the parsed event; members are moved out, not copied */
	struct json_object *f[CFL_NFIELDS];  /* its top-level members (borrowed), NULL if absent */
	struct json_object *doc;     /* the ECS document */
	struct json_object *event;   /* doc.event */
	struct json_object *audit;   /* confluence.audit, attached to doc at the end */
	struct json_object *user;    /* doc.user, NULL until a rule needs it */
	struct json_object *source;  /* doc.source, NULL until needed */
	struct json_object *group;   /* doc.group, NULL until a rule needs it */
	struct json_object *action;  /* event.action, NULL if none */
	struct json_object *address; /* source.address, NULL if none */
	struct json_object *spare[CFL_NFIELDS]; /* empty input arrays no output holds (borrowed) */
	int nspare;
	int is_cloud;
	int64_t ts_ms;
	char host[CFL_HOST_MAX];     /* host of service.address, for related.hosts ("" = none) */
	char error[CFL_ERR_MAX];     /* why the event failed ("" = it did not) */
};

/* Shape mappers: 0 on success, -1 with ev->error set (no usable timestamp). */
int cfl_map_cloud(struct cfl_event *ev);
int cfl_map_dc(struct cfl_event *ev);

/* Contract section 5, user and group fields; cat is the action's rule (NULL:
 * nothing to do). */
void cfl_map_user_fields(struct cfl_event *ev, const struct cfl_category *cat);

/* Helpers the shape mappers share (cfl_map.c). */
void cfl_event_fail(struct cfl_event *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct json_object *cfl_event_user(struct cfl_event *ev);
/* user.id and user.full_name from the author's id and name values (borrowed;
 * kept as keywords, anything else ignored). Both shapes' authors use it. */
void cfl_event_author(struct cfl_event *ev, struct json_object *id, struct json_object *name);
struct json_object *cfl_event_group(struct cfl_event *ev);
/* A new empty array: one of the input's empty top-level arrays when there is
 * one left (they are never moved into the output, so it is free to reuse:
 * that saves the three allocations of a new array), else a new one. */
struct json_object *cfl_event_array(struct cfl_event *ev);
/* Sets source.address (v stolen; NULL: nothing). */
void cfl_event_address(struct cfl_event *ev, struct json_object *v);
/* Sets event.action (v stolen; NULL: nothing). */
void cfl_event_action(struct cfl_event *ev, struct json_object *v);

/* "<name>:<uuid>" (lowercase 8-4-4-4-12 hex) -> length of <name>, or 0 if s is
 * not of that form. The uuid starts at s + result + 1. */
size_t cfl_split_group_uuid(const char *s, size_t len);

#endif /* CFL_MAP_INT_H */
