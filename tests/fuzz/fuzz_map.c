/* fuzz_map.c -- libFuzzer target for the event mapper (cfl_map_event): any
 * bytes as a message, with every option on (original-preserving, event.id,
 * tags, both GeoIP databases), so all paths are reachable. Checks the API
 * contract on each result: EMPTY has no document, OK and ERROR have one that
 * serializes, and an ERROR document carries the message as event.original.
 *
 * The mapper is built once, from the repository's rulebases ($CFL_RULEBASES,
 * else CFL_TOP_SRCDIR/rulebases or CFL_PKGDATADIR) and GeoIP test databases
 * ($CFL_FIXTURES/geoip, when present). Run by contrib/fuzz.sh with libFuzzer,
 * and replayed over tests/fuzz/corpus/map by tests/fuzz/replay_map.sh.
 * Licensed under the Apache License, Version 2.0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfl_map.h"

#if defined(CFL_TOP_SRCDIR)
#define DEFAULT_RULEBASES CFL_TOP_SRCDIR "/rulebases"
#define DEFAULT_FIXTURES CFL_TOP_SRCDIR "/tests/fixtures"
#elif defined(CFL_PKGDATADIR)
#define DEFAULT_RULEBASES CFL_PKGDATADIR
#define DEFAULT_FIXTURES CFL_PKGDATADIR "/../tests/fixtures"
#else
#define DEFAULT_RULEBASES "rulebases"
#define DEFAULT_FIXTURES "tests/fixtures"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cfl_mapper_t *mapper;

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

static void free_mapper(void)
{
	cfl_mapper_free(mapper);
	mapper = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const tags[] = { "fuzz", "confluence-audit" };
	char rulebase[4096], categories[4096], city[4096], asn[4096];
	cfl_errbuf_t err;
	const char *rb = env_or("CFL_RULEBASES", DEFAULT_RULEBASES);
	const char *fx = env_or("CFL_FIXTURES", DEFAULT_FIXTURES);
	cfl_map_opts_t o;

	(void)argc;
	(void)argv;
	snprintf(rulebase, sizeof(rulebase), "%s/confluence-audit.rulebase", rb);
	snprintf(categories, sizeof(categories), "%s/confluence-categories.json", rb);
	snprintf(city, sizeof(city), "%s/geoip/GeoIP2-City-Test.mmdb", fx);
	snprintf(asn, sizeof(asn), "%s/geoip/GeoLite2-ASN-Test.mmdb", fx);
	memset(&o, 0, sizeof(o));
	o.rulebase = rulebase;
	o.categories = categories;
	o.geoip_city = access(city, R_OK) == 0 ? city : NULL;
	o.geoip_asn = access(asn, R_OK) == 0 ? asn : NULL;
	o.preserve_original = 1;
	o.event_id = 1;
	o.ns = "fuzz";
	o.tags = tags;
	o.ntags = 2;
	if (cfl_mapper_new(&o, &mapper, &err) != CFL_OK) {
		fprintf(stderr, "fuzz_map: %s (set CFL_RULEBASES to the rulebases directory)\n", err.msg);
		abort();
	}
	atexit(free_mapper);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfl_map_input_t in;
	cfl_map_result_t res;
	cfl_map_status_t st;
	struct json_object *ev, *orig;

	if (mapper == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	memset(&in, 0, sizeof(in));
	in.text = (const char *)data;
	in.len = size;
	in.input_type = "fuzz";
	in.file_path = "/fuzz/input";
	in.file_offset = (int64_t)size;
	in.has_offset = 1;
	st = cfl_map_event(mapper, &in, &res);
	if (st == CFL_MAP_EMPTY) {
		if (res.doc != NULL)
			abort();
		return 0;
	}
	if (res.doc == NULL || json_object_to_json_string_ext(res.doc, JSON_C_TO_STRING_PLAIN) == NULL)
		abort();
	if (st == CFL_MAP_ERROR) {
		/* nothing is lost: the message is in the error document, whole
		 * (up to a NUL byte: libfastjson strings end there) */
		if (!json_object_object_get_ex(res.doc, "event", &ev)
				|| !json_object_object_get_ex(ev, "original", &orig)
				|| strncmp(json_object_get_string(orig), (const char *)data,
					(size_t)json_object_get_string_len(orig)) != 0
				|| res.has_ts)
			abort();
	}
	json_object_put(res.doc);
	return 0;
}
