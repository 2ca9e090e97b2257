/* test_map_json.c -- the libfastjson helpers of the mapping core
 * (modules/core/map/cfl_json_util.c): the contract's clean-up (section 6),
 * deep equality, keyword coercion, member picking and the exact parser.
 * Cases are tables of JSON text in and JSON text out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_fields.h"
#include "cfl_json_util.h"

static struct json_object *parse(const char *text)
{
	struct json_object *v = NULL;
	cfl_errbuf_t why;

	if (cfl_json_parse(text, strlen(text), &v, &why) != 0)
		fail_msg("test input does not parse: %s: %s", text, why.msg);
	return v;
}

/* a == b as JSON, or fail showing both */
static void assert_json(struct json_object *got, const char *want_text)
{
	struct json_object *want = parse(want_text);

	if (!cfl_json_equal(got, want))
		fail_msg("expected %s, got %s", want_text, json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
}

struct prune_case {
	const char *in, *out;
	int empty; /* what cfl_json_prune returns */
};

static const struct prune_case prune_cases[] = {
	{ "{\"a\":null,\"b\":\"\",\"c\":{},\"d\":[]}", "{}", 1 },
	{ "{\"keep\":false,\"zero\":0,\"z\":0.0,\"s\":\" \"}", "{\"keep\":false,\"zero\":0,\"z\":0.0,\"s\":\" \"}", 0 },
	/* recursion: what empties out goes too */
	{ "{\"a\":{\"b\":{\"c\":null}},\"x\":1}", "{\"x\":1}", 0 },
	{ "{\"a\":[[],{},[{}],[null,\"\"]],\"x\":1}", "{\"x\":1}", 0 },
	/* inside arrays too, order kept */
	{ "[1,null,\"\",{\"v\":\"\"},{\"v\":\"x\"},[],false,\"y\"]", "[1,{\"v\":\"x\"},false,\"y\"]", 0 },
	{ "[null]", "[]", 1 },
	/* more doomed members than one deletion batch */
	{ "{\"a1\":null,\"a2\":null,\"a3\":null,\"a4\":null,\"a5\":null,\"a6\":null,\"a7\":null,"
	  "\"a8\":null,\"a9\":null,\"a10\":null,\"a11\":null,\"a12\":null,\"a13\":null,\"a14\":null,"
	  "\"a15\":null,\"a16\":null,\"a17\":null,\"a18\":\"\",\"k\":\"v\",\"a19\":{}}",
	  "{\"k\":\"v\"}", 0 },
	/* the extraAttributes of an audit-search event */
	{ "[{\"name\":\"Query\",\"nameI18nKey\":\"q\",\"value\":\"\"}]", "[{\"name\":\"Query\",\"nameI18nKey\":\"q\"}]",
	  0 },
};

static void test_prune_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prune_cases) / sizeof(prune_cases[0]); i++) {
		struct json_object *v = parse(prune_cases[i].in);

		assert_int_equal(cfl_json_prune(v), prune_cases[i].empty);
		assert_json(v, prune_cases[i].out);
		json_object_put(v);
	}
	assert_int_equal(cfl_json_prune(NULL), 1);
}

struct eq_case {
	const char *a, *b;
	int equal;
};

static const struct eq_case eq_cases[] = {
	{ "{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", 1 }, /* member order is free */
	{ "{\"a\":[1,2]}", "{\"a\":[2,1]}", 0 },                 /* element order is not */
	{ "{\"a\":1}", "{\"a\":1,\"b\":null}", 0 },
	{ "{\"a\":null}", "{\"a\":null}", 1 },
	{ "{\"a\":null}", "{\"b\":null}", 0 },
	{ "{\"a\":\"1\"}", "{\"a\":1}", 0 },
	{ "{\"a\":true}", "{\"a\":1}", 0 },
	{ "{\"name\":\"x\",\"objectType\":\"Page\"}", "{\"objectType\":\"Page\",\"name\":\"x\"}", 1 },
	{ "\"caf\\u00e9\"", "\"caf\xc3\xa9\"", 1 }, /* escapes decode */
	{ "1.5", "1.50", 1 },
	{ "[]", "{}", 0 },
};

static void test_equal_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(eq_cases) / sizeof(eq_cases[0]); i++) {
		struct json_object *a = parse(eq_cases[i].a), *b = parse(eq_cases[i].b);

		if (cfl_json_equal(a, b) != eq_cases[i].equal || cfl_json_equal(b, a) != eq_cases[i].equal)
			fail_msg("%s vs %s: expected equal=%d", eq_cases[i].a, eq_cases[i].b, eq_cases[i].equal);
		json_object_put(a);
		json_object_put(b);
	}
}

struct kw_case {
	const char *in;
	const char *out; /* NULL: no keyword */
};

static const struct kw_case kw_cases[] = {
	{ "\"admin\"", "admin" }, { "\"\"", NULL }, { "-2", "-2" }, { "1.5", "1.5" },
	{ "true", "true" },       { "null", NULL }, { "{}", NULL }, { "[\"a\"]", NULL },
};

static void test_keyword_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kw_cases) / sizeof(kw_cases[0]); i++) {
		struct json_object *v = parse(kw_cases[i].in);
		struct json_object *k = cfl_json_keyword(v);

		if (kw_cases[i].out == NULL) {
			assert_null(k);
		} else {
			assert_non_null(k);
			assert_true(json_object_is_type(k, json_type_string));
			assert_string_equal(json_object_get_string(k), kw_cases[i].out);
		}
		json_object_put(k);
		json_object_put(v);
	}
}

static void test_pick(void **state)
{
	static const char *const names[] = { "timestamp", "type", "author", "missing", "t" };
	struct json_object *obj = parse("{\"type\":{\"a\":1},\"timestamp\":\"x\",\"tz\":1,\"author\":null,\"t\":2}");
	struct json_object *out[5];

	(void)state;
	cfl_json_pick(obj, names, 5, out);
	assert_string_equal(json_object_get_string(out[0]), "x");
	assert_true(json_object_is_type(out[1], json_type_object));
	assert_null(out[2]); /* JSON null reads as absent */
	assert_null(out[3]);
	assert_int_equal(json_object_get_int(out[4]), 2);
	json_object_put(obj);
	cfl_json_pick(NULL, names, 5, out);
	assert_null(out[0]);
}

static void test_put_semantics(void **state)
{
	struct json_object *o = parse("{\"name\":\"a\",\"id\":\"1\"}");

	(void)state;
	cfl_json_put(o, "name", json_object_new_string("b")); /* replaces */
	cfl_json_put(o, "id", NULL);                          /* absent removes */
	cfl_json_put(o, "x", json_object_new_string(""));     /* empty removes too */
	assert_json(o, "{\"name\":\"b\"}");
	json_object_put(o);
}

/* A whole dotted path from the root: objects on the way found or created
 * (a member that is not an object replaced), the leaf replaced. */
static void test_set_path(void **state)
{
	struct json_object *o = parse("{\"user\":{\"id\":\"1\"},\"error\":\"x\"}");

	(void)state;
	cfl_json_set_path(o, CFL_FP_USER_TARGET_NAME, json_object_new_string("a"));
	cfl_json_set_path(o, CFL_FP_USER_TARGET_NAME, json_object_new_string("b"));
	cfl_json_set_path(o, CFL_FP_ERROR_MESSAGE, json_object_new_string("m"));
	cfl_json_set_path(o, CFL_FP_TAGS, json_object_new_string("t"));
	cfl_json_set_path(o, CFL_FP_SOURCE_GEO_CITY_NAME, NULL); /* nothing, not even source */
	assert_json(o, "{\"user\":{\"id\":\"1\",\"target\":{\"name\":\"b\"}},\"error\":{\"message\":\"m\"},"
	               "\"tags\":\"t\"}");
	assert_string_equal(CFL_LEAF(CFL_FP_USER_TARGET_NAME), "name");
	assert_string_equal(CFL_LEAF(CFL_FP_TIMESTAMP), "@timestamp");
	json_object_put(o);
}

struct parse_case {
	const char *text;
	const char *error; /* NULL: must parse; else a substring of the reason */
};

static const struct parse_case parse_cases[] = {
	{ "{\"a\":1}", NULL },
	{ "[1,2]", NULL },
	{ "{\"a\":1} ", NULL }, /* whitespace after the value */
	{ "{\"a\":1} x", "unexpected text after the JSON value at byte 8" },
	{ "{\"a\":1}{\"b\":2}", "unexpected text after the JSON value" },
	{ "{\"a\":", "ends inside the JSON value" },
	{ "{\"a\" 1}", "invalid JSON at byte" },
	{ "{\"a\":tru}", "invalid JSON at byte" },
	{ "", "ends inside the JSON value" },
};

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct json_object *v = (struct json_object *)&v; /* must be reset */
		cfl_errbuf_t why = { CFL_OK, "" };
		cfl_rc_t rc = cfl_json_parse(parse_cases[i].text, strlen(parse_cases[i].text), &v, &why);

		if (parse_cases[i].error == NULL) {
			if (rc != 0)
				fail_msg("%s: %s", parse_cases[i].text, why.msg);
			json_object_put(v);
		} else {
			assert_int_not_equal(rc, CFL_OK);
			assert_null(v);
			if (strstr(why.msg, parse_cases[i].error) == NULL)
				fail_msg("%s: expected \"%s\" in \"%s\"", parse_cases[i].text, parse_cases[i].error,
				         why.msg);
		}
	}
}

/* a failed parse leaves the reused tokener clean for the next one */
static void test_parse_after_failure(void **state)
{
	struct json_object *v;
	cfl_errbuf_t why;

	(void)state;
	assert_int_not_equal(cfl_json_parse("{\"a\":[1,{\"b\":", 13, &v, &why), CFL_OK);
	assert_int_equal(cfl_json_parse("{\"c\":3}", 7, &v, &why), 0);
	assert_json(v, "{\"c\":3}");
	json_object_put(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune_table),         cmocka_unit_test(test_equal_table),
		cmocka_unit_test(test_keyword_table),       cmocka_unit_test(test_pick),
		cmocka_unit_test(test_put_semantics),       cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_after_failure), cmocka_unit_test(test_set_path),
	};

	return cmocka_run_group_tests_name("cfl_json_util", tests, NULL, NULL);
}
