/* cfl_map_int.h: what the mapping core's own files share and callers of
 * cfl_map.h never see: the mapper, and the entry points of the shape mappers
 * (cfl_map_cloud.c, cfl_map_jiracloud.c, cfl_map_dc.c) and of the user/group rules
 * (cfl_map_user.c). cfl_map.c orchestrates them; they all fill the per-event
 * state of cfl_map_work.h and never call back into cfl_map.c.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_MAP_INT_H
#define CFL_MAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <json.h>

#include "cfl_map.h"
#include "cfl_categories.h"
#include "cfl_geoip.h"
#include "cfl_lognorm.h"
#include "cfl_map_work.h"
#include "cfl_map_org.h"

/* Strings that are the same in every document, built once and shared by
 * reference (immutable: libfastjson has no call that changes a string). */
typedef enum cfl_leaf {
	CFL_L_ECS_VERSION,
	CFL_L_KIND_EVENT,
	CFL_L_KIND_ERROR,
	CFL_L_LOGS,
	CFL_L_NAMESPACE,
	CFL_NLEAVES
} cfl_leaf_t;

struct cfl_mapper {
	cfl_lognorm_t *ln;
	cfl_categories_t *cats[CFL_NPRODUCTS]; /* each product's table (all loaded at start) */
	struct json_object *dataset[CFL_NPRODUCTS], *module[CFL_NPRODUCTS];
	cfl_product_t product; /* the configured product */
	int product_detect;
	cfl_geoip_t *geo;
	cfl_map_org_t *org; /* the organization audit log's mapper (cfl_map_org.c) */
	struct json_object *leaf[CFL_NLEAVES];
	struct json_object **tags; /* configured tags, each once, then preserve_original_event if on */
	size_t ntags;
	int preserve_original;
	int event_id;
};

/* Shape mappers: read the event from ev->root (the validated event object's
 * span) and ev->f (its top-level members of cfl_field_t, picked once), and
 * fill ev->doc / ev->event / ev->audit. CFL_OK, or an error code with
 * ev->error set (no usable timestamp): the event becomes a pipeline_error
 * document. cfl_map.c's detect_shape() chooses one per event. */
typedef cfl_rc_t (*cfl_shape_fn)(cfl_map_work_t *ev);
cfl_rc_t cfl_map_cloud(cfl_map_work_t *ev);
cfl_rc_t cfl_map_dc(cfl_map_work_t *ev);
cfl_rc_t cfl_map_jiracloud(cfl_map_work_t *ev);

/* 1 if an event with neither creationDate nor timestamp is a Jira Cloud
 * record (docs/jira-bitbucket-mapping.md section 5: the shape order). */
int cfl_jiracloud_is_record(const cfl_map_work_t *ev);

/* What Confluence Cloud and Jira Cloud records share (cfl_map_cloud.c):
 * category and summary -> audit.type.{category,action} and event.action;
 * list[] then one (unless an element equals it) -> audit.affected_objects,
 * type_key renamed type; changedValues[] -> audit.changed_values, name_key
 * copied to i18nKey and key, to_key renamed to, from_key from. */
void cfl_cloud_type(cfl_map_work_t *ev);
void cfl_cloud_affected_objects(cfl_map_work_t *ev, cfl_span_t list, cfl_span_t one, const char *type_key);
void cfl_cloud_changed_values(cfl_map_work_t *ev, const char *name_key, const char *to_key, const char *from_key);

/* ts, an ISO 8601 string (DC API timestamp, Jira Cloud created) ->
 * ev->ts_ms; else CFL_EPARSE and ev->error says why (cfl_map_dc.c). */
cfl_rc_t cfl_map_iso_time(cfl_map_work_t *ev, cfl_span_t ts);

/* Contract section 5, user and group fields; cat is the action's rule (NULL:
 * nothing to do). */
void cfl_map_user_fields(cfl_map_work_t *ev, const cfl_category_t *cat);

/* "<name>:<uuid>" (lowercase 8-4-4-4-12 hex) -> length of <name>, or 0 if s is
 * not of that form. The uuid starts at s + result + 1. */
size_t cfl_split_group_uuid(const char *s, size_t len);

/* The product whose own i18n key prefix the event's action object or
 * extraAttributes carry first (contract section 1, detection), or -1 when
 * only shared keys (or none) are there. */
int cfl_detect_product(const cfl_map_work_t *ev);

/* The path of a table that lives beside the Confluence table: given (when
 * not NULL or ""); or file in categories' directory; or, when that has none,
 * the installed one. A new string (NULL: out of memory). */
char *cfl_beside_categories(const char *categories, const char *given, const char *file);

/* Per product: its name, data_stream.dataset, event.module, the
 * document's root field and its categorization table's file name
 * (cfl_mapper.c). */
struct cfl_product_row {
	const char *name, *dataset, *module, *ns, *table;
};
extern const struct cfl_product_row cfl_products[CFL_NPRODUCTS];

#endif /* CFL_MAP_INT_H */
