/* test_map_categories.c -- the categorization table (contract section 5) as
 * shipped in rulebases/confluence-categories.json, and the loader's errors:
 * a broken file must be named with the line of the offending rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_categories.h"

static const char *rulebase_dir(void)
{
	const char *d = getenv("CFL_RULEBASES");

	return d != NULL && *d != '\0' ? d : CFL_TOP_SRCDIR "/rulebases";
}

static cfl_categories_t *load_shipped(void)
{
	char path[4096];
	cfl_errbuf_t err;
	cfl_categories_t *c;

	snprintf(path, sizeof(path), "%s/confluence-categories.json", rulebase_dir());
	if (cfl_categories_load(path, &c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

/* Contract section 5, row by row. "|" separates list items. */
struct row {
	const char *action, *category, *type, *outcome;
	unsigned user_fields;
};

#define TC (CFL_UF_TARGET | CFL_UF_CHANGES)
static const struct row rows[] = {
	{ "Global permission added", "iam|configuration", "creation", NULL, 0 },
	{ "audit.logging.summary.global.permission.added", "iam|configuration", "creation", NULL, 0 },
	{ "audit.logging.summary.space.permission.added", "iam|configuration", "creation", NULL, 0 },
	{ "Global permission removed", "iam|configuration", "deletion", NULL, 0 },
	{ "User created", "iam", "user|creation", NULL, TC },
	{ "audit.logging.summary.user.created", "iam", "user|creation", NULL, TC },
	{ "User renamed", "iam", "user|change", NULL, CFL_UF_RENAMED },
	{ "audit.logging.summary.user.renamed", "iam", "user|change", NULL, CFL_UF_RENAMED },
	{ "User details updated", "iam", "user|change", NULL, TC },
	{ "audit.logging.summary.user.updated", "iam", "user|change", NULL, TC },
	{ "User deleted", "iam", "user|deletion", NULL, CFL_UF_TARGET },
	{ "audit.logging.summary.user.deleted", "iam", "user|deletion", NULL, CFL_UF_TARGET },
	{ "User added to group", "iam", "group|change", NULL, CFL_UF_MEMBERSHIP },
	{ "audit.logging.summary.group.membership.added", "iam", "group|change", NULL, CFL_UF_MEMBERSHIP },
	{ "User removed from group", "iam", "group|change", NULL, CFL_UF_MEMBERSHIP },
	{ "audit.logging.summary.group.membership.removed", "iam", "group|change", NULL, CFL_UF_MEMBERSHIP },
	{ "Group created", "iam", "group|creation", NULL, CFL_UF_GROUP },
	{ "audit.logging.summary.group.created", "iam", "group|creation", NULL, CFL_UF_GROUP },
	{ "Group deleted", "iam", "group|deletion", NULL, CFL_UF_GROUP },
	{ "audit.logging.summary.group.deleted", "iam", "group|deletion", NULL, CFL_UF_GROUP },
	{ "Audit Log configuration updated", "configuration", "change", NULL, 0 },
	{ "atlassian.audit.event.action.audit.config.updated", "configuration", "change", NULL, 0 },
	{ "audit.logging.summary.global.settings.edited", "configuration", "change", NULL, 0 },
	{ "personal.access.tokens.audit.log.summary.token.created", "iam", "admin|creation", NULL, 0 },
	{ "personal.access.tokens.audit.log.summary.token.deleted", "iam", "admin|deletion", NULL, 0 },
	{ "audit.logging.summary.login.success", "authentication", "start", "success", CFL_UF_LOGIN },
	{ "audit.logging.summary.user.logout", "authentication", "end", NULL, 0 },
	{ "audit.logging.summary.login.failed", "authentication", "info", "failure", CFL_UF_LOGIN },
	{ "audit.logging.summary.user.password.changed", "iam", "user|change", "success", CFL_UF_TARGET },
	{ "audit.logging.summary.sudo.auth.successful", "authentication", "start", NULL, 0 },
	{ "audit.logging.summary.sudo.logout", "authentication", "end", NULL, 0 },
	{ "audit.logging.summary.space.created", "configuration", "creation", NULL, 0 },
	{ "audit.logging.summary.page.created", "configuration", "creation", NULL, 0 },
	{ "audit.logging.summary.page.deleted", "configuration", "deletion", NULL, 0 },
	{ "audit.logging.summary.space.removed", "configuration", "deletion", NULL, 0 },
	{ "audit.logging.summary.space.config.updated", "configuration", "change", NULL, 0 },
};

static void join(const char *const *v, size_t n, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "", v[i]);
}

static void test_shipped_table_is_the_contract(void **state)
{
	cfl_categories_t *c = load_shipped();
	size_t i;

	(void)state;
	assert_int_equal(cfl_categories_count(c), sizeof(rows) / sizeof(rows[0]));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const cfl_category_t *r = cfl_categories_find(c, rows[i].action, strlen(rows[i].action));
		char buf[256];

		if (r == NULL)
			fail_msg("action \"%s\" is not in the table", rows[i].action);
		join(r->category, r->ncategory, buf, sizeof(buf));
		assert_string_equal(buf, rows[i].category);
		join(r->type, r->ntype, buf, sizeof(buf));
		assert_string_equal(buf, rows[i].type);
		if (rows[i].outcome == NULL)
			assert_null(r->outcome);
		else
			assert_string_equal(r->outcome, rows[i].outcome);
		if (r->user_fields != rows[i].user_fields)
			fail_msg("\"%s\": user_fields %u, want %u", rows[i].action, r->user_fields,
			         rows[i].user_fields);
	}
	cfl_categories_free(c);
}

static void test_lookup_is_exact(void **state)
{
	cfl_categories_t *c = load_shipped();

	(void)state;
	assert_null(cfl_categories_find(c, "user created", 12)); /* case matters */
	assert_null(cfl_categories_find(c, "User created ", 13));
	assert_null(cfl_categories_find(c, "User create", 11));
	assert_non_null(cfl_categories_find(c, "User createdXX", 12)); /* len is honoured */
	assert_null(cfl_categories_find(c, "", 0));
	assert_null(cfl_categories_find(NULL, "User created", 12));
	cfl_categories_free(c);
}

static void test_apply(void **state)
{
	cfl_categories_t *c = load_shipped();
	struct json_object *ev = json_object_new_object();

	(void)state;
	cfl_categories_apply(c, cfl_categories_find(c, "audit.logging.summary.login.failed", 34), ev);
	assert_string_equal(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN),
	                    "{\"category\":[\"authentication\"],\"type\":[\"info\"],\"outcome\":\"failure\"}");
	json_object_put(ev);
	ev = json_object_new_object();
	cfl_categories_apply(c, NULL, ev); /* unknown action: event.type ["info"] only */
	assert_string_equal(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN), "{\"type\":[\"info\"]}");
	/* the shared strings outlive the table: documents hold their own references */
	cfl_categories_free(c);
	assert_string_equal(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN), "{\"type\":[\"info\"]}");
	json_object_put(ev);
}

/* An operator's extension: a new action with user fields. */
static void test_operator_extension(void **state)
{
	const char *text =
	        "[\n"
	        "  {\"actions\": [\"Custom thing\"], \"category\": [\"web\"], \"type\": [\"access\"],\n"
	        "   \"outcome\": \"unknown\", \"user_fields\": [\"login\", \"group\"], \"note\": \"local\"}\n"
	        "]\n";
	cfl_errbuf_t err;
	cfl_categories_t *c;
	const cfl_category_t *r;

	(void)state;
	assert_int_equal(cfl_categories_load_string(text, strlen(text), "x.json", &c, &err), 0);
	r = cfl_categories_find(c, "Custom thing", 12);
	assert_non_null(r);
	assert_int_equal(r->user_fields, CFL_UF_LOGIN | CFL_UF_GROUP);
	assert_int_equal(r->line, 2);
	cfl_categories_free(c);
	assert_int_equal(cfl_categories_load_string("[]", 2, "empty.json", &c, &err), 0);
	assert_int_equal(cfl_categories_count(c), 0);
	cfl_categories_free(c);
}

struct bad_case {
	const char *what, *text, *error; /* error: expected message, exactly */
};

static const struct bad_case bad_cases[] = {
	{ "not an array", "{\"actions\":[]}", "bad.json:1: the file must be a JSON array of rules, starting with '['" },
	{ "empty file", "", "bad.json:1: the file must be a JSON array of rules, starting with '['" },
	{ "syntax error in the second rule",
	  "[\n {\"actions\":[\"a\"],\"type\":[\"info\"]},\n {\"actions\" [\"b\"]}\n]",
	  "bad.json:3: invalid JSON: object property name separator ':' expected" },
	{ "truncated", "[\n {\"actions\":[\"a\"],\n", "bad.json:3: unexpected end of file inside a rule" },
	{ "trailing comma", "[\n {\"actions\":[\"a\"],\"type\":[\"info\"]},\n]",
	  "bad.json:3: invalid JSON: unexpected character" },
	{ "text after the array", "[]\nx", "bad.json:2: unexpected text after the closing ']'" },
	{ "missing comma", "[{\"actions\":[\"a\"],\"type\":[\"info\"]}\n{\"actions\":[\"b\"],\"type\":[\"info\"]}]",
	  "bad.json:2: expected ',' or ']' after a rule" },
	{ "rule not an object", "[\n\"x\"\n]", "bad.json:2: each rule must be a JSON object" },
	{ "no actions", "[\n\n  {\"type\":[\"info\"]}]",
	  "bad.json:3: rule has no \"actions\" (nor \"prefixes\", \"suffixes\", \"default\": true)" },
	{ "empty actions", "[{\"actions\":[],\"type\":[\"info\"]}]",
	  "bad.json:1: \"actions\" must be a non-empty array of strings" },
	{ "action not a string", "[{\"actions\":[\"a\",1],\"type\":[\"info\"]}]",
	  "bad.json:1: \"actions\"[1] must be a non-empty string" },
	{ "unknown key (typo)", "[\n{\"actions\":[\"a\"],\"catgory\":[\"iam\"]}]",
	  "bad.json:2: unknown key \"catgory\" (allowed: actions, prefixes, suffixes, default, category, "
	  "type, outcome, user_fields, note)" },
	{ "default not a boolean", "[{\"default\":\"yes\",\"type\":[\"info\"]}]",
	  "bad.json:1: \"default\" must be true or false" },
	{ "two default rules", "[{\"default\":true,\"type\":[\"info\"]},\n{\"default\":true,\"type\":[\"end\"]}]",
	  "bad.json:2: a default rule is already given at line 1" },
	{ "empty prefix list", "[{\"prefixes\":[],\"type\":[\"info\"]}]",
	  "bad.json:1: \"prefixes\" must be a non-empty array of strings" },
	{ "not an ECS category", "[{\"actions\":[\"a\"],\"category\":[\"iam\",\"users\"]}]",
	  "bad.json:1: \"category\" value \"users\" is not allowed (use one of: api, authentication, "
	  "configuration, database, driver, email, file, host, iam, intrusion_detection, library, malware, "
	  "network, package, process, registry, session, threat, vulnerability, web)" },
	{ "not an ECS type", "[{\"actions\":[\"a\"],\"type\":[\"Creation\"]}]",
	  "bad.json:1: \"type\" value \"Creation\" is not allowed (use one of: access, admin, allowed, change, "
	  "connection, creation, deletion, denied, end, error, group, indicator, info, installation, "
	  "protocol, start, user)" },
	{ "bad outcome", "[{\"actions\":[\"a\"],\"outcome\":\"ok\"}]",
	  "bad.json:1: \"outcome\" must be one of \"failure\", \"success\", \"unknown\"" },
	{ "bad user field", "[{\"actions\":[\"a\"],\"user_fields\":[\"admin\"]}]",
	  "bad.json:1: \"user_fields\" value \"admin\" is not allowed (use one of: group, membership, "
	  "target, login, renamed, changes)" },
	{ "rule that sets nothing", "[{\"actions\":[\"a\"],\"note\":\"x\"}]",
	  "bad.json:1: rule sets nothing (give category, type, outcome or user_fields)" },
	{ "duplicate action",
	  "[\n{\"actions\":[\"a\",\"b\"],\"type\":[\"info\"]},\n\n{\"actions\":[\"c\",\"b\"],\"type\":[\"end\"]}]",
	  "bad.json:4: action \"b\" is already categorized by the rule at line 2" },
};

static void test_broken_files(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		cfl_categories_t *c = (cfl_categories_t *)&c;
		cfl_errbuf_t err = { CFL_OK, "" };

		if (cfl_categories_load_string(b->text, strlen(b->text), "bad.json", &c, &err) == 0)
			fail_msg("%s: loaded", b->what);
		assert_null(c);
		if (strcmp(err.msg, b->error) != 0)
			fail_msg("%s:\n  expected: %s\n  got:      %s", b->what, b->error, err.msg);
	}
}

/* The organization audit log's table (docs/org-audit-mapping.md section 5):
 * exact actions, then prefixes in file order, then suffixes, then default. */
static const struct row org_rows[] = {
	{ "user_login", "authentication", "info", "success", 0 },
	{ "user_logout", "authentication", "info", "success", 0 },
	{ "user_login_failed", "authentication", "info", "failure", 0 },
	{ "user_login_failed_2fa", "authentication", "info", "failure", 0 }, /* prefix before user_login */
	{ "user_login_sso", "authentication", "info", "success", 0 },
	{ "org_settings_update", "iam|configuration", "change", "success", 0 },
	{ "organization_users_viewed", "iam", "info", "success", 0 },
	{ "user_profile_updated", "iam", "user", "success", 0 },
	{ "user_invitation_sent", "iam", "user|creation", "success", 0 },
	{ "user_invited", "iam", "user|creation", "success", 0 },
	{ "user_deactivated", "iam", "user|change", "success", 0 },
	{ "user_reactivated", "iam", "user|change", "success", 0 },
	{ "user_removed_from_org", "iam", "user|deletion", "success", 0 },
	{ "marketplace_app_installed", "configuration|package", "installation", "success", 0 },
	{ "marketplace_app_uninstalled", "configuration|package", "deletion", "success", 0 },
	{ "api_token_created", "iam", "creation", "success", 0 },
	{ "api_token_revoked", "iam", "deletion", "success", 0 },
	{ "group_member_added", "iam", "group|change", "success", 0 },
	{ "confluence_added_space_permission", "configuration", "info", "success", 0 },
	{ "confluence_space_policy_update", "configuration", "info", "success", 0 }, /* prefix beats suffix */
	{ "jira_project_created", "configuration", "info", "success", 0 },
	{ "bitbucket_repo_deleted", "configuration", "info", "success", 0 },
	{ "authentication_policy_update", "iam|configuration", "change", "success", 0 },
	{ "group_created", "configuration", "info", "success", 0 }, /* default */
	{ "", "configuration", "info", "success", 0 },
};

static void test_org_table_is_the_contract(void **state)
{
	char path[4096];
	cfl_errbuf_t err;
	cfl_categories_t *c;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/atlassian-cloud-categories.json", rulebase_dir());
	if (cfl_categories_load(path, &c, &err) != 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < sizeof(org_rows) / sizeof(org_rows[0]); i++) {
		const struct row *w = &org_rows[i];
		const cfl_category_t *r = cfl_categories_find(c, w->action, strlen(w->action));
		char buf[256];

		if (r == NULL)
			fail_msg("action \"%s\": no rule", w->action);
		join(r->category, r->ncategory, buf, sizeof(buf));
		if (strcmp(buf, w->category) != 0)
			fail_msg("\"%s\": category %s, want %s", w->action, buf, w->category);
		join(r->type, r->ntype, buf, sizeof(buf));
		if (strcmp(buf, w->type) != 0)
			fail_msg("\"%s\": type %s, want %s", w->action, buf, w->type);
		assert_string_equal(r->outcome, w->outcome);
	}
	/* the length is honoured: "user_login" cut from "user_login_failed" */
	assert_string_equal(cfl_categories_find(c, "user_login_failed", 10)->outcome, "success");
	cfl_categories_free(c);
}

static void test_missing_file(void **state)
{
	cfl_categories_t *c;
	cfl_errbuf_t err;

	(void)state;
	assert_int_not_equal(cfl_categories_load("/nonexistent/cats.json", &c, &err), CFL_OK);
	assert_string_equal(err.msg, "/nonexistent/cats.json: cannot open categories file: No such file or directory");
	assert_int_not_equal(cfl_categories_load(NULL, &c, &err), CFL_OK);
	assert_string_equal(err.msg, "no categories file given (confluence-categories.json)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_table_is_the_contract),
		cmocka_unit_test(test_lookup_is_exact),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_operator_extension),
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_org_table_is_the_contract),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("cfl_categories_t", tests, NULL, NULL);
}
