/* cfl_json_span.c: the event's spans read as the libfastjson tree they
 * replace would have answered (see the header for the rules kept).
 *
 * Speed notes: a string without escapes becomes a libfastjson string straight
 * from the span; an object whose member names are plain and pairwise
 * different (compared without case, because rsyslogd runs libfastjson
 * case-insensitively) is filled with JSON_C_OBJECT_ADD_KEY_IS_NEW, which
 * skips libfastjson's per-member lookup; anything else takes libfastjson's
 * replacing add, so duplicates behave as they did under the tokener.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfl_json_span.h"
#include "cfl_json_util.h"

enum { SMALL = 256, MAX_FAST_MEMBERS = 32 };

static int member(cfl_span_t obj, const char *name, cfl_span_t *out)
{
	cfl_jiter_t it;
	cfl_span_t k, v;
	int found = 0;

	if (!cfl_jscan_obj_begin(obj, &it))
		return 0;
	while (cfl_jscan_obj_next(&it, &k, &v)) {
		if (cfl_jscan_key_eq(k, name)) {
			*out = v;
			found = 1;
		}
	}
	return found;
}

int cfl_span_get(cfl_span_t obj, const char *name, cfl_span_t *out)
{
	cfl_span_t v;

	if (!member(obj, name, &v) || !cfl_span_ok(v))
		return 0;
	*out = v;
	return 1;
}

/* 1 if key span k (with quotes) is name (nlen bytes, no backslash in it). */
static int key_is(cfl_span_t k, const char *name, size_t nlen)
{
	if (k.len - 2 == nlen && memcmp(k.p + 1, name, nlen) == 0)
		return 1; /* the same bytes: an escape in k would make them differ */
	return memchr(k.p, '\\', k.len) != NULL && cfl_jscan_key_eq(k, name);
}

/* The names a pick looks for, prepared once per pick. */
typedef struct picker {
	unsigned char first[256]; /* first bytes of the names, and '\\' */
	size_t len[64];
	const char *const *names;
	size_t n;
	cfl_span_t *out;
} picker_t;

static int pick_begin(picker_t *pk, const char *const *names, size_t n, cfl_span_t *out)
{
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (n > 64)
		return 0;
	/* members whose first byte starts no wanted name are skipped at once */
	memset(pk->first, 0, sizeof(pk->first));
	for (i = 0; i < n; i++) {
		pk->first[(unsigned char)names[i][0]] = 1;
		pk->len[i] = strlen(names[i]);
	}
	pk->first['\\'] = 1;
	pk->names = names;
	pk->n = n;
	pk->out = out;
	return 1;
}

static void pick_member(picker_t *pk, cfl_span_t k, cfl_span_t v)
{
	size_t i;

	if (k.len < 3 || !pk->first[(unsigned char)k.p[1]])
		return;
	for (i = 0; i < pk->n; i++) {
		if (key_is(k, pk->names[i], pk->len[i])) {
			pk->out[i] = v; /* a later one replaces it */
			return;
		}
	}
}

static void pick_end(picker_t *pk)
{
	size_t i;

	for (i = 0; i < pk->n; i++) {
		if (!cfl_span_ok(pk->out[i]))
			pk->out[i].p = NULL, pk->out[i].len = 0;
	}
}

void cfl_span_pick(cfl_span_t obj, const char *const *names, size_t n, cfl_span_t *out)
{
	picker_t pk;
	cfl_jiter_t it;
	cfl_span_t k, v;

	if (!pick_begin(&pk, names, n, out) || !cfl_jscan_obj_begin(obj, &it))
		return;
	while (cfl_jscan_obj_next(&it, &k, &v))
		pick_member(&pk, k, v);
	pick_end(&pk);
}

void cfl_span_pick_members(const cfl_jmember_t *mem, size_t nmem, const char *const *names, size_t n, cfl_span_t *out)
{
	picker_t pk;
	size_t i;

	if (!pick_begin(&pk, names, n, out))
		return;
	for (i = 0; i < nmem; i++)
		pick_member(&pk, mem[i].key, mem[i].val);
	pick_end(&pk);
}

int cfl_span_empty(cfl_span_t arr)
{
	cfl_jiter_t it;
	cfl_span_t v;

	return !cfl_jscan_arr_begin(arr, &it) || !cfl_jscan_arr_next(&it, &v);
}

int cfl_span_count(cfl_span_t arr)
{
	cfl_jiter_t it;
	cfl_span_t v;
	int n = 0;

	if (!cfl_jscan_arr_begin(arr, &it))
		return 0;
	while (cfl_jscan_arr_next(&it, &v))
		n++;
	return n;
}

long cfl_span_text(cfl_span_t v, char *buf, size_t cap, const char **s)
{
	long n;

	if (cfl_jscan_type(v) != CFL_JSTRING)
		return -1;
	if (memchr(v.p, '\\', v.len) == NULL) {
		*s = v.p + 1;
		return (long)(v.len - 2);
	}
	n = cfl_jscan_string(v, buf, cap);
	*s = buf;
	return n;
}

int cfl_span_str_eq(cfl_span_t v, const char *s)
{
	/* the decoded text is never longer than the span */
	char buf[SMALL];
	const char *t;
	size_t n = strlen(s);
	long len;

	if (cfl_jscan_type(v) != CFL_JSTRING || v.len - 2 < n)
		return 0;
	len = cfl_span_text(v, buf, sizeof(buf), &t);
	return len >= 0 && (size_t)len == n && memcmp(t, s, n) == 0;
}

/* v's text copied NUL-terminated into buf, or a malloc'ed copy (*heap). */
static char *span_cstr(cfl_span_t v, char *buf, size_t cap, char **heap)
{
	char *s = buf;

	*heap = NULL;
	if (v.len >= cap) {
		if ((s = *heap = malloc(v.len + 1)) == NULL)
			return NULL;
	}
	memcpy(s, v.p, v.len);
	s[v.len] = '\0';
	return s;
}

int cfl_span_number(cfl_span_t v, int64_t *i, double *d)
{
	char buf[64], *heap, *s;
	long long ll;

	if (cfl_jscan_type(v) != CFL_JNUMBER || (s = span_cstr(v, buf, sizeof(buf), &heap)) == NULL)
		return 0;
	if (memchr(v.p, '.', v.len) == NULL && memchr(v.p, 'e', v.len) == NULL && memchr(v.p, 'E', v.len) == NULL) {
		/* strtoll saturates at the int64 limits, as the tokener's sscanf did */
		ll = strtoll(s, NULL, 10);
		*i = (int64_t)ll;
		free(heap);
		return 1;
	}
	*d = strtod(s, NULL);
	free(heap);
	return 2;
}

static struct json_object *span_string(cfl_span_t v)
{
	char buf[SMALL], *heap = NULL;
	struct json_object *o;
	long n;

	if (memchr(v.p, '\\', v.len) == NULL)
		return json_object_new_string_len(v.p + 1, (int)(v.len - 2));
	n = cfl_jscan_string(v, buf, sizeof(buf));
	if (n < 0) {
		if ((heap = malloc(v.len)) == NULL)
			return NULL;
		n = cfl_jscan_string(v, heap, v.len);
	}
	o = n < 0 ? NULL : json_object_new_string_len(heap != NULL ? heap : buf, (int)n);
	free(heap);
	return o;
}

static struct json_object *span_double(cfl_span_t v)
{
	char buf[64], *heap, *s;
	struct json_object *o;

	if ((s = span_cstr(v, buf, sizeof(buf), &heap)) == NULL)
		return NULL;
	o = json_object_new_double_s(strtod(s, NULL), s);
	free(heap);
	return o;
}

/* ---- building libfastjson values: one pass over validated text ---------
 *
 * Each conv_* function reads the value at p (no leading whitespace) and
 * returns the first byte after it. The text was validated by cfl_jscan, so
 * the grammar is known to hold and only the data is looked at. */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* The closing quote of the string opening at p; *esc if it has an escape.
 * memchr finds the candidate quote; only a string with a backslash before
 * it is walked byte by byte. */
static const char *string_end(const char *p, const char *end, int *esc)
{
	const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));

	*esc = 0;
	if (q == NULL)
		return end - 1;
	if (memchr(p + 1, '\\', (size_t)(q - p - 1)) == NULL)
		return q;
	*esc = 1;
	for (p++; p < end; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\')
			p++;
	}
	return end - 1;
}

/* 1 if no two member names of an object are the same, compared without
 * case: then no member can replace another, whatever libfastjson's
 * comparison is. */
static int names_distinct(const cfl_span_t *keys, int n)
{
	int i, j;

	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (keys[i].len == keys[j].len && strncasecmp(keys[i].p, keys[j].p, keys[i].len) == 0)
				return 0;
		}
	}
	return 1;
}

/* Member names the audit records repeat in the subtrees the document keeps:
 * they are added as static strings (JSON_C_OBJECT_KEY_IS_CONSTANT), which
 * saves libfastjson a strdup() and a free() per member. */
static const char *const common_keys[] = { "id",
	                                   "to",
	                                   "key",
	                                   "uri",
	                                   "from",
	                                   "name",
	                                   "type",
	                                   "area",
	                                   "level",
	                                   "value",
	                                   "action",
	                                   "i18nKey",
	                                   "userKey",
	                                   "category",
	                                   "newValue",
	                                   "oldValue",
	                                   "username",
	                                   "accountId",
	                                   "avatarUri",
	                                   "publicName",
	                                   "objectType",
	                                   "operations",
	                                   "nameI18nKey",
	                                   "accountType",
	                                   "displayName",
	                                   "actionI18nKey",
	                                   "hiddenOldValue",
	                                   "hiddenNewValue",
	                                   "categoryI18nKey",
	                                   "externalCollaborator",
	                                   "isExternalCollaborator" };

static const char *common_key(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(common_keys) / sizeof(common_keys[0]); i++) {
		const char *c = common_keys[i];

		if (c[0] == s[0] && strncmp(c, s, len) == 0 && c[len] == '\0')
			return c;
	}
	return NULL;
}

/* Conversion modes: SLOW adds members with libfastjson's replacing add
 * (an object with repeated or escaped names); PRUNE leaves out what the
 * contract's clean-up would remove (cfl_json_prune): in the fast mode as it
 * goes, in the slow mode after each container is complete, so a replaced
 * member is judged by its last value, as before; LITERAL gives the org
 * readers' answers (see cfl_span_json_literal in the header). */
enum { M_SLOW = 1, M_PRUNE = 2, M_LITERAL = 4 };

static void add_member(struct json_object *obj, cfl_span_t k, int esc, struct json_object *val, unsigned flags,
                       int mode)
{
	char buf[SMALL], *heap = NULL, *key = buf;
	const char *ck;
	long n = 0;

	if (!esc && k.len > 2 && (ck = common_key(k.p + 1, k.len - 2)) != NULL) {
		json_object_object_add_ex(obj, ck, val, flags | JSON_C_OBJECT_KEY_IS_CONSTANT);
		return;
	}
	if (!esc && k.len - 2 < sizeof(buf)) {
		memcpy(buf, k.p + 1, k.len - 2);
		buf[k.len - 2] = '\0';
	} else if ((n = cfl_jscan_string(k, buf, sizeof(buf))) < 0) {
		if ((heap = malloc(k.len)) == NULL) {
			json_object_put(val);
			return;
		}
		n = cfl_jscan_string(k, heap, k.len);
		key = heap;
	}
	if ((mode & M_LITERAL) && esc && strlen(key) != (size_t)n)
		json_object_put(val); /* a NUL in the name: left out */
	else
		json_object_object_add_ex(obj, key, val, flags);
	free(heap);
}

static const char *conv_value(const char *p, const char *end, struct json_object **out, int mode);

/* Adds v to a container in the making (add_one), or drops it when the fast
 * pruning mode says it is empty. */
static int keep(struct json_object *v, int mode)
{
	if ((mode & (M_PRUNE | M_SLOW)) == M_PRUNE && cfl_json_is_empty(v)) {
		json_object_put(v);
		return 0;
	}
	return 1;
}

static struct json_object *finish(struct json_object *c, int mode)
{
	if ((mode & (M_SLOW | M_PRUNE)) == (M_SLOW | M_PRUNE))
		cfl_json_prune(c);
	return c;
}

/* Members are added without libfastjson's lookup for an existing name
 * (JSON_C_OBJECT_ADD_KEY_IS_NEW); if the names turn out not to be plain and
 * distinct, the object is built again in the slow mode. */
static const char *conv_object(const char *p, const char *end, struct json_object **out, int mode)
{
	struct json_object *obj = json_object_new_object(), *v;
	cfl_span_t keys[MAX_FAST_MEMBERS], k;
	const char *start = p, *q;
	int n = 0, plain = 1, esc, slow = mode & M_SLOW;

	p = skip_ws(p + 1, end);
	while (p < end && *p == '"') {
		q = string_end(p, end, &esc);
		k.p = p;
		k.len = (size_t)(q + 1 - p);
		p = skip_ws(q + 1, end); /* at ':' */
		p = skip_ws(p + 1, end);
		p = skip_ws(conv_value(p, end, &v, mode), end);
		if (!slow) {
			if (esc || n == MAX_FAST_MEMBERS)
				plain = 0;
			else
				keys[n++] = k;
		}
		if (obj != NULL && keep(v, mode))
			add_member(obj, k, esc, v, slow ? 0 : JSON_C_OBJECT_ADD_KEY_IS_NEW, mode);
		else if (obj == NULL)
			json_object_put(v);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	if (!slow && !(plain && names_distinct(keys, n))) {
		json_object_put(obj);
		return conv_object(start, end, out, mode | M_SLOW);
	}
	*out = finish(obj, mode);
	return p + 1; /* past '}' */
}

static const char *conv_array(const char *p, const char *end, struct json_object **out, int mode)
{
	struct json_object *arr = json_object_new_array(), *v;

	p = skip_ws(p + 1, end);
	while (p < end && *p != ']') {
		p = skip_ws(conv_value(p, end, &v, mode), end);
		if (arr != NULL && keep(v, mode))
			json_object_array_add(arr, v);
		else if (arr == NULL)
			json_object_put(v);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	*out = finish(arr, mode);
	return p + 1; /* past ']' */
}

static const char *conv_number(const char *p, const char *end, struct json_object **out, int mode)
{
	const char *q = p;
	int is_double = 0;
	cfl_span_t v;
	int64_t i;
	double d;

	for (; q < end; q++) {
		char c = *q;

		if (c == '.' || c == 'e' || c == 'E' || c == '+')
			is_double = 1;
		else if (c != '-' && (c < '0' || c > '9'))
			break;
	}
	v.p = p;
	v.len = (size_t)(q - p);
	if (!is_double && v.len < 19) {
		/* at most 18 digits: no overflow, no strtoll */
		int neg = *p == '-';

		for (i = 0, p += neg; p < q; p++)
			i = i * 10 + (*p - '0');
		*out = json_object_new_int64(neg ? -i : i);
	} else if (!is_double && !(mode & M_LITERAL)) {
		cfl_span_number(v, &i, &d);
		*out = json_object_new_int64(i);
	} else if (!is_double && cfl_jscan_int64(v, &i)) {
		*out = json_object_new_int64(i);
	} else if ((mode & M_LITERAL) && v.len >= 64) {
		*out = json_object_new_string_len(v.p, (int)v.len);
	} else {
		*out = span_double(v);
	}
	return q;
}

static const char *conv_value(const char *p, const char *end, struct json_object **out, int mode)
{
	const char *q;
	cfl_span_t s;
	int esc;

	*out = NULL;
	if (p >= end)
		return end;
	switch (*p) {
	case '{': return conv_object(p, end, out, mode);
	case '[': return conv_array(p, end, out, mode);
	case '"':
		q = string_end(p, end, &esc);
		s.p = p;
		s.len = (size_t)(q + 1 - p);
		*out = esc ? span_string(s) : json_object_new_string_len(p + 1, (int)(q - p - 1));
		return q + 1;
	case 't': *out = json_object_new_boolean(1); return p + 4;
	case 'f': *out = json_object_new_boolean(0); return p + 5;
	case 'n': return p + 4;
	default: return conv_number(p, end, out, mode);
	}
}

struct json_object *cfl_span_json(cfl_span_t v)
{
	struct json_object *o;

	if (v.len == 0)
		return NULL;
	conv_value(v.p, v.p + v.len, &o, 0);
	return o;
}

struct json_object *cfl_span_json_pruned(cfl_span_t v)
{
	struct json_object *o;

	if (v.len == 0)
		return NULL;
	conv_value(v.p, v.p + v.len, &o, M_PRUNE);
	if (cfl_json_is_empty(o)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *cfl_span_json_literal(cfl_span_t v)
{
	struct json_object *o;

	if (v.len == 0)
		return NULL;
	conv_value(v.p, v.p + v.len, &o, M_LITERAL);
	return o;
}

struct json_object *cfl_span_keyword_literal(cfl_span_t v)
{
	switch (cfl_jscan_type(v)) {
	case CFL_JSTRING: return span_string(v);
	case CFL_JNUMBER:
	case CFL_JTRUE:
	case CFL_JFALSE: return json_object_new_string_len(v.p, (int)v.len);
	case CFL_JNULL:
	case CFL_JOBJECT:
	case CFL_JARRAY:
	case CFL_JNONE:
	default: return NULL;
	}
}

/* The tree's keyword is the literal one but for two cases: "" is none, and an
 * integer prints as the int64 the tokener made of it. */
struct json_object *cfl_span_keyword(cfl_span_t v)
{
	char buf[32];
	int64_t i;
	double d;

	if (cfl_jscan_type(v) == CFL_JSTRING && v.len <= 2)
		return NULL;
	if (cfl_span_number(v, &i, &d) == 1) {
		snprintf(buf, sizeof(buf), "%" PRId64, i);
		return json_object_new_string(buf);
	}
	return cfl_span_keyword_literal(v);
}

/* 1 if obj's member names are plain and distinct (see names_distinct), and
 * *n their number. */
static int plain_names(cfl_span_t obj, int *n)
{
	cfl_span_t keys[MAX_FAST_MEMBERS], k, v;
	cfl_jiter_t it;
	int plain = 1;

	*n = 0;
	cfl_jscan_obj_begin(obj, &it);
	while (cfl_jscan_obj_next(&it, &k, &v)) {
		if (*n == MAX_FAST_MEMBERS || k.len - 2 >= SMALL || memchr(k.p, '\\', k.len) != NULL)
			plain = 0;
		else
			keys[*n] = k;
		(*n)++;
	}
	return plain && names_distinct(keys, *n);
}

/* Objects with repeated or escaped names are compared as the libfastjson
 * values the tokener made of them (a repeated name counts once, last value). */
static int object_equal(cfl_span_t a, cfl_span_t b)
{
	cfl_jiter_t it;
	cfl_span_t k, v, bv;
	int na, nb, eq = 1;

	if (!plain_names(a, &na) || !plain_names(b, &nb)) {
		struct json_object *ja = cfl_span_json(a), *jb = cfl_span_json(b);

		eq = cfl_json_equal(ja, jb);
		json_object_put(ja);
		json_object_put(jb);
		return eq;
	}
	if (na != nb)
		return 0;
	cfl_jscan_obj_begin(a, &it);
	while (eq && cfl_jscan_obj_next(&it, &k, &v)) {
		char buf[SMALL];

		/* plain names shorter than buf: the raw bytes are the name */
		memcpy(buf, k.p + 1, k.len - 2);
		buf[k.len - 2] = '\0';
		eq = member(b, buf, &bv) && cfl_span_equal(v, bv);
	}
	return eq;
}

static int array_equal(cfl_span_t a, cfl_span_t b)
{
	cfl_jiter_t ia, ib;
	cfl_span_t va, vb;
	int ha, hb;

	cfl_jscan_arr_begin(a, &ia);
	cfl_jscan_arr_begin(b, &ib);
	for (;;) {
		ha = cfl_jscan_arr_next(&ia, &va);
		hb = cfl_jscan_arr_next(&ib, &vb);
		if (!ha || !hb)
			return ha == hb;
		if (!cfl_span_equal(va, vb))
			return 0;
	}
}

static int string_equal(cfl_span_t a, cfl_span_t b)
{
	char ba[SMALL], bb[SMALL];
	const char *sa, *sb;
	long na, nb;

	if (memchr(a.p, '\\', a.len) == NULL && memchr(b.p, '\\', b.len) == NULL)
		return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
	na = cfl_span_text(a, ba, sizeof(ba), &sa);
	nb = cfl_span_text(b, bb, sizeof(bb), &sb);
	if (na < 0 || nb < 0) { /* long escaped strings: compare as values */
		struct json_object *ja = span_string(a), *jb = span_string(b);
		int eq = ja != NULL && jb != NULL && json_object_get_string_len(ja) == json_object_get_string_len(jb) &&
		         memcmp(json_object_get_string(ja), json_object_get_string(jb),
		                (size_t)json_object_get_string_len(ja)) == 0;

		json_object_put(ja);
		json_object_put(jb);
		return eq;
	}
	return na == nb && memcmp(sa, sb, (size_t)na) == 0;
}

int cfl_span_equal(cfl_span_t a, cfl_span_t b)
{
	cfl_jtype_t ta = cfl_jscan_type(a), tb = cfl_jscan_type(b);
	int64_t ia, ib;
	double da, db;
	int ka, kb;

	if (ta == CFL_JNONE)
		ta = CFL_JNULL;
	if (tb == CFL_JNONE)
		tb = CFL_JNULL;
	if (ta != tb)
		return 0;
	switch (ta) {
	case CFL_JNUMBER:
		ka = cfl_span_number(a, &ia, &da);
		kb = cfl_span_number(b, &ib, &db);
		if (ka != kb)
			return 0;
		return ka == 1 ? ia == ib : da == db;
	case CFL_JSTRING: return string_equal(a, b);
	case CFL_JOBJECT: return object_equal(a, b);
	case CFL_JARRAY: return array_equal(a, b);
	case CFL_JTRUE:
	case CFL_JFALSE:
	case CFL_JNULL:
	case CFL_JNONE:
	default: return 1;
	}
}

int cfl_text_int64(const char *s, int64_t *out)
{
	char *end;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}
