/* cfl_time.c: timestamp parsing and formatting, shared by the mapping and the
 * polling core.
 *
 * Calendar arithmetic uses the proleptic Gregorian "days from civil" formula
 * (Howard Hinnant's public-domain algorithm, rewritten here) instead of
 * timegm()/gmtime_r(): it is exact for years 0..9999, needs no locale or TZ, and
 * costs a handful of integer operations per event.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "cfl_time.h"

#define MS_PER_DAY 86400000LL

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

/* Reads exactly n digits at s[*pos]. */
static int digits(const char *s, size_t len, size_t *pos, int n, int *out)
{
	int v = 0, i;

	if (*pos + (size_t)n > len)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[*pos + (size_t)i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*pos += (size_t)n;
	*out = v;
	return 0;
}

static int expect(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return -1;
	(*pos)++;
	return 0;
}

/* ".fraction" -> milliseconds, truncated (any number of digits, at least one). */
static int fraction_ms(const char *s, size_t len, size_t *pos, int *ms)
{
	int n = 0, v = 0;

	if (*pos >= len || (s[*pos] != '.' && s[*pos] != ','))
		return 0;
	(*pos)++;
	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
		if (n < 3)
			v = v * 10 + (s[*pos] - '0');
		n++;
		(*pos)++;
	}
	if (n == 0)
		return -1;
	while (n++ < 3)
		v *= 10;
	*ms = v;
	return 0;
}

/* Zone designator at the end: Z, +HH, +HHMM, +HH:MM (or none). Sets the offset
 * in minutes east of UTC. */
static int zone_offset(const char *s, size_t len, size_t *pos, int *minutes)
{
	int sign, hh, mm = 0;

	*minutes = 0;
	if (*pos == len)
		return 0;
	if (s[*pos] == 'Z' || s[*pos] == 'z') {
		(*pos)++;
		return 0;
	}
	if (s[*pos] != '+' && s[*pos] != '-')
		return -1;
	sign = s[*pos] == '-' ? -1 : 1;
	(*pos)++;
	if (digits(s, len, pos, 2, &hh) != 0)
		return -1;
	if (*pos < len) {
		if (s[*pos] == ':')
			(*pos)++;
		if (digits(s, len, pos, 2, &mm) != 0)
			return -1;
	}
	if (hh > 18 || mm > 59 || (hh == 18 && mm != 0))
		return -1;
	*minutes = sign * (hh * 60 + mm);
	return 0;
}

static int is_time_sep(char c)
{
	return c == 'T' || c == 't' || c == ' ';
}

/* HH:MM[:SS[.fff]] */
static int time_of_day(const char *s, size_t len, size_t *pos, int64_t *ms_of_day)
{
	int hh, mi, ss = 0, ms = 0;

	if (digits(s, len, pos, 2, &hh) != 0 || expect(s, len, pos, ':') != 0 || digits(s, len, pos, 2, &mi) != 0)
		return -1;
	if (*pos < len && s[*pos] == ':') {
		(*pos)++;
		if (digits(s, len, pos, 2, &ss) != 0 || fraction_ms(s, len, pos, &ms) != 0)
			return -1;
	}
	if (hh > 23 || mi > 59 || ss > 59)
		return -1;
	*ms_of_day = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + ms;
	return 0;
}

int cfl_time_parse_iso8601(const char *s, size_t len, int64_t *ms)
{
	size_t pos = 0;
	int y, mo, d, off = 0;
	int64_t tod = 0, t;

	if (digits(s, len, &pos, 4, &y) != 0 || expect(s, len, &pos, '-') != 0 || digits(s, len, &pos, 2, &mo) != 0 ||
	    expect(s, len, &pos, '-') != 0 || digits(s, len, &pos, 2, &d) != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (pos < len && is_time_sep(s[pos])) {
		pos++;
		if (time_of_day(s, len, &pos, &tod) != 0 || zone_offset(s, len, &pos, &off) != 0)
			return -1;
	}
	if (pos != len)
		return -1;
	t = days_from_civil(y, mo, d) * MS_PER_DAY + tod - (int64_t)off * 60000;
	if (cfl_time_check_ms(t) != 0)
		return -1;
	*ms = t;
	return 0;
}

int cfl_time_check_ms(int64_t ms)
{
	return ms < CFL_TIME_MIN_MS || ms > CFL_TIME_MAX_MS ? -1 : 0;
}

int cfl_time_from_epoch_nano(int64_t epoch_second, int64_t nano, int64_t *ms)
{
	int64_t t;

	if (nano < 0 || nano > 999999999)
		return -1;
	/* range-check seconds first so the multiplication cannot overflow */
	if (epoch_second < CFL_TIME_MIN_MS / 1000 || epoch_second > CFL_TIME_MAX_MS / 1000)
		return -1;
	t = epoch_second * 1000 + nano / 1000000;
	if (cfl_time_check_ms(t) != 0)
		return -1;
	*ms = t;
	return 0;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

size_t cfl_time_format_ms(int64_t ms, char *buf, size_t bufsz)
{
	int64_t days, rem;
	int y, mo, d, sec;

	if (bufsz > 0)
		buf[0] = '\0'; /* callers may print buf whatever the outcome */
	if (bufsz < CFL_TIME_ISO_LEN || cfl_time_check_ms(ms) != 0)
		return 0;
	/* floor division: instants before 1970 belong to the earlier day */
	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	sec = (int)(rem / 1000);
	put2(buf, y / 100);
	put2(buf + 2, y % 100);
	buf[4] = '-';
	put2(buf + 5, mo);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, sec / 3600);
	buf[13] = ':';
	put2(buf + 14, sec / 60 % 60);
	buf[16] = ':';
	put2(buf + 17, sec % 60);
	buf[19] = '.';
	buf[20] = (char)('0' + rem % 1000 / 100);
	put2(buf + 21, (int)(rem % 100));
	buf[23] = 'Z';
	buf[24] = '\0';
	return 24;
}
