/* cfl_map_cloud.c: contract section 3: a Confluence Cloud audit record
 * (GET /wiki/rest/api/audit, results[]) into the DC-like ECS shape.
 *
 *   creationDate (epoch ms)        -> @timestamp
 *   remoteAddress                  -> source.address
 *   author.accountId / displayName -> user.id / user.full_name
 *   author.externalCollaborator    -> confluence.audit.external_collaborator
 *   category / summary             -> confluence.audit.type.category / .action, event.action
 *   associatedObjects[] + affectedObject (unless already listed)
 *                                  -> confluence.audit.affected_objects[] (objectType -> type)
 *   changedValues[]                -> confluence.audit.changed_values[]
 *                                     (name -> i18nKey + key, newValue -> to, oldValue -> from)
 * The record is read as spans (cfl_json_span.h); the members the document
 * keeps become libfastjson values there, and are renamed in place. Jira
 * Cloud records (cfl_map_jiracloud.c) have the same type, list and change
 * members under other names: the three cfl_cloud_* functions serve both.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"
#include "cfl_time.h"

/* creationDate as epoch ms: a JSON integer, an integral JSON number, or a
 * string of digits (Elasticsearch's UNIX_MS reads all three). */
static int creation_ms(cfl_span_t v, int64_t *ms)
{
	char buf[64];
	double d;
	long n;

	switch (cfl_jscan_type(v)) {
	case CFL_JNUMBER:
		if (cfl_span_number(v, ms, &d) == 1)
			return 0;
		if (!isfinite(d) || d < (double)CFL_TIME_MIN_MS || d > (double)CFL_TIME_MAX_MS)
			return -1;
		*ms = (int64_t)floor(d);
		return 0;
	case CFL_JSTRING:
		/* longer than any int64: not epoch ms (strtoll would say ERANGE) */
		if ((n = cfl_jscan_string(v, buf, sizeof(buf))) < 0)
			return -1;
		return cfl_text_int64(buf, ms);
	default: return -1;
	}
}

static cfl_rc_t map_time(cfl_map_work_t *ev)
{
	cfl_span_t v = ev->f[CFL_F_CREATION_DATE];
	struct json_object *j;

	if (!cfl_work_has(ev, CFL_F_CREATION_DATE))
		return cfl_work_fail(ev, "no usable timestamp: Cloud audit record without creationDate");
	if (creation_ms(v, &ev->ts_ms) != 0 || cfl_time_check_ms(ev->ts_ms) != 0) {
		j = cfl_span_json(v);
		cfl_work_fail(ev,
		              "no usable timestamp: creationDate %s is not epoch milliseconds "
		              "within years 0000-9999",
		              json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return ev->error.rc;
	}
	return CFL_OK;
}

static void map_author(cfl_map_work_t *ev)
{
	static const char *const names[] = { "accountId", "displayName", "externalCollaborator" };
	cfl_span_t a[3];
	cfl_jtype_t t;

	if (!cfl_work_has(ev, CFL_F_AUTHOR))
		return;
	cfl_span_pick(ev->f[CFL_F_AUTHOR], names, 3, a);
	cfl_work_author(ev, a[0], a[1]);
	t = cfl_jscan_type(a[2]);
	if (t == CFL_JTRUE || t == CFL_JFALSE)
		cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_EXTERNAL_COLLABORATOR),
		                 json_object_new_boolean(t == CFL_JTRUE));
}

void cfl_cloud_type(cfl_map_work_t *ev)
{
	struct json_object *category = cfl_span_keyword(ev->f[CFL_F_CATEGORY]);
	struct json_object *summary = cfl_span_keyword(ev->f[CFL_F_SUMMARY]);
	struct json_object *type;

	if (category == NULL && summary == NULL)
		return;
	type = json_object_new_object();
	cfl_json_add_new(type, CFL_LEAF(CFL_FP_AUDIT_TYPE_CATEGORY), category);
	if (summary != NULL) {
		cfl_json_add_new(type, CFL_LEAF(CFL_FP_AUDIT_TYPE_ACTION), summary);
		cfl_work_action(ev, json_object_get(summary));
	}
	cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_TYPE), type);
}

static int listed(cfl_span_t arr, cfl_span_t obj)
{
	cfl_jiter_t it;
	cfl_span_t e;

	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &e)) {
		if (cfl_span_equal(e, obj))
			return 1;
	}
	return 0;
}

/* Moves obj[from] to obj[to] (to is a static string); obj[from] = null is left
 * for the clean-up, as in Elastic's pipeline. */
static void rename_member(struct json_object *obj, const char *from, const char *to)
{
	struct json_object *v = cfl_json_get(obj, from);

	if (v == NULL)
		return;
	cfl_json_add(obj, to, json_object_get(v));
	json_object_object_del(obj, from);
}

/* The list becomes the output array, one appended if not listed; type_key
 * is renamed type in every element. */
void cfl_cloud_affected_objects(cfl_map_work_t *ev, cfl_span_t list, cfl_span_t one, const char *type_key)
{
	int has_one = cfl_jscan_type(one) == CFL_JOBJECT;
	struct json_object *out;
	int i, n;

	if (cfl_jscan_type(list) == CFL_JARRAY) {
		/* compare before renaming: both sides still say type_key */
		if (has_one && listed(list, one))
			has_one = 0;
		if (!has_one && cfl_span_empty(list))
			return; /* stays empty: the clean-up would drop it */
		out = cfl_span_json(list);
	} else if (has_one) {
		out = json_object_new_array();
	} else {
		return;
	}
	if (out == NULL)
		return;
	if (has_one)
		json_object_array_add(out, cfl_span_json(one));
	n = json_object_array_length(out);
	for (i = 0; i < n; i++)
		rename_member(json_object_array_get_idx(out, i), type_key,
		              CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_TYPE));
	cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS), out);
}

void cfl_cloud_changed_values(cfl_map_work_t *ev, const char *name_key, const char *to_key, const char *from_key)
{
	cfl_span_t span = ev->f[CFL_F_CHANGED_VALUES];
	struct json_object *cv;
	int i, n;

	if (cfl_jscan_type(span) != CFL_JARRAY || cfl_span_empty(span) || (cv = cfl_span_json(span)) == NULL)
		return;
	n = json_object_array_length(cv);
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cv, i);
		struct json_object *name = cfl_json_get(c, name_key);

		if (name != NULL) {
			cfl_json_add(c, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_I18N_KEY), json_object_get(name));
			cfl_json_add(c, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_KEY), json_object_get(name));
			json_object_object_del(c, name_key);
		}
		rename_member(c, to_key, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_TO));
		rename_member(c, from_key, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_FROM));
	}
	cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES), cv);
}

cfl_rc_t cfl_map_cloud(cfl_map_work_t *ev)
{
	if (map_time(ev) != CFL_OK)
		return ev->error.rc;
	cfl_work_address(ev, cfl_span_keyword(ev->f[CFL_F_REMOTE_ADDRESS]));
	map_author(ev);
	cfl_cloud_type(ev);
	cfl_cloud_affected_objects(ev, ev->f[CFL_F_ASSOCIATED_OBJECTS], ev->f[CFL_F_AFFECTED_OBJECT], "objectType");
	cfl_cloud_changed_values(ev, "name", "newValue", "oldValue");
	return CFL_OK;
}
