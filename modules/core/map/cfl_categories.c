/* cfl_categories.c: loads the categorization table (format in the header) and
 * answers "which rule has this event.action" from an open-addressing hash table
 * built once at load time, so the per-event cost is one hash and one compare.
 * Tables that also give prefix, suffix or default rules (the organization
 * audit log's, docs/org-audit-mapping.md section 5) are answered in the order
 * the header states: exact, prefixes, suffixes, default.
 *
 * The file is read rule by rule: the outer array is walked by hand and each
 * element handed to json_tokener, so every error can name the line where the
 * offending rule starts, not just "somewhere in the file".
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "cfl_categories.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"

#define MAX_FILE_SIZE (16 * 1024 * 1024)

/* ECS 8.11 allowed values: a typo in the table should fail at load, not
 * produce documents Kibana's security views silently ignore. */
static const char *const ecs_categories[] = {
	"api",      "authentication", "configuration", "database",      "driver",
	"email",    "file",           "host",          "iam",           "intrusion_detection",
	"library",  "malware",        "network",       "package",       "process",
	"registry", "session",        "threat",        "vulnerability", "web",
	NULL
};
static const char *const ecs_types[] = { "access",   "admin",        "allowed",  "change", "connection", "creation",
	                                 "deletion", "denied",       "end",      "error",  "group",      "indicator",
	                                 "info",     "installation", "protocol", "start",  "user",       NULL };
static const char *const ecs_outcomes[] = { "failure", "success", "unknown", NULL };
static const char *const user_field_names[] = { "group", "membership", "target", "login", "renamed", "changes", NULL };

struct rule {
	cfl_category_t pub;
	void **owned; /* every string and array the rule allocated, for freeing */
	size_t nowned;
};

struct slot {
	const char *action; /* NULL = free */
	size_t len;
	uint64_t hash;
	const cfl_category_t *rule;
	int line;
};

/* A prefix or suffix rule, in file order. */
struct affix {
	const char *s;
	size_t len;
	const cfl_category_t *rule;
};

struct cfl_categories {
	struct json_object *info; /* the default event.type value */
	struct rule *rules;
	size_t nrules;
	struct slot *slots;
	size_t nslots; /* power of two */
	size_t nactions;
	struct affix *prefixes, *suffixes; /* each bounded by nslots */
	size_t nprefixes, nsuffixes;
	const cfl_category_t *fallback; /* the "default": true rule, or NULL */
};

/* Load-time state: the text being read, for line numbers and messages. */
struct loader {
	const char *text;
	size_t len;
	const char *name;
	cfl_errbuf_t *err;
	cfl_categories_t *c;
	cfl_rc_t rc; /* of the first failure */
};

static void fail(struct loader *ld, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_oom(struct loader *ld, size_t offset);

static int line_of(const struct loader *ld, size_t offset)
{
	int line = 1;
	size_t i;

	for (i = 0; i < offset && i < ld->len; i++)
		line += ld->text[i] == '\n';
	return line;
}

static void fail_at(struct loader *ld, cfl_rc_t rc, size_t offset, const char *what)
{
	ld->rc = cfl_err_set(ld->err, rc, "%s:%d: %s", ld->name, line_of(ld, offset), what);
}

/* A file that is not what the format above says (CFL_EPARSE). */
static void fail(struct loader *ld, size_t offset, const char *fmt, ...)
{
	char what[CFL_ERRBUF_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fail_at(ld, CFL_EPARSE, offset, what);
}

static void fail_oom(struct loader *ld, size_t offset)
{
	fail_at(ld, CFL_ENOMEM, offset, "out of memory");
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return 1;
	}
	return 0;
}

static void join_list(const char *const *list, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *list != NULL && used < len; list++) {
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *list);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Records p as owned by the rule; frees it and returns NULL on failure. */
static void *own(struct rule *r, void *p)
{
	void **grown;

	if (p == NULL)
		return NULL;
	grown = realloc(r->owned, (r->nowned + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(p);
		return NULL;
	}
	r->owned = grown;
	r->owned[r->nowned++] = p;
	return p;
}

static const char *own_string(struct rule *r, const char *s)
{
	return own(r, strdup(s));
}

/* A member that must be an array of strings drawn from allowed (NULL = any
 * non-empty string). Returns the strings as a NULL-terminated owned array. */
static int read_string_array(struct loader *ld, size_t off, struct rule *r, struct json_object *v, const char *key,
                             const char *const *allowed, const char ***out, size_t *n)
{
	const char **arr;
	int i, len;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0) {
		fail(ld, off, "\"%s\" must be a non-empty array of strings", key);
		return -1;
	}
	len = json_object_array_length(v);
	arr = own(r, calloc((size_t)len + 1, sizeof(*arr)));
	if (arr == NULL) {
		fail_oom(ld, off);
		return -1;
	}
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		const char *s;

		if (e == NULL || !json_object_is_type(e, json_type_string) || json_object_get_string_len(e) == 0) {
			fail(ld, off, "\"%s\"[%d] must be a non-empty string", key, i);
			return -1;
		}
		s = json_object_get_string(e);
		if (allowed != NULL && !in_list(allowed, s)) {
			char list[512];

			join_list(allowed, list, sizeof(list));
			fail(ld, off, "\"%s\" value \"%s\" is not allowed (use one of: %s)", key, s, list);
			return -1;
		}
		if ((arr[i] = own_string(r, s)) == NULL) {
			fail_oom(ld, off);
			return -1;
		}
	}
	*out = arr;
	*n = (size_t)len;
	return 0;
}

/* The strings of arr as JSON string objects, NULL-terminated, owned by r. */
static struct json_object **json_strings(struct loader *ld, size_t off, struct rule *r, const char *const *arr,
                                         size_t n)
{
	struct json_object **objs = own(r, calloc(n + 1, sizeof(*objs)));
	size_t i;

	for (i = 0; objs != NULL && i < n; i++) {
		if ((objs[i] = json_object_new_string(arr[i])) != NULL)
			continue;
		while (i-- > 0) {
			json_object_put(objs[i]);
			objs[i] = NULL;
		}
		objs = NULL;
	}
	if (objs == NULL)
		fail_oom(ld, off);
	return objs;
}

static int read_category(struct loader *ld, size_t off, struct rule *r, struct json_object *v)
{
	const char **arr;

	if (read_string_array(ld, off, r, v, "category", ecs_categories, &arr, &r->pub.ncategory) != 0)
		return -1;
	r->pub.category = arr;
	r->pub.category_json = json_strings(ld, off, r, arr, r->pub.ncategory);
	return r->pub.category_json == NULL ? -1 : 0;
}

static int read_type(struct loader *ld, size_t off, struct rule *r, struct json_object *v)
{
	const char **arr;

	if (read_string_array(ld, off, r, v, "type", ecs_types, &arr, &r->pub.ntype) != 0)
		return -1;
	r->pub.type = arr;
	r->pub.type_json = json_strings(ld, off, r, arr, r->pub.ntype);
	return r->pub.type_json == NULL ? -1 : 0;
}

static int read_outcome(struct loader *ld, size_t off, struct rule *r, struct json_object *v)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;

	if (s == NULL || !in_list(ecs_outcomes, s)) {
		fail(ld, off, "\"outcome\" must be one of \"failure\", \"success\", \"unknown\"");
		return -1;
	}
	r->pub.outcome = own_string(r, s);
	if (r->pub.outcome == NULL || (r->pub.outcome_json = json_object_new_string(s)) == NULL) {
		fail_oom(ld, off);
		return -1;
	}
	return 0;
}

static int read_user_fields(struct loader *ld, size_t off, struct rule *r, struct json_object *v)
{
	const char **names;
	size_t n, i, j;

	if (read_string_array(ld, off, r, v, "user_fields", user_field_names, &names, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; user_field_names[j] != NULL; j++) {
			if (strcmp(names[i], user_field_names[j]) == 0)
				r->pub.user_fields |= 1u << j;
		}
	}
	return 0;
}

/* The members that say which actions a rule matches. */
struct matchers {
	struct json_object *actions, *prefixes, *suffixes;
	int fallback;
};

static int read_member(struct loader *ld, size_t off, struct rule *r, const char *key, struct json_object *v,
                       struct matchers *mt)
{
	if (strcmp(key, "actions") == 0 || strcmp(key, "prefixes") == 0 || strcmp(key, "suffixes") == 0) {
		*(key[0] == 'a' ? &mt->actions : key[0] == 'p' ? &mt->prefixes : &mt->suffixes) = v;
		return 0;
	}
	if (strcmp(key, "default") == 0) {
		if (!json_object_is_type(v, json_type_boolean)) {
			fail(ld, off, "\"default\" must be true or false");
			return -1;
		}
		mt->fallback = json_object_get_boolean(v);
		return 0;
	}
	if (strcmp(key, "category") == 0)
		return read_category(ld, off, r, v);
	if (strcmp(key, "type") == 0)
		return read_type(ld, off, r, v);
	if (strcmp(key, "outcome") == 0)
		return read_outcome(ld, off, r, v);
	if (strcmp(key, "user_fields") == 0)
		return read_user_fields(ld, off, r, v);
	if (strcmp(key, "note") == 0)
		return 0;
	fail(ld, off,
	     "unknown key \"%s\" (allowed: actions, prefixes, suffixes, default, category, "
	     "type, outcome, user_fields, note)",
	     key);
	return -1;
}

static uint64_t hash_action(const char *s, size_t len)
{
	return XXH3_64bits(s, len);
}

static int insert_action(struct loader *ld, size_t off, const struct rule *r, const char *action)
{
	cfl_categories_t *c = ld->c;
	size_t len = strlen(action), i;
	uint64_t h = hash_action(action, len);

	for (i = (size_t)h & (c->nslots - 1);; i = (i + 1) & (c->nslots - 1)) {
		struct slot *s = &c->slots[i];

		if (s->action == NULL) {
			s->action = action;
			s->len = len;
			s->hash = h;
			s->rule = &r->pub;
			s->line = r->pub.line;
			c->nactions++;
			return 0;
		}
		if (s->hash == h && s->len == len && memcmp(s->action, action, len) == 0) {
			fail(ld, off, "action \"%s\" is already categorized by the rule at line %d", action, s->line);
			return -1;
		}
	}
}

/* Appends the prefixes or suffixes of rule r, in order, to list. */
static int add_affixes(struct loader *ld, size_t off, struct rule *r, struct json_object *v, const char *key,
                       struct affix *list, size_t *n)
{
	const char **names;
	size_t k, i;

	if (read_string_array(ld, off, r, v, key, NULL, &names, &k) != 0)
		return -1;
	for (i = 0; i < k; i++) {
		list[*n].s = names[i];
		list[*n].len = strlen(names[i]);
		list[(*n)++].rule = &r->pub;
	}
	return 0;
}

static int set_fallback(struct loader *ld, size_t off, const struct rule *r)
{
	if (ld->c->fallback != NULL) {
		fail(ld, off, "a default rule is already given at line %d", ld->c->fallback->line);
		return -1;
	}
	ld->c->fallback = &r->pub;
	return 0;
}

/* One array element: validate it and index its actions. */
static int read_rule(struct loader *ld, size_t off, struct json_object *obj, struct rule *r)
{
	struct matchers mt = { NULL, NULL, NULL, 0 };
	struct json_object_iterator it, end;
	const char **names;
	size_t n, i;

	r->pub.line = line_of(ld, off);
	if (!json_object_is_type(obj, json_type_object)) {
		fail(ld, off, "each rule must be a JSON object");
		return -1;
	}
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (read_member(ld, off, r, json_object_iter_peek_name(&it), json_object_iter_peek_value(&it), &mt) !=
		    0)
			return -1;
	}
	if (mt.actions == NULL && mt.prefixes == NULL && mt.suffixes == NULL && !mt.fallback) {
		fail(ld, off, "rule has no \"actions\" (nor \"prefixes\", \"suffixes\", \"default\": true)");
		return -1;
	}
	if (r->pub.ncategory == 0 && r->pub.ntype == 0 && r->pub.outcome == NULL && r->pub.user_fields == 0) {
		fail(ld, off, "rule sets nothing (give category, type, outcome or user_fields)");
		return -1;
	}
	if ((mt.prefixes != NULL &&
	     add_affixes(ld, off, r, mt.prefixes, "prefixes", ld->c->prefixes, &ld->c->nprefixes) != 0) ||
	    (mt.suffixes != NULL &&
	     add_affixes(ld, off, r, mt.suffixes, "suffixes", ld->c->suffixes, &ld->c->nsuffixes) != 0) ||
	    (mt.fallback && set_fallback(ld, off, r) != 0))
		return -1;
	if (mt.actions == NULL)
		return 0;
	if (read_string_array(ld, off, r, mt.actions, "actions", NULL, &names, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (insert_action(ld, off, r, names[i]) != 0)
			return -1;
	}
	return 0;
}

static size_t skip_ws(const struct loader *ld, size_t pos)
{
	while (pos < ld->len &&
	       (ld->text[pos] == ' ' || ld->text[pos] == '\t' || ld->text[pos] == '\n' || ld->text[pos] == '\r'))
		pos++;
	return pos;
}

/* Parses the JSON value at *pos; advances *pos past it. */
static struct json_object *parse_value(struct loader *ld, struct json_tokener *tok, size_t *pos)
{
	struct json_object *v;
	enum json_tokener_error jerr;

	json_tokener_reset(tok);
	v = json_tokener_parse_ex(tok, ld->text + *pos, (int)(ld->len - *pos));
	jerr = fjson_tokener_get_error(tok);
	if (v == NULL || jerr != fjson_tokener_success) {
		if (jerr == fjson_tokener_continue)
			fail(ld, ld->len, "unexpected end of file inside a rule");
		else
			fail(ld, *pos + (size_t)tok->char_offset, "invalid JSON: %s", json_tokener_error_desc(jerr));
		json_object_put(v);
		return NULL;
	}
	*pos += (size_t)tok->char_offset;
	return v;
}

static size_t count_rules_upper_bound(const struct loader *ld)
{
	size_t n = 1, i;

	for (i = 0; i < ld->len; i++)
		n += ld->text[i] == '{';
	return n;
}

static int alloc_tables(struct loader *ld)
{
	size_t bound = count_rules_upper_bound(ld), quotes = 0, i;

	/* every action is a string, so the number of quote pairs bounds them */
	for (i = 0; i < ld->len; i++)
		quotes += ld->text[i] == '"';
	ld->c->nslots = 16;
	while (ld->c->nslots < quotes) /* load factor <= 0.5 */
		ld->c->nslots <<= 1;
	ld->c->slots = calloc(ld->c->nslots, sizeof(struct slot));
	ld->c->rules = calloc(bound, sizeof(struct rule));
	ld->c->prefixes = calloc(ld->c->nslots, sizeof(struct affix));
	ld->c->suffixes = calloc(ld->c->nslots, sizeof(struct affix));
	if (ld->c->slots == NULL || ld->c->rules == NULL || ld->c->prefixes == NULL || ld->c->suffixes == NULL) {
		fail_oom(ld, 0);
		return -1;
	}
	return 0;
}

static int read_rules(struct loader *ld)
{
	struct json_tokener *tok = json_tokener_new();
	size_t pos = skip_ws(ld, 0);
	int rc = -1;

	if (tok == NULL || alloc_tables(ld) != 0)
		goto done;
	if (pos >= ld->len || ld->text[pos] != '[') {
		fail(ld, pos, "the file must be a JSON array of rules, starting with '['");
		goto done;
	}
	pos = skip_ws(ld, pos + 1);
	if (pos < ld->len && ld->text[pos] == ']') {
		pos++;
	} else {
		for (;;) {
			size_t start = pos;
			struct json_object *obj = parse_value(ld, tok, &pos);
			int bad;

			if (obj == NULL)
				goto done;
			bad = read_rule(ld, start, obj, &ld->c->rules[ld->c->nrules++]);
			json_object_put(obj);
			if (bad)
				goto done;
			pos = skip_ws(ld, pos);
			if (pos < ld->len && ld->text[pos] == ']') {
				pos++;
				break;
			}
			if (pos >= ld->len || ld->text[pos] != ',') {
				fail(ld, pos, "expected ',' or ']' after a rule");
				goto done;
			}
			pos = skip_ws(ld, pos + 1);
		}
	}
	pos = skip_ws(ld, pos);
	if (pos != ld->len) {
		fail(ld, pos, "unexpected text after the closing ']'");
		goto done;
	}
	rc = 0;
done:
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

cfl_rc_t cfl_categories_load_string(const char *text, size_t len, const char *name, cfl_categories_t **out,
                                    cfl_errbuf_t *err)
{
	struct loader ld = { text, len, name, err, NULL, CFL_EPARSE };

	*out = NULL;
	ld.c = calloc(1, sizeof(*ld.c));
	if (ld.c != NULL && (ld.c->info = json_object_new_string("info")) == NULL) {
		free(ld.c);
		ld.c = NULL;
	}
	if (ld.c == NULL) {
		fail_oom(&ld, 0);
		return ld.rc;
	}
	if (read_rules(&ld) != 0) {
		cfl_categories_free(ld.c);
		return ld.rc;
	}
	*out = ld.c;
	return CFL_OK;
}

static cfl_rc_t read_file(const char *path, char **text, size_t *len, cfl_errbuf_t *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	cfl_rc_t rc = CFL_OK;

	if (f == NULL)
		return cfl_err_set(err, errno == ENOENT ? CFL_ENOENT : CFL_EIO, "%s: cannot open categories file: %s",
		                   path, strerror(errno));
	buf = malloc(MAX_FILE_SIZE + 1);
	if (buf != NULL)
		n = fread(buf, 1, MAX_FILE_SIZE + 1, f);
	if (buf == NULL || ferror(f)) {
		rc = cfl_err_set(err, buf == NULL ? CFL_ENOMEM : CFL_EIO, "%s: cannot read categories file: %s", path,
		                 buf == NULL ? "out of memory" : strerror(errno));
		free(buf);
		buf = NULL;
	} else if (n > MAX_FILE_SIZE) {
		rc = cfl_err_set(err, CFL_ELIMIT, "%s: categories file larger than %d bytes", path, MAX_FILE_SIZE);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return rc;
}

cfl_rc_t cfl_categories_load(const char *path, cfl_categories_t **out, cfl_errbuf_t *err)
{
	size_t len = 0;
	char *text = NULL;
	cfl_rc_t rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return cfl_err_set(err, CFL_EINVAL, "no categories file given (confluence-categories.json)");
	if ((rc = read_file(path, &text, &len, err)) != CFL_OK)
		return rc;
	rc = cfl_categories_load_string(text, len, path, out, err);
	free(text);
	return rc;
}

void cfl_categories_free(cfl_categories_t *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	json_object_put(c->info);
	for (i = 0; i < c->nrules; i++) {
		const cfl_category_t *p = &c->rules[i].pub;

		for (j = 0; p->category_json != NULL && p->category_json[j] != NULL; j++)
			json_object_put(p->category_json[j]);
		for (j = 0; p->type_json != NULL && p->type_json[j] != NULL; j++)
			json_object_put(p->type_json[j]);
		json_object_put(p->outcome_json);
		for (j = 0; j < c->rules[i].nowned; j++)
			free(c->rules[i].owned[j]);
		free(c->rules[i].owned);
	}
	free(c->rules);
	free(c->slots);
	free(c->prefixes);
	free(c->suffixes);
	free(c);
}

static const cfl_category_t *find_exact(const cfl_categories_t *c, const char *action, size_t len)
{
	uint64_t h;
	size_t i;

	if (c->nactions == 0)
		return NULL;
	h = hash_action(action, len);
	for (i = (size_t)h & (c->nslots - 1); c->slots[i].action != NULL; i = (i + 1) & (c->nslots - 1)) {
		const struct slot *s = &c->slots[i];

		if (s->hash == h && s->len == len && memcmp(s->action, action, len) == 0)
			return s->rule;
	}
	return NULL;
}

const cfl_category_t *cfl_categories_find(const cfl_categories_t *c, const char *action, size_t len)
{
	const cfl_category_t *r;
	size_t i;

	if (c == NULL || action == NULL)
		return NULL;
	if ((r = find_exact(c, action, len)) != NULL)
		return r;
	for (i = 0; i < c->nprefixes; i++) {
		if (c->prefixes[i].len <= len && memcmp(action, c->prefixes[i].s, c->prefixes[i].len) == 0)
			return c->prefixes[i].rule;
	}
	for (i = 0; i < c->nsuffixes; i++) {
		const struct affix *a = &c->suffixes[i];

		if (a->len <= len && memcmp(action + len - a->len, a->s, a->len) == 0)
			return a->rule;
	}
	return c->fallback;
}

size_t cfl_categories_count(const cfl_categories_t *c)
{
	return c == NULL ? 0 : c->nactions;
}

static struct json_object *shared_array(struct json_object *const *s, size_t n,
                                        struct json_object *(*new_array)(void *), void *ctx)
{
	struct json_object *arr = new_array != NULL ? new_array(ctx) : json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr, json_object_get(s[i]));
	return arr;
}

void cfl_categories_apply_ex(const cfl_categories_t *cats, const cfl_category_t *c, struct json_object *event,
                             struct json_object *(*new_array)(void *), void *ctx)
{
	if (c != NULL && c->ncategory > 0)
		cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_CATEGORY),
		                 shared_array(c->category_json, c->ncategory, new_array, ctx));
	if (c != NULL && c->ntype > 0)
		cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_TYPE),
		                 shared_array(c->type_json, c->ntype, new_array, ctx));
	else
		cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_TYPE), shared_array(&cats->info, 1, new_array, ctx));
	if (c != NULL && c->outcome_json != NULL)
		cfl_json_add_new(event, CFL_LEAF(CFL_FP_EVENT_OUTCOME), json_object_get(c->outcome_json));
}

void cfl_categories_apply(const cfl_categories_t *cats, const cfl_category_t *c, struct json_object *event)
{
	cfl_categories_apply_ex(cats, c, event, NULL, NULL);
}

int cfl_categories_user_fields_line(const cfl_categories_t *c, unsigned uf)
{
	size_t i;

	for (i = 0; c != NULL && i < c->nrules; i++) {
		if (c->rules[i].pub.user_fields & uf)
			return c->rules[i].pub.line;
	}
	return 0;
}
