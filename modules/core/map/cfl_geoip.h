/* cfl_geoip.h: source.ip validation and the GeoIP enrichment of contract
 * section 2 (source.geo.* from a City database, source.as.* from an ASN
 * database), on libmaxminddb. Databases are mmap()ed read-only at start-up;
 * lookups are thread-safe.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_GEOIP_H
#define CFL_GEOIP_H

#include <stddef.h>
#include <sys/socket.h>
#include <json.h>

#include "cfl_status.h"

/* A validated numeric IPv4/IPv6 address, ready for a lookup. */
typedef struct cfl_ip {
	struct sockaddr_storage sa;
} cfl_ip_t;

/* 0 if s (NUL-terminated, len bytes) is a numeric IPv4 or IPv6 address; -1 for
 * anything else: host names, ports, zones, garbage. */
int cfl_ip_parse(const char *s, size_t len, cfl_ip_t *ip);

typedef struct cfl_geoip cfl_geoip_t;

/* Opens the databases that are given (NULL or "" = skip). *out stays NULL when
 * neither is given. Returns CFL_OK, or an error code with "FILE: reason" in err. */
cfl_rc_t cfl_geoip_open(const char *city, const char *asn, cfl_geoip_t **out, cfl_errbuf_t *err);
void cfl_geoip_close(cfl_geoip_t *g);

/* Adds "geo" and "as" objects to the ECS source object, as far as the
 * databases know the address. g may be NULL (no-op). */
void cfl_geoip_enrich(const cfl_geoip_t *g, const cfl_ip_t *ip, struct json_object *source);

/* Where an event says it came from itself (the organization audit log's
 * attributes.location, docs/org-audit-mapping.md section 6): keyword values,
 * NULL when absent. */
typedef struct cfl_geo_given {
	struct json_object *country_name, *region_name, *city_name;
} cfl_geo_given_t;

/* The source.* enrichment of both mappers (contract section 2, org contract
 * section 6): source.ip = addr (borrowed; a reference is taken) when it is a
 * numeric IP address, else nothing and no error; then, as far as the
 * databases (g may be NULL) know that address, source.geo.* from the City
 * database and source.as.* from the ASN database. With given (the
 * organization audit log) source.geo.* is what the event says instead (its
 * values stolen, even without an IP address), after source.as.
 * *source is doc.source, created on first use. Returns addr if it became
 * source.ip (for related.ip), else NULL. */
struct json_object *cfl_source_enrich(const cfl_geoip_t *g, struct json_object *doc, struct json_object **source,
                                      struct json_object *addr, cfl_geo_given_t *given);

#endif /* CFL_GEOIP_H */
