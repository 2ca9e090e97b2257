/* cfl_json_util.c: libfastjson helpers for the mapping core (see the header).
 * Everything here is stateless and reentrant. Keys written by the mapper are
 * string literals, so they are added with JSON_C_OBJECT_KEY_IS_CONSTANT: that
 * saves a strdup()/free() pair per member, which the benchmark notices.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_json_util.h"

struct json_object *cfl_json_get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

const char *cfl_json_get_str(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v = cfl_json_get(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

void cfl_json_add(struct json_object *obj, const char *const_key, struct json_object *val)
{
	if (val != NULL)
		json_object_object_add_ex(obj, const_key, val, JSON_C_OBJECT_KEY_IS_CONSTANT);
}

void cfl_json_add_new(struct json_object *obj, const char *const_key, struct json_object *val)
{
	if (val != NULL)
		json_object_object_add_ex(obj, const_key, val,
		                          JSON_C_OBJECT_KEY_IS_CONSTANT | JSON_C_OBJECT_ADD_KEY_IS_NEW);
}

void cfl_json_put(struct json_object *obj, const char *const_key, struct json_object *val)
{
	if (val == NULL || cfl_json_is_empty(val)) {
		json_object_put(val);
		json_object_object_del(obj, const_key);
		return;
	}
	cfl_json_add(obj, const_key, val);
}

void cfl_json_set_path(struct json_object *root, const char *path, struct json_object *val)
{
	struct json_object *obj = root, *c;
	const char *dot;
	char seg[64];
	size_t n;

	if (val == NULL)
		return;
	while ((dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(seg)) { /* no field path has such a segment */
			json_object_put(val);
			return;
		}
		memcpy(seg, path, n);
		seg[n] = '\0';
		c = cfl_json_get(obj, seg);
		if (c == NULL || !json_object_is_type(c, json_type_object)) {
			/* a segment is not NUL-terminated in the path: its key is copied */
			c = json_object_new_object();
			json_object_object_add(obj, seg, c);
		}
		obj = c;
		path = dot + 1;
	}
	cfl_json_add(obj, path, val);
}

struct json_object *cfl_json_child(struct json_object *obj, const char *const_key)
{
	struct json_object *c = cfl_json_get(obj, const_key);

	if (c != NULL && json_object_is_type(c, json_type_object))
		return c;
	c = json_object_new_object();
	cfl_json_add(obj, const_key, c);
	return c;
}

struct json_object *cfl_json_keyword(struct json_object *v)
{
	if (v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
		if (json_object_get_string_len(v) == 0)
			return NULL;
		return json_object_get(v);
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_new_string(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	case json_type_null:
	case json_type_object:
	case json_type_array:
	default: return NULL;
	}
}

static int object_equal(struct json_object *a, struct json_object *b)
{
	struct json_object_iterator it, end;

	if (json_object_object_length(a) != json_object_object_length(b))
		return 0;
	it = json_object_iter_begin(a);
	end = json_object_iter_end(a);
	while (!json_object_iter_equal(&it, &end)) {
		struct json_object *bv;

		if (!json_object_object_get_ex(b, json_object_iter_peek_name(&it), &bv))
			return 0;
		if (!cfl_json_equal(json_object_iter_peek_value(&it), bv))
			return 0;
		json_object_iter_next(&it);
	}
	return 1;
}

static int array_equal(struct json_object *a, struct json_object *b)
{
	int i, n = json_object_array_length(a);

	if (n != json_object_array_length(b))
		return 0;
	for (i = 0; i < n; i++) {
		if (!cfl_json_equal(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
			return 0;
	}
	return 1;
}

int cfl_json_equal(struct json_object *a, struct json_object *b)
{
	enum json_type ta, tb;

	if (a == b)
		return 1;
	/* a NULL pointer is how libfastjson hands out JSON null members */
	ta = a == NULL ? json_type_null : json_object_get_type(a);
	tb = b == NULL ? json_type_null : json_object_get_type(b);
	if (ta != tb)
		return 0;
	switch (ta) {
	case json_type_null: return 1;
	case json_type_boolean: return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_int: return json_object_get_int64(a) == json_object_get_int64(b);
	case json_type_double: return json_object_get_double(a) == json_object_get_double(b);
	case json_type_string:
		return json_object_get_string_len(a) == json_object_get_string_len(b) &&
		       memcmp(json_object_get_string(a), json_object_get_string(b),
		              (size_t)json_object_get_string_len(a)) == 0;
	case json_type_object: return object_equal(a, b);
	case json_type_array: return array_equal(a, b);
	default: return 0;
	}
}

int cfl_json_is_empty(struct json_object *v)
{
	if (v == NULL)
		return 1;
	switch (json_object_get_type(v)) {
	case json_type_null: return 1;
	case json_type_string: return json_object_get_string_len(v) == 0;
	case json_type_object: return json_object_object_length(v) == 0;
	case json_type_array: return json_object_array_length(v) == 0;
	default: return 0;
	}
}

static int prune_object(struct json_object *obj)
{
	/* Deleting invalidates iterators: collect a batch of doomed keys, delete
	 * them, and go round again if the batch was full. Keys stay valid until
	 * their own deletion. */
	enum { BATCH = 16 };
	const char *doomed[BATCH];
	int n, i, full;

	do {
		struct json_object_iterator it = json_object_iter_begin(obj);
		struct json_object_iterator end = json_object_iter_end(obj);

		n = 0;
		while (n < BATCH && !json_object_iter_equal(&it, &end)) {
			if (cfl_json_prune(json_object_iter_peek_value(&it)))
				doomed[n++] = json_object_iter_peek_name(&it);
			json_object_iter_next(&it);
		}
		full = n == BATCH;
		for (i = 0; i < n; i++)
			json_object_object_del(obj, doomed[i]);
	} while (full);
	return json_object_object_length(obj) == 0;
}

static int prune_array(struct json_object *arr)
{
	int i;

	/* back to front, so deleting does not shift what is still to visit */
	for (i = json_object_array_length(arr) - 1; i >= 0; i--) {
		if (cfl_json_prune(json_object_array_get_idx(arr, i)))
			json_object_array_del_idx(arr, i);
	}
	return json_object_array_length(arr) == 0;
}

int cfl_json_prune(struct json_object *v)
{
	switch (v == NULL ? json_type_null : json_object_get_type(v)) {
	case json_type_null: return 1;
	case json_type_string: return json_object_get_string_len(v) == 0;
	case json_type_object: return prune_object(v);
	case json_type_array: return prune_array(v);
	case json_type_boolean:
	case json_type_double:
	case json_type_int:
	default: return 0;
	}
}

void cfl_json_pick(struct json_object *obj, const char *const *names, size_t n, struct json_object **out)
{
	struct json_object_iterator it, end;
	unsigned char first[256];
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return;
	/* members whose first byte starts no wanted name are skipped at once */
	memset(first, 0, sizeof(first));
	for (i = 0; i < n; i++)
		first[(unsigned char)names[i][0]] = 1;
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);

		if (!first[(unsigned char)key[0]])
			continue;
		for (i = 0; i < n; i++) {
			if (names[i][0] == key[0] && strcmp(names[i], key) == 0) {
				out[i] = json_object_iter_peek_value(&it);
				break;
			}
		}
	}
}

/* One tokener per thread, reused: creating one costs five allocations and a
 * 1 KiB memset, a measurable share of a small event's parse. The key's
 * destructor frees it when a thread ends; the library destructor deletes the
 * key when the library is unloaded, so no thread runs a destructor that is no
 * longer mapped, and frees the unloading thread's own tokener. */
static pthread_key_t tok_key;
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;
static int tok_key_ok;

static void free_tokener(void *tok)
{
	json_tokener_free(tok);
}

static void make_tok_key(void)
{
	tok_key_ok = pthread_key_create(&tok_key, free_tokener) == 0;
}

__attribute__((destructor)) static void drop_tok_key(void)
{
	struct json_tokener *tok;

	if (!tok_key_ok)
		return;
	tok = pthread_getspecific(tok_key);
	if (tok != NULL)
		json_tokener_free(tok);
	pthread_key_delete(tok_key);
	tok_key_ok = 0;
}

/* This thread's tokener, reset; *own is set when the caller must free it
 * (no thread-specific storage available). */
static struct json_tokener *thread_tokener(int *own)
{
	struct json_tokener *tok;

	*own = 0;
	pthread_once(&tok_once, make_tok_key);
	if (!tok_key_ok) {
		*own = 1;
		return json_tokener_new();
	}
	tok = pthread_getspecific(tok_key);
	if (tok != NULL) {
		json_tokener_reset(tok);
		return tok;
	}
	tok = json_tokener_new();
	if (tok != NULL && pthread_setspecific(tok_key, tok) != 0)
		*own = 1;
	return tok;
}

cfl_rc_t cfl_json_parse(const char *text, size_t len, struct json_object **out, cfl_errbuf_t *why)
{
	struct json_tokener *tok;
	struct json_object *v;
	enum json_tokener_error jerr;
	size_t used;
	int own;
	cfl_rc_t rc;

	*out = NULL;
	if (len > (size_t)0x7fffffff)
		return cfl_err_set(why, CFL_ELIMIT, "message too large to parse (%zu bytes)", len);
	if ((tok = thread_tokener(&own)) == NULL)
		return cfl_err_set(why, CFL_ENOMEM, "out of memory while parsing");
	v = json_tokener_parse_ex(tok, text, (int)len);
	jerr = fjson_tokener_get_error(tok);
	used = (size_t)tok->char_offset;
	if (v == NULL && jerr == fjson_tokener_continue && used == len) {
		/* a bare number at the end needs to see the end: feed the NUL */
		v = json_tokener_parse_ex(tok, "", 1);
		jerr = fjson_tokener_get_error(tok);
		used = len;
	}
	if (jerr == fjson_tokener_continue || jerr == fjson_tokener_error_parse_eof) {
		rc = cfl_err_set(why, CFL_ETRUNC, "invalid JSON: the message ends inside the JSON value (%zu bytes)",
		                 len);
	} else if (jerr != fjson_tokener_success) {
		rc = cfl_err_set(why, CFL_EPARSE, "invalid JSON at byte %zu: %s", used, json_tokener_error_desc(jerr));
	} else if (used < len) {
		rc = cfl_err_set(why, CFL_EPARSE, "invalid JSON: unexpected text after the JSON value at byte %zu",
		                 used);
	} else {
		*out = v; /* NULL for a JSON null */
		v = NULL;
		rc = CFL_OK;
	}
	json_object_put(v);
	if (own)
		json_tokener_free(tok);
	else if (rc != CFL_OK)
		json_tokener_reset(tok); /* drop what the failed parse holds now, not at the next event */
	return rc;
}
