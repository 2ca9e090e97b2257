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

void cfl_span_pick(cfl_span_t obj, const char *const *names, size_t n, cfl_span_t *out)
{
	unsigned char first[256];
	cfl_jiter_t it;
	cfl_span_t k, v;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (!cfl_jscan_obj_begin(obj, &it))
		return;
	/* members whose first byte starts no wanted name are skipped at once */
	memset(first, 0, sizeof(first));
	for (i = 0; i < n; i++)
		first[(unsigned char)names[i][0]] = 1;
	first['\\'] = 1;
	while (cfl_jscan_obj_next(&it, &k, &v)) {
		if (k.len < 3 || !first[(unsigned char)k.p[1]])
			continue;
		for (i = 0; i < n; i++) {
			if (cfl_jscan_key_eq(k, names[i])) {
				out[i] = v;
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!cfl_span_ok(out[i]))
			out[i].p = NULL, out[i].len = 0;
	}
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
	if (memchr(v.p, '.', v.len) == NULL && memchr(v.p, 'e', v.len) == NULL
			&& memchr(v.p, 'E', v.len) == NULL) {
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

/* 1 if no two member names of the object are the same (ignoring case) and
 * none has an escape: then no member can replace another. */
static int names_distinct(const cfl_span_t *keys, int n)
{
	int i, j;

	if (n > MAX_FAST_MEMBERS)
		return 0;
	for (i = 0; i < n; i++) {
		if (memchr(keys[i].p, '\\', keys[i].len) != NULL)
			return 0;
		for (j = 0; j < i; j++) {
			if (keys[i].len == keys[j].len && strncasecmp(keys[i].p, keys[j].p, keys[i].len) == 0)
				return 0;
		}
	}
	return 1;
}

static void add_member(struct json_object *obj, cfl_span_t k, cfl_span_t v, int is_new)
{
	char buf[SMALL], *heap = NULL, *key = buf;
	long n;

	if (memchr(k.p, '\\', k.len) == NULL && k.len - 2 < sizeof(buf)) {
		memcpy(buf, k.p + 1, k.len - 2);
		buf[k.len - 2] = '\0';
	} else {
		n = cfl_jscan_string(k, buf, sizeof(buf));
		if (n < 0) {
			if ((heap = malloc(k.len)) == NULL)
				return;
			cfl_jscan_string(k, heap, k.len);
			key = heap;
		}
	}
	json_object_object_add_ex(obj, key, cfl_span_json(v), is_new ? JSON_C_OBJECT_ADD_KEY_IS_NEW : 0);
	free(heap);
}

static struct json_object *span_object(cfl_span_t v)
{
	struct json_object *obj = json_object_new_object();
	cfl_span_t keys[MAX_FAST_MEMBERS + 1], vals[MAX_FAST_MEMBERS + 1];
	cfl_jiter_t it;
	cfl_span_t k, val;
	int n = 0, i, is_new;

	if (obj == NULL)
		return NULL;
	cfl_jscan_obj_begin(v, &it);
	while (n <= MAX_FAST_MEMBERS && cfl_jscan_obj_next(&it, &keys[n], &vals[n]))
		n++;
	is_new = names_distinct(keys, n);
	for (i = 0; i < n; i++)
		add_member(obj, keys[i], vals[i], is_new);
	while (cfl_jscan_obj_next(&it, &k, &val))
		add_member(obj, k, val, 0);
	return obj;
}

static struct json_object *span_array(cfl_span_t v)
{
	struct json_object *arr = json_object_new_array();
	cfl_jiter_t it;
	cfl_span_t e;

	if (arr == NULL)
		return NULL;
	cfl_jscan_arr_begin(v, &it);
	while (cfl_jscan_arr_next(&it, &e))
		json_object_array_add(arr, cfl_span_json(e));
	return arr;
}

struct json_object *cfl_span_json(cfl_span_t v)
{
	int64_t i;
	double d;

	switch (cfl_jscan_type(v)) {
	case CFL_JOBJECT:
		return span_object(v);
	case CFL_JARRAY:
		return span_array(v);
	case CFL_JSTRING:
		return span_string(v);
	case CFL_JNUMBER:
		if (cfl_span_number(v, &i, &d) == 1)
			return json_object_new_int64(i);
		return span_double(v);
	case CFL_JTRUE:
		return json_object_new_boolean(1);
	case CFL_JFALSE:
		return json_object_new_boolean(0);
	case CFL_JNULL:
	case CFL_JNONE:
	default:
		return NULL;
	}
}

struct json_object *cfl_span_keyword(cfl_span_t v)
{
	char buf[32];
	int64_t i;
	double d;

	switch (cfl_jscan_type(v)) {
	case CFL_JSTRING:
		if (v.len <= 2)
			return NULL;
		return span_string(v);
	case CFL_JNUMBER:
		if (cfl_span_number(v, &i, &d) == 1) {
			snprintf(buf, sizeof(buf), "%" PRId64, i);
			return json_object_new_string(buf);
		}
		/* a fractional number prints as its own text */
		return json_object_new_string_len(v.p, (int)v.len);
	case CFL_JTRUE:
		return json_object_new_string("true");
	case CFL_JFALSE:
		return json_object_new_string("false");
	case CFL_JNULL:
	case CFL_JOBJECT:
	case CFL_JARRAY:
	case CFL_JNONE:
	default:
		return NULL;
	}
}

static int object_equal(cfl_span_t a, cfl_span_t b)
{
	char buf[SMALL], *heap = NULL;
	cfl_jiter_t it;
	cfl_span_t k, v, bv;
	int na = 0, nb = 0, eq = 1;
	long n;

	cfl_jscan_obj_begin(a, &it);
	while (cfl_jscan_obj_next(&it, &k, &v))
		na++;
	cfl_jscan_obj_begin(b, &it);
	while (cfl_jscan_obj_next(&it, &k, &v))
		nb++;
	if (na != nb)
		return 0;
	cfl_jscan_obj_begin(a, &it);
	while (eq && cfl_jscan_obj_next(&it, &k, &v)) {
		n = cfl_jscan_string(k, buf, sizeof(buf));
		if (n < 0) {
			if ((heap = malloc(k.len)) == NULL)
				return 0;
			cfl_jscan_string(k, heap, k.len);
		}
		eq = member(b, heap != NULL ? heap : buf, &bv) && cfl_span_equal(v, bv);
		free(heap);
		heap = NULL;
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
	if (na < 0 || nb < 0) {  /* long escaped strings: compare as values */
		struct json_object *ja = span_string(a), *jb = span_string(b);
		int eq = ja != NULL && jb != NULL
			&& json_object_get_string_len(ja) == json_object_get_string_len(jb)
			&& memcmp(json_object_get_string(ja), json_object_get_string(jb),
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
	case CFL_JSTRING:
		return string_equal(a, b);
	case CFL_JOBJECT:
		return object_equal(a, b);
	case CFL_JARRAY:
		return array_equal(a, b);
	case CFL_JTRUE:
	case CFL_JFALSE:
	case CFL_JNULL:
	case CFL_JNONE:
	default:
		return 1;
	}
}
