/* test_poll_sim.c: simulated audit server and glue driver (see
 * test_poll_sim.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_time.h"
#include "test_poll_sim.h"

void sim_init(sim_server_t *s, cfl_flavor_t flavor)
{
	memset(s, 0, sizeof(*s));
	s->flavor = flavor;
}

void sim_free(sim_server_t *s)
{
	free(s->ev);
	memset(s, 0, sizeof(*s));
}

int sim_add(sim_server_t *s, int64_t ts, int64_t visible_at)
{
	sim_event_t *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
		if (s->ev == NULL)
			abort();
	}
	e = &s->ev[s->n];
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->id = (int)s->n;
	e->visible_at = visible_at;
	e->twin_of = -1;
	e->action = "atlassian.audit.event.action.page.view";
	return (int)s->n++;
}

void sim_add_spread(sim_server_t *s, size_t n, int64_t from, int64_t to)
{
	size_t i;

	for (i = 0; i < n; i++)
		sim_add(s, n > 1 ? from + (int64_t)((double)(to - from) * (double)i / (double)(n - 1)) : from, 0);
}

/* ---- rendering -------------------------------------------------------- */

typedef struct buf {
	char *p;
	size_t len, cap;
} buf_t;

static void bprintf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(buf_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
}

static void render(buf_t *b, const sim_server_t *s, const sim_event_t *e)
{
	const sim_event_t *src = e->twin_of >= 0 ? &s->ev[e->twin_of] : e;
	char iso[CFL_TIME_ISO_LEN];

	if (s->flavor == CFL_FLAVOR_CLOUD) {
		bprintf(b, "{\"author\":{\"type\":\"user\",\"displayName\":\"sim\"},\"remoteAddress\":\"10.0.0.1\"");
		if (!src->untimed)
			bprintf(b, ",\"creationDate\":%" PRId64, src->ts);
		bprintf(b, ",\"summary\":\"%s\",\"description\":\"ev %d\",\"category\":\"Sim\"}", src->action, src->id);
	} else {
		bprintf(b, "{");
		if (!src->untimed) {
			cfl_time_format_ms(src->ts, iso, sizeof(iso));
			bprintf(b, "\"timestamp\":\"%s\",", iso);
		}
		bprintf(b,
		        "\"author\":{\"name\":\"sim\",\"type\":\"user\"},\"type\":{\"category\":\"Sim\","
		        "\"actionI18nKey\":\"%s\",\"action\":\"Sim action\"},\"source\":\"ev %d\",\"method\":\"Browser\"}",
		        src->action, src->id);
	}
}

static int newest_first(const void *x, const void *y)
{
	const sim_event_t *a = *(const sim_event_t *const *)x, *b = *(const sim_event_t *const *)y;

	if (a->ts != b->ts)
		return a->ts > b->ts ? -1 : 1;
	return b->id - a->id;
}

static int in_bounds(const sim_server_t *s, const sim_event_t *e, const cfl_request_t *r)
{
	if (e->visible_at > s->now)
		return 0;
	if (s->exclusive_bounds)
		return e->ts > r->from_ms && e->ts < r->to_ms;
	return e->ts >= r->from_ms && e->ts <= r->to_ms;
}

char *sim_answer(sim_server_t *s, const cfl_request_t *req)
{
	const sim_event_t **sel = malloc((s->n + 1) * sizeof(*sel));
	size_t n = 0, i, first = 0, cnt;
	long limit = req->limit;
	buf_t b = { NULL, 0, 0 };
	int64_t cts;
	int cid;

	s->requests++;
	if (s->max_limit > 0 && limit > s->max_limit)
		limit = s->max_limit;
	for (i = 0; i < s->n; i++)
		if (in_bounds(s, &s->ev[i], req))
			sel[n++] = &s->ev[i];
	qsort(sel, n, sizeof(*sel), newest_first);
	if (s->flavor == CFL_FLAVOR_CLOUD) {
		first = s->endless ? 0 : (size_t)req->offset;
	} else if (req->page_cursor != NULL && !s->endless &&
	           sscanf(req->page_cursor, "%" SCNd64 ",%d", &cts, &cid) == 2) {
		while (first < n && (sel[first]->ts > cts || (sel[first]->ts == cts && sel[first]->id >= cid)))
			first++;
	}
	if (first > n)
		first = n;
	cnt = n - first < (size_t)limit ? n - first : (size_t)limit;
	bprintf(&b, "{\"%s\":[", s->flavor == CFL_FLAVOR_CLOUD ? "results" : "entities");
	for (i = 0; i < cnt; i++) {
		if (i)
			bprintf(&b, ",");
		render(&b, s, sel[first + i]);
	}
	if (s->flavor == CFL_FLAVOR_CLOUD) {
		bprintf(&b,
		        "],\"start\":%zu,\"limit\":%ld,\"size\":%zu,\"_links\":{\"base\":\"http://sim/wiki\","
		        "\"context\":\"/wiki\",\"self\":\"http://sim/wiki/rest/api/audit\"",
		        first, limit, cnt);
		if (s->endless || first + cnt < n)
			bprintf(&b, ",\"next\":\"%s/rest/api/audit?start=%zu&limit=%ld\"",
			        s->foreign_next ? "http://evil.example:9/wiki" : "", first + cnt, limit);
		bprintf(&b, "}}");
	} else if (s->endless || first + cnt < n) {
		const sim_event_t *last = cnt ? sel[first + cnt - 1] : NULL;
		char cur[64];
		if (s->repeat_cursor && req->page_cursor != NULL)
			snprintf(cur, sizeof(cur), "%s", req->page_cursor);
		else if (last == NULL)
			snprintf(cur, sizeof(cur), "1,1");
		else
			snprintf(cur, sizeof(cur), "%" PRId64 ",%d", last->ts, last->id);
		bprintf(&b,
		        "],\"pagingInfo\":{\"lastPage\":false,\"nextPageOffset\":0,\"nextPageCursor\":\"%s\","
		        "\"nextPageLink\":\"%s/rest/auditing/1.0/events?offset=0&limit=%ld&pageCursor=%s\",\"size\":%zu}}",
		        cur, s->foreign_next ? "http://evil.example:9" : "http://sim", limit, cur, cnt);
	} else {
		bprintf(&b, "],\"pagingInfo\":{\"lastPage\":true,\"size\":%zu}}", cnt);
	}
	for (i = 0; s->reveal_each && i < s->n; i++)
		if (s->ev[i].visible_at == INT64_MAX) {
			s->ev[i].visible_at = s->now;
			break;
		}
	if (s->reveal_after > 0 && s->requests == s->reveal_after) {
		s->ev[s->reveal_id].visible_at = s->now;
		s->reveal_after = 0;
	}
	free(sel);
	return b.p;
}

/* ---- driver ------------------------------------------------------------ */

void drv_init(sim_driver_t *d, sim_server_t *srv, const cfl_poll_cfg_t *cfg)
{
	memset(d, 0, sizeof(*d));
	d->srv = srv;
	d->cfg = *cfg;
	d->delivered = calloc(SIM_MAX_EVENTS, sizeof(int));
	if (d->delivered == NULL)
		abort();
	drv_restart(d);
	d->restarts = 0;
}

void drv_free(sim_driver_t *d)
{
	cfl_poll_free(d->poll);
	free(d->saved);
	free(d->delivered);
	free(d->delivered_ts);
	memset(d, 0, sizeof(*d));
}

void drv_restart(sim_driver_t *d)
{
	cfl_errbuf_t err;
	cfl_state_t st;

	cfl_poll_free(d->poll);
	d->poll = cfl_poll_new(&d->cfg, &err);
	if (d->poll == NULL)
		abort();
	if (d->saved != NULL) {
		if (cfl_state_parse(d->saved, strlen(d->saved), &st, &err) != CFL_OK ||
		    cfl_poll_restore(d->poll, &st, &err) != CFL_OK) {
			fprintf(stderr, "# restore failed: %s\n", err.msg);
			abort();
		}
		cfl_state_free(&st);
	}
	d->restarts++;
}

static int id_of(const char *json)
{
	const char *p = strstr(json, "\"ev ");

	return p ? atoi(p + 4) : -1;
}

static void record(sim_driver_t *d, const cfl_poll_event_t *e)
{
	int id = id_of(e->json);

	if (id < 0 || (size_t)id >= d->srv->n || id >= SIM_MAX_EVENTS)
		abort();
	d->delivered[id]++;
	if (d->n_emitted == d->cap_emitted) {
		d->cap_emitted = d->cap_emitted ? d->cap_emitted * 2 : 256;
		if ((d->delivered_ts = realloc(d->delivered_ts, d->cap_emitted * sizeof(int64_t))) == NULL)
			abort();
	}
	d->delivered_ts[d->n_emitted++] = e->ts_ms;
}

static void save(sim_driver_t *d)
{
	char url[] = "http://sim/", flavor[16];
	cfl_state_t st;
	size_t len;

	memset(&st, 0, sizeof(st));
	if (cfl_poll_snapshot(d->poll, &st) != CFL_OK)
		abort();
	snprintf(flavor, sizeof(flavor), "%s", cfl_flavor_name(d->cfg.flavor));
	st.base_url = url;
	st.flavor = flavor;
	free(d->saved);
	d->saved = cfl_state_serialize(&st, &len);
	free(st.fps);
}

int drv_cycle(sim_driver_t *d, int crash_after_emit)
{
	return drv_run(d, crash_after_emit, 0);
}

int drv_run(sim_driver_t *d, int crash_after_emit, int stop_after_commit)
{
	const cfl_poll_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	int emits = 0, commits = 0;
	size_t n, i, fetches = 0;
	char *body;

	cfl_poll_begin(d->poll, d->srv->now);
	for (;;) {
		switch (cfl_poll_next(d->poll, &req)) {
		case CFL_POLL_FETCH:
			body = sim_answer(d->srv, &req);
			if (cfl_poll_feed(d->poll, body, strlen(body), &err) != CFL_OK) {
				fprintf(stderr, "# feed failed: %s\n", err.msg);
				abort();
			}
			free(body);
			if (d->crash_after_fetch > 0 && ++fetches == d->crash_after_fetch) {
				drv_restart(d);
				return 1;
			}
			if (d->n_warnings < 8 &&
			    cfl_poll_take_warning(d->poll, d->warnings[d->n_warnings], CFL_ERRBUF_LEN))
				d->n_warnings++;
			break;
		case CFL_POLL_EMIT:
			n = cfl_poll_batch(d->poll, &evs);
			for (i = 0; i < n; i++)
				record(d, &evs[i]);
			if (n > d->max_chunk)
				d->max_chunk = n;
			if (crash_after_emit > 0 && ++emits == crash_after_emit) {
				drv_restart(d);
				return 1;
			}
			if (cfl_poll_commit(d->poll, &err) != CFL_OK)
				abort();
			save(d);
			d->commits++;
			if (stop_after_commit > 0 && ++commits == stop_after_commit) {
				drv_restart(d);
				return 1;
			}
			break;
		case CFL_POLL_IDLE: d->cycles++; return 0;
		}
	}
}

size_t drv_lost(const sim_driver_t *d, int64_t upto)
{
	size_t i, lost = 0;

	for (i = 0; i < d->srv->n; i++) {
		const sim_event_t *e = &d->srv->ev[i];
		if (e->twin_of >= 0 || e->ts > upto || e->visible_at > d->srv->now)
			continue;
		if (d->delivered[i] == 0)
			lost++;
	}
	return lost;
}

size_t drv_repeated(const sim_driver_t *d)
{
	int *expect = calloc(d->srv->n + 1, sizeof(int));
	size_t i, rep = 0;

	if (expect == NULL)
		abort();
	for (i = 0; i < d->srv->n; i++)
		expect[d->srv->ev[i].twin_of >= 0 ? (size_t)d->srv->ev[i].twin_of : i]++;
	for (i = 0; i < d->srv->n; i++)
		if (d->srv->ev[i].twin_of < 0 && d->delivered[i] > expect[i])
			rep += (size_t)(d->delivered[i] - expect[i]);
	free(expect);
	return rep;
}
