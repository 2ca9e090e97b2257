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

/* Only the "as" object (the organization audit log takes source.geo.* from the
 * event, docs/org-audit-mapping.md section 6). */
void cfl_geoip_enrich_as(const cfl_geoip_t *g, const cfl_ip_t *ip, struct json_object *source);

#endif /* CFL_GEOIP_H */
