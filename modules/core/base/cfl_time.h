/* cfl_time.h: the three timestamp forms of Confluence audit events, to epoch
 * milliseconds UTC, and back to the ECS @timestamp text. Pure functions, no
 * libc time zone state (so: thread-safe and independent of TZ).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_TIME_H
#define CFL_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Years outside 0000..9999 cannot be written as ISO 8601 without an extension. */
#define CFL_TIME_MIN_MS (-62167219200000LL) /* 0000-01-01T00:00:00.000Z */
#define CFL_TIME_MAX_MS (253402300799999LL) /* 9999-12-31T23:59:59.999Z */

/* ISO 8601 as Confluence DC writes it and Elasticsearch's "ISO8601" reads it:
 *   YYYY-MM-DD[THH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM|+HHMM|+HH]]
 * ('t' and ' ' are accepted for 'T', 'z' for 'Z', ',' for '.'; no zone = UTC).
 * The fraction is truncated to milliseconds. Returns 0 and *ms, or -1. */
int cfl_time_parse_iso8601(const char *s, size_t len, int64_t *ms);

/* DC audit file {epochSecond, nano}: nano must be 0..999999999 and is a count of
 * nanoseconds, so 54000000 is .054 s. Returns 0 and *ms, or -1 (nano out of
 * range or result outside the CFL_TIME range). */
int cfl_time_from_epoch_nano(int64_t epoch_second, int64_t nano, int64_t *ms);

/* Cloud creationDate: epoch ms; only the range is checked. */
int cfl_time_check_ms(int64_t ms);

#define CFL_TIME_ISO_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars + NUL) into buf (>= 25 bytes).
 * Returns the length, or 0 (and an empty buf) if ms is outside the CFL_TIME range. */
size_t cfl_time_format_ms(int64_t ms, char *buf, size_t bufsz);

#endif /* CFL_TIME_H */
