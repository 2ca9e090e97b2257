/* cfl_map_org.c: one organization audit event (Atlassian Administration's
 * events-stream) to one ECS document, per docs/org-audit-mapping.md: the
 * same field set as Elastic's atlassian_cloud.audit data stream, with the
 * project's decisions where the two differ (original text only when asked,
 * a missing or bad attributes.time is a failure, a non-IP address is not).
 *
 * The event is read in place from the text with cfl_jscan (no parse tree of
 * the input; a repeated member name counts with its first value, as
 * cfl_jscan_member finds it); only the output document is built with
 * libfastjson, which is what every caller of the mapping core takes, its
 * values made by cfl_json_span's literal readers (values as written).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfl_map_org.h"
#include "cfl_map_int.h"
#include "cfl_map_fit.h"
#include "cfl_categories.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"
#include "cfl_time.h"

/* Strings that are the same in every document, built once and shared. */
enum org_leaf {
	L_ECS,
	L_KIND_EVENT,
	L_KIND_ERROR,
	L_DATASET,
	L_MODULE,
	L_LOGS,
	L_NAMESPACE,
	L_VENDOR,
	L_PRODUCT,
	L_SAAS,
	NLEAVES
};

struct cfl_map_org {
	cfl_categories_t *cats;
	const cfl_geoip_t *geo; /* borrowed from the mapper */
	struct json_object *leaf[NLEAVES];
	struct json_object **tags; /* configured tags, each once, then preserve_original_event */
	size_t ntags;
	int preserve_original;
};

/* ------------------------------------------------------------- set-up */

static int add_tag(cfl_map_org_t *org, const char *tag)
{
	size_t i;

	if (tag == NULL || *tag == '\0')
		return 0;
	for (i = 0; i < org->ntags; i++) {
		if (strcmp(json_object_get_string(org->tags[i]), tag) == 0)
			return 0;
	}
	if ((org->tags[org->ntags] = json_object_new_string(tag)) == NULL)
		return -1;
	org->ntags++;
	return 0;
}

static int make_leaves(cfl_map_org_t *org, const cfl_map_opts_t *o)
{
	const char *text[NLEAVES] = { [L_ECS] = CFL_ORG_ECS_VERSION,
		                      [L_KIND_EVENT] = "event",
		                      [L_KIND_ERROR] = "pipeline_error",
		                      [L_DATASET] = CFL_ORG_DATASET,
		                      [L_MODULE] = CFL_ORG_MODULE,
		                      [L_LOGS] = "logs",
		                      [L_NAMESPACE] = o->ns != NULL && *o->ns != '\0' ? o->ns : "default",
		                      [L_VENDOR] = "Atlassian",
		                      [L_PRODUCT] = "Atlassian Cloud",
		                      [L_SAAS] = "saas" };
	size_t i;

	for (i = 0; i < NLEAVES; i++) {
		if ((org->leaf[i] = json_object_new_string(text[i])) == NULL)
			return -1;
	}
	org->tags = calloc(o->ntags + 1, sizeof(*org->tags));
	if (org->tags == NULL)
		return -1;
	for (i = 0; i < o->ntags; i++) {
		if (add_tag(org, o->tags[i]) != 0)
			return -1;
	}
	return o->preserve_original ? add_tag(org, CFL_PRESERVE_TAG) : 0;
}

/* A table's path: given; or beside the Confluence table, which is where
 * the package installs them all and where the tests find them; or, for an
 * operator's own Confluence table elsewhere, the installed one
 * ($CFL_RULEBASES, else CFL_PKGDATADIR). */
char *cfl_beside_categories(const char *categories, const char *given, const char *file)
{
	const char *slash;
	size_t n, flen = strlen(file);
	char *p;

	if (given != NULL && *given != '\0')
		return strdup(given);
	slash = categories != NULL ? strrchr(categories, '/') : NULL;
	n = slash != NULL ? (size_t)(slash - categories) + 1 : 0;
	if ((p = malloc(n + flen + 1)) == NULL)
		return NULL;
	memcpy(p, categories, n);
	memcpy(p + n, file, flen + 1);
#ifdef CFL_PKGDATADIR
	if (access(p, F_OK) != 0) {
		/* $CFL_RULEBASES stands for the installed directory where it is
		 * set (as for confluence2ecs): the tests point it at the tree they
		 * test, so none depends on what is installed */
		const char *env = getenv("CFL_RULEBASES"), *inst = env != NULL && *env != '\0' ? env : CFL_PKGDATADIR;
		char *alt = malloc(strlen(inst) + flen + 2);

		if (alt != NULL) {
			sprintf(alt, "%s/%s", inst, file);
			if (access(alt, F_OK) == 0) {
				free(p);
				return alt;
			}
			free(alt);
		}
	}
#endif
	return p;
}

static char *categories_path(const cfl_map_opts_t *o)
{
	return cfl_beside_categories(o->categories, o->org_categories, CFL_ORG_CATEGORIES_FILE);
}

cfl_rc_t cfl_map_org_new(const cfl_map_opts_t *o, const cfl_geoip_t *geo, cfl_map_org_t **out, cfl_errbuf_t *err)
{
	cfl_map_org_t *org = calloc(1, sizeof(*org));
	char *path = categories_path(o);
	cfl_rc_t rc;

	*out = NULL;
	if (org == NULL || path == NULL || make_leaves(org, o) != 0) {
		rc = cfl_err_set(err, CFL_ENOMEM, "out of memory");
	} else {
		org->geo = geo;
		org->preserve_original = o->preserve_original;
		rc = cfl_categories_load(path, &org->cats, err);
	}
	free(path);
	if (rc != CFL_OK) {
		cfl_map_org_free(org);
		return rc;
	}
	*out = org;
	return CFL_OK;
}

void cfl_map_org_free(cfl_map_org_t *org)
{
	size_t i;

	if (org == NULL)
		return;
	cfl_categories_free(org->cats);
	for (i = 0; i < NLEAVES; i++)
		json_object_put(org->leaf[i]);
	for (i = 0; org->tags != NULL && i < org->ntags; i++)
		json_object_put(org->tags[i]);
	free(org->tags);
	free(org);
}

/* ------------------------------------------------- shapes (section 1) */

static int is_string(cfl_span_t v, const char *s)
{
	size_t n = strlen(s);

	return v.len == n + 2 && v.p[0] == '"' && memcmp(v.p + 1, s, n) == 0;
}

cfl_org_shape_t cfl_map_org_shape(cfl_span_t root)
{
	cfl_span_t id, type, attrs, v;

	if (cfl_jscan_type(root) != CFL_JOBJECT)
		return CFL_ORG_NONE;
	if (cfl_jscan_member(root, "id", &id) && cfl_jscan_member(root, "type", &type) && is_string(type, "events") &&
	    cfl_jscan_member(root, "attributes", &attrs) && cfl_jscan_type(attrs) == CFL_JOBJECT &&
	    (cfl_jscan_member(attrs, "action", &v) || cfl_jscan_member(attrs, "time", &v)))
		return CFL_ORG_EVENT;
	if (!cfl_jscan_member(root, "id", &v) && !cfl_jscan_member(root, "type", &v) &&
	    cfl_jscan_member(root, "data", &v) && cfl_jscan_type(v) == CFL_JARRAY &&
	    (cfl_jscan_member(root, "meta", &v) || cfl_jscan_member(root, "links", &v)))
		return CFL_ORG_PAGE;
	return CFL_ORG_NONE;
}

/* ---------------------------------------------- fields of every document */

static struct json_object *leaf(const cfl_map_org_t *org, enum org_leaf l)
{
	return json_object_get(org->leaf[l]);
}

static struct json_object *new_object_in(struct json_object *parent, const char *const_key)
{
	struct json_object *o = json_object_new_object();

	cfl_json_add_new(parent, const_key, o);
	return o;
}

/* Org contract section 2, the fields that do not depend on the event:
 * ecs, tags, event.dataset/module, data_stream, observer, input, log. */
static void add_context_fields(const cfl_map_org_t *org, const cfl_map_input_t *in, struct json_object *doc,
                               struct json_object *event)
{
	struct json_object *ds, *obs, *o;
	size_t i;

	cfl_json_add_new(new_object_in(doc, CFL_LEAF(CFL_FP_ECS)), CFL_LEAF(CFL_FP_ECS_VERSION), leaf(org, L_ECS));
	if (org->ntags > 0) {
		struct json_object *tags = json_object_new_array();

		for (i = 0; i < org->ntags; i++)
			json_object_array_add(tags, json_object_get(org->tags[i]));
		cfl_json_add_new(doc, CFL_LEAF(CFL_FP_TAGS), tags);
	}
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_DATASET), leaf(org, L_DATASET));
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_MODULE), leaf(org, L_MODULE));
	ds = new_object_in(doc, CFL_LEAF(CFL_FP_DATA_STREAM));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_TYPE), leaf(org, L_LOGS));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_DATASET), leaf(org, L_DATASET));
	cfl_json_add_new(ds, CFL_LEAF(CFL_FP_DATA_STREAM_NAMESPACE), leaf(org, L_NAMESPACE));
	obs = new_object_in(doc, CFL_LEAF(CFL_FP_OBSERVER));
	cfl_json_add_new(obs, CFL_LEAF(CFL_FP_OBSERVER_VENDOR), leaf(org, L_VENDOR));
	cfl_json_add_new(obs, CFL_LEAF(CFL_FP_OBSERVER_PRODUCT), leaf(org, L_PRODUCT));
	cfl_json_add_new(obs, CFL_LEAF(CFL_FP_OBSERVER_TYPE), leaf(org, L_SAAS));
	if (in->input_type != NULL && *in->input_type != '\0')
		cfl_json_add_new(new_object_in(doc, CFL_LEAF(CFL_FP_INPUT)), CFL_LEAF(CFL_FP_INPUT_TYPE),
		                 json_object_new_string(in->input_type));
	if ((in->file_path == NULL || *in->file_path == '\0') && !in->has_offset)
		return;
	o = new_object_in(doc, CFL_LEAF(CFL_FP_LOG));
	if (in->file_path != NULL && *in->file_path != '\0')
		cfl_json_add_new(new_object_in(o, CFL_LEAF(CFL_FP_LOG_FILE)), CFL_LEAF(CFL_FP_LOG_FILE_PATH),
		                 json_object_new_string(in->file_path));
	if (in->has_offset)
		cfl_json_add_new(o, CFL_LEAF(CFL_FP_LOG_OFFSET), json_object_new_int64(in->file_offset));
}

/* The failure document (org contract section 7): error.message, event.kind
 * pipeline_error, event.original = the whole message, the fields above. */
static cfl_map_status_t fail(const cfl_map_org_t *org, const cfl_map_input_t *in, const char *reason,
                             cfl_map_result_t *res)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *event = new_object_in(doc, CFL_LEAF(CFL_FP_EVENT));

	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_KIND), leaf(org, L_KIND_ERROR));
	cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_ORIGINAL), json_object_new_string_len(in->text, (int)in->len));
	add_context_fields(org, in, doc, event);
	/* a reason that quotes the event may have been cut inside a character */
	cfl_json_set_path(doc, CFL_FP_ERROR_MESSAGE,
	                  json_object_new_string_len(reason, (int)cfl_fit_utf8_whole(reason, strlen(reason))));
	res->doc = doc;
	return CFL_MAP_ERROR;
}

/* ----------------------------------------------------------- one event */

/* The event in flight: the output objects, created on first use. */
struct org_work {
	const cfl_map_org_t *org;
	struct json_object *doc, *event, *audit, *source, *user, *actor;
	struct json_object *rel_user; /* related.user, NULL until a value */
};

static struct json_object *child(struct json_object **slot, struct json_object *parent, const char *const_key)
{
	if (*slot == NULL)
		*slot = new_object_in(parent, const_key);
	return *slot;
}

/* parent[key] = keyword of obj.name when obj has it; returns the value (borrowed). */
static struct json_object *copy_keyword(struct json_object *parent, const char *const_key, cfl_span_t obj,
                                        const char *name)
{
	struct json_object *v;
	cfl_span_t s;

	if (!cfl_jscan_member(obj, name, &s) || (v = cfl_span_keyword_literal(s)) == NULL)
		return NULL;
	cfl_json_add(parent, const_key, v);
	return v;
}

/* obj.name "as is" (anything but null) into parent[key]. */
static void copy_value(struct json_object *parent, const char *const_key, cfl_span_t obj, const char *name)
{
	struct json_object *v;
	cfl_span_t s;

	if (cfl_jscan_member(obj, name, &s) && (v = cfl_span_json_literal(s)) != NULL)
		cfl_json_add_new(parent, const_key, v);
}

/* attributes.time -> @timestamp, processedAt -> event.created (section 3). */
static int read_date(cfl_span_t attrs, const char *name, int64_t *ms, char *text, size_t textlen)
{
	cfl_span_t v;
	long n;

	text[0] = '\0';
	if (!cfl_jscan_member(attrs, name, &v))
		return -1;
	if ((n = cfl_jscan_string(v, text, textlen)) < 0) { /* not a string, or too long for a date */
		int quoted = cfl_jscan_type(v) == CFL_JSTRING;
		size_t len = v.len - 2 * (size_t)quoted;

		snprintf(text, textlen, "%.*s%s", len > 64 ? 64 : (int)len, v.p + quoted, len > 64 ? "..." : "");
		return -2;
	}
	return cfl_time_parse_iso8601(text, (size_t)n, ms) == 0 && cfl_time_check_ms(*ms) == 0 ? 0 : -2;
}

static void add_date(struct json_object *obj, const char *const_key, int64_t ms)
{
	char buf[32];
	size_t n = cfl_time_format_ms(ms, buf, sizeof(buf));

	cfl_json_add_new(obj, const_key, json_object_new_string_len(buf, (int)n));
}

static void add_related_user(struct org_work *w, struct json_object *v)
{
	size_t i, n;

	if (v == NULL || !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
		return;
	if (w->rel_user == NULL) {
		w->rel_user = json_object_new_array();
		cfl_json_add_new(cfl_json_child(w->doc, CFL_LEAF(CFL_FP_RELATED)), CFL_LEAF(CFL_FP_RELATED_USER),
		                 w->rel_user);
	}
	n = json_object_array_length(w->rel_user);
	for (i = 0; i < n; i++) {
		if (cfl_json_equal(json_object_array_get_idx(w->rel_user, i), v))
			return;
	}
	json_object_array_add(w->rel_user, json_object_get(v));
}

/* A member of the location as a keyword; "" counts as absent. */
static struct json_object *location_keyword(cfl_span_t loc, const char *name)
{
	cfl_span_t v;

	if (!cfl_jscan_member(loc, name, &v) || is_string(v, ""))
		return NULL;
	return cfl_span_keyword_literal(v);
}

/* location (sections 3 and 6): source.ip only when it is an IP, then the
 * ASN lookup; geo from the event (cfl_source_enrich). */
static void map_location(struct org_work *w, cfl_span_t loc)
{
	struct json_object *addr = NULL, *val;
	cfl_geo_given_t given;
	cfl_span_t v;

	if (cfl_jscan_member(loc, "ip", &v) && cfl_jscan_type(v) == CFL_JSTRING)
		addr = location_keyword(loc, "ip");
	given.country_name = location_keyword(loc, "countryName");
	given.region_name = location_keyword(loc, "regionName");
	given.city_name = location_keyword(loc, "city");
	if (cfl_source_enrich(w->org->geo, w->doc, &w->source, addr, &given) != NULL) {
		struct json_object *rel = json_object_new_array();

		json_object_array_add(rel, json_object_get(addr));
		cfl_json_add_new(cfl_json_child(w->doc, CFL_LEAF(CFL_FP_RELATED)), CFL_LEAF(CFL_FP_RELATED_IP), rel);
	}
	json_object_put(addr);
	if ((val = location_keyword(loc, "geo")) != NULL)
		cfl_json_add_new(cfl_json_child(w->audit, CFL_LEAF(CFL_FP_ORG_AUDIT_LOCATION)),
		                 CFL_LEAF(CFL_FP_ORG_AUDIT_LOCATION_GEO), val);
}

/* A sub-object of the actor copied key by key (keywords) into
 * atlassian_cloud.audit.actor.<out>; returns that object, NULL if none. */
static struct json_object *map_actor_part(struct org_work *w, cfl_span_t actor, const char *name, const char *out,
                                          const char *const (*keys)[2], size_t nkeys)
{
	struct json_object *o = NULL, *val;
	cfl_span_t part, v;
	size_t i;

	if (!cfl_jscan_member(actor, name, &part))
		return NULL;
	for (i = 0; i < nkeys; i++) {
		if (!cfl_jscan_member(part, keys[i][0], &v) || (val = cfl_span_keyword_literal(v)) == NULL)
			continue;
		if (o == NULL)
			o = cfl_json_child(child(&w->actor, w->audit, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR)), out);
		cfl_json_add_new(o, keys[i][1], val);
	}
	return o;
}

static int is_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* Section 4: a person (user.*) or an app/system actor (actor.app.*). */
static int is_person(struct json_object *id, struct json_object *email)
{
	const char *s;
	size_t n;

	if (email != NULL && json_object_is_type(email, json_type_string) &&
	    strchr(json_object_get_string(email), '@') != NULL)
		return 1;
	if (id == NULL || !json_object_is_type(id, json_type_string))
		return 0;
	s = json_object_get_string(id);
	n = (size_t)json_object_get_string_len(id);
	return memchr(s, ':', n) != NULL || is_uuid(s, n);
}

static void map_actor(struct org_work *w, cfl_span_t actor)
{
	/* not static: CFL_LEAF is no constant expression for every compiler */
	const char *const auth[][2] = { { "authType", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_AUTH_AUTH_TYPE) },
		                        { "tokenId", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_AUTH_TOKEN_ID) },
		                        { "tokenLabel", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_AUTH_TOKEN_LABEL) } };
	const char *const obo[][2] = { { "id", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_ID) },
		                       { "name", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_NAME) },
		                       { "email", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_EMAIL) } };
	const char *const app[][2] = { { "id", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP_ID) },
		                       { "type", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP_TYPE) } };
	struct json_object *id, *name, *email, *o, *app_obj;
	cfl_span_t v;

	if (cfl_jscan_type(actor) != CFL_JOBJECT)
		return;
	map_actor_part(w, actor, "auth", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_AUTH), auth, 3);
	o = map_actor_part(w, actor, "onBehalfOf", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF), obo, 3);
	map_actor_part(w, actor, "app", CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP), app, 2);
	if (cfl_jscan_member(actor, "app", &v) && cfl_jscan_member(v, "attributes", &v) &&
	    (app_obj = cfl_span_json_literal(v)) != NULL)
		cfl_json_add_new(cfl_json_child(child(&w->actor, w->audit, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR)),
		                                CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP)),
		                 CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP_ATTRIBUTES), app_obj);
	id = cfl_jscan_member(actor, "id", &v) ? cfl_span_keyword_literal(v) : NULL;
	name = cfl_jscan_member(actor, "name", &v) ? cfl_span_keyword_literal(v) : NULL;
	email = cfl_jscan_member(actor, "email", &v) ? cfl_span_keyword_literal(v) : NULL;
	if (is_person(id, email)) {
		w->user = new_object_in(w->doc, CFL_LEAF(CFL_FP_USER));
		cfl_json_add_new(w->user, CFL_LEAF(CFL_FP_USER_ID), id);
		cfl_json_add_new(w->user, CFL_LEAF(CFL_FP_USER_NAME), name);
		if (email != NULL && strchr(json_object_get_string(email), '@') != NULL) {
			cfl_json_add_new(w->user, CFL_LEAF(CFL_FP_USER_EMAIL), email);
			email = NULL;
		}
		add_related_user(w, name);
		add_related_user(w, cfl_json_get(w->user, CFL_LEAF(CFL_FP_USER_EMAIL)));
	} else if (id != NULL || name != NULL) {
		app_obj = cfl_json_child(child(&w->actor, w->audit, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR)),
		                         CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP));
		cfl_json_add(app_obj, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP_ID), id);
		cfl_json_add(app_obj, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_APP_NAME), name);
	}
	json_object_put(email);
	add_related_user(w, cfl_json_get(o, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_NAME)));
	add_related_user(w, cfl_json_get(o, CFL_LEAF(CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_EMAIL)));
}

/* event.category/type/outcome and event.kind, only for events with an action
 * (section 5). */
static void categorize(struct org_work *w, struct json_object *action)
{
	const cfl_category_t *cat;

	if (action == NULL)
		return;
	cfl_json_add_new(w->event, CFL_LEAF(CFL_FP_EVENT_KIND), leaf(w->org, L_KIND_EVENT));
	cat = cfl_categories_find(w->org->cats, json_object_get_string(action),
	                          (size_t)json_object_get_string_len(action));
	cfl_categories_apply(w->org->cats, cat, w->event);
}

static void map_message(struct org_work *w, cfl_span_t root)
{
	struct json_object *format;
	cfl_span_t msg, v;

	if (!cfl_jscan_member(root, "message", &msg))
		return;
	copy_keyword(w->doc, CFL_LEAF(CFL_FP_MESSAGE), msg, "content");
	if (cfl_jscan_member(msg, "format", &v) && (format = cfl_span_keyword_literal(v)) != NULL)
		cfl_json_add_new(cfl_json_child(w->audit, CFL_LEAF(CFL_FP_ORG_AUDIT_MESSAGE)),
		                 CFL_LEAF(CFL_FP_ORG_AUDIT_MESSAGE_FORMAT), format);
}

static cfl_map_status_t map_event(const cfl_map_org_t *org, const cfl_map_input_t *in, cfl_span_t root,
                                  cfl_map_result_t *res)
{
	struct org_work w;
	cfl_span_t attrs, v;
	int64_t ts, created;
	char text[96], why[256];
	int rc;

	cfl_jscan_member(root, "attributes", &attrs);
	if ((rc = read_date(attrs, "time", &ts, text, sizeof(text))) != 0) {
		if (rc == -1)
			return fail(org, in,
			            "no usable timestamp: organization audit event without "
			            "\"attributes.time\"",
			            res);
		snprintf(why, sizeof(why),
		         "no usable timestamp: organization audit event's \"attributes.time\" "
		         "\"%s\" is not an ISO 8601 date-time within years 0000-9999",
		         text);
		return fail(org, in, why, res);
	}
	memset(&w, 0, sizeof(w));
	w.org = org;
	w.doc = json_object_new_object();
	w.event = new_object_in(w.doc, CFL_LEAF(CFL_FP_EVENT));
	w.audit = json_object_new_object();
	add_date(w.doc, CFL_LEAF(CFL_FP_TIMESTAMP), ts);
	if (read_date(attrs, "processedAt", &created, text, sizeof(text)) == 0)
		add_date(w.event, CFL_LEAF(CFL_FP_EVENT_CREATED), created);
	/* the event's own id; an event without a usable one gets the hash of its
	 * text, so that it still has an _id of its own (org contract section 3) */
	if (copy_keyword(w.event, CFL_LEAF(CFL_FP_EVENT_ID), root, "id") == NULL)
		cfl_json_add_new(w.event, CFL_LEAF(CFL_FP_EVENT_ID), cfl_fit_hash_id(root.p, root.len));
	categorize(&w, copy_keyword(w.event, CFL_LEAF(CFL_FP_EVENT_ACTION), attrs, "action"));
	copy_value(w.audit, CFL_LEAF(CFL_FP_ORG_AUDIT_CONTEXT), attrs, "context");
	copy_value(w.audit, CFL_LEAF(CFL_FP_ORG_AUDIT_CONTAINER), attrs, "container");
	if (cfl_jscan_member(attrs, "location", &v))
		map_location(&w, v);
	if (cfl_jscan_member(attrs, "actor", &v))
		map_actor(&w, v);
	map_message(&w, root);
	if (org->preserve_original)
		cfl_json_add_new(w.event, CFL_LEAF(CFL_FP_EVENT_ORIGINAL),
		                 json_object_new_string_len(root.p, (int)root.len));
	add_context_fields(org, in, w.doc, w.event);
	if (json_object_object_length(w.audit) > 0)
		cfl_json_add_new(new_object_in(w.doc, CFL_LEAF(CFL_FP_ORG)), CFL_LEAF(CFL_FP_ORG_AUDIT), w.audit);
	else
		json_object_put(w.audit);
	res->doc = w.doc;
	res->ts_ms = ts;
	res->has_ts = 1;
	return CFL_MAP_OK;
}

cfl_map_status_t cfl_map_org(const cfl_map_org_t *org, const cfl_map_input_t *in, cfl_span_t root,
                             cfl_org_shape_t shape, cfl_map_result_t *res)
{
	cfl_span_t data;
	cfl_jiter_t it;
	size_t n = 0;
	char why[256];

	memset(res, 0, sizeof(*res));
	if (shape == CFL_ORG_EVENT)
		return map_event(org, in, root, res);
	/* a page (section 1): not an event; an empty one is not even an error */
	cfl_jscan_member(root, "data", &data);
	cfl_jscan_arr_begin(data, &it);
	while (cfl_jscan_arr_next(&it, &data))
		n++;
	if (n == 0)
		return CFL_MAP_EMPTY;
	snprintf(why, sizeof(why),
	         "the message is an organization audit API page holding %zu events "
	         "(\"data\"), not one event: split pages into one event per message before mapping",
	         n);
	return fail(org, in, why, res);
}

int cfl_map_org_try(const cfl_map_org_t *org, const cfl_map_input_t *in, const char *json, size_t len,
                    cfl_map_status_t *st, cfl_map_result_t *res)
{
	cfl_span_t root;
	cfl_errbuf_t err;
	cfl_org_shape_t shape;

	/* Confluence events never say "events" or "data": skip the scan for them */
	if (org == NULL || (memmem(json, len, "\"events\"", 8) == NULL && memmem(json, len, "\"data\"", 6) == NULL))
		return 0;
	if (cfl_jscan_document(json, len, &root, &err) != CFL_OK) {
		char why[CFL_ERRBUF_LEN + 64];

		/* broken JSON that says it is an org event: its error document
		 * belongs to the org data stream (section 7) */
		if (memmem(json, len, "\"type\":\"events\"", 15) == NULL)
			return 0;
		memset(res, 0, sizeof(*res));
		snprintf(why, sizeof(why), "organization audit event is not valid JSON: %s", err.msg);
		*st = fail(org, in, why, res);
		return 1;
	}
	if ((shape = cfl_map_org_shape(root)) == CFL_ORG_NONE)
		return 0;
	*st = cfl_map_org(org, in, root, shape, res);
	return 1;
}
