/* test_poll_secret.c: password and token files (cfl_secret): the first
 * line without its line end, a file over the limit is an error, and no
 * message ever holds the secret.
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

#include "cfl_secret.h"

static char dir[] = "/tmp/cfl-secret.XXXXXX";
static char path[128];

static void write_file(const char *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/cred", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

static void the_first_line_without_line_end_and_blanks(void **state)
{
	static const char *files[] = { "s3cret", "s3cret\n", "s3cret\r\n", "s3cret \t\n", "s3cret\nsecond line\n" };
	cfl_errbuf_t err;
	char *s = NULL;
	unsigned mode;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		write_file(files[i], strlen(files[i]), 0600);
		assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_OK);
		assert_string_equal(s, "s3cret");
		assert_int_equal(mode, 0600);
	}
	write_file("x", 1, 0640);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_OK);
	assert_string_equal(s, "x"); /* the old value was replaced */
	assert_int_equal(mode, 0640);
	cfl_secret_free(&s);
	assert_null(s);
}

static void the_limit_is_exact_and_one_line_end_is_free(void **state)
{
	char *big = malloc(CFL_SECRET_MAX + 3);
	cfl_errbuf_t err;
	char *s = NULL;
	unsigned mode;

	memset(big, 'A', CFL_SECRET_MAX);
	write_file(big, CFL_SECRET_MAX, 0600);
	assert_int_equal(cfl_secret_read("passwordFile", path, &s, &mode, &err), CFL_OK);
	assert_int_equal(strlen(s), CFL_SECRET_MAX);
	big[CFL_SECRET_MAX] = '\n';
	write_file(big, CFL_SECRET_MAX + 1, 0600);
	assert_int_equal(cfl_secret_read("passwordFile", path, &s, &mode, &err), CFL_OK);
	assert_int_equal(strlen(s), CFL_SECRET_MAX);
	memcpy(big + CFL_SECRET_MAX, "\r\n", 2);
	write_file(big, CFL_SECRET_MAX + 2, 0600);
	assert_int_equal(cfl_secret_read("passwordFile", path, &s, &mode, &err), CFL_OK);
	assert_int_equal(strlen(s), CFL_SECRET_MAX);
	cfl_secret_free(&s);

	/* one byte more: an error, not a secret cut short */
	big[CFL_SECRET_MAX] = 'A';
	write_file(big, CFL_SECRET_MAX + 1, 0600);
	s = strdup("old");
	assert_int_equal(cfl_secret_read("passwordFile", path, &s, &mode, &err), CFL_ELIMIT);
	assert_non_null(strstr(err.msg, "passwordFile"));
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "larger than 8192 bytes"));
	assert_null(strstr(err.msg, "AAAA"));
	assert_string_equal(s, "old");
	cfl_secret_free(&s);
	free(big);
}

static void a_short_line_followed_by_a_big_file_is_too_big(void **state)
{
	char *big = malloc(CFL_SECRET_MAX * 2);
	cfl_errbuf_t err;
	char *s = NULL;
	unsigned mode;

	memset(big, 'B', CFL_SECRET_MAX * 2);
	memcpy(big, "topsecret\n", 10);
	write_file(big, CFL_SECRET_MAX * 2, 0600);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_ELIMIT);
	assert_null(s);
	assert_null(strstr(err.msg, "topsecret"));
	free(big);
}

static void empty_and_missing_files_are_errors(void **state)
{
	cfl_errbuf_t err;
	char *s = NULL;
	unsigned mode;

	write_file("", 0, 0600);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is empty"));
	write_file(" \t\n", 3, 0600);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is empty"));
	/* a blank first line above the secret is not "empty" */
	write_file(" \t\nsecret\n", 10, 0600);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_EINVAL);
	assert_null(strstr(err.msg, "secret\""));
	assert_null(strstr(err.msg, "empty"));
	assert_non_null(strstr(err.msg, "first line is blank"));
	assert_null(s);
	unlink(path);
	assert_int_equal(cfl_secret_read("tokenFile", path, &s, &mode, &err), CFL_ENOENT);
	assert_non_null(strstr(err.msg, "cannot read tokenFile"));
	assert_non_null(strstr(err.msg, "No such file"));
}

/* -N1's checks: what is not a regular file is refused by name, and a
 * named pipe is refused without being opened (opening it would block) */
static void only_regular_files_are_read(void **state)
{
	char sub[160], fifo[160];
	cfl_errbuf_t err;
	char *s = NULL;
	unsigned mode;

	snprintf(sub, sizeof(sub), "%s/d", dir);
	snprintf(fifo, sizeof(fifo), "%s/p", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(cfl_secret_read("passwordFile", sub, &s, &mode, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is a directory; it must name a regular file"));
	assert_int_equal(cfl_secret_read("tokenFile", fifo, &s, &mode, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is a named pipe"));
	assert_null(s);
	assert_int_equal(cfl_file_check("tls.cacert", sub, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "tls.cacert"));
	write_file("", 0, 0600);
	assert_int_equal(cfl_file_check("tls.cacert", path, &err), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is empty"));
	write_file("-----BEGIN", 10, 0600);
	assert_int_equal(cfl_file_check("tls.cacert", path, &err), CFL_OK);
	unlink(path);
	assert_int_equal(cfl_file_check("tls.cacert", path, &err), CFL_ENOENT);
	assert_non_null(strstr(err.msg, "cannot read tls.cacert"));
	rmdir(sub);
	unlink(fifo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_line_without_line_end_and_blanks),
		cmocka_unit_test(only_regular_files_are_read),
		cmocka_unit_test(the_limit_is_exact_and_one_line_end_is_free),
		cmocka_unit_test(a_short_line_followed_by_a_big_file_is_too_big),
		cmocka_unit_test(empty_and_missing_files_are_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
