/* test_map_geoip.c -- source.ip validation and GeoIP enrichment
 * (modules/core/map/cfl_geoip.c) against MaxMind's test databases shipped in
 * tests/fixtures/geoip/ (the ones Debian's libmaxminddb source carries). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfl_geoip.h"
#include "cfl_json_util.h"

static void fixture(char *buf, size_t len, const char *file)
{
	const char *d = getenv("CFL_FIXTURES");

	snprintf(buf, len, "%s/geoip/%s", d != NULL && *d != '\0' ? d : CFL_TOP_SRCDIR "/tests/fixtures", file);
}

struct ip_case {
	const char *text;
	int ok;
};

static const struct ip_case ip_cases[] = {
	{ "81.2.69.143", 1 },
	{ "10.100.100.2", 1 },
	{ "::1", 1 },
	{ "2001:db8::1", 1 },
	{ "::ffff:81.2.69.143", 1 },
	{ "FE80::0202:B3FF:FE1E:8329", 1 },
	{ "", 0 },
	{ "confluence.internal", 0 }, /* host names are no IPs, and no error */
	{ "localhost", 0 },
	{ "81.2.69.143:8090", 0 },
	{ "[2001:db8::1]", 0 },
	{ "fe80::1%eth0", 0 },
	{ "081.2.69.143", 0 },
	{ "1.2.3", 0 },
	{ "256.1.1.1", 0 },
	{ " 81.2.69.143", 0 },
	{ "81.2.69.143 ", 0 },
	{ "1:2:3:4:5:6:7:8:9", 0 },
	{ "0000:0000:0000:0000:0000:ffff:255.255.255.255x", 0 }, /* too long */
};

static void test_ip_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ip_cases) / sizeof(ip_cases[0]); i++) {
		cfl_ip_t ip;
		int rc = cfl_ip_parse(ip_cases[i].text, strlen(ip_cases[i].text), &ip);

		if ((rc == 0) != ip_cases[i].ok)
			fail_msg("\"%s\": expected %s", ip_cases[i].text, ip_cases[i].ok ? "an IP" : "no IP");
	}
	/* an embedded NUL is not hidden by strlen() */
	{
		cfl_ip_t ip;

		assert_int_equal(cfl_ip_parse("1.2.3.4\0x", 9, &ip), -1);
		assert_int_equal(cfl_ip_parse(NULL, 0, &ip), -1);
	}
}

struct geo_case {
	const char *ip;
	const char *source; /* the "source" object after enrichment, besides "address" */
};

static const struct geo_case geo_cases[] = {
	{ "81.2.69.143",
	  "{\"geo\":{\"continent_name\":\"Europe\",\"country_iso_code\":\"GB\","
	  "\"country_name\":\"United Kingdom\",\"region_iso_code\":\"GB-ENG\",\"region_name\":\"England\","
	  "\"city_name\":\"London\",\"location\":{\"lat\":51.5142,\"lon\":-0.0931}}}" },
	{ "::ffff:81.2.69.143",
	  "{\"geo\":{\"continent_name\":\"Europe\",\"country_iso_code\":\"GB\","
	  "\"country_name\":\"United Kingdom\",\"region_iso_code\":\"GB-ENG\",\"region_name\":\"England\","
	  "\"city_name\":\"London\",\"location\":{\"lat\":51.5142,\"lon\":-0.0931}}}" },
	/* IPv6, country only */
	{ "2001:218::", "{\"geo\":{\"continent_name\":\"Asia\",\"country_iso_code\":\"JP\","
	                "\"country_name\":\"Japan\",\"location\":{\"lat\":35.68536,\"lon\":139.75309}}}" },
	/* UTF-8 names */
	{ "89.160.20.112",
	  "{\"geo\":{\"continent_name\":\"Europe\",\"country_iso_code\":\"SE\","
	  "\"country_name\":\"Sweden\",\"region_iso_code\":\"SE-E\",\"region_name\":\"\\u00d6sterg\\u00f6tland County\","
	  "\"city_name\":\"Link\\u00f6ping\",\"location\":{\"lat\":58.4167,\"lon\":15.6167}}}" },
	/* ASN only */
	{ "1.128.0.0", "{\"as\":{\"number\":1221,\"organization\":{\"name\":\"Telstra Pty Ltd\"}}}" },
	{ "2600:6000::", "{\"as\":{\"number\":237,\"organization\":{\"name\":\"Merit Network Inc.\"}}}" },
	/* known to neither: nothing added */
	{ "10.100.100.2", "{}" },
};

static void enrich(const cfl_geoip_t *g, const char *ip_text, struct json_object *source)
{
	cfl_ip_t ip;

	assert_int_equal(cfl_ip_parse(ip_text, strlen(ip_text), &ip), 0);
	cfl_geoip_enrich(g, &ip, source);
}

static void test_enrich_table(void **state)
{
	char city[4096], asn[4096];
	cfl_errbuf_t err;
	cfl_geoip_t *g;
	size_t i;
	int round;

	(void)state;
	fixture(city, sizeof(city), "GeoIP2-City-Test.mmdb");
	fixture(asn, sizeof(asn), "GeoLite2-ASN-Test.mmdb");
	if (cfl_geoip_open(city, asn, &g, &err) != 0)
		fail_msg("%s", err.msg);
	/* twice: the second round is served by the per-thread memo */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(geo_cases) / sizeof(geo_cases[0]); i++) {
			struct json_object *src = json_object_new_object(), *want;
			cfl_errbuf_t why;

			enrich(g, geo_cases[i].ip, src);
			assert_int_equal(cfl_json_parse(geo_cases[i].source, strlen(geo_cases[i].source), &want, &why),
			                 0);
			if (!cfl_json_equal(src, want))
				fail_msg("%s: expected %s, got %s", geo_cases[i].ip, geo_cases[i].source,
				         json_object_to_json_string_ext(src, JSON_C_TO_STRING_PLAIN));
			json_object_put(want);
			json_object_put(src);
		}
	}
	cfl_geoip_close(g);
}

/* A City database alone adds no "as", and a second opened database pair
 * does not see the first one's memo. */
static void test_city_only(void **state)
{
	char city[4096];
	cfl_errbuf_t err;
	cfl_geoip_t *g;
	struct json_object *src = json_object_new_object();

	(void)state;
	fixture(city, sizeof(city), "GeoIP2-City-Test.mmdb");
	assert_int_equal(cfl_geoip_open(city, "", &g, &err), 0);
	enrich(g, "1.128.0.0", src);
	assert_int_equal(json_object_object_length(src), 0);
	cfl_geoip_close(g);
	json_object_put(src);
}

/* One source.* enrichment for both mappers. The Confluence mapper's
 * source.address becomes source.ip, then geo and as from the databases; the
 * organization's given location is its source.geo (after source.as, as
 * Elastic writes it), even without an IP; a non-IP address adds nothing. */
static void test_source_enrich(void **state)
{
	char city[4096], asn[4096];
	struct json_object *doc, *source, *addr;
	cfl_geo_given_t given;
	cfl_errbuf_t err;
	cfl_geoip_t *g;

	(void)state;
	fixture(city, sizeof(city), "GeoIP2-City-Test.mmdb");
	fixture(asn, sizeof(asn), "GeoLite2-ASN-Test.mmdb");
	if (cfl_geoip_open(city, asn, &g, &err) != 0)
		fail_msg("%s", err.msg);
	/* Confluence: source exists (source.address) */
	doc = json_object_new_object();
	source = json_object_new_object();
	addr = json_object_new_string("81.2.69.142");
	json_object_object_add(doc, "source", source);
	json_object_object_add(source, "address", addr);
	assert_ptr_equal(cfl_source_enrich(g, doc, &source, addr, NULL), addr);
	assert_string_equal(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
	                    "{\"source\":{\"address\":\"81.2.69.142\",\"ip\":\"81.2.69.142\",\"geo\":{"
	                    "\"continent_name\":\"Europe\",\"country_iso_code\":\"GB\",\"country_name\":"
	                    "\"United Kingdom\",\"region_iso_code\":\"GB-ENG\",\"region_name\":\"England\","
	                    "\"city_name\":\"London\",\"location\":{\"lat\":51.5142,\"lon\":-0.0931}}}}");
	json_object_put(doc);
	/* organization: source created on first use; the City database unasked */
	doc = json_object_new_object();
	source = NULL;
	addr = json_object_new_string("1.128.0.0");
	given.country_name = json_object_new_string("Australia");
	given.region_name = NULL;
	given.city_name = json_object_new_string("Sydney");
	assert_ptr_equal(cfl_source_enrich(g, doc, &source, addr, &given), addr);
	assert_string_equal(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
	                    "{\"source\":{\"ip\":\"1.128.0.0\",\"as\":{\"number\":1221,\"organization\":{"
	                    "\"name\":\"Telstra Pty Ltd\"}},\"geo\":{\"country_name\":\"Australia\","
	                    "\"city_name\":\"Sydney\"}}}");
	json_object_put(addr);
	json_object_put(doc);
	/* not an IP: no source.ip; the given location still counts */
	doc = json_object_new_object();
	source = NULL;
	addr = json_object_new_string("confluence.internal");
	given.country_name = given.city_name = NULL;
	given.region_name = json_object_new_string("England");
	assert_null(cfl_source_enrich(g, doc, &source, addr, &given));
	assert_string_equal(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
	                    "{\"source\":{\"geo\":{\"region_name\":\"England\"}}}");
	given.region_name = NULL;
	assert_null(cfl_source_enrich(NULL, doc, &source, NULL, &given));
	assert_int_equal(json_object_object_length(source), 1);
	json_object_put(addr);
	json_object_put(doc);
	/* no databases: source.ip alone */
	doc = json_object_new_object();
	source = NULL;
	addr = json_object_new_string("2001:db8::1");
	assert_ptr_equal(cfl_source_enrich(NULL, doc, &source, addr, NULL), addr);
	assert_string_equal(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
	                    "{\"source\":{\"ip\":\"2001:db8::1\"}}");
	json_object_put(addr);
	json_object_put(doc);
	cfl_geoip_close(g);
}

static void test_open_errors(void **state)
{
	char city[4096];
	cfl_errbuf_t err;
	cfl_geoip_t *g = (cfl_geoip_t *)&g;

	(void)state;
	assert_int_equal(cfl_geoip_open(NULL, NULL, &g, &err), 0);
	assert_null(g); /* nothing configured: no enrichment, no error */
	cfl_geoip_enrich(NULL, NULL, NULL);
	assert_int_not_equal(cfl_geoip_open("/nonexistent/city.mmdb", NULL, &g, &err), CFL_OK);
	assert_string_equal(
	        err.msg,
	        "/nonexistent/city.mmdb: cannot open GeoIP City database: Error opening the specified MaxMind DB file");
	fixture(city, sizeof(city), "GeoIP2-City-Test.mmdb");
	assert_int_not_equal(cfl_geoip_open(city, CFL_TOP_SRCDIR "/rulebases/confluence-categories.json", &g, &err),
	                     CFL_OK);
	assert_non_null(strstr(err.msg, "confluence-categories.json: cannot open GeoIP ASN database: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_parse_table), cmocka_unit_test(test_enrich_table),
		cmocka_unit_test(test_city_only),      cmocka_unit_test(test_source_enrich),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests_name("cfl_geoip_t", tests, NULL, NULL);
}
