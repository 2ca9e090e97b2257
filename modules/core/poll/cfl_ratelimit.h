/* cfl_ratelimit.h: being a good citizen of the server's rate limits.
 *
 * Two independent brakes decide when the next request may start:
 *
 *  1. A client-side token bucket (maxRequestsPerMinute, requestBurst): up
 *     to `burst` requests at once, then one every 60000/per_minute ms. Off
 *     when per_minute is 0. Useful when several tools share one token or
 *     site, which the server counts together.
 *
 *  2. The server's advice, read from the headers of every reply:
 *       Retry-After            wait that long (delta-seconds or HTTP-date);
 *                              Data Center sends "0" while tokens are left
 *       X-RateLimit-NearLimit  "true": slow down before the 429
 *       X-RateLimit-Remaining  requests left until X-RateLimit-Reset
 *       X-RateLimit-Reset      ISO 8601 UTC (Atlassian's gateway) or epoch
 *                              seconds
 *       X-RateLimit-Limit, -FillRate, -Interval-Seconds (Data Center's
 *                              token bucket: FillRate tokens per Interval)
 *       RateLimit-Reason       why; quoted in the log, never acted on
 *     When NearLimit is true or Remaining is low (at most 10% of Limit, or
 *     at most CFL_RL_LOW_REMAINING without a Limit), the remaining requests
 *     are spread evenly until Reset (Remaining 0 or absent: wait until Reset
 *     plus CFL_RL_RESET_MARGIN_MS, for clock skew and rounding); without
 *     a Reset, one token's time (Interval/FillRate) is waited; without
 *     either, CFL_RL_NEAR_PAUSE_MS (Cloud's burst limit counts over 10 s).
 *     Every delay is clamped to max_ms (maxBackoff).
 *
 *  3. A floor no header can lower: at least CFL_RL_MIN_GAP_MS between the
 *     starts of two requests of one input, whatever the server says or
 *     how fast it answers (at most 50 requests a second to one host).
 *
 * Times: the bucket and not_before use a monotonic clock; Reset and a
 * Retry-After date are wall-clock, so cfl_rl_advise takes both.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_RATELIMIT_H
#define CFL_RATELIMIT_H

#include <stdint.h>

#define CFL_RL_LOW_REMAINING 5
#define CFL_RL_NEAR_PAUSE_MS 10000
#define CFL_RL_RESET_MARGIN_MS 1000 /* waiting for a Reset: this much longer (clocks, rounding) */
#define CFL_RL_REASON_LEN 64
#define CFL_RL_MIN_GAP_MS 20

typedef struct cfl_rl {
	int64_t interval_ms;   /* ms per token; 0 = no client-side limit */
	int64_t burst;         /* bucket size in tokens */
	int64_t credit_ms;     /* tokens held, in units of interval_ms (<= burst * interval_ms) */
	int64_t last_ms;       /* monotonic time credit_ms was computed at */
	int64_t not_before_ms; /* the server's advice: no request before this (monotonic) */
	int64_t min_gap_ms;    /* CFL_RL_MIN_GAP_MS */
	int64_t last_start_ms; /* when the last request started; valid if started */
	int started;
} cfl_rl_t;

/* per_minute 0 (or less) = no client-side limit; burst < 1 counts as 1.
 * The bucket starts full. */
void cfl_rl_init(cfl_rl_t *rl, int per_minute, int burst, int64_t now_ms);

/* How long (ms) until the next request may start; 0 = now. *why is set to
 * 1 when the client-side limit is the reason, 2 when the server's advice is,
 * 3 when only the minimum gap is (only when the result is > 0). */
int64_t cfl_rl_wait(cfl_rl_t *rl, int64_t now_ms, int *why);

/* A request starts now: takes a token (no-op without a client-side limit). */
void cfl_rl_take(cfl_rl_t *rl, int64_t now_ms);

/* No request before now_ms + delay_ms (keeps a later earlier advice). */
void cfl_rl_defer(cfl_rl_t *rl, int64_t now_ms, int64_t delay_ms);

/* The rate-limit headers of one reply; NULL = absent. */
typedef struct cfl_rl_headers {
	const char *retry_after;
	const char *limit;
	const char *remaining;
	const char *reset;
	const char *near_limit;
	const char *fill_rate;
	const char *interval_s;
	const char *reason;
} cfl_rl_headers_t;

typedef enum cfl_rl_kind {
	CFL_RL_GO = 0,      /* no advice: go on at once */
	CFL_RL_RETRY_AFTER, /* Retry-After > 0 on this reply */
	CFL_RL_NEAR_LIMIT,  /* NearLimit true or Remaining low: slowed down */
} cfl_rl_kind_t;

typedef struct cfl_rl_advice {
	cfl_rl_kind_t kind;
	int64_t delay_ms;               /* in [0, max_ms] */
	long long remaining;            /* -1 when absent or unparsable */
	char reason[CFL_RL_REASON_LEN]; /* RateLimit-Reason, printable ASCII only; "" if absent */
} cfl_rl_advice_t;

/* Reads h (of a reply received at wall_ms) into *out. */
void cfl_rl_advise(const cfl_rl_headers_t *h, int64_t wall_ms, int64_t max_ms, cfl_rl_advice_t *out);

/* X-RateLimit-Reset: ISO 8601 date-time (with offset or Z) or epoch seconds
 * -> epoch ms; -1 if neither. */
int64_t cfl_rl_parse_reset(const char *value);

#endif
