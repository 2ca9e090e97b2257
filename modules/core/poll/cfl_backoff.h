/* cfl_backoff.h: how long to wait before the next attempt.
 *
 * Transient failures (5xx, timeouts, resets, truncated or non-JSON bodies)
 * wait base * 2^attempt, capped at max, with "equal jitter": half of the
 * delay fixed, the other half random, so many inputs do not retry in step.
 * The random number is passed in, so tests are deterministic.
 *
 * A 429 (or a 5xx that carries Retry-After) waits what the server asks,
 * clamped to max: Retry-After is delta-seconds ("120") or an HTTP-date
 * ("Sun, 06 Nov 1994 08:49:37 GMT"); absurd values such as
 * 9223372036854775807 (seen from Atlassian) clamp to max instead of
 * overflowing.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_BACKOFF_H
#define CFL_BACKOFF_H

#include <stdint.h>

typedef struct cfl_backoff {
	int64_t base_ms;
	int64_t max_ms;
	unsigned attempt; /* consecutive failures so far */
} cfl_backoff_t;

void cfl_backoff_init(cfl_backoff_t *b, int64_t base_ms, int64_t max_ms);

/* Delay before the next attempt after one more failure; rnd is any 32-bit
 * random number. Always in [0, max_ms]. */
int64_t cfl_backoff_next(cfl_backoff_t *b, uint32_t rnd);

/* After a success. */
void cfl_backoff_reset(cfl_backoff_t *b);

/* Retry-After header value -> delay in ms, in [0, max_ms]; -1 if value is
 * NULL, empty or neither delta-seconds nor an IMF-fixdate. A date in the
 * past gives 0. now_ms is the current time (epoch ms). */
int64_t cfl_retry_after_ms(const char *value, int64_t now_ms, int64_t max_ms);

#endif
