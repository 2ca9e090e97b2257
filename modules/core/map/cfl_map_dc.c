/* cfl_map_dc.c: contract section 4: a Confluence Data Center audit event,
 * either from the audit log file (auditType, timestamp {epochSecond, nano}) or
 * from GET /rest/auditing/1.0/events (type, ISO 8601 timestamp string).
 *
 *   timestamp                 -> @timestamp (UTC, milliseconds)
 *   source                    -> source.address
 *   author.id / author.name   -> user.id / user.full_name
 *   author.uri "?username=x"  -> user.name
 *   auditType | type          -> confluence.audit.type, its actionI18nKey -> event.action
 *   method                    -> confluence.audit.method
 *   system                    -> service.address, its host -> related.hosts
 *   extraAttributes[], changedValues[], affectedObjects[]
 *                             -> confluence.audit.extra_attributes[], .changed_values[], .affected_objects[]
 * Both shapes differ only in the two marked members, so one mapper serves both.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_json_util.h"
#include "cfl_time.h"

/* An integer member given as a JSON integer or as a string of digits (the
 * audit file writes integers; relays sometimes quote them). */
static int get_integer(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v = cfl_json_get(obj, key);
	const char *s;
	char *end;

	if (v == NULL)
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* {epochSecond, nano}: a missing nano means a whole second. */
static cfl_rc_t epoch_nano_time(cfl_map_work_t *ev, struct json_object *ts)
{
	int64_t sec, nano = 0;

	if (get_integer(ts, "epochSecond", &sec) != 0)
		return cfl_work_fail(ev, "no usable timestamp: timestamp.epochSecond is missing or not an integer");
	if (cfl_json_get(ts, "nano") != NULL && get_integer(ts, "nano", &nano) != 0) {
		return cfl_work_fail(ev, "no usable timestamp: timestamp.nano is not an integer");
	}
	if (cfl_time_from_epoch_nano(sec, nano, &ev->ts_ms) != 0)
		return cfl_work_fail(ev, "no usable timestamp: timestamp {epochSecond: %lld, nano: %lld} is out of "
			"range (nano 0..999999999, years 0000-9999)", (long long)sec, (long long)nano);
	return CFL_OK;
}

static cfl_rc_t map_time(cfl_map_work_t *ev)
{
	struct json_object *ts = ev->f[CFL_F_TIMESTAMP];

	if (ts == NULL)
		return cfl_work_fail(ev, "no usable timestamp: no \"timestamp\" (Data Center) or "
			"\"creationDate\" (Cloud) member");
	if (json_object_is_type(ts, json_type_object))
		return epoch_nano_time(ev, ts);
	if (json_object_is_type(ts, json_type_string)) {
		if (cfl_time_parse_iso8601(json_object_get_string(ts),
				(size_t)json_object_get_string_len(ts), &ev->ts_ms) == 0)
			return CFL_OK;
		return cfl_work_fail(ev, "no usable timestamp: \"%.64s\" is not an ISO 8601 date-time "
			"within years 0000-9999", json_object_get_string(ts));
	}
	return cfl_work_fail(ev, "no usable timestamp: \"timestamp\" is neither an ISO 8601 string nor "
		"{epochSecond, nano}");
}

static void map_author(cfl_map_work_t *ev)
{
	static const char *const names[] = { "id", "name", "uri" };
	struct json_object *a[3];
	char username[CFL_HOST_MAX];
	const char *uri;
	size_t len, n;

	if (ev->f[CFL_F_AUTHOR] == NULL)
		return;
	cfl_json_pick(ev->f[CFL_F_AUTHOR], names, 3, a);
	cfl_work_author(ev, a[0], a[1]);
	uri = a[2] != NULL && json_object_is_type(a[2], json_type_string) ? json_object_get_string(a[2]) : NULL;
	len = uri != NULL ? (size_t)json_object_get_string_len(a[2]) : 0;
	if (uri != NULL && len > 0) {
		n = cfl_lognorm_uri_username(ev->m->ln, uri, len, username, sizeof(username));
		if (n > 0)
			cfl_json_add_new(cfl_work_user(ev), "name", json_object_new_string_len(username, (int)n));
	}
}

/* auditType (file) wins over type (API) if a record carries both. */
static void map_type(cfl_map_work_t *ev)
{
	struct json_object *type = ev->f[CFL_F_AUDIT_TYPE];
	struct json_object *action;

	if (type == NULL || !json_object_is_type(type, json_type_object))
		type = ev->f[CFL_F_TYPE];
	if (type == NULL || !json_object_is_type(type, json_type_object))
		return;
	cfl_json_add_new(ev->audit, "type", json_object_get(type));
	action = cfl_json_keyword(cfl_json_get(type, "actionI18nKey"));
	cfl_work_action(ev, action);
}

static void map_system(cfl_map_work_t *ev)
{
	struct json_object *sys = cfl_json_keyword(ev->f[CFL_F_SYSTEM]);
	struct json_object *service;

	if (sys == NULL)
		return;
	service = json_object_new_object();
	cfl_json_add_new(service, "address", sys);
	cfl_json_add_new(ev->doc, "service", service);
	cfl_lognorm_url_host(ev->m->ln, json_object_get_string(sys),
		(size_t)json_object_get_string_len(sys), ev->host, sizeof(ev->host));
}

/* An empty list would only be cleaned up again: it is not moved at all. */
static void move_array(cfl_map_work_t *ev, cfl_field_t from, const char *to)
{
	struct json_object *v = ev->f[from];

	if (v != NULL && json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
		cfl_json_add_new(ev->audit, to, json_object_get(v));
}

cfl_rc_t cfl_map_dc(cfl_map_work_t *ev)
{
	if (map_time(ev) != CFL_OK)
		return ev->error.rc;
	cfl_work_address(ev, cfl_json_keyword(ev->f[CFL_F_SOURCE]));
	map_author(ev);
	map_type(ev);
	cfl_json_add_new(ev->audit, "method", cfl_json_keyword(ev->f[CFL_F_METHOD]));
	map_system(ev);
	move_array(ev, CFL_F_EXTRA_ATTRIBUTES, "extra_attributes");
	move_array(ev, CFL_F_CHANGED_VALUES, "changed_values");
	move_array(ev, CFL_F_AFFECTED_OBJECTS, "affected_objects");
	return CFL_OK;
}
