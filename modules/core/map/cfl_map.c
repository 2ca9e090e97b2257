/* cfl_map.c: the mapping core's orchestration: for each
 * message the pipeline of contract sections 1-6 (the mapper itself is set up
 * in cfl_mapper.c):
 *
 *   find the JSON (plain, or behind a prefix via the rulebase)
 *   -> validate once in place (cfl_jscan) -> envelope? (empty: EMPTY, else: ERROR)
 *   -> detect the shape from the root span (detect_shape below)
 *   -> shape mapper (cfl_map_cloud.c / cfl_map_jiracloud.c / cfl_map_dc.c),
 *      which also reads the time
 *   -> common fields: source.ip + GeoIP, categorization, user/group rules,
 *      related.*, event.*, tags, data_stream, input, log
 *   -> clean-up (nulls and empties) -> document.
 * Any failure on the way yields the pipeline_error document of section 6
 * instead, which always carries the message as event.original.
 *
 * Speed matters (the benchmark compares us with a bare parse + serialize, and
 * every libfastjson node is an allocation): the event is never parsed into a
 * libfastjson tree. It is validated in place by cfl_jscan and read as spans
 * (cfl_json_span.h); only what the document keeps becomes libfastjson values.
 * The top-level members are picked in one pass; output keys are static
 * strings (no strdup); strings that are the same in every document are built
 * once per mapper and shared; the clean-up walks only the subtrees that can
 * hold empties; liblognorm and GeoIP answers are remembered per thread.
 * An event the strict scanner refuses goes to libfastjson's parser: its
 * error message is the one the document has always carried, and what it
 * accepts (a lenient parser) is re-rendered and mapped as before.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "cfl_map_int.h"
#include "cfl_map_fit.h"
#include "cfl_map_work.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"
#include "cfl_time.h"

/* ------------------------------------------- per-event orchestration */

static struct json_object *event_array(void *ev)
{
	(void)ev;
	return json_object_new_array();
}

/* ------------------------------------- fields that do not need the event */

static struct json_object *tags_array(const cfl_mapper_t *m)
{
	struct json_object *arr;
	size_t i;

	if (m->ntags == 0)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < m->ntags; i++)
		json_object_array_add(arr, json_object_get(m->tags[i]));
	return arr;
}

static struct json_object *leaf(const cfl_mapper_t *m, cfl_leaf_t l)
{
	return json_object_get(m->leaf[l]);
}

/* Section 2 fields that do not depend on the event: the error document gets
 * exactly these (plus event.kind, event.original, error.message). */
static void add_arrival_fields(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_product_t p,
                               struct json_object *doc, struct json_object *event)
{
	struct json_object *ecs = json_object_new_object();
	struct json_object *ds = json_object_new_object();

	cfl_json_add_new(ecs, CFL_LEAF(CFL_FP_ECS_VERSION), leaf(m, CFL_L_ECS_VERSION));
	cfl_json_add_new(doc, CFL_LEAF(CFL_FP_ECS), ecs);
	cfl_json_add_new(doc, CFL_LEAF(CFL_FP_TAGS), tags_array(m));
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_DATASET), json_object_get(m->dataset[p]));
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_MODULE), json_object_get(m->module[p]));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_TYPE), leaf(m, CFL_L_LOGS));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_DATASET), json_object_get(m->dataset[p]));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_NAMESPACE), leaf(m, CFL_L_NAMESPACE));
	cfl_json_add_new(doc, CFL_LEAF(CFL_FP_DATA_STREAM), ds);
	if (in->input_type != NULL && *in->input_type != '\0') {
		struct json_object *input = json_object_new_object();

		cfl_json_add_new(input, CFL_LEAF(CFL_FP_INPUT_TYPE), json_object_new_string(in->input_type));
		cfl_json_add_new(doc, CFL_LEAF(CFL_FP_INPUT), input);
	}
	if ((in->file_path != NULL && *in->file_path != '\0') || in->has_offset) {
		struct json_object *log = json_object_new_object();

		if (in->file_path != NULL && *in->file_path != '\0') {
			struct json_object *file = json_object_new_object();

			cfl_json_add_new(file, CFL_LEAF(CFL_FP_LOG_FILE_PATH), json_object_new_string(in->file_path));
			cfl_json_add_new(log, CFL_LEAF(CFL_FP_LOG_FILE), file);
		}
		if (in->has_offset)
			cfl_json_add_new(log, CFL_LEAF(CFL_FP_LOG_OFFSET), json_object_new_int64(in->file_offset));
		cfl_json_add_new(doc, CFL_LEAF(CFL_FP_LOG), log);
	}
}

/* ---------------------------------------------------------- error document */

static struct json_object *error_doc(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_product_t p,
                                     const char *reason)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *event = json_object_new_object();

	if (doc == NULL || event == NULL) {
		json_object_put(doc);
		json_object_put(event);
		return NULL;
	}
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_KIND), leaf(m, CFL_L_KIND_ERROR));
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_ORIGINAL), json_object_new_string_len(in->text, (int)in->len));
	add_arrival_fields(m, in, p, doc, event);
	cfl_json_add_new(doc, CFL_LEAF(CFL_FP_EVENT), event);
	/* a reason that quotes the event may have been cut inside a character */
	cfl_json_set_path(doc, CFL_FP_ERROR_MESSAGE,
	                  json_object_new_string_len(reason, (int)cfl_fit_utf8_whole(reason, strlen(reason))));
	return doc;
}

/* The product of an event nobody could read: the input's, else the
 * configured one (contract section 9). */
static cfl_product_t input_product(const cfl_mapper_t *m, const cfl_map_input_t *in)
{
	int p = cfl_product_parse(in->product);

	return p >= 0 ? (cfl_product_t)p : m->product;
}

static cfl_map_status_t fail_doc_as(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_product_t p,
                                    const char *reason, cfl_map_result_t *res)
{
	res->doc = error_doc(m, in, p, reason);
	return CFL_MAP_ERROR;
}

static cfl_map_status_t fail_doc(const cfl_mapper_t *m, const cfl_map_input_t *in, const char *reason,
                                 cfl_map_result_t *res)
{
	return fail_doc_as(m, in, input_product(m, in), reason, res);
}

/* ----------------------------------------------------- finding the JSON */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A prefix the rulebase found is only believed if it cannot be JSON itself:
 * the "tag" of [{"timestamp":...}] is an array, not a syslog tag (whose
 * "[pid]" is fine). */
static int plausible_prefix(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && is_ws(text[i]))
		i++;
	if (i < len && text[i] == '[')
		return 0;
	for (; i < len; i++) {
		if (text[i] == '{' || text[i] == '"')
			return 0;
	}
	return 1;
}

/* The event's JSON text inside the message: [*start, *start + *len). Fails
 * with a reason when there is no '{' where a JSON object should begin
 * (*reason NULL: the message has no usable prefix either; the caller says
 * what the text is instead). */
static int locate_json(const cfl_mapper_t *m, const char *text, size_t len, size_t *start, size_t *jlen,
                       const char **reason)
{
	size_t pos = 0, end = len, off;

	while (pos < len && is_ws(text[pos]))
		pos++;
	if (pos == len) {
		*reason = "empty message: no JSON audit event in it";
		return -1;
	}
	if (text[pos] != '{') {
		*reason = NULL;
		if (cfl_lognorm_find_json(m->ln, text, len, &off) != 0 || !plausible_prefix(text, off))
			return -1;
		pos = off;
		while (pos < len && is_ws(text[pos]))
			pos++;
		if (pos == len || text[pos] != '{') {
			*reason = "no JSON object behind the message prefix";
			return -1;
		}
	}
	while (end > pos && is_ws(text[end - 1]))
		end--;
	*start = pos;
	*jlen = end - pos;
	return 0;
}

/* ------------------------------------------------------------- parsing */

static const char *type_name(struct json_object *v)
{
	switch (v == NULL ? json_type_null : json_object_get_type(v)) {
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	case json_type_int:
	case json_type_double: return "a number";
	case json_type_boolean: return "a boolean";
	case json_type_null: return "null";
	default: return "not an object";
	}
}

/* What a message that is not an event is, in words. */
static void describe_non_object(const char *text, size_t len, cfl_errbuf_t *why)
{
	struct json_object *v;

	if (cfl_json_parse(text, len, &v, NULL) == CFL_OK) {
		cfl_err_set(why, CFL_EPARSE, "the message is JSON but %s, not an object", type_name(v));
		json_object_put(v);
		return;
	}
	cfl_err_set(why, CFL_EPARSE,
	            "no JSON object in the message: it does not start with '{' "
	            "and no msg| rule of the rulebase matches it");
}

/* ------------------------------------------------------------ envelopes */

/* {"entities": [...]} (DC API page), {"results": [...]} (Cloud API page) or
 * {"records": [...]} (Jira Cloud page) without event members. Returns 1 and
 * the list, or 0 if the object is an event. */
static int envelope_list(const cfl_span_t *f, cfl_span_t *list, const char **which)
{
	if (f[CFL_F_TIMESTAMP].p != NULL || f[CFL_F_CREATION_DATE].p != NULL || f[CFL_F_CREATED].p != NULL)
		return 0;
	*which = "entities";
	*list = f[CFL_F_ENTITIES];
	if (list->p == NULL) {
		*which = "results";
		*list = f[CFL_F_RESULTS];
	}
	if (list->p == NULL) {
		*which = "records";
		*list = f[CFL_F_RECORDS];
	}
	return cfl_jscan_type(*list) == CFL_JARRAY;
}

/* ---------------------------------------------------- the common fields */

static int is_cloud_shape(const cfl_map_work_t *ev)
{
	if (cfl_work_has(ev, CFL_F_CREATION_DATE))
		return 1;
	if (cfl_work_has(ev, CFL_F_TIMESTAMP))
		return 0;
	return cfl_work_has(ev, CFL_F_REMOTE_ADDRESS) || cfl_work_has(ev, CFL_F_SUMMARY);
}

/* Which shape mapper reads this event: decided from the scanned root span
 * and its picked top-level members (ev->root, ev->f). A new shape adds one
 * test here and a mapper of type cfl_shape_fn (cfl_map_int.h). A Cloud
 * shape also decides the product (docs/jira-bitbucket-mapping.md section 5,
 * the shape order: creationDate, timestamp, then Jira Cloud's members). */
static cfl_shape_fn detect_shape(cfl_map_work_t *ev)
{
	if (!cfl_work_has(ev, CFL_F_CREATION_DATE) && !cfl_work_has(ev, CFL_F_TIMESTAMP) &&
	    cfl_jiracloud_is_record(ev)) {
		ev->is_cloud = 1;
		ev->product = CFL_PRODUCT_JIRA;
		return cfl_map_jiracloud;
	}
	ev->is_cloud = is_cloud_shape(ev);
	ev->product = CFL_PRODUCT_CONFLUENCE;
	return ev->is_cloud ? cfl_map_cloud : cfl_map_dc;
}

/* doc.related, created (and attached) on first use. */
static struct json_object *cfl_work_related(cfl_map_work_t *ev, struct json_object **related)
{
	if (*related == NULL) {
		*related = json_object_new_object();
		cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_RELATED), *related);
	}
	return *related;
}

static void add_related_value(cfl_map_work_t *ev, struct json_object **related, const char *key, struct json_object *v)
{
	struct json_object *arr = json_object_new_array();

	json_object_array_add(arr, v);
	cfl_json_add_new(cfl_work_related(ev, related), key, arr);
}

/* related.user: user.name, user.target.name, user.changes.name, each once.
 * Nothing is allocated unless there is a name. */
static void add_related_users(cfl_map_work_t *ev, struct json_object **related)
{
	struct json_object *u = ev->user;
	struct json_object *names[3], *arr = NULL;
	int i, j;

	if (u == NULL)
		return;
	names[0] = cfl_json_get(u, CFL_LEAF(CFL_FP_USER_NAME));
	names[1] = cfl_json_get(cfl_json_get(u, CFL_LEAF(CFL_FP_USER_TARGET)), CFL_LEAF(CFL_FP_USER_TARGET_NAME));
	names[2] = cfl_json_get(cfl_json_get(u, CFL_LEAF(CFL_FP_USER_CHANGES)), CFL_LEAF(CFL_FP_USER_CHANGES_NAME));
	for (i = 0; i < 3; i++) {
		if (names[i] == NULL || !json_object_is_type(names[i], json_type_string) ||
		    json_object_get_string_len(names[i]) == 0)
			continue;
		for (j = 0; j < i; j++) {
			if (names[j] != NULL && cfl_json_equal(names[j], names[i]))
				break;
		}
		if (j < i)
			continue;
		if (arr == NULL) {
			arr = json_object_new_array();
			cfl_json_add_new(cfl_work_related(ev, related), CFL_LEAF(CFL_FP_RELATED_USER), arr);
		}
		json_object_array_add(arr, json_object_get(names[i]));
	}
}

/* Jira's other source addresses after source.ip in related.ip, each once. */
static void add_related_ips(cfl_map_work_t *ev, struct json_object **related)
{
	struct json_object *arr = cfl_json_get(cfl_work_related(ev, related), CFL_LEAF(CFL_FP_RELATED_IP));
	int i, j, n = json_object_array_length(ev->more_ips);

	if (arr == NULL) {
		arr = json_object_new_array();
		cfl_json_add_new(*related, CFL_LEAF(CFL_FP_RELATED_IP), arr);
	}
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(ev->more_ips, i);
		int len = json_object_array_length(arr);

		for (j = 0; j < len; j++) {
			if (cfl_json_equal(json_object_array_get_idx(arr, j), v))
				break;
		}
		if (j == len)
			json_object_array_add(arr, json_object_get(v));
	}
}

/* related.{ip,hosts,user}; the object only exists if one of them does. */
static void add_related(cfl_map_work_t *ev, struct json_object *ip)
{
	struct json_object *related = NULL;

	if (ip != NULL)
		add_related_value(ev, &related, CFL_LEAF(CFL_FP_RELATED_IP), json_object_get(ip));
	if (ev->more_ips != NULL)
		add_related_ips(ev, &related);
	if (ev->host[0] != '\0')
		add_related_value(ev, &related, CFL_LEAF(CFL_FP_RELATED_HOSTS), json_object_new_string(ev->host));
	add_related_users(ev, &related);
}

/* event.id (contract section 2, "Distinct events, distinct ids"): the hash
 * of the event's text; for the n-th identical copy in a poll window
 * (imconfluence's $!metadata!copy) and for a line of a file (its offset),
 * the hash of that hash with the number, so that two identical events are
 * two documents while one event delivered twice stays one. */
static void add_event_id(cfl_map_work_t *ev, const cfl_map_input_t *in, const char *json, size_t len)
{
	XXH128_canonical_t c;
	char buf[sizeof(c.digest) + 64];
	size_t n;

	if (in->copy <= 0 && !in->has_offset) {
		cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_ID), cfl_fit_hash_id(json, len));
		return;
	}
	XXH128_canonicalFromHash(&c, XXH3_128bits(json, len));
	memcpy(buf, c.digest, sizeof(c.digest));
	n = sizeof(c.digest);
	if (in->has_offset)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "@%lld", (long long)in->file_offset);
	if (in->copy > 0)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "#%d", in->copy);
	cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_ID), cfl_fit_hash_id(buf, n));
}

static void add_timestamp(cfl_map_work_t *ev)
{
	char buf[32];
	size_t n = cfl_time_format_ms(ev->ts_ms, buf, sizeof(buf));

	cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_TIMESTAMP), json_object_new_string_len(buf, (int)n));
}

/* Section 6 clean-up, only where empties can be: the subtrees moved from the
 * event (all under confluence.audit) and the user/group objects the rules of
 * section 5 fill and empty. Everything else was built from non-empty values. */
static void prune(cfl_map_work_t *ev)
{
	if (ev->audit_clean ? json_object_object_length(ev->audit) == 0 : cfl_json_prune(ev->audit)) {
		json_object_put(ev->audit);
	} else {
		struct json_object *ns = json_object_new_object();

		cfl_json_add_new(ns, CFL_LEAF(CFL_FP_AUDIT), ev->audit);
		cfl_json_add_new(ev->doc, cfl_products[ev->product].ns, ns);
	}
	ev->audit = NULL;
	if (ev->user != NULL && cfl_json_prune(ev->user))
		json_object_object_del(ev->doc, CFL_LEAF(CFL_FP_USER));
	if (ev->group != NULL && cfl_json_prune(ev->group))
		json_object_object_del(ev->doc, CFL_LEAF(CFL_FP_GROUP));
}

/* Everything after the shape mapper: sections 2, 5 and 6. */
static void finish_event(cfl_map_work_t *ev, const cfl_map_input_t *in, const char *json, size_t jlen)
{
	const cfl_mapper_t *m = ev->m;
	struct json_object *action = ev->action;
	const cfl_category_t *cat = NULL;
	struct json_object *ip;

	/* source.ip when source.address is an IP (else nothing, and no error:
	 * [fix]), then GeoIP */
	ip = cfl_source_enrich(m->geo, ev->doc, &ev->source, ev->address, NULL);
	if (action != NULL)
		cat = cfl_categories_find(m->cats[ev->product], json_object_get_string(action),
		                          (size_t)json_object_get_string_len(action));
	cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_KIND), leaf(m, CFL_L_KIND_EVENT));
	cfl_categories_apply_ex(m->cats[ev->product], cat, ev->event, event_array, ev);
	cfl_map_user_fields(ev, cat);
	if (ev->is_cloud && in->site != NULL && *in->site != '\0' &&
	    cfl_json_get(ev->doc, CFL_LEAF(CFL_FP_SERVICE)) == NULL) {
		/* a Cloud event does not name its site: the url imconfluence polled does */
		struct json_object *service = json_object_new_object();

		cfl_json_add_new(service, CFL_LEAF(CFL_FP_SERVICE_ADDRESS), json_object_new_string(in->site));
		cfl_json_add_new(ev->doc, CFL_LEAF(CFL_FP_SERVICE), service);
		cfl_lognorm_url_host(m->ln, in->site, strlen(in->site), ev->host, sizeof(ev->host));
	}
	add_related(ev, ip);
	if (m->preserve_original)
		cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_ORIGINAL),
		                 json_object_new_string_len(json, (int)jlen));
	/* a Jira Cloud record's id wins */
	if (m->event_id && cfl_json_get(ev->event, CFL_LEAF(CFL_FP_EVENT_ID)) == NULL)
		add_event_id(ev, in, json, jlen);
	add_arrival_fields(m, in, ev->product, ev->doc, ev->event);
	add_timestamp(ev);
	prune(ev);
}

/* Contract section 1, first match wins: the shape (a Cloud record's product
 * is set by detect_shape), the event's own i18n keys when detection is on,
 * the input's product, the configured one. With detection off the keys
 * still flag an event filed under another product than they name. */
static void resolve_product(cfl_map_work_t *ev, const cfl_map_input_t *in, cfl_map_result_t *res)
{
	int detected;

	if (ev->is_cloud)
		return;
	detected = cfl_detect_product(ev);
	if (detected >= 0 && ev->m->product_detect) {
		ev->product = (cfl_product_t)detected;
		return;
	}
	ev->product = input_product(ev->m, in);
	res->product_mismatch = detected >= 0 && (cfl_product_t)detected != ev->product;
}

/* Maps a validated event object (root span, top-level members picked in f). */
static cfl_map_status_t map_object(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_span_t root,
                                   const cfl_span_t *f, const char *json, size_t jlen, cfl_map_result_t *res)
{
	cfl_map_work_t ev;
	cfl_shape_fn shape;
	cfl_map_status_t st;
	cfl_rc_t rc;

	memset(&ev, 0, sizeof(ev));
	ev.m = m;
	ev.root = root;
	memcpy(ev.f, f, sizeof(ev.f));
	ev.doc = json_object_new_object();
	ev.event = json_object_new_object();
	ev.audit = json_object_new_object();
	cfl_json_add_new(ev.doc, CFL_LEAF(CFL_FP_EVENT), ev.event);
	shape = detect_shape(&ev);
	resolve_product(&ev, in, res);
	rc = shape(&ev);
	if (rc != CFL_OK) {
		int mismatch = res->product_mismatch;

		json_object_put(ev.doc);
		json_object_put(ev.audit);
		st = fail_doc_as(m, in, ev.product, ev.error.msg, res);
		res->product_mismatch = mismatch;
		return st;
	}
	finish_event(&ev, in, json, jlen);
	res->doc = ev.doc;
	res->ts_ms = ev.ts_ms;
	res->has_ts = 1;
	return CFL_MAP_OK;
}

/* Top-level members recorded while the event is validated; an event with
 * more is picked by walking its text again. */
#define TOP_MEMBERS 48

/* The event object's span in text[0..len), with its top-level members
 * picked into f. The strict scanner is tried first; what it refuses goes to
 * libfastjson's parser, which fails with the message pipeline_error
 * documents have always carried, or accepts a lenient form (a leading zero,
 * a control character in a string, ...): then its plain rendering is
 * scanned instead, in *alt (the caller frees it). */
static cfl_rc_t scan_event(const char *text, size_t len, cfl_span_t *root, cfl_span_t *f, char **alt, cfl_errbuf_t *why)
{
	cfl_jmember_t top[TOP_MEMBERS];
	struct json_object *obj;
	const char *plain;
	cfl_errbuf_t jerr;
	size_t ntop;
	cfl_rc_t rc;

	*alt = NULL;
	if (cfl_jscan_document_members(text, len, CFL_SPAN_MAX_DEPTH, root, top, TOP_MEMBERS, &ntop, &jerr) == CFL_OK) {
		if (ntop <= TOP_MEMBERS)
			cfl_span_pick_members(top, ntop, cfl_field_names, CFL_NFIELDS, f);
		else
			cfl_span_pick(*root, cfl_field_names, CFL_NFIELDS, f);
		return CFL_OK;
	}
	if ((rc = cfl_json_parse(text, len, &obj, why)) != CFL_OK)
		return rc;
	plain = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	if (plain != NULL)
		*alt = strdup(plain);
	json_object_put(obj);
	if (*alt == NULL)
		return cfl_err_set(why, CFL_ENOMEM, "out of memory while parsing");
	if (cfl_jscan_document_depth(*alt, strlen(*alt), CFL_SPAN_MAX_DEPTH, root, &jerr) != CFL_OK)
		return cfl_err_set(why, CFL_EPARSE, "invalid JSON: %s", jerr.msg);
	if (cfl_jscan_type(*root) != CFL_JOBJECT) {
		/* a "//" after a value starts a comment for libfastjson, which then
		 * returns a part of the text: an event without members, as before */
		root->p = "{}";
		root->len = 2;
	}
	cfl_span_pick(*root, cfl_field_names, CFL_NFIELDS, f);
	return CFL_OK;
}

/* The error document's @timestamp: when the message arrived (section 6). */
static void add_arrival_time(const cfl_map_input_t *in, struct json_object *doc)
{
	struct timespec now;
	char buf[32];
	int64_t ms;
	size_t n;

	if (cfl_json_get(doc, CFL_LEAF(CFL_FP_TIMESTAMP)) != NULL)
		return;
	if (in->has_received) {
		ms = in->received_ms;
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	}
	if (cfl_time_check_ms(ms) != 0)
		ms = 0;
	n = cfl_time_format_ms(ms, buf, sizeof(buf));
	cfl_json_add(doc, CFL_LEAF(CFL_FP_TIMESTAMP), json_object_new_string_len(buf, (int)n));
}

/* The root a document's own fields live under, from its dataset. */
static const char *doc_root(struct json_object *doc)
{
	const char *ds = cfl_json_get_str(cfl_json_get(doc, CFL_LEAF(CFL_FP_DATA_STREAM)),
	                                  CFL_LEAF(CFL_FP_DATA_STREAM_DATASET), NULL);
	int i;

	for (i = 0; ds != NULL && i < CFL_NPRODUCTS; i++) {
		if (strcmp(ds, cfl_products[i].dataset) == 0)
			return cfl_products[i].ns;
	}
	return ds != NULL && strcmp(ds, CFL_ORG_DATASET) == 0 ? CFL_FP_ORG : cfl_products[CFL_PRODUCT_CONFLUENCE].ns;
}

static cfl_map_status_t map_message(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_map_result_t *res);

cfl_map_status_t cfl_map_event(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_map_result_t *res)
{
	cfl_map_status_t st = map_message(m, in, res);

	if (res->doc != NULL) {
		if (st == CFL_MAP_ERROR)
			add_arrival_time(in, res->doc);
		cfl_map_fit_ns(res->doc, doc_root(res->doc));
	}
	return st;
}

static cfl_map_status_t map_message(const cfl_mapper_t *m, const cfl_map_input_t *in, cfl_map_result_t *res)
{
	cfl_span_t root, list, f[CFL_NFIELDS];
	const char *reason, *which;
	cfl_errbuf_t why;
	size_t start, jlen;
	cfl_map_status_t st;
	char *alt;

	memset(res, 0, sizeof(*res));
	if (locate_json(m, in->text, in->len, &start, &jlen, &reason) != 0) {
		if (reason == NULL)
			describe_non_object(in->text, in->len, &why);
		return fail_doc(m, in, reason != NULL ? reason : why.msg, res);
	}
	/* an organization audit event or page (docs/org-audit-mapping.md) */
	if (cfl_map_org_try(m->org, in, in->text + start, jlen, &st, res))
		return st;
	if (scan_event(in->text + start, jlen, &root, f, &alt, &why) != CFL_OK) {
		free(alt);
		return fail_doc(m, in, why.msg, res);
	}
	if (envelope_list(f, &list, &which)) {
		int n = cfl_span_count(list);

		if (n == 0) {
			st = CFL_MAP_EMPTY;
		} else {
			cfl_err_set(&why, CFL_EPARSE,
			            "the message is an API page holding %d events (\"%s\"), "
			            "not one event: split pages into one event per message before mapping",
			            n, which);
			st = fail_doc(m, in, why.msg, res);
		}
	} else {
		st = map_object(m, in, root, f, in->text + start, jlen, res);
	}
	free(alt);
	return st;
}
