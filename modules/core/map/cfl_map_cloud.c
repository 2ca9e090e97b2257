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
 * Members are moved from the parsed record into the document (reference
 * counts), and renamed in place.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_json_util.h"
#include "cfl_time.h"

/* creationDate as epoch ms: a JSON integer, an integral JSON number, or a
 * string of digits (Elasticsearch's UNIX_MS reads all three). */
static int creation_ms(struct json_object *v, int64_t *ms)
{
	const char *s;
	char *end;
	double d;

	switch (v == NULL ? json_type_null : json_object_get_type(v)) {
	case json_type_int:
		*ms = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d < (double)CFL_TIME_MIN_MS || d > (double)CFL_TIME_MAX_MS)
			return -1;
		*ms = (int64_t)floor(d);
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
			return -1;
		errno = 0;
		*ms = strtoll(s, &end, 10);
		return errno != 0 || *end != '\0' ? -1 : 0;
	default:
		return -1;
	}
}

static cfl_rc_t map_time(cfl_map_work_t *ev)
{
	struct json_object *v = ev->f[CFL_F_CREATION_DATE];

	if (v == NULL)
		return cfl_work_fail(ev, "no usable timestamp: Cloud audit record without creationDate");
	if (creation_ms(v, &ev->ts_ms) != 0 || cfl_time_check_ms(ev->ts_ms) != 0) {
		return cfl_work_fail(ev, "no usable timestamp: creationDate %s is not epoch milliseconds "
			"within years 0000-9999", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	}
	return CFL_OK;
}

static void map_author(cfl_map_work_t *ev)
{
	static const char *const names[] = { "accountId", "displayName", "externalCollaborator" };
	struct json_object *a[3], *ext;

	if (ev->f[CFL_F_AUTHOR] == NULL)
		return;
	cfl_json_pick(ev->f[CFL_F_AUTHOR], names, 3, a);
	cfl_work_author(ev, a[0], a[1]);
	ext = a[2];
	if (ext != NULL && json_object_is_type(ext, json_type_boolean))
		cfl_json_add_new(ev->audit, "external_collaborator", json_object_get(ext));
}

static void map_type(cfl_map_work_t *ev)
{
	struct json_object *category = cfl_json_keyword(ev->f[CFL_F_CATEGORY]);
	struct json_object *summary = cfl_json_keyword(ev->f[CFL_F_SUMMARY]);
	struct json_object *type;

	if (category == NULL && summary == NULL)
		return;
	type = json_object_new_object();
	cfl_json_add_new(type, "category", category);
	if (summary != NULL) {
		cfl_json_add_new(type, "action", summary);
		cfl_work_action(ev, json_object_get(summary));
	}
	cfl_json_add_new(ev->audit, "type", type);
}

static int listed(struct json_object *arr, struct json_object *obj)
{
	int i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		if (cfl_json_equal(json_object_array_get_idx(arr, i), obj))
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

/* associatedObjects[] is taken over as the output array (it is the input's,
 * which is dropped after mapping), affectedObject appended if not listed. */
static void map_affected_objects(cfl_map_work_t *ev)
{
	struct json_object *assoc = ev->f[CFL_F_ASSOCIATED_OBJECTS];
	struct json_object *affected = ev->f[CFL_F_AFFECTED_OBJECT];
	struct json_object *out;
	int i, n;

	if (affected != NULL && !json_object_is_type(affected, json_type_object))
		affected = NULL;
	if (assoc != NULL && json_object_is_type(assoc, json_type_array)) {
		/* compare before renaming: both sides still say objectType */
		if (affected != NULL && listed(assoc, affected))
			affected = NULL;
		if (affected == NULL && json_object_array_length(assoc) == 0)
			return;  /* stays empty: not moved (cfl_work_array may reuse it) */
		out = json_object_get(assoc);
	} else if (affected != NULL) {
		out = json_object_new_array();
	} else {
		return;
	}
	if (affected != NULL)
		json_object_array_add(out, json_object_get(affected));
	n = json_object_array_length(out);
	for (i = 0; i < n; i++)
		rename_member(json_object_array_get_idx(out, i), "objectType", "type");
	cfl_json_add_new(ev->audit, "affected_objects", out);
}

static void map_changed_values(cfl_map_work_t *ev)
{
	struct json_object *cv = ev->f[CFL_F_CHANGED_VALUES];
	int i, n;

	if (cv == NULL || !json_object_is_type(cv, json_type_array)
			|| (n = json_object_array_length(cv)) == 0)
		return;
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cv, i);
		struct json_object *name = cfl_json_get(c, "name");

		if (name != NULL) {
			cfl_json_add(c, "i18nKey", json_object_get(name));
			cfl_json_add(c, "key", json_object_get(name));
			json_object_object_del(c, "name");
		}
		rename_member(c, "newValue", "to");
		rename_member(c, "oldValue", "from");
	}
	cfl_json_add_new(ev->audit, "changed_values", json_object_get(cv));
}

cfl_rc_t cfl_map_cloud(cfl_map_work_t *ev)
{
	if (map_time(ev) != CFL_OK)
		return ev->error.rc;
	cfl_work_address(ev, cfl_json_keyword(ev->f[CFL_F_REMOTE_ADDRESS]));
	map_author(ev);
	map_type(ev);
	map_affected_objects(ev);
	map_changed_values(ev);
	return CFL_OK;
}
