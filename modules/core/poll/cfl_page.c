/* cfl_page.c: parse one audit API page (see cfl_page.h for the shapes).
 *
 * The whole body is validated once by cfl_jscan_document(), so a cut-off
 * or non-JSON body is rejected before any event is looked at; then the
 * events array is walked and each event compacted into one arena.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_time.h"
#include "cfl_jscan.h"
#include "cfl_page.h"

#define EXCERPT_LEN 48

static cfl_rc_t body_error(cfl_errbuf_t *err, cfl_rc_t rc, const char *what, const char *body, size_t len)
{
	char ex[EXCERPT_LEN + 1];

	cfl_excerpt(body, len, ex, EXCERPT_LEN);
	return cfl_err_set(err, rc, "%s; the body (%zu bytes) starts with \"%s\"", what, len, ex);
}

/* Time of a string value: epoch ms digits or ISO 8601. */
static int ts_from_string(cfl_span_t v, int64_t *ms)
{
	char buf[64];
	long n = cfl_jscan_string(v, buf, sizeof(buf));
	char *end;
	long long x;

	if (n <= 0 || memchr(buf, '\0', (size_t)n) != NULL) /* "1700000000000\u0000x" is no time */
		return 0;
	if (cfl_time_parse_iso8601(buf, (size_t)n, ms) == 0)
		return 1;
	x = strtoll(buf, &end, 10);
	if (*end != '\0' || buf[0] == '-' || buf[0] == '+' || buf[0] == ' ')
		return 0;
	*ms = (int64_t)x;
	return 1;
}

/* DC audit files write {"epochSecond":s,"nano":n}; accept it here too. */
static int ts_from_object(cfl_span_t v, int64_t *ms)
{
	cfl_span_t s, n;
	int64_t sec, nano = 0;

	if (!cfl_jscan_member(v, "epochSecond", &s) || !cfl_jscan_int64(s, &sec))
		return 0;
	if (cfl_jscan_member(v, "nano", &n) && !cfl_jscan_int64(n, &nano))
		return 0;
	if (sec > INT64_MAX / 1000 - 1 || sec < INT64_MIN / 1000 + 1)
		return 0;
	*ms = sec * 1000 + nano / 1000000;
	return 1;
}

static int64_t event_time(cfl_flavor_t flavor, cfl_span_t ev)
{
	cfl_span_t v;
	int64_t ms;
	int ok = 0;

	if (!cfl_jscan_member(ev, flavor == CFL_FLAVOR_CLOUD ? CFL_CLOUD_F_TIME : CFL_DC_F_TIME, &v))
		return CFL_TS_NONE;
	switch (cfl_jscan_type(v)) {
	case CFL_JNUMBER: ok = cfl_jscan_int64(v, &ms); break;
	case CFL_JSTRING: ok = ts_from_string(v, &ms); break;
	case CFL_JOBJECT: ok = ts_from_object(v, &ms); break;
	default: break;
	}
	return ok && ms != CFL_TS_NONE ? ms : CFL_TS_NONE;
}

static int in_list(cfl_span_t v, const char *const *list)
{
	char buf[512];
	long n;

	if (cfl_jscan_type(v) != CFL_JSTRING || (n = cfl_jscan_string(v, buf, sizeof(buf))) < 0)
		return 0;
	for (; *list != NULL; list++)
		if (strcmp(*list, buf) == 0)
			return 1;
	return 0;
}

static int event_excluded(cfl_flavor_t flavor, cfl_span_t ev, const char *const *exclude)
{
	cfl_span_t type, v;

	if (exclude == NULL || exclude[0] == NULL)
		return 0;
	if (flavor == CFL_FLAVOR_CLOUD)
		return cfl_jscan_member(ev, CFL_CLOUD_F_SUMMARY, &v) && in_list(v, exclude);
	if (!cfl_jscan_member(ev, CFL_DC_F_TYPE, &type))
		return 0;
	return (cfl_jscan_member(type, CFL_DC_F_ACTION_KEY, &v) && in_list(v, exclude)) ||
	       (cfl_jscan_member(type, CFL_DC_F_ACTION, &v) && in_list(v, exclude));
}

static char *dup_string(cfl_span_t v)
{
	char *s;

	if (cfl_jscan_type(v) != CFL_JSTRING || (s = malloc(v.len)) == NULL)
		return NULL;
	if (cfl_jscan_string(v, s, v.len) < 0) { /* decoded is never longer than raw */
		free(s);
		return NULL;
	}
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* pageCursor=... from a DC nextPageLink's query, percent-decoded. */
static char *cursor_from_link(const char *link)
{
	const char *q = strchr(link, '?'), *p, *e;
	char *out, *o;

	for (p = q; p != NULL; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, CFL_DC_Q_PAGE_CURSOR "=", sizeof(CFL_DC_Q_PAGE_CURSOR)) != 0)
			continue;
		p += 1 + sizeof(CFL_DC_Q_PAGE_CURSOR);
		e = p + strcspn(p, "&#");
		if (e == p || (out = o = malloc((size_t)(e - p) + 1)) == NULL)
			return NULL;
		for (; p < e; p++) {
			if (*p == '%' && e - p > 2 && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				p += 2;
			} else {
				*o++ = *p == '+' ? ' ' : *p;
			}
		}
		*o = '\0';
		return out;
	}
	return NULL;
}

static void paging_cloud(cfl_span_t root, cfl_page_t *pg)
{
	cfl_span_t links, v;
	int64_t lim;

	if (cfl_jscan_member(root, CFL_CLOUD_F_LIMIT, &v) && cfl_jscan_int64(v, &lim) && lim > 0 && lim <= 1000000)
		pg->limit = (long)lim;
	if (!cfl_jscan_member(root, CFL_CLOUD_F_LINKS, &links) || cfl_jscan_type(links) != CFL_JOBJECT)
		return;
	pg->has_links = 1;
	if (cfl_jscan_member(links, CFL_CLOUD_F_NEXT, &v) && cfl_jscan_type(v) == CFL_JSTRING && v.len > 2) {
		pg->has_more = 1;
		pg->next_link = dup_string(v);
	}
}

static void paging_dc(cfl_span_t root, cfl_page_t *pg)
{
	cfl_span_t info, v;
	int last = 1;

	if (!cfl_jscan_member(root, CFL_DC_F_PAGING, &info) || cfl_jscan_type(info) != CFL_JOBJECT)
		return;
	if (cfl_jscan_member(info, CFL_DC_F_LAST_PAGE, &v))
		cfl_jscan_bool(v, &last);
	if (cfl_jscan_member(info, CFL_DC_F_NEXT_LINK, &v))
		pg->next_link = dup_string(v);
	if (cfl_jscan_member(info, CFL_DC_F_NEXT_CURSOR, &v))
		pg->next_cursor = dup_string(v);
	if (pg->next_cursor != NULL && pg->next_cursor[0] == '\0') {
		free(pg->next_cursor);
		pg->next_cursor = NULL;
	}
	if (pg->next_cursor == NULL && pg->next_link != NULL)
		pg->next_cursor = cursor_from_link(pg->next_link);
	pg->has_more = !last;
}

static cfl_rc_t collect_events(cfl_flavor_t flavor, cfl_span_t arr, size_t bodylen, const char *const *exclude,
                               size_t max_events, cfl_page_t *pg, cfl_errbuf_t *err)
{
	cfl_jiter_t it;
	cfl_span_t v;
	size_t n = 0, used = 0;

	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v))
		if (++n > max_events && max_events > 0) /* stop counting: the page is refused anyway */
			return cfl_err_set(err, CFL_ELIMIT,
			                   "the page holds more than %zu events, more than the limit "
			                   "asked for (pageSize) allows; refused like an oversized body (%zu bytes)",
			                   max_events, bodylen);
	if ((pg->ev = calloc(n ? n : 1, sizeof(*pg->ev))) == NULL || (pg->arena = malloc(bodylen + n + 1)) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory for a page of %zu events", n);
	cfl_jscan_arr_begin(arr, &it);
	while (cfl_jscan_arr_next(&it, &v)) {
		cfl_page_event_t *e = &pg->ev[pg->n];
		if (cfl_jscan_type(v) != CFL_JOBJECT)
			return cfl_err_set(err, CFL_EPROTO, "event %zu of the page is not a JSON object", pg->n);
		e->json = pg->arena + used;
		e->len = cfl_jscan_compact(v, pg->arena + used);
		pg->arena[used + e->len] = '\0';
		used += e->len + 1;
		e->ts_ms = event_time(flavor, v);
		e->excluded = event_excluded(flavor, v, exclude);
		if (e->ts_ms == CFL_TS_NONE)
			pg->n_untimed++;
		pg->n++;
	}
	return CFL_OK;
}

/* ---- the lenient read ----------------------------------------------------
 * Only the extent of values is found here (strings and brackets, no
 * grammar, no recursion: any depth costs one pass); each event is then
 * validated on its own, and the rest of the page as one small document. */

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at a value: its end, or NULL if the text ends first */
static const char *value_end(const char *p, const char *e)
{
	size_t depth = 0;

	if (p >= e)
		return NULL;
	if (*p != '{' && *p != '[' && *p != '"') {
		while (p < e && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n' && *p != '\r' &&
		       *p != '\t')
			p++;
		return p;
	}
	for (; p < e; p++) {
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= e)
				return NULL;
			if (depth == 0)
				return p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0) /* unbalanced */
				return NULL;
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

static cfl_rc_t lenient(cfl_flavor_t flavor, const char *body, size_t len, const char *const *exclude,
                        size_t max_events, cfl_page_t *pg, cfl_errbuf_t *err)
{
	const char *arr_name = flavor == CFL_FLAVOR_CLOUD ? CFL_CLOUD_F_RESULTS : CFL_DC_F_ENTITIES;
	const char *p = body, *e = body + len, *k, *ke, *v, *ve, *arr = NULL, *arr_end = NULL;
	size_t rl = 1, n = 0, used = 0;
	cfl_errbuf_t jerr;
	cfl_span_t root, one;

	if ((pg->rest = malloc(len + 3)) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory for a page of %zu bytes", len);
	pg->rest[0] = '{';
	p = skip_ws(p, e);
	if (p >= e || *p++ != '{')
		return CFL_EPARSE;
	for (;;) {
		p = skip_ws(p, e);
		if (p < e && *p == '}')
			break;
		k = p;
		if ((ke = value_end(p, e)) == NULL || *k != '"')
			return CFL_EPARSE;
		p = skip_ws(ke, e);
		if (p >= e || *p++ != ':')
			return CFL_EPARSE;
		v = skip_ws(p, e);
		if ((ve = value_end(v, e)) == NULL)
			return CFL_EPARSE;
		if ((size_t)(ke - k) == strlen(arr_name) + 2 && memcmp(k + 1, arr_name, strlen(arr_name)) == 0 &&
		    *v == '[') {
			arr = v;
			arr_end = ve;
		} else { /* the other members, for the paging information */
			if (rl > 1)
				pg->rest[rl++] = ',';
			memcpy(pg->rest + rl, k, (size_t)(ve - k));
			rl += (size_t)(ve - k);
		}
		p = skip_ws(ve, e);
		if (p < e && *p == ',')
			p++;
	}
	pg->rest[rl++] = '}';
	if (arr == NULL || cfl_jscan_document(pg->rest, rl, &root, &jerr) != CFL_OK)
		return CFL_EPARSE;
	for (p = arr + 1;; n++) { /* count */
		p = skip_ws(p, arr_end - 1);
		if (p >= arr_end - 1)
			break;
		if ((ve = value_end(p, arr_end - 1)) == NULL || *p != '{')
			return CFL_EPARSE;
		if (max_events > 0 && n + 1 > max_events)
			return cfl_err_set(err, CFL_ELIMIT,
			                   "the page holds more than %zu events, more than the limit "
			                   "asked for (pageSize) allows; refused like an oversized body (%zu bytes)",
			                   max_events, len);
		p = skip_ws(ve, arr_end - 1);
		if (p < arr_end - 1 && *p == ',')
			p++;
	}
	if ((pg->ev = calloc(n ? n : 1, sizeof(*pg->ev))) == NULL || (pg->arena = malloc(len + n + 1)) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory for a page of %zu events", n);
	for (p = arr + 1; pg->n < n; pg->n++) {
		cfl_page_event_t *ev = &pg->ev[pg->n];
		p = skip_ws(p, arr_end - 1);
		ve = value_end(p, arr_end - 1);
		ev->json = pg->arena + used;
		if (cfl_jscan_document(p, (size_t)(ve - p), &one, &jerr) == CFL_OK) {
			ev->len = cfl_jscan_compact(one, pg->arena + used);
			ev->ts_ms = event_time(flavor, one);
			ev->excluded = event_excluded(flavor, one, exclude);
		} else { /* delivered as sent: a pipeline_error downstream */
			ev->len = (size_t)(ve - p);
			memcpy(pg->arena + used, p, ev->len);
			ev->ts_ms = CFL_TS_NONE;
			ev->unparsed = 1;
			pg->n_unparsed++;
		}
		pg->arena[used + ev->len] = '\0';
		used += ev->len + 1;
		if (ev->ts_ms == CFL_TS_NONE)
			pg->n_untimed++;
		p = skip_ws(ve, arr_end - 1);
		if (p < arr_end - 1 && *p == ',')
			p++;
	}
	if (flavor == CFL_FLAVOR_CLOUD)
		paging_cloud(root, pg);
	else
		paging_dc(root, pg);
	return CFL_OK;
}

cfl_rc_t cfl_page_parse(cfl_flavor_t flavor, const char *body, size_t len, const char *const *exclude, cfl_page_t *pg,
                        cfl_errbuf_t *err)
{
	return cfl_page_parse_max(flavor, body, len, exclude, 0, pg, err);
}

cfl_rc_t cfl_page_parse_max(cfl_flavor_t flavor, const char *body, size_t len, const char *const *exclude,
                            size_t max_events, cfl_page_t *pg, cfl_errbuf_t *err)
{
	const char *arr_name = flavor == CFL_FLAVOR_CLOUD ? CFL_CLOUD_F_RESULTS : CFL_DC_F_ENTITIES;
	cfl_errbuf_t jerr;
	cfl_span_t root, arr;
	cfl_rc_t rc;

	memset(pg, 0, sizeof(*pg));
	pg->limit = -1;
	if ((rc = cfl_jscan_document(body, len, &root, &jerr)) != CFL_OK) {
		/* nested too deep, and only that: perhaps one bad event */
		if (rc == CFL_ELIMIT) {
			cfl_rc_t lrc = lenient(flavor, body, len, exclude, max_events, pg, err);
			if (lrc != CFL_EPARSE) {
				if (lrc != CFL_OK)
					cfl_page_free(pg);
				return lrc;
			}
			cfl_page_free(pg);
		}
		rc = body_error(err, rc, jerr.msg, body, len);
		goto done;
	}
	if (cfl_jscan_type(root) != CFL_JOBJECT) {
		rc = body_error(err, CFL_EPROTO, "the reply is JSON but not an object", body, len);
		goto done;
	}
	if (!cfl_jscan_member(root, arr_name, &arr) || cfl_jscan_type(arr) != CFL_JARRAY) {
		char what[128];
		snprintf(what, sizeof(what),
		         "the reply has no \"%s\" array: not a %s audit page (check url and flavor)", arr_name,
		         flavor == CFL_FLAVOR_CLOUD ? "Cloud" : "Data Center");
		rc = body_error(err, CFL_EPROTO, what, body, len);
		goto done;
	}
	if ((rc = collect_events(flavor, arr, len, exclude, max_events, pg, err)) != CFL_OK)
		goto done;
	if (flavor == CFL_FLAVOR_CLOUD)
		paging_cloud(root, pg);
	else
		paging_dc(root, pg);
done:
	if (rc != CFL_OK)
		cfl_page_free(pg);
	return rc;
}

void cfl_page_free(cfl_page_t *pg)
{
	free(pg->ev);
	free(pg->arena);
	free(pg->next_cursor);
	free(pg->next_link);
	free(pg->rest);
	memset(pg, 0, sizeof(*pg));
	pg->limit = -1;
}
