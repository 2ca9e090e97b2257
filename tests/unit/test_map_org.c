/* test_map_org.c -- the organization audit log's mapper (cfl_map_org.c,
 * docs/org-audit-mapping.md) on its own: which messages are org events or
 * pages, the fields an event maps to, event.original byte for byte, every
 * malformed event as a pipeline_error document carrying the message (the
 * span-to-libfastjson readers it builds on are cfl_json_span's, tested in
 * test_map_span.c). The field-by-field behaviour on Elastic's cases is pinned by
 * tests/cases/map/org-*; this file pins what those cannot reach. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_map_org.h"
#include "cfl_json_util.h"

#define LOGIN                                                                                                 \
	"{\"type\":\"events\",\"id\":\"a1000001-0000-4000-8000-000000000001\",\"attributes\":{"               \
	"\"time\":\"2026-05-19T10:00:00.000Z\",\"processedAt\":\"2026-05-19T10:00:01.000Z\","                 \
	"\"action\":\"user_login_failed\",\"actor\":{\"id\":\"712020:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa\"," \
	"\"name\":\"Alice\",\"email\":\"alice@example.com\",\"onBehalfOf\":{\"name\":\"Alice\","              \
	"\"email\":\"ops@example.com\"}},\"location\":{\"ip\":\"198.51.100.10\",\"geo\":\"\"}},"              \
	"\"message\":{\"content\":\"Alice failed to log in\",\"format\":\"simple\"}}"

static char categories[4096];

static cfl_map_opts_t opts(int preserve)
{
	static const char *const tags[] = { "forwarded", "forwarded", "atlassian_cloud-audit" };
	const char *rb = getenv("CFL_RULEBASES");
	cfl_map_opts_t o;

	rb = rb != NULL && *rb != '\0' ? rb : CFL_TOP_SRCDIR "/rulebases";
	snprintf(categories, sizeof(categories), "%s/confluence-categories.json", rb);
	memset(&o, 0, sizeof(o));
	o.categories = categories;
	o.preserve_original = preserve;
	o.ns = "prod";
	o.tags = tags;
	o.ntags = 3;
	return o;
}

static cfl_map_org_t *new_org(int preserve)
{
	cfl_map_opts_t o = opts(preserve);
	cfl_map_org_t *org;
	cfl_errbuf_t err;

	if (cfl_map_org_new(&o, NULL, &org, &err) != CFL_OK)
		fail_msg("cfl_map_org_new: %s", err.msg);
	return org;
}

/* doc.k1.k2... (NULL-terminated keys), borrowed, or NULL */
static struct json_object *get(struct json_object *doc, ...)
{
	const char *k;
	va_list ap;

	va_start(ap, doc);
	while (doc != NULL && (k = va_arg(ap, const char *)) != NULL)
		doc = cfl_json_get(doc, k);
	va_end(ap);
	return doc;
}

static const char *text(struct json_object *v)
{
	return v == NULL ? "(nothing)" : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* Maps text through cfl_map_org_try, as cfl_map.c does. */
static cfl_map_status_t map(const cfl_map_org_t *org, const char *msg, cfl_map_result_t *res)
{
	cfl_map_input_t in;
	cfl_map_status_t st = (cfl_map_status_t)-1;

	memset(&in, 0, sizeof(in));
	in.text = msg;
	in.len = strlen(msg);
	in.input_type = "imconfluence";
	if (!cfl_map_org_try(org, &in, msg, strlen(msg), &st, res))
		fail_msg("not taken as an org message: %s", msg);
	return st;
}

static cfl_org_shape_t shape_of(const char *s)
{
	cfl_span_t root;
	cfl_errbuf_t err;

	if (cfl_jscan_document(s, strlen(s), &root, &err) != CFL_OK)
		fail_msg("not JSON: %s", s);
	return cfl_map_org_shape(root);
}

static void test_shapes(void **state)
{
	(void)state;
	assert_int_equal(shape_of(LOGIN), CFL_ORG_EVENT);
	assert_int_equal(shape_of("{\"id\":1,\"type\":\"events\",\"attributes\":{\"time\":\"x\"}}"), CFL_ORG_EVENT);
	assert_int_equal(shape_of("{\"data\":[],\"meta\":{\"next\":null}}"), CFL_ORG_PAGE);
	assert_int_equal(shape_of("{\"data\":[{}],\"links\":{}}"), CFL_ORG_PAGE);
	/* not org: a Confluence event, a near miss of each tell-tale */
	assert_int_equal(shape_of("{\"timestamp\":\"2021-01-01T00:00:00Z\",\"type\":{\"action\":\"x\"}}"),
	                 CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"type\":\"events\",\"attributes\":{\"time\":\"x\"}}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"id\":\"1\",\"type\":\"event\",\"attributes\":{\"time\":\"x\"}}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"id\":\"1\",\"type\":\"events\",\"attributes\":[]}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"id\":\"1\",\"type\":\"events\",\"attributes\":{\"actor\":{}}}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"data\":{},\"meta\":{}}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("{\"data\":[],\"meta\":{},\"id\":\"1\"}"), CFL_ORG_NONE);
	assert_int_equal(shape_of("[{\"data\":[],\"meta\":{}}]"), CFL_ORG_NONE);
}

static void test_not_taken(void **state)
{
	static const char *const msgs[] = {
		"{\"timestamp\":\"2021-01-01T00:00:00Z\",\"summary\":\"events\"}", /* says events, not org */
		"{\"type\": \"events\",\"id\":\"1\",\"attributes\":{\"time\":",    /* broken, not compact */
		"{\"creationDate\":1637624602000}",
	};
	cfl_map_org_t *org = new_org(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		cfl_map_input_t in = { msgs[i], strlen(msgs[i]), NULL, NULL, 0, 0 };
		cfl_map_result_t res;
		cfl_map_status_t st;

		memset(&res, 0, sizeof(res));
		assert_int_equal(cfl_map_org_try(org, &in, msgs[i], strlen(msgs[i]), &st, &res), 0);
		assert_null(res.doc);
	}
	assert_int_equal(cfl_map_org_try(NULL, NULL, LOGIN, strlen(LOGIN), NULL, NULL), 0);
	cfl_map_org_free(org);
}

static void test_event(void **state)
{
	cfl_map_org_t *org = new_org(0);
	cfl_map_result_t res;
	struct json_object *d;

	(void)state;
	assert_int_equal(map(org, LOGIN, &res), CFL_MAP_OK);
	d = res.doc;
	assert_int_equal(res.has_ts, 1);
	assert_int_equal(res.ts_ms, 1779184800000LL);
	assert_string_equal(text(get(d, "@timestamp", NULL)), "\"2026-05-19T10:00:00.000Z\"");
	assert_string_equal(text(get(d, "event", "created", NULL)), "\"2026-05-19T10:00:01.000Z\"");
	assert_string_equal(text(get(d, "event", "id", NULL)), "\"a1000001-0000-4000-8000-000000000001\"");
	assert_string_equal(text(get(d, "event", "kind", NULL)), "\"event\"");
	assert_string_equal(text(get(d, "event", "outcome", NULL)), "\"failure\""); /* prefix rule */
	assert_null(get(d, "event", "original", NULL));                             /* decision 1 */
	assert_string_equal(text(get(d, "user", NULL)), "{\"id\":\"712020:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa\","
	                                                "\"name\":\"Alice\",\"email\":\"alice@example.com\"}");
	/* each once, in order: user.name, user.email, on_behalf_of.name, .email */
	assert_string_equal(
	        text(get(d, "related", NULL)),
	        "{\"ip\":[\"198.51.100.10\"],\"user\":[\"Alice\",\"alice@example.com\",\"ops@example.com\"]}");
	assert_string_equal(text(get(d, "source", NULL)), "{\"ip\":\"198.51.100.10\"}"); /* no ASN db */
	assert_null(get(d, "atlassian_cloud", "audit", "location", NULL));               /* "" dropped */
	assert_string_equal(text(get(d, "tags", NULL)), "[\"forwarded\",\"atlassian_cloud-audit\"]");
	assert_string_equal(text(get(d, "data_stream", NULL)),
	                    "{\"type\":\"logs\",\"dataset\":\"atlassian_cloud.audit\",\"namespace\":\"prod\"}");
	assert_string_equal(text(get(d, "input", NULL)), "{\"type\":\"imconfluence\"}");
	assert_string_equal(text(get(d, "ecs", "version", NULL)), "\"9.3.0\"");
	json_object_put(d);
	cfl_map_org_free(org);
}

/* Decision 1: the event's text as received, not re-encoded. */
static void test_original_byte_for_byte(void **state)
{
	static const char msg[] = "{ \"type\" : \"events\", \"id\":\"x\",\"attributes\":{\"time\":"
	                          "\"2026-05-19T10:00:00Z\",\"action\":\"caf\\u00e9\",\"context\":[1.50, 1e3, -0, "
	                          "18446744073709551616]}}";
	cfl_map_org_t *org = new_org(1);
	cfl_map_result_t res;

	(void)state;
	assert_int_equal(map(org, msg, &res), CFL_MAP_OK);
	assert_string_equal(json_object_get_string(get(res.doc, "event", "original", NULL)), msg);
	assert_string_equal(text(get(res.doc, "tags", NULL)),
	                    "[\"forwarded\",\"atlassian_cloud-audit\",\"preserve_original_event\"]");
	assert_string_equal(text(get(res.doc, "event", "action", NULL)), "\"caf\xc3\xa9\"");
	assert_string_equal(text(get(res.doc, "atlassian_cloud", "audit", "context", NULL)),
	                    "[1.50,1e3,0,18446744073709551616]");
	json_object_put(res.doc);
	cfl_map_org_free(org);
}

/* Decision 4: a failure is a pipeline_error document with the message. */
#define AND_SO_ON                                                                          \
	" and so on and so on and so on and so on and so on and so on and so on and so on" \
	" and so on and so on"
static void test_malformed(void **state)
{
	static const struct {
		const char *msg, *error;
	} cases[] = {
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"action\":\"user_login\"}}",
		  "no usable timestamp: organization audit event without \"attributes.time\"" },
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"time\":\"2026-13-40T99:00:00Z\",\"action\":\"a\"}}",
		  "no usable timestamp: organization audit event's \"attributes.time\" \"2026-13-40T99:00:00Z\" is "
		  "not an ISO 8601 date-time within years 0000-9999" },
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"time\":1779184800000}}",
		  "no usable timestamp: organization audit event's \"attributes.time\" \"1779184800000\" is "
		  "not an ISO 8601 date-time within years 0000-9999" },
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"time\":\"2026-05-19T10:00:00.000Z" AND_SO_ON
		  "\"}}",
		  /* too long for a date: cut to 64 bytes in the message */
		  "no usable timestamp: organization audit event's \"attributes.time\" \"2026-05-19T10:00:00.000Z "
		  "and so on and so on and so on and so on...\" is not an ISO 8601 date-time within years 0000-9999" },
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"time\":null,\"action\":\"a\"}}",
		  "no usable timestamp: organization audit event's \"attributes.time\" \"null\" is "
		  "not an ISO 8601 date-time within years 0000-9999" },
		{ "{\"type\":\"events\",\"id\":\"1\",\"attributes\":{\"time\":",
		  "organization audit event is not valid JSON: truncated JSON: the body ends after 47 bytes, "
		  "in the middle of a value (expected a value)" },
		{ "{\"data\":[{\"id\":\"1\"}],\"meta\":{}}",
		  "the message is an organization audit API page holding 1 events (\"data\"), not one event: "
		  "split pages into one event per message before mapping" },
	};
	cfl_map_org_t *org = new_org(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfl_map_result_t res;
		struct json_object *d;

		assert_int_equal(map(org, cases[i].msg, &res), CFL_MAP_ERROR);
		d = res.doc;
		assert_int_equal(res.has_ts, 0);
		assert_string_equal(json_object_get_string(get(d, "error", "message", NULL)), cases[i].error);
		assert_string_equal(json_object_get_string(get(d, "event", "kind", NULL)), "pipeline_error");
		assert_string_equal(json_object_get_string(get(d, "event", "original", NULL)), cases[i].msg);
		assert_string_equal(json_object_get_string(get(d, "event", "dataset", NULL)), "atlassian_cloud.audit");
		assert_string_equal(json_object_get_string(get(d, "observer", "product", NULL)), "Atlassian Cloud");
		assert_null(get(d, "event", "id", NULL));
		assert_null(get(d, "@timestamp", NULL));
		json_object_put(d);
	}
	cfl_map_org_free(org);
}

static void test_empty_page(void **state)
{
	cfl_map_org_t *org = new_org(1);
	cfl_map_result_t res;

	(void)state;
	assert_int_equal(map(org, "{\"data\":[],\"links\":{},\"meta\":{\"next\":null}}", &res), CFL_MAP_EMPTY);
	assert_null(res.doc);
	cfl_map_org_free(org);
}

static void test_setup_error(void **state)
{
	cfl_map_opts_t o = opts(0);
	cfl_map_org_t *org = (cfl_map_org_t *)&org;
	cfl_errbuf_t err;
	char *saved;

	(void)state;
	o.org_categories = "/nonexistent/org.json";
	assert_int_not_equal(cfl_map_org_new(&o, NULL, &org, &err), CFL_OK);
	assert_null(org);
	assert_string_equal(err.msg, "/nonexistent/org.json: cannot open categories file: No such file or directory");
	o = opts(0);
	o.categories = "/nonexistent/confluence-categories.json"; /* the org table is looked up beside it */
	/* and then in the installed directory, $CFL_RULEBASES: one without it
	 * here, whatever this machine has installed */
	saved = getenv("CFL_RULEBASES") != NULL ? strdup(getenv("CFL_RULEBASES")) : NULL;
	setenv("CFL_RULEBASES", "/nonexistent", 1);
	assert_int_not_equal(cfl_map_org_new(&o, NULL, &org, &err), CFL_OK);
	if (saved != NULL)
		setenv("CFL_RULEBASES", saved, 1);
	else
		unsetenv("CFL_RULEBASES");
	free(saved);
	assert_string_equal(err.msg, "/nonexistent/atlassian-cloud-categories.json: cannot open categories file: "
	                             "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),      cmocka_unit_test(test_not_taken),
		cmocka_unit_test(test_event),       cmocka_unit_test(test_original_byte_for_byte),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_empty_page),
		cmocka_unit_test(test_setup_error),
	};

	return cmocka_run_group_tests_name("cfl_map_org", tests, NULL, NULL);
}
