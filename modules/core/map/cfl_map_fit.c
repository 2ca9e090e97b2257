/* cfl_map_fit.c: the last step of every document, mapped or pipeline_error
 * (contract section 6, "A document Elasticsearch indexes"): whatever the
 * event held, the document must be one the data stream's mappings accept,
 * because a rejected document never reaches the SIEM.
 *
 * What Elasticsearch refuses, and what this file does about it:
 *  - a term over Lucene's 32,766-byte limit (keyword, and every leaf of a
 *    flattened field, whose keyed term is "<path>\0<value>"): the string is
 *    cut on a UTF-8 character boundary and its field named in
 *    <root>.truncated_fields, tag value_truncated;
 *  - a value of the wrong shape (a plain value where the mapping has a
 *    flattened, nested or object field, an object where it has a plain
 *    field, objects deeper than a flattened field takes, member names an
 *    object mapping cannot take): the part is taken out and kept as JSON
 *    text in <root>.moved ([{"field": ..., "value": ...}]), tag value_moved;
 *  - an _id over 512 bytes (event.id is the shipped outputs' _id): the id
 *    becomes the XXH3-128 of itself and the original goes to <root>.moved.
 * <root> is confluence.audit, jira.audit, bitbucket.audit or
 * atlassian_cloud.audit; none of these names is in the integrations'
 * mappings, so they are mapped dynamically, as keyword.
 * event.original is never touched: it is not indexed, and it is the place
 * the whole event stays (preserveOriginal).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "cfl_map_fit.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"

#define TERM_MAX CFL_FIT_TERM_MAX
/* Deeper objects inside a flattened value become text: Elasticsearch's
 * depth_limit is 20; the margin keeps us clear of how it counts. */
#define FLAT_DEPTH 16
/* A flattened member whose path (relative to the field) is longer moves
 * out whole: the keyed term must leave room for a value. */
#define FLAT_KEY_MAX 16384
#define ID_MAX 512

typedef enum { K_ANY, K_SKIP, K_ID, K_FLAT, K_OPEN, K_NESTED } fit_kind_t;

struct special {
	const char *path;
	fit_kind_t kind;
};

/* The parts of each document whose shape comes from the event; everything
 * else is built by the mapper from text values (contract sections 2-5). */
/* The Data Center products share one event format, so one set of rules
 * under each product's root. */
#define DC_SPECIAL(ns)                                                                                          \
	{ CFL_FP_EVENT_ORIGINAL, K_SKIP }, { CFL_FP_EVENT_ID, K_ID }, { ns ".audit.affected_objects", K_FLAT }, \
	        { ns ".audit.changed_values", K_FLAT }, { ns ".audit.extra_attributes", K_FLAT },               \
	        { ns ".audit.type", K_OPEN },                                                                   \
	{                                                                                                       \
		NULL, K_ANY                                                                                     \
	}
static const struct special cfl_special[] = { DC_SPECIAL("confluence") };
static const struct special jira_special[] = { DC_SPECIAL("jira") };
static const struct special bitbucket_special[] = { DC_SPECIAL("bitbucket") };
static const struct special org_special[] = { { CFL_FP_EVENT_ORIGINAL, K_SKIP },
	                                      { CFL_FP_EVENT_ID, K_ID },
	                                      { CFL_FP_ORG_AUDIT_CONTEXT, K_NESTED },
	                                      { CFL_FP_ORG_AUDIT_CONTAINER, K_NESTED },
	                                      { CFL_FP_ORG_AUDIT_ACTOR_APP_ATTRIBUTES, K_FLAT },
	                                      { NULL, K_ANY } };

typedef struct fit {
	const struct special *special;
	struct json_object *moved;     /* array, NULL until needed */
	struct json_object *truncated; /* array of field names, each once */
	struct json_object *repaired;  /* fields whose invalid UTF-8 was replaced */
	char *path;                    /* dotted path of the value being fitted */
	size_t len, cap;
	int oom;
} fit_t;

/* --------------------------------------------------------------- paths */

static size_t path_push(fit_t *f, const char *key, size_t klen)
{
	size_t mark = f->len, need = f->len + klen + 2;

	if (need > f->cap) {
		size_t cap = need * 2;
		char *p = realloc(f->path, cap);

		if (p == NULL) {
			f->oom = 1;
			return mark;
		}
		f->path = p;
		f->cap = cap;
	}
	if (f->len > 0)
		f->path[f->len++] = '.';
	memcpy(f->path + f->len, key, klen);
	f->len += klen;
	f->path[f->len] = '\0';
	return mark;
}

static void path_pop(fit_t *f, size_t mark)
{
	f->len = mark;
	if (f->path != NULL)
		f->path[mark] = '\0';
}

static fit_kind_t special_kind(const fit_t *f)
{
	const struct special *s;

	for (s = f->special; s->path != NULL; s++) {
		if (strcmp(s->path, f->path) == 0)
			return s->kind;
	}
	return K_ANY;
}

/* ----------------------------------------------------------- recording */

static void note_field(fit_t *f, struct json_object **list)
{
	size_t i, n;

	if (*list == NULL)
		*list = json_object_new_array();
	n = json_object_array_length(*list);
	for (i = 0; i < n; i++) {
		if (strcmp(json_object_get_string(json_object_array_get_idx(*list, i)), f->path) == 0)
			return;
	}
	json_object_array_add(*list, json_object_new_string(f->path));
}

static void note_truncated(fit_t *f)
{
	note_field(f, &f->truncated);
}

/* Keeps v (borrowed) as JSON text under <root>.moved, at the current path. */
static struct json_object *utf8_repair(const char *s, size_t len);

static void note_moved(fit_t *f, struct json_object *v)
{
	struct json_object *rec = json_object_new_object();
	const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	if (f->moved == NULL)
		f->moved = json_object_new_array();
	cfl_json_add_new(rec, CFL_LEAF(CFL_FP_AUDIT_MOVED_FIELD), json_object_new_string(f->path));
	if (text == NULL)
		text = "null";
	/* a moved value is text Elasticsearch must take too: valid UTF-8 */
	cfl_json_add_new(rec, CFL_LEAF(CFL_FP_AUDIT_MOVED_VALUE),
	                 cfl_fit_utf8_valid(text, strlen(text)) ? json_object_new_string(text)
	                                                        : utf8_repair(text, strlen(text)));
	json_object_array_add(f->moved, rec);
}

/* --------------------------------------------------------------- leaves */

size_t cfl_fit_utf8_whole(const char *s, size_t len)
{
	size_t start = len, need;
	unsigned char c;

	while (start > 0 && len - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return len;
	c = (unsigned char)s[start - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return len - (start - 1) < need ? start - 1 : len;
}

size_t cfl_fit_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	/* back off continuation bytes (10xxxxxx) to the start of a character */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Length of the valid UTF-8 sequence at s[0..len), 0 if it is not one
 * (overlong forms, surrogates and code points over U+10FFFF included). */
static size_t utf8_char(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

int cfl_fit_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_char(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* A copy of s with every byte that is not part of valid UTF-8 replaced by
 * U+FFFD: Elasticsearch's JSON parser refuses a document holding one. */
static struct json_object *utf8_repair(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct json_object *v;
	char *buf = malloc(3 * len + 1);
	size_t i = 0, o = 0, n;

	if (buf == NULL)
		return NULL;
	while (i < len) {
		if ((n = utf8_char(p + i, len - i)) == 0) {
			memcpy(buf + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	v = json_object_new_string_len(buf, (int)o);
	free(buf);
	return v;
}

/* A string repaired (invalid UTF-8) and cut to max bytes (SIZE_MAX: not
 * cut), or NULL if it is fine as it is. */
static struct json_object *cut_string(fit_t *f, struct json_object *v, size_t max)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	struct json_object *fixed = NULL, *cut;
	size_t n;

	if (!cfl_fit_utf8_valid(s, len)) {
		if ((fixed = utf8_repair(s, len)) == NULL) {
			f->oom = 1;
			return NULL;
		}
		note_field(f, &f->repaired);
		s = json_object_get_string(fixed);
		len = (size_t)json_object_get_string_len(fixed);
	}
	if (len <= max)
		return fixed;
	n = cfl_fit_utf8_cut(s, len, max);
	note_truncated(f);
	cut = json_object_new_string_len(s, (int)n);
	json_object_put(fixed);
	return cut;
}

/* ----------------------------------------------------- the walk itself
 *
 * Every fit_* function looks at v (borrowed) at the current path and returns
 * 0 when v stays as it is, or 1 with *out: the replacement (new reference),
 * or NULL when v is taken out (already recorded as moved). */

typedef int (*fit_fn)(fit_t *f, struct json_object *v, size_t arg, struct json_object **out);

/* Inside a flattened field, arg packs the relative path length and depth. */
#define FLAT_ARG(rel, depth) (((rel) << 8) | (depth))

struct change {
	char *key;
	struct json_object *val; /* NULL: delete */
};

/* Applies fn to every member of obj; member names go on the path. filter,
 * when set, may take a member out before fn sees it (returns 1). */
static void fit_members(fit_t *f, struct json_object *obj, fit_fn fn, size_t arg,
                        int (*filter)(fit_t *, const char *, struct json_object *, size_t), size_t farg, int flat)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	struct change *ch = NULL;
	size_t nch = 0, cap = 0, i;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it), *out = NULL;
		size_t klen = strlen(key), mark = path_push(f, key, klen), a = arg;
		int changed;

		if (flat) {
			/* inside a flattened field each member has its own relative
			 * path length, one level deeper */
			size_t rel = arg >> 8;

			a = FLAT_ARG(rel == 0 ? klen : rel + 1 + klen, (arg & 0xFF) + 1);
		}
		if (!cfl_fit_utf8_valid(key, klen) || (filter != NULL && filter(f, key, v, farg))) {
			note_moved(f, v);
			changed = 1;
		} else {
			changed = fn(f, v, a, &out);
		}
		path_pop(f, mark);
		if (!changed)
			continue;
		if (nch == cap) {
			struct change *n = realloc(ch, (cap = cap ? 2 * cap : 4) * sizeof(*ch));

			if (n == NULL) {
				json_object_put(out);
				f->oom = 1;
				continue;
			}
			ch = n;
		}
		ch[nch].key = strdup(key);
		ch[nch].val = out;
		nch++;
	}
	for (i = 0; i < nch; i++) {
		if (ch[i].key == NULL)
			json_object_put(ch[i].val);
		else if (ch[i].val == NULL)
			json_object_object_del(obj, ch[i].key);
		else
			json_object_object_add(obj, ch[i].key, ch[i].val);
		free(ch[i].key);
	}
	free(ch);
}

/* Applies fn to every element of arr (same path); taken-out elements are
 * removed from the array. */
static void fit_elements(fit_t *f, struct json_object *arr, fit_fn fn, size_t arg)
{
	int i = 0;

	/* forwards, so moved parts are recorded in the event's order */
	while (i < (int)json_object_array_length(arr)) {
		struct json_object *out = NULL;

		if (!fn(f, json_object_array_get_idx(arr, i), arg, &out)) {
			i++;
		} else if (out == NULL) {
			json_object_array_del_idx(arr, i);
		} else {
			json_object_array_put_idx(arr, i, out);
			i++;
		}
	}
}

/* Anywhere a mapper built the value: strings up to the term limit. */
static int fit_any(fit_t *f, struct json_object *v, size_t arg, struct json_object **out);

static int fit_flat_inner(fit_t *f, struct json_object *v, size_t arg, struct json_object **out);

static int flat_key_filter(fit_t *f, const char *key, struct json_object *v, size_t rel)
{
	(void)f;
	(void)v;
	return rel + 1 + strlen(key) > FLAT_KEY_MAX;
}

static int fit_flat_inner(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	size_t rel = arg >> 8, depth = arg & 0xFF;

	switch (json_object_get_type(v)) {
	case json_type_string:
		/* the keyed term is "<relative path>\0<value>" */
		return (*out = cut_string(f, v, rel + 1 >= TERM_MAX ? 0 : TERM_MAX - rel - 1)) != NULL;
	case json_type_array: fit_elements(f, v, fit_flat_inner, arg); return 0;
	case json_type_object: {
		if (depth >= FLAT_DEPTH) {
			note_moved(f, v);
			*out = NULL;
			return 1;
		}
		fit_members(f, v, fit_flat_inner, arg, flat_key_filter, arg >> 8, 1);
		return 0;
	}
	default: return 0;
	}
}

/* An element of a flattened field's array: objects only. */
static int fit_flat_elem(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	(void)arg;
	if (v != NULL && json_object_is_type(v, json_type_object))
		return fit_flat_inner(f, v, FLAT_ARG(0, 1), out);
	if (v != NULL)
		note_moved(f, v);
	*out = NULL;
	return 1;
}

/* A flattened field takes an object, or an array of objects. */
static int fit_flat(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	(void)arg;
	if (json_object_is_type(v, json_type_object))
		return fit_flat_inner(f, v, FLAT_ARG(0, 1), out);
	if (json_object_is_type(v, json_type_array)) {
		fit_elements(f, v, fit_flat_elem, 0);
		return 0;
	}
	note_moved(f, v);
	*out = NULL;
	return 1;
}

/* A plain value (keyword): a string, number or boolean, or an array of them
 * (arrays of arrays are flattened by Elasticsearch). Numbers and booleans in
 * open objects become their JSON text (arg 1): a dynamically mapped field
 * then is a keyword in every document. */
static int plain_ok(struct json_object *v)
{
	int i, n;

	switch (json_object_get_type(v)) {
	case json_type_object: return 0;
	case json_type_array:
		n = (int)json_object_array_length(v);
		for (i = 0; i < n; i++) {
			if (!plain_ok(json_object_array_get_idx(v, i)))
				return 0;
		}
		return 1;
	default: return 1;
	}
}

static int fit_plain(fit_t *f, struct json_object *v, size_t as_text, struct json_object **out)
{
	switch (json_object_get_type(v)) {
	case json_type_string: return (*out = cut_string(f, v, TERM_MAX)) != NULL;
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		if (!as_text)
			return 0;
		*out = json_object_new_string(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		return 1;
	case json_type_array:
		if (!plain_ok(v))
			break;
		fit_elements(f, v, fit_plain, as_text);
		return 0;
	case json_type_null: return 0;
	default: break;
	}
	note_moved(f, v);
	*out = NULL;
	return 1;
}

/* Member names Elasticsearch cannot map in an object: empty, or one that
 * its dot expansion would turn into a path it refuses or into a different
 * field (dots), or blank. */
static int bad_name(fit_t *f, const char *key, struct json_object *v, size_t arg)
{
	const char *p;

	(void)f;
	(void)v;
	(void)arg;
	if (*key == '\0' || strchr(key, '.') != NULL)
		return 1;
	for (p = key; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	return *p == '\0';
}

/* An object whose members must be plain values (confluence.audit.type is
 * copied whole from the event: its known members are keywords, and any
 * other becomes a keyword field on first sight). */
static int fit_open(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	(void)arg;
	if (!json_object_is_type(v, json_type_object)) {
		note_moved(f, v);
		*out = NULL;
		return 1;
	}
	fit_members(f, v, fit_plain, 1, bad_name, 0, 0);
	return 0;
}

/* One element of a nested field (context, container): id and type are
 * keywords, attributes is flattened, links an object of plain values (the
 * API's links.self, links.alt), anything else must be plain. */
static int fit_nested_member(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	const char *leaf = strrchr(f->path, '.');

	(void)arg;
	leaf = leaf != NULL ? leaf + 1 : f->path;
	if (strcmp(leaf, "attributes") == 0)
		return fit_flat(f, v, 0, out);
	if (strcmp(leaf, "links") == 0)
		return fit_open(f, v, 0, out);
	return fit_plain(f, v, strcmp(leaf, "id") != 0 && strcmp(leaf, "type") != 0, out);
}

static int fit_nested_elem(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	(void)arg;
	if (!json_object_is_type(v, json_type_object)) {
		note_moved(f, v);
		*out = NULL;
		return 1;
	}
	fit_members(f, v, fit_nested_member, 0, bad_name, 0, 0);
	return 0;
}

static int fit_nested(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	if (json_object_is_type(v, json_type_array)) {
		fit_elements(f, v, fit_nested_elem, arg);
		return 0;
	}
	return fit_nested_elem(f, v, arg, out);
}

struct json_object *cfl_fit_hash_id(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	XXH128_canonical_t c;
	char buf[2 * sizeof(c.digest)];
	size_t i;

	XXH128_canonicalFromHash(&c, XXH3_128bits(s, len));
	for (i = 0; i < sizeof(c.digest); i++) {
		buf[2 * i] = hex[c.digest[i] >> 4];
		buf[2 * i + 1] = hex[c.digest[i] & 15];
	}
	return json_object_new_string_len(buf, (int)sizeof(buf));
}

/* event.id is the _id of the shipped outputs: at most 512 bytes of UTF-8.
 * Longer or not UTF-8 (Elasticsearch refuses both), it becomes the hash of
 * its bytes, which keeps distinct ids distinct; the id itself is moved. */
static int fit_id(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	const char *s;
	size_t len;

	(void)arg;
	if (!json_object_is_type(v, json_type_string))
		return fit_any(f, v, 0, out);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len <= ID_MAX && cfl_fit_utf8_valid(s, len))
		return 0;
	note_moved(f, v);
	*out = cfl_fit_hash_id(s, len);
	return 1;
}

static int fit_special(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	switch (special_kind(f)) {
	case K_SKIP: /* event.original: whole, but valid JSON text */
		return json_object_is_type(v, json_type_string) && (*out = cut_string(f, v, (size_t)-1)) != NULL;
	case K_ID: return fit_id(f, v, arg, out);
	case K_FLAT: return fit_flat(f, v, arg, out);
	case K_OPEN: return fit_open(f, v, arg, out);
	case K_NESTED: return fit_nested(f, v, arg, out);
	default: return fit_any(f, v, arg, out);
	}
}

static int fit_any(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	switch (json_object_get_type(v)) {
	case json_type_string: return (*out = cut_string(f, v, TERM_MAX)) != NULL;
	case json_type_array: fit_elements(f, v, fit_any, arg); return 0;
	case json_type_object: fit_members(f, v, fit_special, arg, NULL, 0, 0); return 0;
	default: return 0;
	}
}

static int fit_any_no_special(fit_t *f, struct json_object *v, size_t arg, struct json_object **out)
{
	(void)arg;
	if (json_object_is_type(v, json_type_object)) {
		fit_members(f, v, fit_plain, 0, NULL, 0, 0);
		return 0;
	}
	return fit_any(f, v, 0, out);
}

/* ------------------------------------------------------------- the API */

static void add_tag(struct json_object *doc, const char *tag)
{
	struct json_object *tags = cfl_json_get(doc, CFL_LEAF(CFL_FP_TAGS));
	size_t i, n;

	if (tags == NULL || !json_object_is_type(tags, json_type_array)) {
		tags = json_object_new_array();
		cfl_json_add(doc, CFL_LEAF(CFL_FP_TAGS), tags);
	}
	n = json_object_array_length(tags);
	for (i = 0; i < n; i++) {
		if (strcmp(json_object_get_string(json_object_array_get_idx(tags, i)), tag) == 0)
			return;
	}
	json_object_array_add(tags, json_object_new_string(tag));
}

int cfl_map_fit(struct json_object *doc, int org)
{
	return cfl_map_fit_ns(doc, org ? "atlassian_cloud" : "confluence");
}

int cfl_map_fit_ns(struct json_object *doc, const char *ns)
{
	static const struct {
		const char *ns;
		const struct special *special;
	} roots[] = {
		{ "confluence", cfl_special },
		{ "jira", jira_special },
		{ "bitbucket", bitbucket_special },
		{ "atlassian_cloud", org_special },
	};
	char mv[64];
	fit_t f;
	struct json_object *root;
	size_t i;

	if (doc == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]) - 1 && strcmp(ns, roots[i].ns) != 0; i++)
		;
	ns = roots[i].ns;
	f.special = roots[i].special;
	path_push(&f, "", 0);
	fit_members(&f, doc, fit_special, 0, NULL, 0, 0);
	if (f.moved != NULL) {
		/* a moved part's text, and the path of a member with a bad name,
		 * are keywords too: the same rules apply to them */
		snprintf(mv, sizeof(mv), "%s.audit.moved", ns);
		path_pop(&f, 0);
		path_push(&f, mv, strlen(mv));
		fit_elements(&f, f.moved, fit_any_no_special, 0);
	}
	free(f.path);
	if (f.moved == NULL && f.truncated == NULL && f.repaired == NULL)
		return f.oom ? -1 : 0;
	root = cfl_json_child(cfl_json_child(doc, ns), CFL_LEAF(CFL_FP_AUDIT));
	if (f.truncated != NULL) {
		cfl_json_add(root, CFL_LEAF(CFL_FP_AUDIT_TRUNCATED_FIELDS), f.truncated);
		add_tag(doc, CFL_FIT_TAG_TRUNCATED);
	}
	if (f.repaired != NULL) {
		cfl_json_add(root, CFL_LEAF(CFL_FP_AUDIT_UTF8_REPAIRED_FIELDS), f.repaired);
		add_tag(doc, CFL_FIT_TAG_UTF8);
	}
	if (f.moved != NULL) {
		cfl_json_add(root, CFL_LEAF(CFL_FP_AUDIT_MOVED), f.moved);
		add_tag(doc, CFL_FIT_TAG_MOVED);
	}
	return f.oom ? -1 : 1;
}
