/* fuzz_ratelimit.c: libFuzzer target for what imconfluence reads from, and
 * writes about, a server's answer: the rate-limit headers (cfl_ratelimit)
 * and the request trace line (cfl_trace).
 *
 * The input is split at newlines: the first eight lines are Retry-After,
 * X-RateLimit-Limit, -Remaining, -Reset, -NearLimit, -FillRate,
 * -Interval-Seconds and RateLimit-Reason (a missing line = an absent
 * header), the ninth is a URL. Checked: every delay is within [0, max],
 * "go" means no delay, the reason is short printable ASCII; the redacted URL
 * fits its buffer and keeps no "user:password@"; a trace line is one line
 * ending in "}\n" with no raw control character. No I/O.
 * Seed corpus: tests/fuzz/corpus/ratelimit/.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_ratelimit.h"
#include "cfl_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MS INT64_C(300000)
#define NOW_MS INT64_C(1772445600000)

static void check_trace(const char *url)
{
	char red[256], line[1024];
	cfl_trace_rec_t r;
	const char *auth, *end, *at;
	size_t i, n;

	cfl_trace_redact_url(url, red, sizeof(red));
	if (strlen(red) >= sizeof(red))
		abort();
	auth = strstr(red, "://");
	if (auth != NULL) {
		auth += 3;
		end = auth + strcspn(auth, "/?#");
		at = memchr(auth, '@', (size_t)(end - auth));
		if (at != NULL && (at - auth != 8 || strncmp(auth, "REDACTED", 8) != 0))
			abort(); /* some userinfo survived */
	}
	memset(&r, 0, sizeof(r));
	r.wall_ms = NOW_MS;
	r.input = url;
	r.url = url;
	r.error = url;
	r.status = 200;
	n = cfl_trace_line(&r, line, sizeof(line));
	if (n == 0)
		return;
	if (n != strlen(line) || n < 2 || line[n - 1] != '\n' || line[n - 2] != '}')
		abort();
	for (i = 0; i + 1 < n; i++)
		if ((unsigned char)line[i] < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *line[9] = { NULL }, *p;
	cfl_rl_headers_t h;
	cfl_rl_advice_t a;
	size_t i, k = 0;

	if (size > 65536)
		return 0;
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; k < 9 && p != NULL; k++) {
		line[k] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	h.retry_after = line[0];
	h.limit = line[1];
	h.remaining = line[2];
	h.reset = line[3];
	h.near_limit = line[4];
	h.fill_rate = line[5];
	h.interval_s = line[6];
	h.reason = line[7];
	cfl_rl_advise(&h, NOW_MS, MAX_MS, &a);
	if (a.delay_ms < 0 || a.delay_ms > MAX_MS || (a.kind == CFL_RL_GO) != (a.delay_ms == 0))
		abort();
	if (strlen(a.reason) >= CFL_RL_REASON_LEN)
		abort();
	for (i = 0; a.reason[i] != '\0'; i++)
		if ((unsigned char)a.reason[i] < 0x20 || (unsigned char)a.reason[i] >= 0x7f)
			abort();
	(void)cfl_rl_parse_reset(line[3]);
	if (line[8] != NULL)
		check_trace(line[8]);
	free(buf);
	return 0;
}
