/* test_map_lognorm.c -- the shipped rulebase (rulebases/confluence-audit.rulebase)
 * through modules/core/map/cfl_lognorm.c: user URIs, service URLs and relay
 * prefixes as tables, then rulebase files that must fail to load with a
 * message naming file and line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfl_lognorm.h"

static const char *rulebase_dir(void)
{
	const char *d = getenv("CFL_RULEBASES");

	return d != NULL && *d != '\0' ? d : CFL_TOP_SRCDIR "/rulebases";
}

static int setup(void **state)
{
	char path[4096];
	cfl_errbuf_t err;
	cfl_lognorm_t *l;

	snprintf(path, sizeof(path), "%s/confluence-audit.rulebase", rulebase_dir());
	if (cfl_lognorm_load(path, &l, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = l;
	return 0;
}

static int teardown(void **state)
{
	cfl_lognorm_free(*state);
	return 0;
}

struct uri_case {
	const char *uri, *name; /* name NULL: no user.name */
};

static const struct uri_case uri_cases[] = {
	{ "http://confluence.internal:8090/admin/users/viewuser.action?username=admin", "admin" },
	{ "/admin/users/viewuser.action?username=admin123", "admin123" },
	{ "/x?username=a.b_c-D9", "a.b_c-D9" },
	{ "/x?username=", NULL },
	{ "/x?username=j%C3%BCrgen", NULL },   /* not URL-decoded: '%' is not a name char */
	{ "/x?username=j\xc3\xbcrgen", NULL }, /* UTF-8: no match, and no crash */
	{ "/x?username=admin&x=1", NULL },     /* must END with the name */
	{ "/x?x=1&username=admin", NULL },     /* "&username=" is not "?username=" */
	{ "/x?a=1?username=bob", "bob" },
	{ "/x?username=a?username=b", "b" }, /* the last one: the URI ends with it */
	{ "/x?username=a b", NULL },
	{ "http://confluence.internal:8090/display/ASDF", NULL },
	{ "?username=x", "x" },
	{ "", NULL },
};

static void test_uri_username_table(void **state)
{
	cfl_lognorm_t *l = *state;
	size_t i;
	int round;

	/* twice: the second round answers from the per-thread memo */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
			const struct uri_case *c = &uri_cases[i];
			char out[128] = "junk";
			size_t n = cfl_lognorm_uri_username(l, c->uri, strlen(c->uri), out, sizeof(out));

			if (c->name == NULL) {
				if (n != 0)
					fail_msg("\"%s\": expected no name, got \"%s\"", c->uri, out);
			} else {
				if (n != strlen(c->name) || strcmp(out, c->name) != 0)
					fail_msg("\"%s\": expected \"%s\", got %zu \"%s\"", c->uri, c->name, n, out);
			}
		}
	}
}

/* long inputs take the heap path; names that do not fit are no names */
static void test_uri_long(void **state)
{
	cfl_lognorm_t *l = *state;
	char uri[5000], out[16];
	size_t n;

	memset(uri, 'p', sizeof(uri));
	memcpy(uri, "http://h/", 9);
	strcpy(uri + 4000, "?username=tom");
	n = cfl_lognorm_uri_username(l, uri, strlen(uri), out, sizeof(out));
	assert_int_equal(n, 3);
	assert_string_equal(out, "tom");
	strcpy(uri + 4000, "?username=averyveryverylongname");
	assert_int_equal(cfl_lognorm_uri_username(l, uri, strlen(uri), out, sizeof(out)), 0);
}

struct url_case {
	const char *url, *host;
};

static const struct url_case url_cases[] = {
	{ "http://confluence.internal:8090", "confluence.internal" },
	{ "https://wiki.example.com/confluence", "wiki.example.com" },
	{ "https://wiki.example.com", "wiki.example.com" },
	{ "http://h.example?x=1", "h.example" },
	{ "http://h.example#top", "h.example" },
	{ "http://[2001:db8::1]:8090/", "2001:db8::1" },
	{ "http://user:secret@h.example:1/", "h.example" },
	{ "http://user@h.example/", "h.example" },
	{ "http://h.example/a@b", "h.example" },
	{ "http://10.1.2.3:8090", "10.1.2.3" },
	{ "HTTP://H\xc3\xb6st.example/", "H\xc3\xb6st.example" },
	{ "confluence.internal", NULL },
	{ "http://", NULL },
	{ "http://:8090", NULL },
	{ "", NULL },
};

static void test_url_host_table(void **state)
{
	cfl_lognorm_t *l = *state;
	size_t i;
	int round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
			const struct url_case *c = &url_cases[i];
			char out[256] = "junk";
			size_t n = cfl_lognorm_url_host(l, c->url, strlen(c->url), out, sizeof(out));

			if (c->host == NULL) {
				if (n != 0)
					fail_msg("\"%s\": expected no host, got \"%s\"", c->url, out);
			} else if (n != strlen(c->host) || strcmp(out, c->host) != 0) {
				fail_msg("\"%s\": expected \"%s\", got %zu \"%s\"", c->url, c->host, n, out);
			}
		}
	}
}

struct prefix_case {
	const char *msg;
	long off; /* where the JSON part starts, -1: no rule matches */
};

static const struct prefix_case prefix_cases[] = {
	{ "@cee:{\"a\":1}", 5 },
	{ "@cee: {\"a\":1}", 5 }, /* the caller skips the blank */
	{ "confluence-audit: {\"a\":1}", 17 },
	{ "confluence-audit[4242]: {\"a\":1}", 23 },
	{ "no json, no colon", -1 },
	{ "", -1 },
};

static void test_find_json_table(void **state)
{
	cfl_lognorm_t *l = *state;
	size_t i;

	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		size_t off = 999;
		int rc = cfl_lognorm_find_json(l, prefix_cases[i].msg, strlen(prefix_cases[i].msg), &off);

		if (prefix_cases[i].off < 0) {
			if (rc == 0)
				fail_msg("\"%s\": expected no match, got offset %zu", prefix_cases[i].msg, off);
		} else if (rc != 0 || off != (size_t)prefix_cases[i].off) {
			fail_msg("\"%s\": expected offset %ld, got rc %d offset %zu", prefix_cases[i].msg,
			         prefix_cases[i].off, rc, off);
		}
	}
}

static void test_find_json_long(void **state)
{
	cfl_lognorm_t *l = *state;
	static char msg[200000];
	size_t off;

	memcpy(msg, "@cee: {\"x\":\"", 13);
	memset(msg + 13, 'a', sizeof(msg) - 16);
	memcpy(msg + sizeof(msg) - 3, "\"}", 3);
	assert_int_equal(cfl_lognorm_find_json(l, msg, strlen(msg), &off), 0);
	assert_int_equal(off, 5);
}

/* writes text to a private temp file, returns its name in path */
static void temp_rulebase(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "%s/cfl-test-rb.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

struct bad_rb {
	const char *what, *text;
	const char *error; /* expected message after "<path>" */
};

static const struct bad_rb bad_rbs[] = {
	{ "no version line", "rule=x:%a:word%\n",
	  ":1: first line must be exactly \"version=2\" (liblognorm would otherwise read the file with its v1 engine)" },
	{ "version line with a blank", "version=2 \nrule=x:%a:word%\n",
	  ":1: first line must be exactly \"version=2\" (liblognorm would otherwise read the file with its v1 engine)" },
	{ "unknown field type", "version=2\nprefix=url|\n\nrule=host:%host:nosuchtype%\n",
	  ":4: invalid field type 'nosuchtype'" },
	{ "rules missing", "version=2\nprefix=msg|\nrule=json,cee:@cee:%json:rest%\n",
	  ": rulebase self-test failed: the url| rules do not give host \"h.example\" for \"http://h.example:8090/x\"" },
	{ "uri rules missing",
	  "version=2\nprefix=url|\nrule=host:%-:char-to{\"extradata\":\":\"}%://%host:char-sep{\"extradata\":\":/?#@\"}%%-:rest%\n",
	  ": rulebase self-test failed: the uri| rules do not give username \"ab\" for \"/u/view.action?username=ab\"" },
};

static void test_broken_rulebases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_rbs) / sizeof(bad_rbs[0]); i++) {
		char path[512], want[1024];
		cfl_errbuf_t err = { CFL_OK, "" };
		cfl_lognorm_t *l = (cfl_lognorm_t *)&l;

		temp_rulebase(path, sizeof(path), bad_rbs[i].text);
		if (cfl_lognorm_load(path, &l, &err) == 0)
			fail_msg("%s: loaded", bad_rbs[i].what);
		unlink(path);
		assert_null(l);
		snprintf(want, sizeof(want), "%s%s", path, bad_rbs[i].error);
		if (strcmp(err.msg, want) != 0)
			fail_msg("%s:\n  expected: %s\n  got:      %s", bad_rbs[i].what, want, err.msg);
	}
}

static void test_missing_rulebase(void **state)
{
	cfl_lognorm_t *l;
	cfl_errbuf_t err;

	(void)state;
	assert_int_not_equal(cfl_lognorm_load("/nonexistent/x.rulebase", &l, &err), CFL_OK);
	assert_string_equal(err.msg, "/nonexistent/x.rulebase: cannot open rulebase: No such file or directory");
	assert_int_not_equal(cfl_lognorm_load("", &l, &err), CFL_OK);
	assert_string_equal(err.msg, "no rulebase given (confluence-audit.rulebase)");
}

/* Two loaded rulebases with different rules do not see each other's memo. */
static void test_memo_is_per_rulebase(void **state)
{
	cfl_lognorm_t *shipped = *state, *other;
	char path[512], out[64];
	cfl_errbuf_t err;

	temp_rulebase(
	        path, sizeof(path),
	        "version=2\n"
	        "prefix=uri|\n"
	        "rule=username:%-:string-to{\"extradata\":\"?username=\"}%?username=%username:rest%\n"
	        "rule=username,alt:%-:string-to{\"extradata\":\"?user=\"}%?user=%username:rest%\n"
	        "prefix=url|\n"
	        "rule=host:%-:char-to{\"extradata\":\":\"}%://%host:char-sep{\"extradata\":\":/?#@\"}%%-:rest%\n");
	assert_int_equal(cfl_lognorm_load(path, &other, &err), 0);
	unlink(path);
	assert_int_equal(cfl_lognorm_uri_username(shipped, "/v?user=zed", 11, out, sizeof(out)), 0);
	assert_int_equal(cfl_lognorm_uri_username(other, "/v?user=zed", 11, out, sizeof(out)), 3);
	assert_string_equal(out, "zed");
	assert_int_equal(cfl_lognorm_uri_username(shipped, "/v?user=zed", 11, out, sizeof(out)), 0);
	cfl_lognorm_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_username_table), cmocka_unit_test(test_uri_long),
		cmocka_unit_test(test_url_host_table),     cmocka_unit_test(test_find_json_table),
		cmocka_unit_test(test_find_json_long),     cmocka_unit_test(test_broken_rulebases),
		cmocka_unit_test(test_missing_rulebase),   cmocka_unit_test(test_memo_is_per_rulebase),
	};

	return cmocka_run_group_tests_name("cfl_lognorm_t", tests, setup, teardown);
}
