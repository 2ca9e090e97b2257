/* cfl_jspan_json.c: libfastjson values from cfl_jscan spans (see the
 * header). Strings are decoded into a stack buffer when they are short,
 * which is nearly always, so a string costs one allocation: libfastjson's.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdlib.h>
#include <string.h>

#include "cfl_jspan_json.h"

#define SHORT 256

/* Decodes string span v into buf (SHORT bytes) or a new buffer in *heap;
 * returns the text and sets *len, or NULL. */
static const char *decode(cfl_span_t v, char *buf, char **heap, size_t *len)
{
	char *out = buf;
	size_t cap = SHORT;
	long n;

	*heap = NULL;
	if (v.len > SHORT) {  /* the decoded text is never longer than the span */
		if ((out = *heap = malloc(v.len)) == NULL)
			return NULL;
		cap = v.len;
	}
	if ((n = cfl_jscan_string(v, out, cap)) < 0)
		return NULL;
	*len = (size_t)n;
	return out;
}

struct json_object *cfl_jspan_string(cfl_span_t v)
{
	char buf[SHORT], *heap;
	const char *s;
	size_t len = 0;
	struct json_object *o = NULL;

	if (cfl_jscan_type(v) != CFL_JSTRING)
		return NULL;
	if ((s = decode(v, buf, &heap, &len)) != NULL)
		o = json_object_new_string_len(s, (int)len);
	free(heap);
	return o;
}

static struct json_object *number(cfl_span_t v)
{
	char buf[64];
	int64_t i;

	if (memchr(v.p, '.', v.len) == NULL && memchr(v.p, 'e', v.len) == NULL
			&& memchr(v.p, 'E', v.len) == NULL && cfl_jscan_int64(v, &i))
		return json_object_new_int64(i);
	if (v.len >= sizeof(buf))  /* a number this long is out of double range anyway */
		return json_object_new_string_len(v.p, (int)v.len);
	memcpy(buf, v.p, v.len);
	buf[v.len] = '\0';
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

struct json_object *cfl_jspan_keyword(cfl_span_t v)
{
	switch (cfl_jscan_type(v)) {
	case CFL_JSTRING:
		return cfl_jspan_string(v);
	case CFL_JNUMBER:
	case CFL_JTRUE:
	case CFL_JFALSE:
		return json_object_new_string_len(v.p, (int)v.len);
	default:
		return NULL;
	}
}

static struct json_object *object(cfl_span_t v)
{
	struct json_object *o = json_object_new_object();
	cfl_jiter_t it;
	cfl_span_t key, val;

	if (o == NULL || !cfl_jscan_obj_begin(v, &it))
		return o;
	while (cfl_jscan_obj_next(&it, &key, &val)) {
		char buf[SHORT], *heap;
		size_t len;
		const char *k = decode(key, buf, &heap, &len);

		/* a key with a NUL in it cannot be a libfastjson key: dropped */
		if (k != NULL && strlen(k) == len)
			json_object_object_add(o, k, cfl_jspan_value(val));
		free(heap);
	}
	return o;
}

static struct json_object *array(cfl_span_t v)
{
	struct json_object *a = json_object_new_array();
	cfl_jiter_t it;
	cfl_span_t e;

	if (a == NULL || !cfl_jscan_arr_begin(v, &it))
		return a;
	while (cfl_jscan_arr_next(&it, &e))
		json_object_array_add(a, cfl_jspan_value(e));
	return a;
}

struct json_object *cfl_jspan_value(cfl_span_t v)
{
	switch (cfl_jscan_type(v)) {
	case CFL_JOBJECT:
		return object(v);
	case CFL_JARRAY:
		return array(v);
	case CFL_JSTRING:
		return cfl_jspan_string(v);
	case CFL_JNUMBER:
		return number(v);
	case CFL_JTRUE:
		return json_object_new_boolean(1);
	case CFL_JFALSE:
		return json_object_new_boolean(0);
	default:
		return NULL;
	}
}
