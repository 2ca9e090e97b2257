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
 * Jira and Bitbucket Data Center write the same format (the cross-product
 * auditing plugin; docs/jira-bitbucket-mapping.md section 4). For them the
 * author's name is user.name (the uri is not read), the audit fields go
 * under jira.audit / bitbucket.audit, and Jira's source, a proxy chain
 * "a, b, c", is split: source.address = a, the other IPs to
 * jira.audit.additional_source_ips.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"
#include "cfl_time.h"

/* An integer member given as a JSON integer or as a string of digits (the
 * audit file writes integers; relays sometimes quote them). */
static int get_integer(cfl_span_t obj, const char *key, int64_t *out)
{
	char buf[64];
	cfl_span_t v;
	double d;

	if (!cfl_span_get(obj, key, &v))
		return -1;
	if (cfl_jscan_type(v) == CFL_JNUMBER)
		return cfl_span_number(v, out, &d) == 1 ? 0 : -1;
	/* longer than any int64: not an integer (strtoll would say ERANGE) */
	if (cfl_jscan_type(v) != CFL_JSTRING || cfl_jscan_string(v, buf, sizeof(buf)) < 0)
		return -1;
	return cfl_text_int64(buf, out);
}

/* {epochSecond, nano}: a missing nano means a whole second. */
static cfl_rc_t epoch_nano_time(cfl_map_work_t *ev, cfl_span_t ts)
{
	int64_t sec, nano = 0;
	cfl_span_t v;

	if (get_integer(ts, "epochSecond", &sec) != 0)
		return cfl_work_fail(ev, "no usable timestamp: timestamp.epochSecond is missing or not an integer");
	if (cfl_span_get(ts, "nano", &v) && get_integer(ts, "nano", &nano) != 0) {
		return cfl_work_fail(ev, "no usable timestamp: timestamp.nano is not an integer");
	}
	if (cfl_time_from_epoch_nano(sec, nano, &ev->ts_ms) != 0)
		return cfl_work_fail(ev,
		                     "no usable timestamp: timestamp {epochSecond: %lld, nano: %lld} is out of "
		                     "range (nano 0..999999999, years 0000-9999)",
		                     (long long)sec, (long long)nano);
	return CFL_OK;
}

cfl_rc_t cfl_map_iso_time(cfl_map_work_t *ev, cfl_span_t ts)
{
	struct json_object *j;
	char buf[128];
	const char *s;
	long n = cfl_span_text(ts, buf, sizeof(buf), &s);

	if (n >= 0 && cfl_time_parse_iso8601(s, (size_t)n, &ev->ts_ms) == 0)
		return CFL_OK;
	j = cfl_span_json(ts);
	cfl_work_fail(ev,
	              "no usable timestamp: \"%.64s\" is not an ISO 8601 date-time "
	              "within years 0000-9999",
	              j != NULL ? json_object_get_string(j) : "");
	json_object_put(j);
	return ev->error.rc;
}

static cfl_rc_t map_time(cfl_map_work_t *ev)
{
	cfl_span_t ts = ev->f[CFL_F_TIMESTAMP];

	if (!cfl_work_has(ev, CFL_F_TIMESTAMP))
		return cfl_work_fail(ev, "no usable timestamp: no \"timestamp\" (Data Center) or "
		                         "\"creationDate\" (Cloud) member");
	if (cfl_jscan_type(ts) == CFL_JOBJECT)
		return epoch_nano_time(ev, ts);
	if (cfl_jscan_type(ts) == CFL_JSTRING)
		return cfl_map_iso_time(ev, ts);
	return cfl_work_fail(ev, "no usable timestamp: \"timestamp\" is neither an ISO 8601 string nor "
	                         "{epochSecond, nano}");
}

/* user.name from the author's uri ("...?username=x"), if it ends that way. */
static void put_username(cfl_map_work_t *ev, const char *uri, size_t len)
{
	char username[CFL_HOST_MAX];
	size_t n;

	if (len == 0)
		return;
	n = cfl_lognorm_uri_username(ev->m->ln, uri, len, username, sizeof(username));
	if (n > 0)
		cfl_json_add_new(cfl_work_user(ev), CFL_LEAF(CFL_FP_USER_NAME),
		                 json_object_new_string_len(username, (int)n));
}

static void map_author(cfl_map_work_t *ev)
{
	static const char *const names[] = { "id", "name", "uri" };
	char buf[1024];
	cfl_span_t a[3];
	const char *uri;
	long len;

	if (!cfl_work_has(ev, CFL_F_AUTHOR))
		return;
	cfl_span_pick(ev->f[CFL_F_AUTHOR], names, 3, a);
	if (ev->product != CFL_PRODUCT_CONFLUENCE) {
		cfl_work_author_as(ev, a[0], a[1], CFL_LEAF(CFL_FP_USER_NAME));
		return;
	}
	cfl_work_author(ev, a[0], a[1]);
	len = cfl_span_text(a[2], buf, sizeof(buf), &uri);
	if (len < 0 && cfl_jscan_type(a[2]) == CFL_JSTRING) {
		/* a long uri with escapes: decoded as a value */
		struct json_object *u = cfl_span_json(a[2]);

		if (u != NULL)
			put_username(ev, json_object_get_string(u), (size_t)json_object_get_string_len(u));
		json_object_put(u);
		return;
	}
	if (len > 0)
		put_username(ev, uri, (size_t)len);
}

/* auditType (file) wins over type (API) if a record carries both. */
static void map_type(cfl_map_work_t *ev)
{
	cfl_span_t type = ev->f[CFL_F_AUDIT_TYPE], key;

	if (cfl_jscan_type(type) != CFL_JOBJECT)
		type = ev->f[CFL_F_TYPE];
	if (cfl_jscan_type(type) != CFL_JOBJECT)
		return;
	cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_TYPE), cfl_span_json_pruned(type));
	if (cfl_span_get(type, "actionI18nKey", &key))
		cfl_work_action(ev, cfl_span_keyword(key));
}

static void map_system(cfl_map_work_t *ev)
{
	struct json_object *sys = cfl_span_keyword(ev->f[CFL_F_SYSTEM]);
	struct json_object *service;

	if (sys == NULL)
		return;
	service = json_object_new_object();
	cfl_json_add_new(service, CFL_LEAF(CFL_FP_SERVICE_ADDRESS), sys);
	cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_SERVICE), service);
	cfl_lognorm_url_host(ev->m->ln, json_object_get_string(sys), (size_t)json_object_get_string_len(sys), ev->host,
	                     sizeof(ev->host));
}

/* An empty list would only be cleaned up again: it is not made at all. */
static void move_array(cfl_map_work_t *ev, cfl_field_t from, const char *to)
{
	cfl_span_t v = ev->f[from];

	if (cfl_jscan_type(v) == CFL_JARRAY && !cfl_span_empty(v))
		cfl_json_add_new(ev->audit, to, cfl_span_json_pruned(v));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* cfl_ip_parse wants the text alone (NUL-terminated): a part of a longer
 * string is copied first; anything longer than an address is none. */
static int part_is_ip(const char *s, size_t len, cfl_ip_t *ip)
{
	char buf[64];

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return cfl_ip_parse(buf, len, ip) == 0;
}

/* Jira's source: split at every ',', parts trimmed, empty parts dropped; the
 * first is source.address, the later ones that are IPs become
 * jira.audit.additional_source_ips (the rest is dropped without error). A
 * value without a comma is kept whole, exactly as before. */
static void map_jira_source(cfl_map_work_t *ev, struct json_object *src)
{
	const char *s = json_object_get_string(src), *end, *a, *b;
	size_t len = (size_t)json_object_get_string_len(src);
	struct json_object *more = NULL;
	int first = 1;
	cfl_ip_t ip;

	if (memchr(s, ',', len) == NULL) {
		cfl_work_address(ev, src);
		return;
	}
	end = s + len;
	for (a = s; a <= end; a = b + 1) {
		const char *pe;

		b = memchr(a, ',', (size_t)(end - a));
		if (b == NULL)
			b = end;
		pe = b;
		while (a < pe && is_blank(*a))
			a++;
		while (pe > a && is_blank(pe[-1]))
			pe--;
		if (pe == a)
			continue;
		if (first) {
			cfl_work_address(ev, json_object_new_string_len(a, (int)(pe - a)));
			first = 0;
		} else if (part_is_ip(a, (size_t)(pe - a), &ip)) {
			if (more == NULL) {
				more = json_object_new_array();
				cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_JIRA_AUDIT_ADDITIONAL_SOURCE_IPS), more);
				ev->more_ips = more;
			}
			json_object_array_add(more, json_object_new_string_len(a, (int)(pe - a)));
		}
	}
	json_object_put(src);
}

/* The product a key belongs to by its prefix, or -1 for a shared key. */
static int key_product(cfl_span_t key)
{
	static const struct {
		const char *prefix;
		cfl_product_t p;
	} owned[] = {
		{ "jira.", CFL_PRODUCT_JIRA },
		{ "bitbucket.", CFL_PRODUCT_BITBUCKET },
		{ "audit.logging.", CFL_PRODUCT_CONFLUENCE },
	};
	char buf[64];
	size_t i;

	if (cfl_jscan_type(key) != CFL_JSTRING)
		return -1;
	/* only the prefix matters: a longer key is cut, not refused */
	if (cfl_jscan_string(key, buf, sizeof(buf)) < 0) {
		size_t n = key.len - 2 < sizeof(buf) - 1 ? key.len - 2 : sizeof(buf) - 1;

		memcpy(buf, key.p + 1, n);
		buf[n] = '\0';
	}
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		if (strncmp(buf, owned[i].prefix, strlen(owned[i].prefix)) == 0)
			return (int)owned[i].p;
	}
	return -1;
}

int cfl_detect_product(const cfl_map_work_t *ev)
{
	cfl_span_t type = ev->f[CFL_F_AUDIT_TYPE], key, attr;
	cfl_jiter_t it;
	int p;

	if (cfl_jscan_type(type) != CFL_JOBJECT)
		type = ev->f[CFL_F_TYPE];
	if (cfl_jscan_type(type) == CFL_JOBJECT) {
		if (cfl_span_get(type, "actionI18nKey", &key) && (p = key_product(key)) >= 0)
			return p;
		if (cfl_span_get(type, "categoryI18nKey", &key) && (p = key_product(key)) >= 0)
			return p;
	}
	if (cfl_jscan_type(ev->f[CFL_F_EXTRA_ATTRIBUTES]) != CFL_JARRAY ||
	    !cfl_jscan_arr_begin(ev->f[CFL_F_EXTRA_ATTRIBUTES], &it))
		return -1;
	while (cfl_jscan_arr_next(&it, &attr)) {
		if (cfl_jscan_type(attr) == CFL_JOBJECT && cfl_span_get(attr, "nameI18nKey", &key) &&
		    (p = key_product(key)) >= 0)
			return p;
	}
	return -1;
}

cfl_rc_t cfl_map_dc(cfl_map_work_t *ev)
{
	struct json_object *src;

	if (map_time(ev) != CFL_OK)
		return ev->error.rc;
	src = cfl_span_keyword(ev->f[CFL_F_SOURCE]);
	if (src != NULL && ev->product == CFL_PRODUCT_JIRA)
		map_jira_source(ev, src);
	else
		cfl_work_address(ev, src);
	map_author(ev);
	map_type(ev);
	cfl_json_add_new(ev->audit, CFL_LEAF(CFL_FP_AUDIT_METHOD), cfl_span_keyword(ev->f[CFL_F_METHOD]));
	map_system(ev);
	move_array(ev, CFL_F_EXTRA_ATTRIBUTES, CFL_LEAF(CFL_FP_AUDIT_EXTRA_ATTRIBUTES));
	move_array(ev, CFL_F_CHANGED_VALUES, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES));
	move_array(ev, CFL_F_AFFECTED_OBJECTS, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS));
	ev->audit_clean = 1; /* everything in it was pruned as it was built */
	return CFL_OK;
}
