/* cfl_lognorm.h: the liblognorm side of the mapping core: one ln_ctx loaded
 * from rulebases/confluence-audit.rulebase, used for the three pattern jobs the
 * contract gives it (finding the JSON behind a syslog-style prefix, the
 * username at the end of a user URI, the host of service.address).
 *
 * One rulebase serves all three: each job prepends its own marker ("msg|",
 * "uri|", "url|") to the string it normalizes, and the rulebase groups its
 * rules under the matching prefix= line. What liblognorm cannot do safely on
 * Debian 12's 2.0.6 (character classes: matching.permitted crashes on UTF-8;
 * "last occurrence" matches) is finished here in C.
 *
 * ln_normalize() on a shared context is safe from several threads (rsyslog's
 * mmnormalize relies on it), so a loaded cfl_lognorm_t is read-only.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_LOGNORM_H
#define CFL_LOGNORM_H

#include <stddef.h>

#include "cfl_status.h"

typedef struct cfl_lognorm cfl_lognorm_t;

/* CFL_OK and *out, or an error code with "FILE: reason" (liblognorm's own
 * message with its line number where it gives one) in err. */
cfl_rc_t cfl_lognorm_load(const char *path, cfl_lognorm_t **out, cfl_errbuf_t *err);
void cfl_lognorm_free(cfl_lognorm_t *l);

/* Where the JSON starts in a prefixed message ("@cee: {...}",
 * "confluence-audit: {...}"): 0 and *json_off, or -1 if no "msg|" rule matches.
 * The rules capture the JSON as %json:rest%, i.e. as the rest of the message. */
int cfl_lognorm_find_json(const cfl_lognorm_t *l, const char *msg, size_t len, size_t *json_off);

/* The <name> of a URI ending in "?username=<[A-Za-z0-9._-]+>", copied into out
 * (NUL-terminated). Returns its length, 0 if the URI does not end that way or
 * the name does not fit. */
size_t cfl_lognorm_uri_username(const cfl_lognorm_t *l, const char *uri, size_t len, char *out, size_t outsz);

/* The host part of a URL such as "http://confluence.internal:8090" (brackets of
 * an IPv6 literal removed), copied into out. Returns its length or 0. */
size_t cfl_lognorm_url_host(const cfl_lognorm_t *l, const char *url, size_t len, char *out, size_t outsz);

#endif /* CFL_LOGNORM_H */
