/* cfl_backoff.c: retry delays (see cfl_backoff.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>

#include "cfl_backoff.h"
#include "cfl_time.h"

void cfl_backoff_init(cfl_backoff_t *b, int64_t base_ms, int64_t max_ms)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->max_ms = max_ms > 0 ? max_ms : 0;
	b->attempt = 0;
}

int64_t cfl_backoff_next(cfl_backoff_t *b, uint32_t rnd)
{
	int64_t d = b->base_ms;
	unsigned i;

	for (i = 0; i < b->attempt && d < b->max_ms; i++)
		d *= 2;
	if (d > b->max_ms)
		d = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	return d / 2 + (int64_t)(rnd % (uint64_t)(d - d / 2 + 1));
}

void cfl_backoff_reset(cfl_backoff_t *b)
{
	b->attempt = 0;
}

static const char *skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" -> epoch ms, via the ISO parser. */
static int parse_imf_fixdate(const char *s, int64_t *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char iso[32];
	const char *m;
	size_t n = strlen(s);
	int mon;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	/* "Www, DD Mmm YYYY hh:mm:ss GMT" is exactly 29 characters */
	if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[25] != ' ' ||
	    strncmp(s + 26, "GMT", 3) != 0)
		return 0;
	for (m = months, mon = 1; *m; m += 3, mon++)
		if (strncmp(m, s + 8, 3) == 0)
			break;
	if (*m == '\0')
		return 0;
	/* YYYY-MM-DDThh:mm:ssZ */
	memcpy(iso, s + 12, 4);
	iso[4] = '-';
	iso[5] = (char)('0' + mon / 10);
	iso[6] = (char)('0' + mon % 10);
	iso[7] = '-';
	memcpy(iso + 8, s + 5, 2);
	iso[10] = 'T';
	memcpy(iso + 11, s + 17, 8);
	iso[19] = 'Z';
	return cfl_time_parse_iso8601(iso, 20, ms) == 0;
}

int64_t cfl_retry_after_ms(const char *value, int64_t now_ms, int64_t max_ms)
{
	const char *p;
	int64_t secs = 0, at;

	if (value == NULL)
		return -1;
	p = value = skip_sp(value);
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++)
			if (secs <= max_ms / 1000 + 1)
				secs = secs * 10 + (*p - '0'); /* beyond max: stop growing, clamp below */
		if (*skip_sp(p) != '\0')
			return -1;
		return secs > max_ms / 1000 ? max_ms : secs * 1000;
	}
	if (!parse_imf_fixdate(value, &at))
		return -1;
	if (at <= now_ms)
		return 0;
	return at - now_ms > max_ms ? max_ms : at - now_ms;
}
