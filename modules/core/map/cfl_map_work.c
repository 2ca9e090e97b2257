/* cfl_map_work.c: the per-event working state of the mapping core, and the
 * helpers the orchestration (cfl_map.c) and the shape mappers
 * (cfl_map_cloud.c, cfl_map_dc.c, cfl_map_user.c) share to fill it. It calls
 * none of them, so the mapping core's call graph has no circle.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cfl_map_work.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"

const char *const cfl_field_names[CFL_NFIELDS] = {
	"timestamp",         "creationDate",   "remoteAddress",   "summary",
	"entities",          "results",        "source",          "author",
	"auditType",         "type",           "method",          "system",
	"extraAttributes",   "changedValues",  "affectedObjects", "category",
	"associatedObjects", "affectedObject", "created",         "id",
	"records",           "objectItem",     "associatedItems", "authorAccountId",
	"authorKey",         "eventSource"
};

cfl_rc_t cfl_work_fail(cfl_map_work_t *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->error.msg, sizeof(ev->error.msg), fmt, ap);
	va_end(ap);
	return ev->error.rc = CFL_EPARSE;
}

/* user and source are created on first use; only these functions add them,
 * so the keys are known to be new. */
struct json_object *cfl_work_user(cfl_map_work_t *ev)
{
	if (ev->user == NULL) {
		ev->user = json_object_new_object();
		cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_USER), ev->user);
	}
	return ev->user;
}

void cfl_work_author(cfl_map_work_t *ev, cfl_span_t id_span, cfl_span_t name_span)
{
	cfl_work_author_as(ev, id_span, name_span, CFL_LEAF(CFL_FP_USER_FULL_NAME));
}

void cfl_work_author_as(cfl_map_work_t *ev, cfl_span_t id_span, cfl_span_t name_span, const char *name_key)
{
	struct json_object *id = cfl_span_keyword(id_span);
	struct json_object *name = cfl_span_keyword(name_span);

	if (id != NULL)
		cfl_json_add_new(cfl_work_user(ev), CFL_LEAF(CFL_FP_USER_ID), id);
	if (name != NULL)
		cfl_json_add_new(cfl_work_user(ev), name_key, name);
}

struct json_object *cfl_work_group(cfl_map_work_t *ev)
{
	if (ev->group == NULL) {
		ev->group = json_object_new_object();
		cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_GROUP), ev->group);
	}
	return ev->group;
}

void cfl_work_address(cfl_map_work_t *ev, struct json_object *v)
{
	if (v == NULL)
		return;
	ev->source = json_object_new_object();
	cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_SOURCE), ev->source);
	cfl_json_add_new(ev->source, CFL_LEAF(CFL_FP_SOURCE_ADDRESS), v);
	ev->address = v;
}

void cfl_work_action(cfl_map_work_t *ev, struct json_object *v)
{
	if (v == NULL)
		return;
	cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_ACTION), v);
	ev->action = v;
}
