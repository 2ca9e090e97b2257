/* test_poll_state.c: the state file (cfl_state): round trip, what counts
 * as corrupt (table), the atomic write and its failure modes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfl_state.h"

static char dir[256];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "%s/test_poll_state.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static cfl_state_t sample(void)
{
	static cfl_state_fp_t fps[] = {
		{ UINT64_C(0x0123456789abcdef), INT64_C(1637628276398), 1 },
		{ UINT64_C(0xfedcba9876543210), INT64_C(1637628276398), 3 },
	};
	static char url[] = "https://example.atlassian.net/", flavor[] = "cloud";
	cfl_state_t st = { url, flavor, 1, INT64_C(1637628276398), INT64_C(1637628216398), fps, 2 };
	return st;
}

static void serialised_state_is_the_documented_format(void **state)
{
	cfl_state_t st = sample();
	size_t len;
	char *s = cfl_state_serialize(&st, &len);

	assert_string_equal(
	        s,
	        "{\"version\":1,\"base_url\":\"https://example.atlassian.net/\",\"flavor\":\"cloud\","
	        "\"cursor\":1637628276398,\"cursor_time\":\"2021-11-23T00:44:36.398Z\",\"low\":1637628216398,"
	        "\"fingerprints\":[[\"0123456789abcdef\",1637628276398,1],[\"fedcba9876543210\",1637628276398,3]]}\n");
	assert_int_equal(len, strlen(s));
	free(s);
}

static void state_round_trips_through_a_file(void **state)
{
	cfl_state_t st = sample(), back;
	cfl_errbuf_t err;
	char path[512];

	snprintf(path, sizeof(path), "%s/imconfluence-state", dir);
	assert_int_equal(cfl_state_load(path, &back, &err), CFL_ENOENT);
	assert_int_equal(cfl_state_save(path, &st, &err), CFL_OK);
	assert_int_equal(cfl_state_load(path, &back, &err), CFL_OK);
	assert_string_equal(back.base_url, st.base_url);
	assert_string_equal(back.flavor, "cloud");
	assert_int_equal(back.has_cursor, 1);
	assert_int_equal(back.cursor_ms, st.cursor_ms);
	assert_int_equal(back.low_ms, st.low_ms);
	assert_int_equal(back.n_fps, 2);
	assert_true(back.fps[1].fp == st.fps[1].fp);
	assert_int_equal(back.fps[1].count, 3);
	cfl_state_free(&back);
	/* no temp file is left behind */
	assert_int_equal(cfl_state_remove_temps(path), 0);
}

static void a_first_run_state_has_a_null_cursor(void **state)
{
	cfl_state_t st = sample(), back;
	cfl_errbuf_t err;
	size_t len;
	char *s;

	st.has_cursor = 0;
	st.n_fps = 0;
	s = cfl_state_serialize(&st, &len);
	assert_non_null(strstr(s, "\"cursor\":null"));
	assert_int_equal(cfl_state_parse(s, len, &back, &err), CFL_OK);
	assert_int_equal(back.has_cursor, 0);
	cfl_state_free(&back);
	free(s);
}

static const struct {
	const char *text;
	const char *msg_part;
} corrupt[] = {
	{ "", "not valid JSON" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":1", "not valid JSON" }, /* cut off */
	{ "[]", "not a JSON object" },
	{ "{}", "no integer \"version\"" },
	{ "{\"version\":3}", "version 3 is not 1 or 2" },
	{ "{\"version\":1,\"flavor\":\"cloud\"}", "\"base_url\" or \"flavor\"" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\"}", "no \"cursor\"" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":\"x\"}", "neither null nor an integer" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5}", "\"low\" is missing" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":6}", "\"low\" is after" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4}", "no \"fingerprints\"" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4,\"fingerprints\":{}}",
	  "not an array" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4,\"fingerprints\":[[\"xyz\",5,1]]}",
	  "fingerprint 0 is not" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4,\"fingerprints\":[[\"0123456789abcdef\",5,0]]}",
	  "count >= 1" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4,\"fingerprints\":[[\"0123456789abcdef\",5,1,9]]}",
	  "fingerprint 0 is not" },
	{ "{\"version\":1,\"base_url\":\"u\",\"flavor\":\"cloud\",\"cursor\":5,\"low\":4,\"fingerprints\":[7]}",
	  "fingerprint 0 is not an array" },
};

static void untrustworthy_states_are_corrupt_with_a_reason(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		cfl_state_t st;
		cfl_errbuf_t err;
		cfl_rc_t rc = cfl_state_parse(corrupt[i].text, strlen(corrupt[i].text), &st, &err);
		if (rc != CFL_ECORRUPT || strstr(err.msg, corrupt[i].msg_part) == NULL)
			fail_msg("row %zu: rc %d \"%s\"", i, rc, err.msg);
		assert_null(st.fps);
		assert_null(st.base_url);
	}
}

static void load_names_the_file_in_its_errors(void **state)
{
	char path[512];
	cfl_state_t st;
	cfl_errbuf_t err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/broken", dir);
	f = fopen(path, "w");
	fputs("{\"version\":1,\"base_", f);
	fclose(f);
	assert_int_equal(cfl_state_load(path, &st, &err), CFL_ECORRUPT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(cfl_state_load(dir, &st, &err), CFL_EIO); /* a directory */
}

static void failed_save_keeps_the_old_state_and_no_temp_file(void **state)
{
	cfl_state_t st = sample();
	cfl_errbuf_t err;
	char path[512];

	/* the directory does not exist: nothing can be written */
	snprintf(path, sizeof(path), "%s/missing/state", dir);
	assert_int_equal(cfl_state_save(path, &st, &err), CFL_EIO);
	assert_non_null(strstr(err.msg, "cannot create"));
	/* the target is a directory: rename fails, the temp file goes away */
	snprintf(path, sizeof(path), "%s/isdir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cfl_state_save(path, &st, &err), CFL_EIO);
	assert_non_null(strstr(err.msg, "rename"));
	assert_non_null(strstr(err.msg, "previous state is kept"));
	assert_int_equal(cfl_state_remove_temps(path), 0);
}

static void temp_files_left_by_a_crash_are_removed(void **state)
{
	char path[512], tmp[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/st", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.AbC123", path);
	f = fopen(tmp, "w");
	fclose(f);
	snprintf(tmp, sizeof(tmp), "%s.tmp.not-ours-too-long", path);
	f = fopen(tmp, "w");
	fclose(f);
	assert_int_equal(cfl_state_remove_temps(path), 1);
	assert_int_equal(access(tmp, F_OK), 0);
}

static void state_files_are_private(void **state)
{
	cfl_state_t st = sample();
	cfl_errbuf_t err;
	struct stat sb;
	char path[512];

	snprintf(path, sizeof(path), "%s/private", dir);
	assert_int_equal(cfl_state_save(path, &st, &err), CFL_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(serialised_state_is_the_documented_format),
		cmocka_unit_test(state_round_trips_through_a_file),
		cmocka_unit_test(a_first_run_state_has_a_null_cursor),
		cmocka_unit_test(untrustworthy_states_are_corrupt_with_a_reason),
		cmocka_unit_test(load_names_the_file_in_its_errors),
		cmocka_unit_test(failed_save_keeps_the_old_state_and_no_temp_file),
		cmocka_unit_test(temp_files_left_by_a_crash_are_removed),
		cmocka_unit_test(state_files_are_private),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
