/* cfl_iso8601.h: ISO 8601 date-times <-> epoch milliseconds (UTC).
 *
 * Data Center audit events carry "timestamp":"2021-11-23T00:44:36.398Z"
 * and its API takes from=/to= in the same form; Cloud uses epoch ms
 * throughout. Only the profile those APIs use is accepted:
 *   YYYY-MM-DD ("T" | " ") hh:mm:ss [ "." 1*DIGIT ] [ "Z" | ("+"|"-") hh [":"] mm ]
 * Digits beyond milliseconds are truncated; no zone means UTC.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_ISO8601_H
#define CFL_ISO8601_H

#include <stddef.h>
#include <stdint.h>

/* Parses s[0..len) completely; returns 1 and *ms, or 0 if it is not a
 * date-time of the profile above (or a field is out of range). */
int cfl_iso8601_parse(const char *s, size_t len, int64_t *ms);

#define CFL_ISO8601_LEN 25 /* "YYYY-MM-DDThh:mm:ss.mmmZ" + NUL */

/* Formats ms as "YYYY-MM-DDThh:mm:ss.mmmZ" into out (>= CFL_ISO8601_LEN
 * bytes). Years outside 0..9999 are clamped to that range. */
void cfl_iso8601_format(int64_t ms, char *out);

#endif
