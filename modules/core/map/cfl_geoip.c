/* cfl_geoip.c: IP validation, MaxMind lookups for source.geo / source.as, and
 * the source.* enrichment both mappers share (cfl_source_enrich).
 *
 * Field names follow Elasticsearch's geoip processor, which the contract copies:
 * English names, region_iso_code = "<country iso>-<first subdivision iso>".
 * The address is looked up as a sockaddr (MMDB_lookup_sockaddr), not as text:
 * it was already validated with inet_pton(), and the text path would run
 * getaddrinfo() once more per event.
 *
 * Lookups are remembered per thread: audit events come from a handful of
 * admin addresses, and a remembered record costs a compare instead of a tree
 * walk plus eight map lookups (a third of the mapping's time without it).
 * The memo is a fixed-size thread-local array of plain values, so there is
 * nothing to free at thread exit and the databases stay read-only.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <maxminddb.h>

#include "cfl_geoip.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"

struct cfl_geoip {
	MMDB_s city;
	MMDB_s asn;
	int have_city;
	int have_asn;
	uint64_t gen; /* unique per cfl_geoip_t: keys the per-thread memo */
};

/* What the databases say about one address, as plain values. */
#define GEO_STR 96
enum geo_field { CONTINENT, COUNTRY_ISO, COUNTRY, REGION_ISO, REGION, CITY, AS_ORG, NFIELDS };

struct geo_rec {
	char str[NFIELDS][GEO_STR];    /* "" = unknown */
	char lat_txt[32], lon_txt[32]; /* "" = no location */
	double lat, lon;
	int64_t as_number; /* -1 = unknown */
};

#define MEMO_SLOTS 8
struct memo_slot {
	uint64_t gen; /* 0 = empty */
	cfl_ip_t ip;
	struct geo_rec rec;
};

static __thread struct memo_slot memo[MEMO_SLOTS];
static uint64_t next_gen; /* atomic */

int cfl_ip_parse(const char *s, size_t len, cfl_ip_t *ip)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ip->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ip->sa;

	memset(ip, 0, sizeof(*ip));
	if (s == NULL || len == 0 || len >= INET6_ADDRSTRLEN || strlen(s) != len)
		return -1;
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static cfl_rc_t open_db(const char *path, const char *what, MMDB_s *db, cfl_errbuf_t *err)
{
	int rc = MMDB_open(path, MMDB_MODE_MMAP, db);

	if (rc != MMDB_SUCCESS)
		return cfl_err_set(err,
		                   rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR ? CFL_EIO
		                   : rc == MMDB_OUT_OF_MEMORY_ERROR                  ? CFL_ENOMEM
		                                                                     : CFL_EPARSE,
		                   "%s: cannot open GeoIP %s database: %s", path, what, MMDB_strerror(rc));
	return CFL_OK;
}

cfl_rc_t cfl_geoip_open(const char *city, const char *asn, cfl_geoip_t **out, cfl_errbuf_t *err)
{
	cfl_geoip_t *g;
	cfl_rc_t rc;

	*out = NULL;
	if ((city == NULL || *city == '\0') && (asn == NULL || *asn == '\0'))
		return CFL_OK;
	g = calloc(1, sizeof(*g));
	if (g != NULL)
		g->gen = __atomic_add_fetch(&next_gen, 1, __ATOMIC_RELAXED);
	if (g == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory opening GeoIP databases");
	if (city != NULL && *city != '\0') {
		if ((rc = open_db(city, "City", &g->city, err)) != CFL_OK)
			goto fail;
		g->have_city = 1;
	}
	if (asn != NULL && *asn != '\0') {
		if ((rc = open_db(asn, "ASN", &g->asn, err)) != CFL_OK)
			goto fail;
		g->have_asn = 1;
	}
	*out = g;
	return CFL_OK;
fail:
	cfl_geoip_close(g);
	return rc;
}

void cfl_geoip_close(cfl_geoip_t *g)
{
	if (g == NULL)
		return;
	if (g->have_city)
		MMDB_close(&g->city);
	if (g->have_asn)
		MMDB_close(&g->asn);
	free(g);
}

/* The entry for ip in db, or 0 if the database does not know it. */
static int lookup(const MMDB_s *db, const cfl_ip_t *ip, MMDB_entry_s *entry)
{
	MMDB_lookup_result_s r;
	int mmdb_err = MMDB_SUCCESS;

	r = MMDB_lookup_sockaddr(db, (const struct sockaddr *)&ip->sa, &mmdb_err);
	if (mmdb_err != MMDB_SUCCESS || !r.found_entry)
		return 0;
	*entry = r.entry;
	return 1;
}

/* The UTF-8 string at path into out ("" if absent or too long to keep). */
static void get_string(MMDB_entry_s *e, char *out, const char *const *path)
{
	MMDB_entry_data_s d;

	out[0] = '\0';
	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d.data_size >= GEO_STR)
		return;
	memcpy(out, d.utf8_string, d.data_size);
	out[d.data_size] = '\0';
}

static int get_double(MMDB_entry_s *e, double *v, const char *const *path)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
		return -1;
	if (d.type == MMDB_DATA_TYPE_DOUBLE)
		*v = d.double_value;
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		*v = d.float_value;
	else
		return -1;
	return 0;
}

/* Shortest text that reads back as d, so 51.5142 prints as 51.5142. */
static void double_text(double d, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, len, "%.17g", d);
}

static void read_location(MMDB_entry_s *e, struct geo_rec *r)
{
	static const char *const lat_path[] = { "location", "latitude", NULL };
	static const char *const lon_path[] = { "location", "longitude", NULL };

	if (get_double(e, &r->lat, lat_path) != 0 || get_double(e, &r->lon, lon_path) != 0)
		return;
	double_text(r->lat, r->lat_txt, sizeof(r->lat_txt));
	double_text(r->lon, r->lon_txt, sizeof(r->lon_txt));
}

/* region_iso_code = "<country iso>-<first subdivision iso>", when both exist. */
static void join_iso(const char *country, const char *sub, char *out)
{
	size_t c = strlen(country), n = strlen(sub);

	out[0] = '\0';
	if (c == 0 || n == 0 || c + n + 2 > GEO_STR)
		return;
	memcpy(out, country, c);
	out[c] = '-';
	memcpy(out + c + 1, sub, n + 1);
}

static void read_city(const cfl_geoip_t *g, const cfl_ip_t *ip, struct geo_rec *r)
{
	static const char *const continent[] = { "continent", "names", "en", NULL };
	static const char *const country_iso[] = { "country", "iso_code", NULL };
	static const char *const country[] = { "country", "names", "en", NULL };
	static const char *const region_iso[] = { "subdivisions", "0", "iso_code", NULL };
	static const char *const region[] = { "subdivisions", "0", "names", "en", NULL };
	static const char *const city[] = { "city", "names", "en", NULL };
	char sub_iso[GEO_STR];
	MMDB_entry_s e;

	if (!g->have_city || !lookup(&g->city, ip, &e))
		return;
	get_string(&e, r->str[CONTINENT], continent);
	get_string(&e, r->str[COUNTRY_ISO], country_iso);
	get_string(&e, r->str[COUNTRY], country);
	get_string(&e, sub_iso, region_iso);
	join_iso(r->str[COUNTRY_ISO], sub_iso, r->str[REGION_ISO]);
	get_string(&e, r->str[REGION], region);
	get_string(&e, r->str[CITY], city);
	read_location(&e, r);
}

static void read_asn(const cfl_geoip_t *g, const cfl_ip_t *ip, struct geo_rec *r)
{
	static const char *const number[] = { "autonomous_system_number", NULL };
	static const char *const org[] = { "autonomous_system_organization", NULL };
	MMDB_entry_data_s d;
	MMDB_entry_s e;

	if (!g->have_asn || !lookup(&g->asn, ip, &e))
		return;
	if (MMDB_aget_value(&e, &d, number) == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			r->as_number = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			r->as_number = d.uint16;
	}
	get_string(&e, r->str[AS_ORG], org);
}

static int same_ip(const cfl_ip_t *a, const cfl_ip_t *b)
{
	if (a->sa.ss_family != b->sa.ss_family)
		return 0;
	if (a->sa.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&a->sa)->sin_addr,
		              &((const struct sockaddr_in *)&b->sa)->sin_addr, sizeof(struct in_addr)) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->sa)->sin6_addr,
	              &((const struct sockaddr_in6 *)&b->sa)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

static unsigned memo_index(const cfl_ip_t *ip)
{
	const unsigned char *p;
	size_t n, i;
	unsigned h = 2166136261u;

	if (ip->sa.ss_family == AF_INET) {
		p = (const unsigned char *)&((const struct sockaddr_in *)&ip->sa)->sin_addr;
		n = sizeof(struct in_addr);
	} else {
		p = (const unsigned char *)&((const struct sockaddr_in6 *)&ip->sa)->sin6_addr;
		n = sizeof(struct in6_addr);
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (MEMO_SLOTS - 1);
}

/* The record for ip: from this thread's memo, or looked up and remembered. */
static const struct geo_rec *record(const cfl_geoip_t *g, const cfl_ip_t *ip)
{
	struct memo_slot *s = &memo[memo_index(ip)];

	if (s->gen == g->gen && same_ip(&s->ip, ip))
		return &s->rec;
	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.as_number = -1;
	read_city(g, ip, &s->rec);
	read_asn(g, ip, &s->rec);
	s->ip = *ip;
	s->gen = g->gen;
	return &s->rec;
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	if (s[0] != '\0')
		cfl_json_add_new(o, key, json_object_new_string(s));
}

static void add_geo(const struct geo_rec *r, struct json_object *source)
{
	struct json_object *geo = json_object_new_object();

	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_CONTINENT_NAME), r->str[CONTINENT]);
	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_COUNTRY_ISO_CODE), r->str[COUNTRY_ISO]);
	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_COUNTRY_NAME), r->str[COUNTRY]);
	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_REGION_ISO_CODE), r->str[REGION_ISO]);
	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_REGION_NAME), r->str[REGION]);
	add_str(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_CITY_NAME), r->str[CITY]);
	if (r->lat_txt[0] != '\0') {
		struct json_object *loc = json_object_new_object();

		cfl_json_add_new(loc, CFL_LEAF(CFL_FP_SOURCE_GEO_LOCATION_LAT),
		                 json_object_new_double_s(r->lat, r->lat_txt));
		cfl_json_add_new(loc, CFL_LEAF(CFL_FP_SOURCE_GEO_LOCATION_LON),
		                 json_object_new_double_s(r->lon, r->lon_txt));
		cfl_json_add_new(geo, CFL_LEAF(CFL_FP_SOURCE_GEO_LOCATION), loc);
	}
	if (json_object_object_length(geo) > 0)
		cfl_json_add_new(source, CFL_LEAF(CFL_FP_SOURCE_GEO), geo);
	else
		json_object_put(geo);
}

static void add_as(const struct geo_rec *r, struct json_object *source)
{
	struct json_object *as;

	if (r->as_number < 0 && r->str[AS_ORG][0] == '\0')
		return;
	as = json_object_new_object();
	if (r->as_number >= 0)
		cfl_json_add_new(as, CFL_LEAF(CFL_FP_SOURCE_AS_NUMBER), json_object_new_int64(r->as_number));
	if (r->str[AS_ORG][0] != '\0') {
		struct json_object *org = json_object_new_object();

		add_str(org, CFL_LEAF(CFL_FP_SOURCE_AS_ORGANIZATION_NAME), r->str[AS_ORG]);
		cfl_json_add_new(as, CFL_LEAF(CFL_FP_SOURCE_AS_ORGANIZATION), org);
	}
	cfl_json_add_new(source, CFL_LEAF(CFL_FP_SOURCE_AS), as);
}

void cfl_geoip_enrich(const cfl_geoip_t *g, const cfl_ip_t *ip, struct json_object *source)
{
	const struct geo_rec *r;

	if (g == NULL)
		return;
	r = record(g, ip);
	add_geo(r, source);
	add_as(r, source);
}

/* doc.source, created on first use. */
static struct json_object *source_obj(struct json_object *doc, struct json_object **source)
{
	if (*source == NULL) {
		*source = json_object_new_object();
		cfl_json_add_new(doc, CFL_LEAF(CFL_FP_SOURCE), *source);
	}
	return *source;
}

/* The location the event names itself, into source.geo. */
static void add_given_geo(struct json_object *doc, struct json_object **source, cfl_geo_given_t *given)
{
	struct json_object *geo = NULL;
	struct json_object *val[3] = { given->country_name, given->region_name, given->city_name };
	const char *const key[3] = { CFL_LEAF(CFL_FP_SOURCE_GEO_COUNTRY_NAME), CFL_LEAF(CFL_FP_SOURCE_GEO_REGION_NAME),
		                     CFL_LEAF(CFL_FP_SOURCE_GEO_CITY_NAME) };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (val[i] == NULL)
			continue;
		if (geo == NULL)
			geo = cfl_json_child(source_obj(doc, source), CFL_LEAF(CFL_FP_SOURCE_GEO));
		cfl_json_add_new(geo, key[i], val[i]);
	}
	given->country_name = given->region_name = given->city_name = NULL;
}

struct json_object *cfl_source_enrich(const cfl_geoip_t *g, struct json_object *doc, struct json_object **source,
                                      struct json_object *addr, cfl_geo_given_t *given)
{
	const struct geo_rec *r = NULL;
	struct json_object *ip = NULL;
	cfl_ip_t a;

	if (addr != NULL &&
	    cfl_ip_parse(json_object_get_string(addr), (size_t)json_object_get_string_len(addr), &a) == 0) {
		cfl_json_add_new(source_obj(doc, source), CFL_LEAF(CFL_FP_SOURCE_IP), json_object_get(addr));
		ip = addr;
		if (g != NULL)
			r = record(g, &a);
	}
	if (given == NULL) {
		if (r != NULL) {
			add_geo(r, *source);
			add_as(r, *source);
		}
		return ip;
	}
	if (r != NULL)
		add_as(r, *source);
	add_given_geo(doc, source, given);
	return ip;
}
