/* test_base_jscan.c: the strict in-place JSON scanner (cfl_jscan): which
 * documents are accepted, how errors name the byte, that compaction
 * keeps every significant byte, and the span accessors.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_jscan.h"

static cfl_span_t span(const char *s)
{
	cfl_span_t v = { s, strlen(s) };
	return v;
}

/* One document per row and the expected result. */
static const struct {
	const char *doc;
	cfl_rc_t rc;
	const char *msg_part; /* substring of the error message, or NULL */
} docs[] = {
	{ "{}", CFL_OK, NULL },
	{ "  [1, -0.5e+3, \"x\", true, false, null, {\"a\":[]}]\r\n", CFL_OK, NULL },
	{ "\"\\u00e9\\ud83d\\ude00\\n\"", CFL_OK, NULL },
	{ "0", CFL_OK, NULL },
	{ "", CFL_ETRUNC, "empty body" },
	{ "   ", CFL_EPARSE, "empty body" },
	{ "{\"results\":[{\"a\":1}", CFL_ETRUNC, "ends after 19 bytes" },
	{ "{\"a\":\"unterminated", CFL_ETRUNC, "truncated" },
	{ "{\"a\":tru", CFL_ETRUNC, "truncated" },
	{ "<html><body>502</body></html>", CFL_EPARSE, "byte 0 of 29: expected a JSON value, found '<'" },
	{ "{\"a\":1,}", CFL_EPARSE, "byte 7" },
	{ "{\"a\" 1}", CFL_EPARSE, "expected ':'" },
	{ "[1 2]", CFL_EPARSE, "expected ',' or ']'" },
	{ "{a:1}", CFL_EPARSE, "member name" },
	{ "01", CFL_EPARSE, "end of the body" },
	{ "1.", CFL_ETRUNC, NULL },
	{ "-", CFL_ETRUNC, NULL },
	{ "\"tab\there\"", CFL_EPARSE, "control characters" },
	{ "\"\\x\"", CFL_EPARSE, "expected one of \\\"" },
	{ "\"\\u12g4\"", CFL_EPARSE, "hex digits" },
	{ "{} {}", CFL_EPARSE, "end of the body" },
	{ "nul", CFL_ETRUNC, NULL },
	{ "\x01", CFL_EPARSE, "byte 0x01" },
};

static void documents_are_accepted_or_rejected_with_the_offending_byte(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cfl_errbuf_t err = { CFL_OK, "" };
		cfl_span_t root;
		cfl_rc_t rc = cfl_jscan_document(docs[i].doc, strlen(docs[i].doc), &root, &err);
		if (rc != docs[i].rc)
			fail_msg("row %zu (%s): rc %d, want %d (%s)", i, docs[i].doc, rc, docs[i].rc, err.msg);
		if (docs[i].msg_part != NULL && strstr(err.msg, docs[i].msg_part) == NULL)
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i, err.msg, docs[i].msg_part);
	}
}

static void nesting_is_bounded(void **state)
{
	char deep[2 * CFL_JSCAN_MAX_DEPTH + 10];
	cfl_errbuf_t err;
	cfl_span_t root;
	size_t n = CFL_JSCAN_MAX_DEPTH + 1, i;

	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	assert_int_equal(cfl_jscan_document(deep, 2 * n, &root, &err), CFL_ELIMIT);
	assert_int_equal(cfl_jscan_document(deep + 1, 2 * n - 2, &root, &err), CFL_OK);
}

static void compact_removes_only_insignificant_whitespace(void **state)
{
	const char *in = "{ \"a b\" : [ 1 ,\n\t2 ] , \"c\\\" d\" : \"x  y\" }";
	char out[64];
	cfl_span_t root;
	cfl_errbuf_t err;
	size_t n;

	assert_int_equal(cfl_jscan_document(in, strlen(in), &root, &err), CFL_OK);
	n = cfl_jscan_compact(root, out);
	out[n] = '\0';
	assert_string_equal(out, "{\"a b\":[1,2],\"c\\\" d\":\"x  y\"}");
}

static void already_compact_text_is_kept_byte_for_byte(void **state)
{
	/* escapes, unicode escapes, number forms: nothing is re-rendered */
	const char *in = "{\"u\":\"\\u00e9\\/\",\"n\":1.50E+02,\"k\":-0}";
	char out[64];
	cfl_span_t root;
	cfl_errbuf_t err;

	assert_int_equal(cfl_jscan_document(in, strlen(in), &root, &err), CFL_OK);
	assert_int_equal(cfl_jscan_compact(root, out), strlen(in));
	assert_memory_equal(out, in, strlen(in));
}

static void members_and_elements_are_found(void **state)
{
	const char *in = "{\"pagingInfo\":{\"lastPage\":false,\"nextPageCursor\":\"1637628276398,179\"},"
	                 "\"entities\":[{\"x\":1},{\"x\":2},{\"x\":3}],\"we\\u0069rd\":7,\"dup\":1,\"dup\":2}";
	cfl_span_t root, v, pi, e;
	cfl_jiter_t it;
	cfl_errbuf_t err;
	char buf[64];
	int64_t n;
	int b, count = 0;

	assert_int_equal(cfl_jscan_document(in, strlen(in), &root, &err), CFL_OK);
	assert_true(cfl_jscan_member(root, "pagingInfo", &pi));
	assert_true(cfl_jscan_member(pi, "lastPage", &v));
	assert_true(cfl_jscan_bool(v, &b));
	assert_int_equal(b, 0);
	assert_true(cfl_jscan_member(pi, "nextPageCursor", &v));
	assert_int_equal(cfl_jscan_string(v, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "1637628276398,179");
	assert_false(cfl_jscan_member(root, "missing", &v));
	assert_true(cfl_jscan_member(root, "weird", &v)); /* escaped key */
	assert_true(cfl_jscan_int64(v, &n));
	assert_int_equal(n, 7);
	assert_true(cfl_jscan_member(root, "dup", &v));
	assert_true(cfl_jscan_int64(v, &n));
	assert_int_equal(n, 1); /* the first wins */
	assert_true(cfl_jscan_member(root, "entities", &v));
	assert_int_equal(cfl_jscan_type(v), CFL_JARRAY);
	assert_true(cfl_jscan_arr_begin(v, &it));
	while (cfl_jscan_arr_next(&it, &e)) {
		assert_int_equal(cfl_jscan_type(e), CFL_JOBJECT);
		count++;
	}
	assert_int_equal(count, 3);
	assert_false(cfl_jscan_obj_begin(v, &it));
}

/* number text -> int64 (0 = rejected) */
static const struct {
	const char *num;
	int ok;
	int64_t val;
} nums[] = {
	{ "1643097111962", 1, INT64_C(1643097111962) },
	{ "-5", 1, -5 },
	{ "1643097111962.9", 1, INT64_C(1643097111962) }, /* float epochs (Elastic #7647) */
	{ "1.643097111962e12", 1, INT64_C(1643097111962) },
	{ "9223372036854775807", 1, INT64_MAX },
	{ "9223372036854775808", 0, 0 },
	{ "1e300", 0, 0 },
	{ "\"12\"", 0, 0 },
};

static void numbers_convert_or_are_rejected(void **state)
{
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		int ok = cfl_jscan_int64(span(nums[i].num), &v);
		if (ok != nums[i].ok || (ok && v != nums[i].val))
			fail_msg("row %zu (%s): ok %d value %lld", i, nums[i].num, ok, (long long)v);
	}
}

static void strings_decode_escapes_and_bound_the_output(void **state)
{
	char buf[16];

	assert_int_equal(cfl_jscan_string(span("\"a\\u00e9\\ud83d\\ude00\\t\""), buf, sizeof(buf)), 1 + 2 + 4 + 1);
	assert_memory_equal(buf, "a\xc3\xa9\xf0\x9f\x98\x80\t", 8);
	assert_int_equal(cfl_jscan_string(span("\"\\ud83d\""), buf, sizeof(buf)), 3); /* lone surrogate */
	assert_memory_equal(buf, "\xef\xbf\xbd", 3);
	assert_int_equal(cfl_jscan_string(span("\"0123456789abcdefg\""), buf, sizeof(buf)), -1);
	assert_int_equal(cfl_jscan_string(span("12"), buf, sizeof(buf)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documents_are_accepted_or_rejected_with_the_offending_byte),
		cmocka_unit_test(nesting_is_bounded),
		cmocka_unit_test(compact_removes_only_insignificant_whitespace),
		cmocka_unit_test(already_compact_text_is_kept_byte_for_byte),
		cmocka_unit_test(members_and_elements_are_found),
		cmocka_unit_test(numbers_convert_or_are_rejected),
		cmocka_unit_test(strings_decode_escapes_and_bound_the_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
