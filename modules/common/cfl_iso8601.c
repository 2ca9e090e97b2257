/* cfl_iso8601.c: ISO 8601 date-times <-> epoch ms (see cfl_iso8601.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfl_iso8601.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic:
 * 400-year eras of 146097 days, the year starting in March so the leap
 * day comes last). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

/* Reads exactly n digits at s[*i]; returns -1 if they are not there. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	return v;
}

static int expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return 0;
	(*i)++;
	return 1;
}

/* Parses the zone designator at s[*i..len); sets *off_min. */
static int parse_zone(const char *s, size_t len, size_t *i, int *off_min)
{
	int sign, hh, mm;

	*off_min = 0;
	if (*i == len)
		return 1;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		return 1;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return 0;
	sign = s[(*i)++] == '-' ? -1 : 1;
	if ((hh = digits(s, len, i, 2)) < 0 || hh > 23)
		return 0;
	if (*i < len && s[*i] == ':')
		(*i)++;
	if ((mm = digits(s, len, i, 2)) < 0 || mm > 59)
		return 0;
	*off_min = sign * (hh * 60 + mm);
	return 1;
}

int cfl_iso8601_parse(const char *s, size_t len, int64_t *ms)
{
	size_t i = 0;
	int y, mo, d, h, mi, sec, frac = 0, scale = 100, off;

	if ((y = digits(s, len, &i, 4)) < 0 || !expect(s, len, &i, '-') ||
	    (mo = digits(s, len, &i, 2)) < 1 || mo > 12 || !expect(s, len, &i, '-') ||
	    (d = digits(s, len, &i, 2)) < 1 || d > days_in_month(y, (unsigned)mo))
		return 0;
	if (i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
		return 0;
	i++;
	if ((h = digits(s, len, &i, 2)) < 0 || h > 23 || !expect(s, len, &i, ':') ||
	    (mi = digits(s, len, &i, 2)) < 0 || mi > 59 || !expect(s, len, &i, ':') ||
	    (sec = digits(s, len, &i, 2)) < 0 || sec > 60)
		return 0;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (!parse_zone(s, len, &i, &off) || i != len)
		return 0;
	if (sec == 60) /* a leap second is folded into the next second's start */
		sec = 59, frac = 999;
	*ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec)
	       - (int64_t)off * 60) * 1000 + frac;
	return 1;
}

/* Writes v as exactly n decimal digits (zero-padded). */
static void put_dec(char *out, unsigned v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void cfl_iso8601_format(int64_t ms, char *out)
{
	static const int64_t min_ms = -62167219200000LL;  /* 0000-01-01T00:00:00.000Z */
	static const int64_t max_ms = 253402300799999LL;  /* 9999-12-31T23:59:59.999Z */
	int64_t days, rem, y;
	unsigned m, d;

	if (ms < min_ms)
		ms = min_ms;
	if (ms > max_ms)
		ms = max_ms;
	days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	rem = ms - days * 86400000;
	civil_from_days(days, &y, &m, &d);
	put_dec(out, (unsigned)y, 4);
	out[4] = '-';
	put_dec(out + 5, m, 2);
	out[7] = '-';
	put_dec(out + 8, d, 2);
	out[10] = 'T';
	put_dec(out + 11, (unsigned)(rem / 3600000), 2);
	out[13] = ':';
	put_dec(out + 14, (unsigned)(rem / 60000 % 60), 2);
	out[16] = ':';
	put_dec(out + 17, (unsigned)(rem / 1000 % 60), 2);
	out[19] = '.';
	put_dec(out + 20, (unsigned)(rem % 1000), 3);
	out[23] = 'Z';
	out[24] = '\0';
}
