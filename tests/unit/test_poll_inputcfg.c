/* test_poll_inputcfg.c: what imconfluence checks about one input()
 * (cfl_inputcfg): credentials that contradict each other, the Data Center
 * overlap warning, the host name, the state file's path and whether a
 * state file belongs to the input.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_inputcfg.h"

static cfl_inputcfg_t base_cfg(void)
{
	cfl_inputcfg_t c;

	memset(&c, 0, sizeof(c));
	c.flavor = CFL_FLAVOR_DC;
	c.overlap = 60;
	c.polling_interval = 60;
	c.page_size = 1000;
	return c;
}

static void contradicting_credentials_are_errors(void **state)
{
	cfl_errbuf_t err, info, warn;
	cfl_inputcfg_t c = base_cfg();

	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_string_equal(info.msg, "");
	assert_string_equal(warn.msg, "");
	c.username = c.password = c.password_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "either password or passwordFile"));
	c = base_cfg();
	c.token = c.token_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	c = base_cfg();
	c.password_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_string_equal(err.msg, "password(File) needs username");
	c.username = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_string_equal(info.msg, "");
	/* a username alone would send an empty password on every request */
	c = base_cfg();
	c.username = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "username needs passwordFile (or password)"));
	c.token_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
}

static void a_token_with_a_username_is_noted(void **state)
{
	cfl_errbuf_t err, info, warn;
	cfl_inputcfg_t c = base_cfg();

	c.token_file = c.username = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_non_null(strstr(info.msg, "the token (Bearer) is used"));
	assert_string_equal(warn.msg, "");
}

static void a_large_data_center_overlap_is_warned_about(void **state)
{
	cfl_errbuf_t err, info, warn;
	cfl_inputcfg_t c = base_cfg();

	c.overlap = 10;
	c.polling_interval = 1;
	c.page_size = 20; /* 2 * 10 >= 1 * 20 */
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_non_null(strstr(warn.msg, "overlap=10 s is large for pollingInterval=1 s and pageSize=20"));
	c.page_size = 21;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_string_equal(warn.msg, "");
	c.page_size = 20;
	c.flavor = CFL_FLAVOR_CLOUD; /* Cloud searches write no audit event */
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_string_equal(warn.msg, "");
	/* the largest values do not overflow */
	c.flavor = CFL_FLAVOR_DC;
	c.overlap = 86400;
	c.polling_interval = 604800;
	c.page_size = 10000;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	assert_string_equal(warn.msg, "");
}

static void hosts_lose_their_ipv6_brackets(void **state)
{
	char h[64];

	cfl_inputcfg_host("[::1]", h, sizeof(h));
	assert_string_equal(h, "::1");
	cfl_inputcfg_host("wiki.example.com", h, sizeof(h));
	assert_string_equal(h, "wiki.example.com");
	cfl_inputcfg_host("[", h, sizeof(h));
	assert_string_equal(h, "[");
}

static void state_paths(void **state)
{
	cfl_errbuf_t err;
	char *p = NULL, *q = NULL;

	assert_int_equal(cfl_inputcfg_state_path("/var/x.state", NULL, "h", "https://h/", "cloud", NULL, &p, &err),
	                 CFL_OK);
	assert_string_equal(p, "/var/x.state");
	free(p);
	assert_int_equal(cfl_inputcfg_state_path("x.state", "/w", "h", "https://h/", "cloud", NULL, &p, &err), CFL_OK);
	assert_string_equal(p, "/w/x.state");
	free(p);
	assert_int_equal(cfl_inputcfg_state_path("x.state", "", "h", "https://h/", "cloud", NULL, &p, &err),
	                 CFL_EINVAL);
	assert_non_null(strstr(err.msg, "no global(workDirectory=...) is set"));
	assert_null(p);
	assert_int_equal(cfl_inputcfg_state_path(NULL, NULL, "h", "https://h/", "cloud", NULL, &p, &err), CFL_EINVAL);

	/* the default: host, then a hash of url and flavor; unsafe characters become '_' */
	assert_int_equal(cfl_inputcfg_state_path(NULL, "/w", "::1", "http://[::1]:8080/", "datacenter", NULL, &p, &err),
	                 CFL_OK);
	assert_int_equal(strncmp(p, "/w/imconfluence-__1-", 20), 0);
	assert_int_equal(strlen(p), strlen("/w/imconfluence-__1-0123456789abcdef.state"));
	assert_string_equal(p + strlen(p) - 6, ".state");
	assert_int_equal(cfl_inputcfg_state_path(NULL, "/w", "::1", "http://[::1]:8080/", "cloud", NULL, &q, &err),
	                 CFL_OK);
	assert_string_not_equal(p, q); /* another flavor, another file */
	free(q);
	assert_int_equal(cfl_inputcfg_state_path(NULL, "/w", "::1", "http://[::1]:8080/", "datacenter", NULL, &q, &err),
	                 CFL_OK);
	assert_string_equal(p, q); /* stable */
	free(q);
	/* "confluence" keeps the name every existing configuration has */
	assert_int_equal(
	        cfl_inputcfg_state_path(NULL, "/w", "::1", "http://[::1]:8080/", "datacenter", "confluence", &q, &err),
	        CFL_OK);
	assert_string_equal(p, q);
	free(q);
	/* another product names itself, in another file */
	assert_int_equal(
	        cfl_inputcfg_state_path(NULL, "/w", "::1", "http://[::1]:8080/", "datacenter", "jira", &q, &err),
	        CFL_OK);
	assert_int_equal(strncmp(q, "/w/imconfluence-__1-jira-", 25), 0);
	assert_int_equal(strlen(q), strlen("/w/imconfluence-__1-jira-0123456789abcdef.state"));
	assert_string_not_equal(p + 20, q + 25); /* and another hash */
	free(p);
	free(q);
}

/* Bitbucket Cloud has no audit API: its events are in the organization log. */
static void bitbucket_cloud_is_refused(void **state)
{
	cfl_inputcfg_t c;
	cfl_errbuf_t err, info, warn;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.username = c.password = 1;
	c.overlap = 60;
	c.polling_interval = 60;
	c.page_size = 1000;
	c.product = CFL_PRODUCT_BITBUCKET;
	c.flavor = CFL_FLAVOR_CLOUD;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_string_equal(err.msg, "Bitbucket Cloud has no audit API; use flavor=\"organization\"");
	c.flavor = CFL_FLAVOR_DC;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	c.product = CFL_PRODUCT_JIRA;
	c.flavor = CFL_FLAVOR_JIRA_CLOUD;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
}

static void state_files_of_another_url_or_flavor_are_foreign(void **state)
{
	char why[256];

	assert_int_equal(
	        cfl_inputcfg_state_foreign("/w/s", "https://a/", "cloud", "https://a/", "cloud", why, sizeof(why)), 0);
	assert_int_equal(
	        cfl_inputcfg_state_foreign("/w/s", "https://b/", "cloud", "https://a/", "cloud", why, sizeof(why)), 1);
	assert_string_equal(why, "state file /w/s belongs to another url (https://b/)");
	assert_int_equal(
	        cfl_inputcfg_state_foreign("/w/s", "https://a/", "datacenter", "https://a/", "cloud", why, sizeof(why)),
	        1);
	assert_string_equal(why, "state file /w/s belongs to another flavor (datacenter)");
}

static void organization_needs_an_org_id_and_an_api_key(void **state)
{
	cfl_errbuf_t err, info, warn;
	cfl_inputcfg_t c = base_cfg();
	char *u;

	c.flavor = CFL_FLAVOR_ORG;
	c.token_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "needs orgId"));
	c.org_id = "../../x";
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "is not an organization id"));
	c.org_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_OK);
	c.token_file = 0;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "API key in tokenFile"));
	c.token_file = c.username = c.password_file = 1;
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "not username/password"));
	/* orgId on a Confluence input is a mistake */
	c = base_cfg();
	c.org_id = "0f1e";
	assert_int_equal(cfl_inputcfg_check(&c, &err, &info, &warn), CFL_EINVAL);
	assert_non_null(strstr(err.msg, "orgId applies to flavor=\"organization\" only"));
	/* the state belongs to base + org: two orgs, two state files */
	assert_int_equal(cfl_inputcfg_state_url("https://api.atlassian.com/", CFL_FLAVOR_ORG, "0f1e", &u), CFL_OK);
	assert_string_equal(u, "https://api.atlassian.com/admin/v1/orgs/0f1e");
	free(u);
	assert_int_equal(cfl_inputcfg_state_url("http://127.0.0.1:80", CFL_FLAVOR_ORG, "0f1e", &u), CFL_OK);
	assert_string_equal(u, "http://127.0.0.1:80/admin/v1/orgs/0f1e");
	free(u);
	assert_int_equal(cfl_inputcfg_state_url("https://x.atlassian.net/", CFL_FLAVOR_CLOUD, NULL, &u), CFL_OK);
	assert_string_equal(u, "https://x.atlassian.net/");
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contradicting_credentials_are_errors),
		cmocka_unit_test(a_token_with_a_username_is_noted),
		cmocka_unit_test(a_large_data_center_overlap_is_warned_about),
		cmocka_unit_test(hosts_lose_their_ipv6_brackets),
		cmocka_unit_test(state_paths),
		cmocka_unit_test(bitbucket_cloud_is_refused),
		cmocka_unit_test(state_files_of_another_url_or_flavor_are_foreign),
		cmocka_unit_test(organization_needs_an_org_id_and_an_api_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
