/* cfl_jscan.c: strict in-place JSON scanner (see cfl_jscan.h).
 *
 * Grammar (RFC 8259):
 *   value  = object / array / string / number / true / false / null
 *   object = "{" [ string ":" value *( "," string ":" value ) ] "}"
 *   array  = "[" [ value *( "," value ) ] "]"
 *   number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ("e"/"E") ["+"/"-"] 1*DIGIT ]
 *   string = '"' *( unescaped / "\" ( ["\/bfnrt] / "u" 4HEXDIG ) ) '"'
 * Bytes >= 0x80 inside strings are passed through unchecked: the body is
 * handed on as text and rsyslog copes with any bytes.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_jscan.h"

typedef struct scan {
	const char *b;
	size_t len;
	size_t pos;
	cfl_errbuf_t *err;
	int max_value_depth; /* deepest value (the root is at 0); -1: no limit */
	cfl_jmember_t *top;  /* where the root object's members go, or NULL */
	size_t ntop, maxtop;
} scan_t;

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws_scan(scan_t *s)
{
	while (s->pos < s->len && is_ws(s->b[s->pos]))
		s->pos++;
}

/* Fails at s->pos: truncated if the input ended, a parse error otherwise. */
static cfl_rc_t fail(scan_t *s, const char *expected)
{
	unsigned char c;

	if (s->pos >= s->len)
		return cfl_err_set(
		        s->err, CFL_ETRUNC,
		        "truncated JSON: the body ends after %zu bytes, in the middle of a value (expected %s)", s->len,
		        expected);
	c = (unsigned char)s->b[s->pos];
	if (c >= 0x21 && c < 0x7f)
		return cfl_err_set(s->err, CFL_EPARSE, "invalid JSON at byte %zu of %zu: expected %s, found '%c'",
		                   s->pos, s->len, expected, c);
	return cfl_err_set(s->err, CFL_EPARSE, "invalid JSON at byte %zu of %zu: expected %s, found byte 0x%02x",
	                   s->pos, s->len, expected, c);
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Byte classes: what ends a run of plain string bytes, and what a container
 * skip or a scalar skip must look at. Tables instead of strchr(): the
 * scanner and the walkers run over every byte of every event mapped. */
enum { C_PLAIN = 0, C_QUOTE = 1, C_BSLASH = 2, C_OPEN = 3, C_CLOSE = 4, C_CTRL = 5 };
#define CTRL4(a) [a] = C_CTRL, [a + 1] = C_CTRL, [a + 2] = C_CTRL, [a + 3] = C_CTRL
static const unsigned char str_class[256] = {
	CTRL4(0x00), CTRL4(0x04), CTRL4(0x08), CTRL4(0x0c),     CTRL4(0x10),
	CTRL4(0x14), CTRL4(0x18), CTRL4(0x1c), ['"'] = C_QUOTE, ['\\'] = C_BSLASH
};
#undef CTRL4
static const unsigned char walk_class[256] = {
	['"'] = C_QUOTE, ['{'] = C_OPEN, ['['] = C_OPEN, ['}'] = C_CLOSE, [']'] = C_CLOSE
};
static const unsigned char scalar_end[256] = {
	[','] = 1, ['}'] = 1, [']'] = 1, [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [0] = 1
};

static cfl_rc_t scan_string(scan_t *s)
{
	int i;

	s->pos++; /* opening quote */
	while (s->pos < s->len) {
		unsigned char c = (unsigned char)s->b[s->pos];
		if (str_class[c] == C_PLAIN) {
			s->pos++;
			continue;
		}
		if (c == '"') {
			s->pos++;
			return CFL_OK;
		}
		if (c < 0x20)
			return fail(s, "a string character (control characters must be escaped)");
		if (c != '\\') {
			s->pos++;
			continue;
		}
		s->pos++;
		if (s->pos >= s->len)
			return fail(s, "an escape sequence");
		c = (unsigned char)s->b[s->pos];
		if (c == 'u') {
			s->pos++;
			for (i = 0; i < 4; i++, s->pos++)
				if (s->pos >= s->len || !is_hex(s->b[s->pos]))
					return fail(s, "4 hex digits after \\u");
		} else if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
			s->pos++;
		} else {
			return fail(s, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
		}
	}
	return fail(s, "the end of the string");
}

static cfl_rc_t scan_digits(scan_t *s, const char *what)
{
	if (s->pos >= s->len || !is_digit(s->b[s->pos]))
		return fail(s, what);
	while (s->pos < s->len && is_digit(s->b[s->pos]))
		s->pos++;
	return CFL_OK;
}

static cfl_rc_t scan_number(scan_t *s)
{
	cfl_rc_t rc;

	if (s->b[s->pos] == '-')
		s->pos++;
	if (s->pos < s->len && s->b[s->pos] == '0')
		s->pos++;
	else if ((rc = scan_digits(s, "a digit")) != CFL_OK)
		return rc;
	if (s->pos < s->len && s->b[s->pos] == '.') {
		s->pos++;
		if ((rc = scan_digits(s, "a digit after '.'")) != CFL_OK)
			return rc;
	}
	if (s->pos < s->len && (s->b[s->pos] == 'e' || s->b[s->pos] == 'E')) {
		s->pos++;
		if (s->pos < s->len && (s->b[s->pos] == '+' || s->b[s->pos] == '-'))
			s->pos++;
		if ((rc = scan_digits(s, "a digit in the exponent")) != CFL_OK)
			return rc;
	}
	return CFL_OK;
}

static cfl_rc_t scan_literal(scan_t *s, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i < n; i++, s->pos++)
		if (s->pos >= s->len || s->b[s->pos] != lit[i])
			return fail(s, lit);
	return CFL_OK;
}

static cfl_rc_t scan_value(scan_t *s, int depth);

/* Elements of an array or members of an object, after the opening
 * bracket; is_obj selects which. */
static cfl_rc_t scan_container(scan_t *s, int depth, int is_obj)
{
	const char close = is_obj ? '}' : ']';
	cfl_rc_t rc;

	if (depth >= CFL_JSCAN_MAX_DEPTH)
		return cfl_err_set(s->err, CFL_ELIMIT, "JSON nested deeper than %d levels at byte %zu",
		                   CFL_JSCAN_MAX_DEPTH, s->pos);
	s->pos++;
	skip_ws_scan(s);
	if (s->pos < s->len && s->b[s->pos] == close) {
		s->pos++;
		return CFL_OK;
	}
	for (;;) {
		size_t key = s->pos, key_end = 0, val;

		if (is_obj) {
			if (s->pos >= s->len || s->b[s->pos] != '"')
				return fail(s, "a member name string");
			if ((rc = scan_string(s)) != CFL_OK)
				return rc;
			key_end = s->pos;
			skip_ws_scan(s);
			if (s->pos >= s->len || s->b[s->pos] != ':')
				return fail(s, "':'");
			s->pos++;
			skip_ws_scan(s);
		}
		val = s->pos;
		if ((rc = scan_value(s, depth + 1)) != CFL_OK)
			return rc;
		if (is_obj && depth == 0 && s->top != NULL && s->ntop++ < s->maxtop) {
			cfl_jmember_t *m = &s->top[s->ntop - 1];

			m->key.p = s->b + key;
			m->key.len = key_end - key;
			m->val.p = s->b + val;
			m->val.len = s->pos - val;
		}
		skip_ws_scan(s);
		if (s->pos < s->len && s->b[s->pos] == ',') {
			s->pos++;
			skip_ws_scan(s);
			continue;
		}
		if (s->pos < s->len && s->b[s->pos] == close) {
			s->pos++;
			return CFL_OK;
		}
		return fail(s, is_obj ? "',' or '}'" : "',' or ']'");
	}
}

static cfl_rc_t scan_value(scan_t *s, int depth)
{
	char c;

	skip_ws_scan(s);
	if (s->pos >= s->len)
		return fail(s, "a value");
	if (s->max_value_depth >= 0 && depth > s->max_value_depth)
		return cfl_err_set(s->err, CFL_ELIMIT, "JSON nested deeper than %d levels at byte %zu",
		                   s->max_value_depth, s->pos);
	c = s->b[s->pos];
	switch (c) {
	case '{': return scan_container(s, depth, 1);
	case '[': return scan_container(s, depth, 0);
	case '"': return scan_string(s);
	case 't': return scan_literal(s, "true");
	case 'f': return scan_literal(s, "false");
	case 'n': return scan_literal(s, "null");
	default:
		if (c == '-' || is_digit(c))
			return scan_number(s);
		return fail(s, "a JSON value");
	}
}

cfl_rc_t cfl_jscan_document(const char *buf, size_t len, cfl_span_t *root, cfl_errbuf_t *err)
{
	return cfl_jscan_document_depth(buf, len, -1, root, err);
}

cfl_rc_t cfl_jscan_document_depth(const char *buf, size_t len, int max_value_depth, cfl_span_t *root, cfl_errbuf_t *err)
{
	return cfl_jscan_document_members(buf, len, max_value_depth, root, NULL, 0, NULL, err);
}

cfl_rc_t cfl_jscan_document_members(const char *buf, size_t len, int max_value_depth, cfl_span_t *root,
                                    cfl_jmember_t *top, size_t max, size_t *ntop, cfl_errbuf_t *err)
{
	scan_t s = { buf, len, 0, err, max_value_depth, top, 0, max };
	size_t start;
	cfl_rc_t rc;

	skip_ws_scan(&s);
	if (s.pos >= len)
		return cfl_err_set(err, len == 0 ? CFL_ETRUNC : CFL_EPARSE, "empty body: %zu bytes, no JSON value",
		                   len);
	start = s.pos;
	if ((rc = scan_value(&s, 0)) != CFL_OK)
		return rc;
	root->p = buf + start;
	root->len = s.pos - start;
	skip_ws_scan(&s);
	if (s.pos != len)
		return fail(&s, "the end of the body after the JSON value");
	if (ntop != NULL)
		*ntop = s.ntop;
	return CFL_OK;
}

/* ---- walking validated spans ---------------------------------------- */

cfl_jtype_t cfl_jscan_type(cfl_span_t v)
{
	if (v.len == 0)
		return CFL_JNONE;
	switch (v.p[0]) {
	case '{': return CFL_JOBJECT;
	case '[': return CFL_JARRAY;
	case '"': return CFL_JSTRING;
	case 't': return CFL_JTRUE;
	case 'f': return CFL_JFALSE;
	case 'n': return CFL_JNULL;
	default: return (v.p[0] == '-' || is_digit(v.p[0])) ? CFL_JNUMBER : CFL_JNONE;
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char c = str_class[(unsigned char)*p];

		if (c == C_BSLASH)
			p++;
		else if (c == C_QUOTE)
			return p + 1;
	}
	return end;
}

static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return end;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && !scalar_end[(unsigned char)*p])
			p++;
		return p;
	}
	while (p < end) {
		switch (walk_class[(unsigned char)*p]) {
		case C_QUOTE: p = skip_string(p, end); continue;
		case C_OPEN: depth++; break;
		case C_CLOSE:
			if (--depth == 0)
				return p + 1;
			break;
		default: break;
		}
		p++;
	}
	return end;
}

static int iter_begin(cfl_span_t v, cfl_jiter_t *it, char open)
{
	if (v.len < 2 || v.p[0] != open)
		return 0;
	it->p = v.p + 1;
	it->end = v.p + v.len - 1;
	return 1;
}

int cfl_jscan_obj_begin(cfl_span_t v, cfl_jiter_t *it)
{
	return iter_begin(v, it, '{');
}

int cfl_jscan_arr_begin(cfl_span_t v, cfl_jiter_t *it)
{
	return iter_begin(v, it, '[');
}

/* Moves past whitespace and one separating comma. */
static const char *next_item(const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p < end && *p == ',')
		p = skip_ws(p + 1, end);
	return p;
}

int cfl_jscan_obj_next(cfl_jiter_t *it, cfl_span_t *key, cfl_span_t *val)
{
	const char *p = next_item(it->p, it->end);
	const char *q;

	if (p >= it->end || *p != '"')
		return 0;
	q = skip_string(p, it->end);
	key->p = p;
	key->len = (size_t)(q - p);
	p = skip_ws(q, it->end);
	if (p < it->end && *p == ':')
		p = skip_ws(p + 1, it->end);
	q = skip_value(p, it->end);
	val->p = p;
	val->len = (size_t)(q - p);
	it->p = q;
	return val->len > 0;
}

int cfl_jscan_arr_next(cfl_jiter_t *it, cfl_span_t *val)
{
	const char *p = next_item(it->p, it->end);
	const char *q;

	if (p >= it->end)
		return 0;
	q = skip_value(p, it->end);
	val->p = p;
	val->len = (size_t)(q - p);
	it->p = q;
	return val->len > 0;
}

int cfl_jscan_key_eq(cfl_span_t key, const char *name)
{
	char buf[256];
	size_t n = strlen(name);
	long got;

	if (key.len < 2 || key.p[0] != '"')
		return 0;
	if (memchr(key.p, '\\', key.len) == NULL)
		return key.len - 2 == n && memcmp(key.p + 1, name, n) == 0;
	got = cfl_jscan_string(key, buf, sizeof(buf));
	return got >= 0 && (size_t)got == n && memcmp(buf, name, n) == 0;
}

int cfl_jscan_member(cfl_span_t obj, const char *name, cfl_span_t *val)
{
	cfl_jiter_t it;
	cfl_span_t k, v;

	if (!cfl_jscan_obj_begin(obj, &it))
		return 0;
	while (cfl_jscan_obj_next(&it, &k, &v)) {
		if (cfl_jscan_key_eq(k, name)) {
			*val = v;
			return 1;
		}
	}
	return 0;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else
			v |= (unsigned)(c - 'A' + 10);
	}
	return v;
}

/* Appends code point cp as UTF-8; returns bytes written or 0 if no room. */
static size_t put_utf8(char *out, size_t room, unsigned cp)
{
	if (cp < 0x80 && room >= 1) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800 && room >= 2) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000 && room >= 3) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp >= 0x10000 && room >= 4) {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

/* Decodes the \u escape at p (pointing at 'u'); sets *used to the bytes
 * consumed after the backslash. Lone surrogates become U+FFFD. */
static unsigned decode_u(const char *p, const char *end, size_t *used)
{
	unsigned cp = hex4(p + 1), lo;

	*used = 5;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (end - (p + 5) >= 6 && p[5] == '\\' && p[6] == 'u') {
			lo = hex4(p + 7);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				*used = 11;
				return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
		}
		return 0xFFFD;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return 0xFFFD;
	return cp;
}

long cfl_jscan_string(cfl_span_t v, char *out, size_t outlen)
{
	const char *p, *end;
	size_t n = 0, used, w;

	if (v.len < 2 || v.p[0] != '"' || outlen == 0)
		return -1;
	p = v.p + 1;
	end = v.p + v.len - 1;
	while (p < end) {
		if (*p != '\\') {
			if (n + 1 >= outlen)
				return -1;
			out[n++] = *p++;
			continue;
		}
		p++;
		if (p >= end)
			return -1;
		if (*p == 'u') {
			if (end - p < 5)
				return -1;
			w = put_utf8(out + n, outlen - 1 - n, decode_u(p, end, &used));
			if (w == 0)
				return -1;
			n += w;
			p += used;
			continue;
		}
		if (n + 1 >= outlen)
			return -1;
		switch (*p) {
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		default: out[n++] = *p; break;
		}
		p++;
	}
	out[n] = '\0';
	return (long)n;
}

int cfl_jscan_int64(cfl_span_t v, int64_t *out)
{
	char buf[64];
	size_t i = 0;
	int neg = 0;
	uint64_t acc = 0;
	double d;
	char *endp;

	if (cfl_jscan_type(v) != CFL_JNUMBER)
		return 0;
	if (memchr(v.p, 'e', v.len) != NULL || memchr(v.p, 'E', v.len) != NULL) {
		if (v.len >= sizeof(buf))
			return 0;
		memcpy(buf, v.p, v.len);
		buf[v.len] = '\0';
		errno = 0;
		d = strtod(buf, &endp);
		if (errno != 0 || d >= 9.2233720368547758e18 || d <= -9.2233720368547758e18)
			return 0;
		*out = (int64_t)d;
		return 1;
	}
	if (v.p[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < v.len && is_digit(v.p[i]); i++) {
		if (acc > (UINT64_C(9223372036854775807) - (uint64_t)(v.p[i] - '0')) / 10)
			return 0;
		acc = acc * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = neg ? -(int64_t)acc : (int64_t)acc;
	return 1;
}

int cfl_jscan_bool(cfl_span_t v, int *out)
{
	switch (cfl_jscan_type(v)) {
	case CFL_JTRUE: *out = 1; return 1;
	case CFL_JFALSE: *out = 0; return 1;
	default: return 0;
	}
}

size_t cfl_jscan_compact(cfl_span_t v, char *out)
{
	size_t i, n = 0;
	int in_str = 0;

	for (i = 0; i < v.len; i++) {
		char c = v.p[i];
		if (in_str) {
			out[n++] = c;
			if (c == '\\' && i + 1 < v.len)
				out[n++] = v.p[++i];
			else if (c == '"')
				in_str = 0;
		} else if (!is_ws(c)) {
			out[n++] = c;
			in_str = (c == '"');
		}
	}
	return n;
}
