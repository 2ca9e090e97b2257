/* test_map_span.c -- reading an event from its text (modules/core/map/
 * cfl_json_span.c) gives what the libfastjson tree it replaced gave: every
 * case is checked against json_tokener's own answer for the same text, so
 * the documents cannot change by a byte; the org mapper's literal readers
 * keep what the text says where the tokener would not. Tables of JSON text in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_json_span.h"
#include "cfl_json_util.h"

static cfl_span_t scan(const char *text)
{
	cfl_span_t root;
	cfl_errbuf_t err;

	if (cfl_jscan_document_depth(text, strlen(text), CFL_SPAN_MAX_DEPTH, &root, &err) != CFL_OK)
		fail_msg("test input does not scan: %s: %s", text, err.msg);
	return root;
}

static struct json_object *tokener(const char *text)
{
	struct json_object *v = NULL;
	cfl_errbuf_t why;

	if (cfl_json_parse(text, strlen(text), &v, &why) != CFL_OK)
		fail_msg("test input does not parse: %s: %s", text, why.msg);
	return v;
}

static const char *plain(struct json_object *v)
{
	return v == NULL ? "null" : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* Texts whose value must come out as the tokener's, serialized byte for byte. */
static const char *const values[] = {
	"{\"a\":1,\"b\":\"x\",\"c\":[true,false,null],\"d\":{}}",
	"[1.0,1e5,-0,0,1.50,0.1e-2,1E+2,-12.5e-3]",
	"[99999999999999999999999,-99999999999999999999,9223372036854775807,123456789012345678]",
	"[\"\\u00e9\\/x\",\"\\ud800\",\"\\ud800\\u0041\",\"\\ud83d\\ude00\",\"a\\u0000b\",\"\\t\\n\\\"\\\\\"]",
	/* a repeated name: the last value, in the first one's place */
	"{\"x\":\"a\",\"y\":1,\"x\":\"b\"}",
	"{\"a\\u0062\":1,\"ab\":2}",
	/* more members than the fast path takes */
	"{\"m1\":1,\"m2\":2,\"m3\":3,\"m4\":4,\"m5\":5,\"m6\":6,\"m7\":7,\"m8\":8,\"m9\":9,\"m10\":10,"
	"\"m11\":1,\"m12\":2,\"m13\":3,\"m14\":4,\"m15\":5,\"m16\":6,\"m17\":7,\"m18\":8,\"m19\":9,\"m20\":0,"
	"\"m21\":1,\"m22\":2,\"m23\":3,\"m24\":4,\"m25\":5,\"m26\":6,\"m27\":7,\"m28\":8,\"m29\":9,\"m30\":0,"
	"\"m31\":1,\"m32\":2,\"m33\":3,\"m31\":4}",
	" { \"sp\" : [ 1 , { \"in\" : \"x\" } ] } ",
	"{\"name\":\"n\",\"type\":\"User\",\"uri\":\"http:\\/\\/h\\/x?username=a\",\"id\":\"1\"}",
};

/* got and want serialize the same, or fail naming the case; both are put. */
static void assert_same(const char *text, const char *what, struct json_object *want, struct json_object *got)
{
	char *w = strdup(plain(want));

	if (strcmp(plain(got), w) != 0)
		fail_msg("%s: %s %s, from spans %s", text, what, w, plain(got));
	free(w);
	json_object_put(got);
	json_object_put(want);
}

static void test_values_are_the_tokeners(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		assert_same(values[i], "tokener", tokener(values[i]), cfl_span_json(scan(values[i])));
}

/* Pruned while built == built, then pruned (contract section 6). */
static const char *const prunes[] = {
	"{\"a\":null,\"b\":\"\",\"c\":{},\"d\":[]}",
	"{\"a\":[[],{},[{}],[null,\"\"]],\"x\":1,\"f\":false,\"z\":0}",
	"[1,null,\"\",{\"v\":\"\"},{\"v\":\"x\"},[],false,\"y\"]",
	/* a repeated name is judged by its last value */
	"{\"x\":\"a\",\"x\":\"\"}",
	"{\"x\":\"\",\"x\":\"a\"}",
	"[{\"x\":{\"y\":\"\"},\"x\":{\"z\":1}},{\"k\":null,\"k\":[]}]",
};

static void test_pruned_is_prune_of_built(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prunes) / sizeof(prunes[0]); i++) {
		struct json_object *want = tokener(prunes[i]);

		if (cfl_json_prune(want)) {
			json_object_put(want);
			want = NULL;
		}
		assert_same(prunes[i], "pruned tree", want, cfl_span_json_pruned(scan(prunes[i])));
	}
}

static void test_members_last_wins_null_is_absent(void **state)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	cfl_span_t root = scan("{\"a\":1,\"b\":null,\"a\":2,\"c\":\"x\",\"c\":null,\"\\u0064\":true}");
	cfl_span_t out[4], v;

	(void)state;
	assert_true(cfl_span_get(root, "a", &v));
	assert_int_equal(v.len, 1);
	assert_memory_equal(v.p, "2", 1);
	assert_false(cfl_span_get(root, "b", &v));
	assert_false(cfl_span_get(root, "c", &v)); /* last value null */
	assert_true(cfl_span_get(root, "d", &v));  /* escaped name */
	assert_false(cfl_span_get(root, "zz", &v));
	cfl_span_pick(root, names, 4, out);
	assert_memory_equal(out[0].p, "2", 1);
	assert_null(out[1].p);
	assert_null(out[2].p);
	assert_int_equal(cfl_jscan_type(out[3]), CFL_JTRUE);
}

/* Keywords: the text cfl_json_keyword gives for the tokener's value. */
static const char *const keywords[] = {
	"\"s\"", "\"\"",  "12",   "-0", "1.50", "1e5",         "99999999999999999999",
	"true",  "false", "null", "{}", "[1]",  "\"\\u00e9\"",
};

static void test_keywords_are_the_trees(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		struct json_object *t = tokener(keywords[i]);

		assert_same(keywords[i], "tree keyword", cfl_json_keyword(t), cfl_span_keyword(scan(keywords[i])));
		json_object_put(t);
	}
}

/* Equality: as cfl_json_equal on the tokener's values. */
static const char *const pairs[][2] = {
	{ "{\"a\":1,\"b\":[1,\"x\"]}", "{\"b\":[1,\"x\"],\"a\":1}" },
	{ "{\"a\":1}", "{\"a\":1.0}" },
	{ "{\"a\":\"\\u0041\"}", "{\"a\":\"A\"}" },
	{ "{\"x\":\"\",\"x\":\"a\"}", "{\"x\":\"a\"}" },
	{ "{\"a\":null}", "{\"a\":null}" },
	{ "{\"a\":null}", "{}" },
	{ "[1,2]", "[1,2,3]" },
	{ "{\"objectType\":\"User\",\"name\":\"n\"}", "{\"name\":\"n\",\"objectType\":\"User\"}" },
};

static void test_equal_is_the_trees(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct json_object *a = tokener(pairs[i][0]), *b = tokener(pairs[i][1]);

		if (cfl_span_equal(scan(pairs[i][0]), scan(pairs[i][1])) != cfl_json_equal(a, b))
			fail_msg("%s vs %s: trees say %d", pairs[i][0], pairs[i][1], cfl_json_equal(a, b));
		json_object_put(a);
		json_object_put(b);
	}
}

static void test_text_and_numbers(void **state)
{
	char buf[8];
	const char *s;
	int64_t i;
	double d;

	(void)state;
	assert_int_equal(cfl_span_text(scan("\"plain\""), buf, sizeof(buf), &s), 5);
	assert_memory_equal(s, "plain", 5);
	assert_int_equal(cfl_span_text(scan("\"a\\/b\""), buf, sizeof(buf), &s), 3);
	assert_string_equal(s, "a/b");
	assert_int_equal(cfl_span_text(scan("\"\\u00e9\\u00e9\\u00e9\\u00e9\""), buf, sizeof(buf), &s), -1);
	assert_int_equal(cfl_span_text(scan("1"), buf, sizeof(buf), &s), -1);
	assert_true(cfl_span_str_eq(scan("\"Group\""), "Group"));
	assert_false(cfl_span_str_eq(scan("\"Groups\""), "Group"));
	assert_true(cfl_span_str_eq(scan("\"\\u0047roup\""), "Group"));
	assert_int_equal(cfl_span_number(scan("-42"), &i, &d), 1);
	assert_int_equal(i, -42);
	assert_int_equal(cfl_span_number(scan("99999999999999999999"), &i, &d), 1);
	assert_true(i == INT64_MAX);
	assert_int_equal(cfl_span_number(scan("2.5e1"), &i, &d), 2);
	assert_true(d == 25.0);
	assert_int_equal(cfl_span_count(scan("[1,[2,3],{}]")), 3);
	assert_true(cfl_span_empty(scan("[ ]")));
	assert_false(cfl_span_empty(scan("[0]")));
}

/* The tokener's nesting limit, kept: the deepest value it accepted scans,
 * one level more does not (and is then left to the tokener's message). */
static void test_depth_is_the_tokeners(void **state)
{
	char deep[256], deeper[300];
	cfl_span_t root;
	cfl_errbuf_t err;
	int i, n;

	(void)state;
	for (n = 0, i = 0; i < CFL_SPAN_MAX_DEPTH; i++)
		n += sprintf(deep + n, "{\"a\":");
	n += sprintf(deep + n, "1");
	for (i = 0; i < CFL_SPAN_MAX_DEPTH; i++)
		deep[n++] = '}';
	deep[n] = '\0';
	snprintf(deeper, sizeof(deeper), "[%s]", deep);
	assert_int_equal(cfl_jscan_document_depth(deep, strlen(deep), CFL_SPAN_MAX_DEPTH, &root, &err), CFL_OK);
	json_object_put(tokener(deep));
	assert_int_not_equal(cfl_jscan_document_depth(deeper, strlen(deeper), CFL_SPAN_MAX_DEPTH, &root, &err), CFL_OK);
	{
		struct json_object *v = NULL;

		assert_int_not_equal(cfl_json_parse(deeper, strlen(deeper), &v, &err), CFL_OK);
	}
}

/* The org mapper's literal readers: values as the event writes them. Where
 * the text holds nothing the tokener would change, the tokener's answer. */
static const char *const literals[][2] = {
	{ "{\"a\":[1,-2,3.25,true,false,null,\"x\\ty\"],\"b\":{}}",
	  "{\"a\":[1,-2,3.25,true,false,null,\"x\\ty\"],\"b\":{}}" },
	{ "[9223372036854775807,-9223372036854775808,-0,1.50,1e5]",
	  "[9223372036854775807,-9223372036854775808,0,1.50,1e5]" },
	/* beyond int64: a double that keeps its text (the tokener saturates) */
	{ "[9223372036854775808,-99999999999999999999]", "[9223372036854775808,-99999999999999999999]" },
	/* 64 characters or more: a string of the text */
	{ "[1000000000000000000000000000000000000000000000000000000000000000]",
	  "[\"1000000000000000000000000000000000000000000000000000000000000000\"]" },
	{ "{\"k\\u0041\":\"\\ud83d\\ude00\"}", "{\"kA\":\"\xf0\x9f\x98\x80\"}" },
	{ "{\"a\":1,\"a\":2}", "{\"a\":2}" },
	/* a NUL in a name: the member is left out (the tokener cuts the name) */
	{ "{\"a\\u0000b\":1,\"c\":2}", "{\"c\":2}" },
	{ "null", "null" },
};

static const char *const keyword_literals[][2] = {
	{ "\"s\"", "s" },
	{ "\"\"", "" },
	{ "\"\\u00e9\"", "\xc3\xa9" },
	{ "12", "12" },
	{ "-0", "-0" },
	{ "12.0", "12.0" },
	{ "99999999999999999999", "99999999999999999999" },
	{ "true", "true" },
	{ "false", "false" },
	{ "null", NULL },
	{ "{}", NULL },
	{ "[1]", NULL },
};

static void test_literal_readers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (i != 2) /* values[2]: integers beyond int64 */
			assert_same(values[i], "tokener", tokener(values[i]), cfl_span_json_literal(scan(values[i])));
	}
	for (i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		struct json_object *v = cfl_span_json_literal(scan(literals[i][0]));

		if (strcmp(plain(v), literals[i][1]) != 0)
			fail_msg("%s: literal %s, want %s", literals[i][0], plain(v), literals[i][1]);
		json_object_put(v);
	}
	for (i = 0; i < sizeof(keyword_literals) / sizeof(keyword_literals[0]); i++) {
		struct json_object *k = cfl_span_keyword_literal(scan(keyword_literals[i][0]));

		if (keyword_literals[i][1] == NULL)
			assert_null(k);
		else
			assert_string_equal(json_object_get_string(k), keyword_literals[i][1]);
		json_object_put(k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_are_the_tokeners),
		cmocka_unit_test(test_pruned_is_prune_of_built),
		cmocka_unit_test(test_members_last_wins_null_is_absent),
		cmocka_unit_test(test_keywords_are_the_trees),
		cmocka_unit_test(test_equal_is_the_trees),
		cmocka_unit_test(test_text_and_numbers),
		cmocka_unit_test(test_depth_is_the_tokeners),
		cmocka_unit_test(test_literal_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
