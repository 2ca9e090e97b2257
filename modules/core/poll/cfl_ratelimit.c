/* cfl_ratelimit.c: the client-side token bucket and the server's rate-limit
 * headers (see cfl_ratelimit.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfl_backoff.h"
#include "cfl_ratelimit.h"
#include "cfl_time.h"

void cfl_rl_init(cfl_rl_t *rl, int per_minute, int burst, int64_t now_ms)
{
	memset(rl, 0, sizeof(*rl));
	rl->interval_ms = per_minute > 0 ? (60000 + per_minute - 1) / per_minute : 0;
	rl->burst = burst > 0 ? burst : 1;
	rl->credit_ms = rl->burst * rl->interval_ms;
	rl->last_ms = now_ms;
	rl->not_before_ms = now_ms;
	rl->min_gap_ms = CFL_RL_MIN_GAP_MS;
}

static void refill(cfl_rl_t *rl, int64_t now_ms)
{
	int64_t cap = rl->burst * rl->interval_ms;

	if (now_ms > rl->last_ms) {
		rl->credit_ms += now_ms - rl->last_ms;
		if (rl->credit_ms > cap)
			rl->credit_ms = cap;
	}
	rl->last_ms = now_ms;
}

int64_t cfl_rl_wait(cfl_rl_t *rl, int64_t now_ms, int *why)
{
	int64_t bucket = 0, server = rl->not_before_ms - now_ms;

	if (rl->interval_ms > 0) {
		refill(rl, now_ms);
		if (rl->credit_ms < rl->interval_ms)
			bucket = rl->interval_ms - rl->credit_ms;
	}
	if (server <= 0 && bucket <= 0) {
		int64_t gap = rl->started ? rl->last_start_ms + rl->min_gap_ms - now_ms : 0;
		if (gap <= 0)
			return 0;
		if (why != NULL)
			*why = 3;
		return gap;
	}
	if (why != NULL)
		*why = server >= bucket ? 2 : 1;
	return server >= bucket ? server : bucket;
}

void cfl_rl_take(cfl_rl_t *rl, int64_t now_ms)
{
	rl->started = 1;
	rl->last_start_ms = now_ms;
	if (rl->interval_ms <= 0)
		return;
	refill(rl, now_ms);
	rl->credit_ms -= rl->interval_ms; /* may go below 0 only if the caller did not wait */
}

void cfl_rl_defer(cfl_rl_t *rl, int64_t now_ms, int64_t delay_ms)
{
	if (delay_ms > 0 && now_ms + delay_ms > rl->not_before_ms)
		rl->not_before_ms = now_ms + delay_ms;
}

/* A non-negative decimal integer with optional blanks around it; -1 if not
 * one (or absurdly large: then the caller's clamp applies anyway). */
static long long parse_count(const char *s)
{
	long long v = 0;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v < 100000000000000LL ? v * 10 + (*s - '0') : v;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' ? v : -1;
}

int64_t cfl_rl_parse_reset(const char *value)
{
	const char *s = value, *e;
	int64_t ms;
	long long secs;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s)
		return -1;
	if (strchr(s, '-') == NULL && (secs = parse_count(s)) >= 0)
		return (int64_t)secs * 1000; /* epoch seconds (clamped by parse_count) */
	if (cfl_time_parse_iso8601(s, (size_t)(e - s), &ms) != 0)
		return -1;
	return ms;
}

static int is_true(const char *s)
{
	while (s != NULL && (*s == ' ' || *s == '\t'))
		s++;
	return s != NULL && strncasecmp(s, "true", 4) == 0;
}

static void copy_reason(const char *in, char *out, size_t n)
{
	size_t i = 0;

	out[0] = '\0';
	if (in == NULL)
		return;
	for (; *in != '\0' && i + 1 < n; in++)
		out[i++] = (*in >= 0x20 && *in < 0x7f && *in != '"' && *in != '\\') ? *in : '?';
	out[i] = '\0';
}

static int64_t clamp(int64_t v, int64_t max_ms)
{
	return v < 0 ? 0 : (v > max_ms ? max_ms : v);
}

void cfl_rl_advise(const cfl_rl_headers_t *h, int64_t wall_ms, int64_t max_ms, cfl_rl_advice_t *out)
{
	long long limit = parse_count(h->limit), fill = parse_count(h->fill_rate), ivl = parse_count(h->interval_s);
	int64_t ra, reset, until, spread;
	int low;

	memset(out, 0, sizeof(*out));
	out->remaining = parse_count(h->remaining);
	copy_reason(h->reason, out->reason, sizeof(out->reason));
	ra = cfl_retry_after_ms(h->retry_after, wall_ms, max_ms);
	if (ra > 0) {
		out->kind = CFL_RL_RETRY_AFTER;
		out->delay_ms = ra;
		return;
	}
	if (out->remaining < 0)
		low = 0;
	else if (limit > 0)
		low = out->remaining * 10 <= limit;
	else
		low = out->remaining <= CFL_RL_LOW_REMAINING;
	if (!is_true(h->near_limit) && !low)
		return;
	out->kind = CFL_RL_NEAR_LIMIT;
	reset = cfl_rl_parse_reset(h->reset);
	if (reset >= 0) {
		until = reset - wall_ms;
		if (until <= 0)
			spread = 0;
		else if (out->remaining <= 0)
			spread = until + CFL_RL_RESET_MARGIN_MS; /* nothing left (or unknown): until the reset */
		else
			spread = until / (out->remaining + 1);
		out->delay_ms = clamp(spread, max_ms);
	} else if (fill > 0 && ivl > 0) {
		out->delay_ms = clamp((int64_t)ivl * 1000 / fill, max_ms);
	} else {
		out->delay_ms = clamp(CFL_RL_NEAR_PAUSE_MS, max_ms);
	}
	if (out->delay_ms == 0)
		out->kind = CFL_RL_GO;
}
