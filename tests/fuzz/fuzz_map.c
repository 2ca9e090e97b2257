/* fuzz_map.c -- libFuzzer target for the event mapper (cfl_map_event): any
 * bytes as a message, with every option on (original-preserving, event.id,
 * tags, both GeoIP databases), so all paths are reachable. Checks the API
 * contract on each result: EMPTY has no document, OK and ERROR have one that
 * serializes, and an ERROR document carries the message as event.original.
 * And every document is one Elasticsearch indexes (contract section 6):
 * its text parses back, it has @timestamp, no string but event.original
 * exceeds the 32,766-byte term limit (a flattened leaf's keyed term
 * "<path>\0<value>" included), every string is UTF-8, the flattened and
 * nested fields hold objects only (flattened no deeper than 20), the
 * action object holds plain values, no object member name is empty, and
 * event.id fits an _id (512 bytes). An independent check of the same rules
 * is tests/lib/es_mapcheck.py; this one is compact enough to run per input.
 *
 * The mapper is built once, from the repository's rulebases ($CFL_RULEBASES,
 * else CFL_TOP_SRCDIR/rulebases or CFL_PKGDATADIR) and GeoIP test databases
 * ($CFL_FIXTURES/geoip, when present). Run by contrib/fuzz.sh with libFuzzer,
 * and replayed over tests/fuzz/corpus/map by tests/fuzz/replay_map (make check).
 * Licensed under the Apache License, Version 2.0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfl_map.h"
#include "cfl_map_fit.h"

#define TERM_MAX 32766

/* every member of o: key and val (borrowed), it names the iterator */
#define FOR_MEMBERS(it, o, key, val)                                                                         \
	for (struct json_object_iterator it = json_object_iter_begin(o), it##_end = json_object_iter_end(o); \
	     !json_object_iter_equal(&it, &it##_end) && ((key = json_object_iter_peek_name(&it)) != NULL) && \
	     ((val = json_object_iter_peek_value(&it)), 1);                                                  \
	     json_object_iter_next(&it))

#if defined(CFL_TOP_SRCDIR)
#define DEFAULT_RULEBASES CFL_TOP_SRCDIR "/rulebases"
#define DEFAULT_FIXTURES CFL_TOP_SRCDIR "/tests/fixtures"
#elif defined(CFL_PKGDATADIR)
#define DEFAULT_RULEBASES CFL_PKGDATADIR
#define DEFAULT_FIXTURES CFL_PKGDATADIR "/../tests/fixtures"
#else
#define DEFAULT_RULEBASES "rulebases"
#define DEFAULT_FIXTURES "tests/fixtures"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cfl_mapper_t *mapper;

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

static void free_mapper(void)
{
	cfl_mapper_free(mapper);
	mapper = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const tags[] = { "fuzz", "confluence-audit" };
	char rulebase[4096], categories[4096], city[4096], asn[4096];
	cfl_errbuf_t err;
	const char *rb = env_or("CFL_RULEBASES", DEFAULT_RULEBASES);
	const char *fx = env_or("CFL_FIXTURES", DEFAULT_FIXTURES);
	cfl_map_opts_t o;

	(void)argc;
	(void)argv;
	snprintf(rulebase, sizeof(rulebase), "%s/confluence-audit.rulebase", rb);
	snprintf(categories, sizeof(categories), "%s/confluence-categories.json", rb);
	snprintf(city, sizeof(city), "%s/geoip/GeoIP2-City-Test.mmdb", fx);
	snprintf(asn, sizeof(asn), "%s/geoip/GeoLite2-ASN-Test.mmdb", fx);
	memset(&o, 0, sizeof(o));
	o.rulebase = rulebase;
	o.categories = categories;
	o.geoip_city = access(city, R_OK) == 0 ? city : NULL;
	o.geoip_asn = access(asn, R_OK) == 0 ? asn : NULL;
	o.preserve_original = 1;
	o.event_id = 1;
	o.ns = "fuzz";
	o.tags = tags;
	o.ntags = 2;
	if (cfl_mapper_new(&o, &mapper, &err) != CFL_OK) {
		fprintf(stderr, "fuzz_map: %s (set CFL_RULEBASES to the rulebases directory)\n", err.msg);
		abort();
	}
	atexit(free_mapper);
	return 0;
}

/* ------------------------------------------ the compact mapping check */

enum kind { PLAIN_OR_OBJECT, FLATTENED, NESTED, PLAIN_MEMBERS, SKIP };

static const struct {
	const char *path;
	enum kind kind;
} special[] = {
	{ "event.original", SKIP },
	{ "confluence.audit.affected_objects", FLATTENED },
	{ "confluence.audit.changed_values", FLATTENED },
	{ "confluence.audit.extra_attributes", FLATTENED },
	{ "confluence.audit.type", PLAIN_MEMBERS },
	{ "atlassian_cloud.audit.context", NESTED },
	{ "atlassian_cloud.audit.container", NESTED },
	{ "atlassian_cloud.audit.actor.app.attributes", FLATTENED },
};

static enum kind kind_of(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		if (strcmp(special[i].path, path) == 0)
			return special[i].kind;
	}
	return PLAIN_OR_OBJECT;
}

static void string_ok(struct json_object *v, size_t max)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);

	if (n > max || !cfl_fit_utf8_valid(s, n))
		abort();
}

/* a flattened field's inside: rel is the member path's length */
static void check_flat(struct json_object *v, size_t rel, int depth)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string: string_ok(v, rel + 1 >= TERM_MAX ? 0 : TERM_MAX - rel - 1); break;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			check_flat(json_object_array_get_idx(v, i), rel, depth);
		break;
	case json_type_object: {
		const char *key;
		struct json_object *val;

		if (depth > 20)
			abort();
		FOR_MEMBERS(it1, v, key, val)
		{
			size_t k = strlen(key);

			check_flat(val, rel == 0 ? k : rel + 1 + k, depth + 1);
		}
		break;
	}
	default: break;
	}
}

/* objects only: an object, or an array of objects */
static void objects_only(struct json_object *v, void (*each)(struct json_object *))
{
	size_t i, n;

	if (json_object_is_type(v, json_type_object)) {
		each(v);
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		abort();
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (e == NULL || !json_object_is_type(e, json_type_object))
			abort();
		each(e);
	}
}

static void flat_root(struct json_object *o)
{
	check_flat(o, 0, 1);
}

static void plain(struct json_object *v)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_object))
		abort();
	if (json_object_is_type(v, json_type_string))
		string_ok(v, TERM_MAX);
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			plain(json_object_array_get_idx(v, i));
	}
}

static void nested_elem(struct json_object *o)
{
	const char *key, *k2;
	struct json_object *val, *v2;

	FOR_MEMBERS(it2, o, key, val)
	{
		if (*key == '\0' || strchr(key, '.') != NULL)
			abort();
		if (strcmp(key, "attributes") == 0) {
			objects_only(val, flat_root);
		} else if (strcmp(key, "links") == 0) {
			if (!json_object_is_type(val, json_type_object))
				abort();
			FOR_MEMBERS(it3, val, k2, v2)
			{
				if (*k2 == '\0' || strchr(k2, '.') != NULL)
					abort();
				plain(v2);
			}
		} else {
			plain(val);
		}
	}
}

static void check_value(struct json_object *v, char *path, size_t len);

static void check_members(struct json_object *o, char *path, size_t len)
{
	const char *key;
	struct json_object *val;

	FOR_MEMBERS(it4, o, key, val)
	{
		size_t k = strlen(key);

		if (k == 0 || !cfl_fit_utf8_valid(key, k))
			abort();
		if (len + 1 + k >= 4096) {
			check_value(val, path, len); /* deep in the document: no special field */
			continue;
		}
		if (len > 0)
			path[len] = '.';
		memcpy(path + len + (len > 0), key, k + 1);
		check_value(val, path, len + (len > 0) + k);
		path[len] = '\0';
	}
}

static void check_value(struct json_object *v, char *path, size_t len)
{
	const char *key;
	struct json_object *val;
	size_t i, n;

	switch (kind_of(path)) {
	case SKIP:
		if (!json_object_is_type(v, json_type_string) ||
		    !cfl_fit_utf8_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v)))
			abort();
		return;
	case FLATTENED: objects_only(v, flat_root); return;
	case NESTED: objects_only(v, nested_elem); return;
	case PLAIN_MEMBERS:
		if (!json_object_is_type(v, json_type_object))
			abort();
		FOR_MEMBERS(it5, v, key, val)
		{
			if (*key == '\0' || strchr(key, '.') != NULL)
				abort();
			plain(val);
		}
		return;
	default: break;
	}
	switch (json_object_get_type(v)) {
	case json_type_string: string_ok(v, strcmp(path, "event.id") == 0 ? 512 : TERM_MAX); break;
	case json_type_object: check_members(v, path, len); break;
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			check_value(json_object_array_get_idx(v, i), path, len);
		break;
	default: break;
	}
}

/* The document as Elasticsearch would receive it: its text, parsed again. */
static void check_indexable(struct json_object *doc)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	struct json_object *back, *ts;
	char path[4096] = "";

	if (text == NULL || !cfl_fit_utf8_valid(text, strlen(text)) || (back = json_tokener_parse(text)) == NULL)
		abort();
	if (!json_object_object_get_ex(back, "@timestamp", &ts) || !json_object_is_type(ts, json_type_string))
		abort();
	check_value(back, path, 0);
	json_object_put(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfl_map_input_t in;
	cfl_map_result_t res;
	cfl_map_status_t st;
	struct json_object *ev, *orig;

	if (mapper == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	memset(&in, 0, sizeof(in));
	in.text = (const char *)data;
	in.len = size;
	in.input_type = "fuzz";
	in.file_path = "/fuzz/input";
	in.file_offset = (int64_t)size;
	in.has_offset = 1;
	st = cfl_map_event(mapper, &in, &res);
	if (st == CFL_MAP_EMPTY) {
		if (res.doc != NULL)
			abort();
		return 0;
	}
	if (res.doc == NULL || json_object_to_json_string_ext(res.doc, JSON_C_TO_STRING_PLAIN) == NULL)
		abort();
	if (st == CFL_MAP_ERROR) {
		/* nothing is lost: the message is in the error document, whole
		 * (up to a NUL byte: libfastjson strings end there; bytes that
		 * are not UTF-8 become U+FFFD, section 6) */
		if (!json_object_object_get_ex(res.doc, "event", &ev) ||
		    !json_object_object_get_ex(ev, "original", &orig) ||
		    (cfl_fit_utf8_valid((const char *)data, size) &&
		     strncmp(json_object_get_string(orig), (const char *)data,
		             (size_t)json_object_get_string_len(orig)) != 0) ||
		    res.has_ts)
			abort();
	}
	check_indexable(res.doc);
	json_object_put(res.doc);
	return 0;
}
