/* test_map_api.c -- the public API of the mapping core (modules/core/map/cfl_map.h)
 * as mmconfluence uses it: set-up errors, the three statuses, what the
 * arrival metadata (input, log) and the options add, the pipeline_error
 * document's exact shape, and one mapper shared by several threads. What a
 * given event maps to is specified by tests/cases/map/ and the golden files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfl_map.h"
#include "cfl_json_util.h"

#define EVENT                                                                                       \
	"{\"timestamp\":{\"epochSecond\":1637624602,\"nano\":54000000},\"source\":\"81.2.69.143\"," \
	"\"auditType\":{\"actionI18nKey\":\"audit.logging.summary.user.deleted\"}}"

static char rulebase[4096], categories[4096], city[4096], asn[4096], fixtures[4096];

static void find_files(void)
{
	const char *rb = getenv("CFL_RULEBASES"), *fx = getenv("CFL_FIXTURES");

	rb = rb != NULL && *rb != '\0' ? rb : CFL_TOP_SRCDIR "/rulebases";
	fx = fx != NULL && *fx != '\0' ? fx : CFL_TOP_SRCDIR "/tests/fixtures";
	snprintf(rulebase, sizeof(rulebase), "%s/confluence-audit.rulebase", rb);
	snprintf(categories, sizeof(categories), "%s/confluence-categories.json", rb);
	snprintf(city, sizeof(city), "%s/geoip/GeoIP2-City-Test.mmdb", fx);
	snprintf(asn, sizeof(asn), "%s/geoip/GeoLite2-ASN-Test.mmdb", fx);
	snprintf(fixtures, sizeof(fixtures), "%s/elastic-confluence", fx);
}

static cfl_map_opts_t base_opts(void)
{
	cfl_map_opts_t o;

	memset(&o, 0, sizeof(o));
	o.rulebase = rulebase;
	o.categories = categories;
	return o;
}

static cfl_mapper_t *new_mapper(const cfl_map_opts_t *o)
{
	cfl_mapper_t *m;
	cfl_errbuf_t err;

	if (cfl_mapper_new(o, &m, &err) != 0)
		fail_msg("cfl_mapper_new: %s", err.msg);
	return m;
}

static cfl_map_status_t map_text(const cfl_mapper_t *m, const char *text, cfl_map_result_t *res)
{
	cfl_map_input_t in;

	memset(&in, 0, sizeof(in));
	in.text = text;
	in.len = strlen(text);
	return cfl_map_event(m, &in, res);
}

/* doc at a dotted path, or NULL */
static struct json_object *at(struct json_object *doc, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part != NULL && doc != NULL; part = strtok_r(NULL, ".", &save)) {
		if (!json_object_object_get_ex(doc, part, &doc))
			return NULL;
	}
	return doc;
}

static const char *str_at(struct json_object *doc, const char *path)
{
	struct json_object *v = at(doc, path);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void assert_str_at(struct json_object *doc, const char *path, const char *want)
{
	const char *got = str_at(doc, path);

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: expected \"%s\", got %s in %s", path, want, got ? got : "(nothing)",
		         json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
}

static void assert_json_at(struct json_object *doc, const char *path, const char *want)
{
	struct json_object *v = at(doc, path);
	const char *got = v != NULL ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "(nothing)";

	if (strcmp(got, want) != 0)
		fail_msg("%s: expected %s, got %s", path, want, got);
}

/* doc equals want_text as JSON (member order free), or fail showing both */
static void assert_doc(struct json_object *doc, const char *want_text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *want = json_tokener_parse_ex(tok, want_text, (int)strlen(want_text));

	json_tokener_free(tok);
	if (want == NULL)
		fail_msg("expected text is not JSON: %s", want_text);
	if (!cfl_json_equal(doc, want))
		fail_msg("expected %s\n got      %s", want_text,
		         json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
}

static void test_setup_errors(void **state)
{
	char bad_cats[512];
	cfl_errbuf_t err;
	cfl_map_opts_t o;
	cfl_mapper_t *m = (cfl_mapper_t *)&m;
	FILE *f;
	int fd;

	(void)state;
	o = base_opts();
	o.rulebase = "/nonexistent/a.rulebase";
	assert_int_not_equal(cfl_mapper_new(&o, &m, &err), CFL_OK);
	assert_null(m);
	assert_string_equal(err.msg, "/nonexistent/a.rulebase: cannot open rulebase: No such file or directory");

	snprintf(bad_cats, sizeof(bad_cats), "%s/cfl-test-cats.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(bad_cats);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[\n  {\"actions\": [\"x\"], \"type\": [\"info\"]},\n  {\"actions\": [\"y\"], \"type\": \"info\"}\n]\n",
	      f);
	fclose(f);
	o = base_opts();
	o.categories = bad_cats;
	assert_int_not_equal(cfl_mapper_new(&o, &m, &err), CFL_OK);
	unlink(bad_cats);
	{
		char want[1024];

		snprintf(want, sizeof(want), "%s:3: \"type\" must be a non-empty array of strings", bad_cats);
		assert_string_equal(err.msg, want);
	}

	o = base_opts();
	o.geoip_city = "/nonexistent/city.mmdb";
	assert_int_not_equal(cfl_mapper_new(&o, &m, &err), CFL_OK);
	assert_string_equal(err.msg, "/nonexistent/city.mmdb: cannot open GeoIP City database: "
	                             "Error opening the specified MaxMind DB file");

	o = base_opts();
	o.categories = NULL;
	assert_int_not_equal(cfl_mapper_new(&o, &m, &err), CFL_OK);
	assert_string_equal(err.msg, "no categories file given (confluence-categories.json)");
	cfl_mapper_free(NULL);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(cfl_map_status_name(CFL_MAP_OK), "ok");
	assert_string_equal(cfl_map_status_name(CFL_MAP_EMPTY), "empty");
	assert_string_equal(cfl_map_status_name(CFL_MAP_ERROR), "error");
}

/* Empty API pages are not events: EMPTY, no document, no time. */
static void test_empty_envelopes(void **state)
{
	static const char *const pages[] = {
		"{\"entities\":[],\"pagingInfo\":{\"lastPage\":true,\"size\":0}}",
		"{\"results\":[],\"start\":2,\"limit\":2,\"size\":37,\"_links\":{}}",
		"  {\"entities\" : [ ] }  ",
		"@cee: {\"results\":[]}",
		/* Jira Cloud's, paged past total (Elastic's test-audit-empty.log) */
		"{\"limit\":1000,\"offset\":9001,\"records\":[],\"total\":144}",
	};
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		cfl_map_result_t res;

		res.doc = (struct json_object *)&res;
		res.has_ts = 1;
		assert_int_equal(map_text(m, pages[i], &res), CFL_MAP_EMPTY);
		assert_null(res.doc);
		assert_int_equal(res.has_ts, 0);
	}
	cfl_mapper_free(m);
}

static void test_ok_result(void **state)
{
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	cfl_map_result_t res;

	(void)state;
	assert_int_equal(map_text(m, EVENT, &res), CFL_MAP_OK);
	assert_int_equal(res.has_ts, 1);
	assert_true(res.ts_ms == 1637624602054LL); /* setTimestamp gets the .054 too */
	assert_str_at(res.doc, "@timestamp", "2021-11-22T23:43:22.054Z");
	assert_str_at(res.doc, "ecs.version", "8.11.0");
	assert_str_at(res.doc, "event.kind", "event");
	assert_str_at(res.doc, "event.dataset", "atlassian_confluence.audit");
	assert_str_at(res.doc, "event.module", "atlassian_confluence");
	assert_json_at(res.doc, "data_stream",
	               "{\"type\":\"logs\",\"dataset\":\"atlassian_confluence.audit\",\"namespace\":\"default\"}");
	assert_null(at(res.doc, "event.original")); /* preserve_original is off */
	assert_null(at(res.doc, "event.id"));
	assert_null(at(res.doc, "tags"));
	assert_null(at(res.doc, "input"));
	assert_null(at(res.doc, "log"));
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* input.type and log.* come from the caller (rsyslog's $inputname, imfile metadata) */
static void test_arrival_fields(void **state)
{
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	cfl_map_input_t in;
	cfl_map_result_t res;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.text = EVENT;
	in.len = strlen(EVENT);
	in.input_type = "imfile";
	in.file_path = "/var/atlassian/confluence/log/audit/20211122-00000.audit.log";
	in.file_offset = 4242;
	in.has_offset = 1;
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_json_at(res.doc, "input", "{\"type\":\"imfile\"}");
	assert_json_at(res.doc, "log",
	               "{\"file\":{\"path\":\"\\/var\\/atlassian\\/confluence\\/log\\/audit\\/"
	               "20211122-00000.audit.log\"},\"offset\":4242}");
	json_object_put(res.doc);
	/* the same on an error document */
	in.text = "not json";
	in.len = 8;
	in.has_offset = 0;
	in.file_path = "";
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_ERROR);
	assert_json_at(res.doc, "input", "{\"type\":\"imfile\"}");
	assert_null(at(res.doc, "log"));
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* A Cloud event (Confluence's or Jira's) names no site: imconfluence's site
 * becomes service.address and its host related.hosts; a DC event keeps its
 * own system. */
static void test_cloud_site(void **state)
{
	static const char cloud[] = "{\"creationDate\":1637624602054,\"summary\":\"User created\","
	                            "\"remoteAddress\":\"192.0.2.1\"}";
	static const char dc[] = "{\"timestamp\":\"2021-11-22T23:43:22.054Z\",\"system\":\"http://dc.example:8090\","
	                         "\"auditType\":{\"actionI18nKey\":\"audit.logging.summary.user.deleted\"}}";
	static const char jira[] = "{\"id\":11932,\"summary\":\"Workflow updated\",\"remoteAddress\":\"192.0.2.1\","
	                           "\"created\":\"2022-01-06T09:49:07.418+0000\",\"category\":\"workflows\"}";
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	cfl_map_input_t in;
	cfl_map_result_t res;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.text = cloud;
	in.len = strlen(cloud);
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_null(at(res.doc, "service"));
	assert_null(at(res.doc, "related.hosts"));
	json_object_put(res.doc);
	in.site = "https://a.atlassian.net";
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_str_at(res.doc, "service.address", "https://a.atlassian.net");
	assert_json_at(res.doc, "related.hosts", "[\"a.atlassian.net\"]");
	json_object_put(res.doc);
	in.site = "https://api.atlassian.com/ex/confluence/0b1c";
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_str_at(res.doc, "service.address", "https://api.atlassian.com/ex/confluence/0b1c");
	assert_json_at(res.doc, "related.hosts", "[\"api.atlassian.com\"]");
	json_object_put(res.doc);
	in.text = dc;
	in.len = strlen(dc);
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_str_at(res.doc, "service.address", "http://dc.example:8090");
	assert_json_at(res.doc, "related.hosts", "[\"dc.example\"]");
	json_object_put(res.doc);
	/* a Jira Cloud record names no site either (jira-bitbucket-mapping.md, decision 13) */
	in.text = jira;
	in.len = strlen(jira);
	in.site = "https://a.atlassian.net";
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	assert_str_at(res.doc, "service.address", "https://a.atlassian.net");
	assert_json_at(res.doc, "related", "{\"ip\":[\"192.0.2.1\"],\"hosts\":[\"a.atlassian.net\"]}");
	assert_str_at(res.doc, "event.dataset", "atlassian_jira.audit");
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* Contract section 6: exactly these members, whatever the options. */
static void test_error_document_shape(void **state)
{
	static const char *const tags[] = { "confluence-audit" };
	cfl_map_opts_t o = base_opts();
	cfl_map_input_t in;
	cfl_map_result_t res;
	cfl_mapper_t *m;

	(void)state;
	o.ns = "prod";
	o.tags = tags;
	o.ntags = 1;
	o.event_id = 1;
	o.geoip_city = city;
	m = new_mapper(&o);
	memset(&in, 0, sizeof(in));
	in.text = "{\"source\":\"81.2.69.143\",\"type\":{\"actionI18nKey\":\"x\"}}";
	in.len = strlen(in.text);
	in.input_type = "imtcp";
	in.received_ms = INT64_C(1700000000123); /* when rsyslog received it */
	in.has_received = 1;
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_ERROR);
	assert_int_equal(res.has_ts, 0);
	assert_doc(
	        res.doc,
	        "{\"@timestamp\":\"2023-11-14T22:13:20.123Z\",\"event\":{\"kind\":\"pipeline_error\",\"original\":\"{\\\"source\\\":\\\"81.2.69.143\\\","
	        "\\\"type\\\":{\\\"actionI18nKey\\\":\\\"x\\\"}}\",\"dataset\":\"atlassian_confluence.audit\","
	        "\"module\":\"atlassian_confluence\"},\"ecs\":{\"version\":\"8.11.0\"},\"tags\":[\"confluence-audit\"],"
	        "\"data_stream\":{\"type\":\"logs\",\"dataset\":\"atlassian_confluence.audit\",\"namespace\":\"prod\"},"
	        "\"input\":{\"type\":\"imtcp\"},\"error\":{\"message\":\"no usable timestamp: no \\\"timestamp\\\" "
	        "(Data Center) or \\\"creationDate\\\" (Cloud) member\"}}");
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* The whole message, prefix and all, is event.original of an error. */
static void test_error_keeps_whole_message(void **state)
{
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	cfl_map_result_t res;
	const char *msg = "confluence-audit: {\"timestamp\":\"yesterday\"}";

	(void)state;
	assert_int_equal(map_text(m, msg, &res), CFL_MAP_ERROR);
	assert_str_at(res.doc, "event.original", msg);
	assert_str_at(res.doc, "error.message",
	              "no usable timestamp: \"yesterday\" is not an ISO 8601 "
	              "date-time within years 0000-9999");
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

static void test_tags_and_namespace(void **state)
{
	static const char *const tags[] = { "b", "a", "b", "", "preserve_original_event", "c" };
	cfl_map_opts_t o = base_opts();
	cfl_map_result_t res;
	cfl_mapper_t *m;

	(void)state;
	o.tags = tags;
	o.ntags = 6;
	o.preserve_original = 1;
	o.ns = ""; /* empty means default */
	m = new_mapper(&o);
	assert_int_equal(map_text(m, EVENT, &res), CFL_MAP_OK);
	/* configured order, each once, empty ones dropped, the preserve tag once */
	assert_json_at(res.doc, "tags", "[\"b\",\"a\",\"preserve_original_event\",\"c\"]");
	assert_str_at(res.doc, "data_stream.namespace", "default");
	assert_str_at(res.doc, "event.original", EVENT);
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* event.id: XXH3-128 of the event's JSON text, 32 hex digits, the same for
 * the same text wherever it came from (a relay prefix is not part of it). */
static void test_event_id(void **state)
{
	cfl_map_opts_t o = base_opts();
	cfl_map_result_t a, b, c;
	cfl_mapper_t *m;
	const char *id;
	size_t i;

	(void)state;
	o.event_id = 1;
	m = new_mapper(&o);
	assert_int_equal(map_text(m, EVENT, &a), CFL_MAP_OK);
	assert_int_equal(map_text(m, "@cee: " EVENT, &b), CFL_MAP_OK);
	assert_int_equal(map_text(m, "{\"timestamp\":\"2021-11-23T00:44:36.398Z\"}", &c), CFL_MAP_OK);
	id = str_at(a.doc, "event.id");
	assert_non_null(id);
	assert_int_equal(strlen(id), 32);
	for (i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789abcdef", id[i]));
	assert_string_equal(id, str_at(b.doc, "event.id"));
	assert_string_not_equal(id, str_at(c.doc, "event.id"));
	/* pinned (from `printf %s TEXT | xxhsum -H2`), so a change of hash or of
	 * hashed text cannot go unnoticed */
	assert_string_equal(str_at(c.doc, "event.id"), "476b2c5aa0eb2b9fa55bd3128241e8b0");
	json_object_put(a.doc);
	json_object_put(b.doc);
	json_object_put(c.doc);
	cfl_mapper_free(m);
}

/* The text is read up to len only: no NUL terminator needed. */
static void test_text_is_not_nul_terminated(void **state)
{
	cfl_map_opts_t o = base_opts();
	cfl_mapper_t *m = new_mapper(&o);
	cfl_map_input_t in;
	cfl_map_result_t res;
	char buf[sizeof(EVENT) + 16];

	(void)state;
	memcpy(buf, EVENT, strlen(EVENT));
	memcpy(buf + strlen(EVENT), "}}}garbage!!!!!!", 16);
	memset(&in, 0, sizeof(in));
	in.text = buf;
	in.len = strlen(EVENT);
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_OK);
	json_object_put(res.doc);
	in.len = 0;
	assert_int_equal(cfl_map_event(m, &in, &res), CFL_MAP_ERROR);
	assert_str_at(res.doc, "error.message", "empty message: no JSON audit event in it");
	assert_str_at(res.doc, "event.original", "");
	json_object_put(res.doc);
	cfl_mapper_free(m);
}

/* ---- one mapper, several threads ------------------------------------- */

#define MAX_LINES 400
struct corpus {
	char *line[MAX_LINES];
	char *want[MAX_LINES]; /* single-threaded output */
	int n;
	const cfl_mapper_t *m;
	int bad;
};

static void read_lines(struct corpus *c, const char *file)
{
	char path[4200], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixtures, file);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	while ((len = getline(&line, &cap, f)) > 0 && c->n < MAX_LINES) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0)
			c->line[c->n++] = strdup(line);
	}
	free(line);
	fclose(f);
}

static char *map_to_string(const cfl_mapper_t *m, const char *text)
{
	cfl_map_result_t res;
	char *s;

	if (map_text(m, text, &res) == CFL_MAP_EMPTY)
		return strdup("");
	s = strdup(json_object_to_json_string_ext(res.doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(res.doc);
	return s;
}

static void *worker(void *arg)
{
	struct corpus *c = arg;
	/* each thread starts elsewhere, so threads really overlap */
	unsigned seed = (unsigned)(((uintptr_t)pthread_self() >> 12) % 97);
	unsigned round, i;

	for (round = 0; round < 5; round++) {
		for (i = 0; i < (unsigned)c->n; i++) {
			unsigned k = (i + round * 37 + seed) % (unsigned)c->n;
			char *got = map_to_string(c->m, c->line[k]);

			if (strcmp(got, c->want[k]) != 0)
				__atomic_store_n(&c->bad, (int)k + 1, __ATOMIC_RELAXED);
			free(got);
		}
	}
	return NULL;
}

static void test_threads_share_one_mapper(void **state)
{
	cfl_map_opts_t o = base_opts();
	struct corpus c;
	pthread_t t[4];
	cfl_mapper_t *m;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	o.geoip_city = city;
	o.geoip_asn = asn;
	o.preserve_original = 1;
	o.event_id = 1;
	m = new_mapper(&o);
	c.m = m;
	read_lines(&c, "test-audit-files.log");
	read_lines(&c, "test-audit-api.log");
	read_lines(&c, "test-audit-cloud.log");
	read_lines(&c, "test-audit-api-empty.log");
	assert_true(c.n > 200);
	for (i = 0; i < c.n; i++)
		c.want[i] = map_to_string(m, c.line[i]);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &c), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (c.bad)
		fail_msg("line %d mapped differently in a thread", c.bad);
	for (i = 0; i < c.n; i++) {
		free(c.line[i]);
		free(c.want[i]);
	}
	cfl_mapper_free(m);
}

/* A document outlives its mapper (it holds its own references). */
static void test_doc_outlives_mapper(void **state)
{
	static const char *const tags[] = { "t" };
	cfl_map_opts_t o = base_opts();
	cfl_map_result_t res;
	cfl_mapper_t *m;

	(void)state;
	o.tags = tags;
	o.ntags = 1;
	m = new_mapper(&o);
	assert_int_equal(map_text(m, EVENT, &res), CFL_MAP_OK);
	cfl_mapper_free(m);
	assert_json_at(res.doc, "event.type", "[\"user\",\"deletion\"]");
	assert_json_at(res.doc, "tags", "[\"t\"]");
	assert_str_at(res.doc, "ecs.version", "8.11.0");
	json_object_put(res.doc);
}

static int group_setup(void **state)
{
	(void)state;
	find_files();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_empty_envelopes),
		cmocka_unit_test(test_ok_result),
		cmocka_unit_test(test_arrival_fields),
		cmocka_unit_test(test_cloud_site),
		cmocka_unit_test(test_error_document_shape),
		cmocka_unit_test(test_error_keeps_whole_message),
		cmocka_unit_test(test_tags_and_namespace),
		cmocka_unit_test(test_event_id),
		cmocka_unit_test(test_text_is_not_nul_terminated),
		cmocka_unit_test(test_threads_share_one_mapper),
		cmocka_unit_test(test_doc_outlives_mapper),
	};

	return cmocka_run_group_tests_name("cfl_map", tests, group_setup, NULL);
}
