/* fuzz_pollseq.c: libFuzzer target feeding the poll core (cfl_poll) whole
 * sequences of replies from a model server that the input turns hostile
 * at will, plus the status and Retry-After of failed replies
 * (cfl_outcome), and checking the poller's invariants
 * (docs/imconfluence.md, "Hostile or broken servers"):
 *
 *   - nothing in a window is lost: after a poll whose every reply was
 *     honest, every event is delivered that was younger than the end of
 *     the last hostile poll minus the overlap (a hostile poll may lose
 *     what its server hid from it, the overlap re-read finds the rest);
 *   - nothing is delivered twice beyond the documented bound: a (timed)
 *     event at most as often as one poll's replies showed it;
 *   - the checkpoint never passes now plus the skew;
 *   - bounded work per page: no batch larger than the page size, a page
 *     with more events than the limit is refused, a poll costs a bounded
 *     number of requests;
 *   - a failed reply's wait is never below the backoff floor, whatever
 *     Retry-After says, and never above maxBackoff.
 *
 * Input: byte 0 flavor and page size; then per poll one byte (new events
 * and the clock step), and per reply one byte (honest, or which hostile
 * behaviour; for a failure the status and Retry-After from the bytes
 * after it). No file system, no network, no clock. Seed corpus:
 * tests/fuzz/corpus/pollseq/.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_backoff.h"
#include "cfl_outcome.h"
#include "cfl_poll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* an invariant broke: say which before aborting (a fuzzer report names it) */
#define BROKEN(why)                                         \
	do {                                                \
		fprintf(stderr, "fuzz_pollseq: %s\n", why); \
		abort();                                    \
	} while (0)

#define T0 INT64_C(1779184800000)
#define MAXEV 48
#define OVERLAP_MS INT64_C(60000)
#define BODY_CAP 65536

typedef struct fz {
	const uint8_t *d;
	size_t n, pos;
	cfl_flavor_t flavor;
	long page_size;
	int64_t ts[MAXEV]; /* event k: time; server order is by (ts, k) descending */
	int n_ev;
	unsigned delivered[MAXEV];
	unsigned shown_max[MAXEV]; /* most sightings within one poll */
	unsigned shown[MAXEV];     /* sightings in this poll */
	int odd_seq;
	char prev[BODY_CAP]; /* the last body served (for a repeat) */
	int prev_idx[MAXEV]; /* and the events it showed */
	size_t prev_n;
	int hostile;         /* this poll had a hostile reply */
	int64_t lost_before; /* events older than this may be lost */
} fz_t;

static unsigned byte(fz_t *f)
{
	return f->pos < f->n ? f->d[f->pos++] : 0;
}

static void text(const fz_t *f, int k, char *out, size_t len)
{
	if (f->flavor == CFL_FLAVOR_CLOUD)
		snprintf(out, len, "{\"creationDate\":%lld,\"summary\":\"e%d\"}", (long long)f->ts[k], k);
	else
		snprintf(out, len, "{\"timestamp\":{\"epochSecond\":%lld,\"nano\":%lld},\"id\":\"e%d\"}",
		         (long long)(f->ts[k] / 1000), (long long)(f->ts[k] % 1000) * 1000000, k);
}

/* the events of [from, to], newest first */
static int window(const fz_t *f, int64_t from, int64_t to, int *out)
{
	int n = 0, i, j;

	for (i = 0; i < f->n_ev; i++)
		if (f->ts[i] >= from && f->ts[i] <= to)
			out[n++] = i;
	for (i = 1; i < n; i++) /* insertion sort: (ts, k) descending */
		for (j = i; j > 0 && (f->ts[out[j]] > f->ts[out[j - 1]] ||
		                      (f->ts[out[j]] == f->ts[out[j - 1]] && out[j] > out[j - 1]));
		     j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* Builds the reply to req as op says; returns how many events it holds. */
static size_t reply(fz_t *f, const cfl_request_t *req, unsigned op, char *b)
{
	int idx[MAXEV], n = window(f, req->from_ms, req->to_ms, idx), i;
	size_t start, off = 0, cnt = 0, lim = (size_t)req->limit;
	int more;
	char one[160];

	if (op == 7 && f->prev[0] != '\0') { /* the page before, again */
		memcpy(b, f->prev, BODY_CAP);
		for (i = 0; (size_t)i < f->prev_n; i++)
			f->shown[f->prev_idx[i]]++;
		return f->prev_n;
	}
	f->prev_n = 0;
	if (op == 6) /* reshuffled */
		for (i = n; i > 1; i--) {
			int j = (int)(byte(f) % (unsigned)i), t = idx[i - 1];
			idx[i - 1] = idx[j];
			idx[j] = t;
		}
	if (f->flavor == CFL_FLAVOR_CLOUD)
		start = (size_t)req->offset;
	else
		start = req->page_cursor != NULL ? (size_t)strtoul(req->page_cursor + 2, NULL, 10) : 0;
	more = start + lim < (size_t)n;
	off += (size_t)snprintf(b + off, BODY_CAP - off,
	                        f->flavor == CFL_FLAVOR_CLOUD ? "{\"results\":[" : "{\"entities\":[");
	if (op == 4) { /* an event dated -1000 or in 9999, first */
		int64_t t = byte(f) & 1 ? INT64_C(253402300799999) : -1000;
		off += (size_t)snprintf(b + off, BODY_CAP - off,
		                        f->flavor == CFL_FLAVOR_CLOUD ? "{\"creationDate\":%lld,\"summary\":\"x%d\"}"
		                                                      : "{\"timestamp\":%lld,\"id\":\"x%d\"}",
		                        (long long)t, f->odd_seq++);
		cnt++;
	}
	for (i = 0; op != 8 && (size_t)i < lim + (op == 9 ? 1u : 0u) && start + (size_t)i < (size_t)n; i++) {
		text(f, idx[start + (size_t)i], one, sizeof(one));
		off += (size_t)snprintf(b + off, BODY_CAP - off, "%s%s", cnt ? "," : "", one);
		f->shown[idx[start + (size_t)i]]++;
		f->prev_idx[f->prev_n++] = idx[start + (size_t)i];
		cnt++;
	}
	if (op == 5) /* claims to be the last */
		more = 0;
	if (op == 8)
		more = 1;
	if (f->flavor == CFL_FLAVOR_CLOUD)
		snprintf(b + off, BODY_CAP - off, "],\"limit\":%ld,\"_links\":{%s}}", req->limit,
		         more ? "\"next\":\"/rest/api/audit?next=true\"" : "");
	else if (more && op == 12) /* a cursor no URL can carry */
		snprintf(b + off, BODY_CAP - off,
		         "],\"pagingInfo\":{\"lastPage\":false,\"nextPageCursor\":\"%03000d\"}}", 9);
	else if (more)
		snprintf(b + off, BODY_CAP - off, "],\"pagingInfo\":{\"lastPage\":false,\"nextPageCursor\":\"0,%zu\"}}",
		         start + lim);
	else
		snprintf(b + off, BODY_CAP - off, "],\"pagingInfo\":{\"lastPage\":true}}");
	memcpy(f->prev, b, BODY_CAP);
	return cnt;
}

/* A failed reply: the wait honours the backoff floor and maxBackoff. */
static void failure(fz_t *f, cfl_backoff_t *bo)
{
	static const char *const ras[] = { "0",
		                           "1",
		                           "-1",
		                           "",
		                           "Sun, 06 Nov 1994 08:49:37 GMT",
		                           "99999999999999999",
		                           "Thu, 31 Dec 2099 23:59:59 GMT",
		                           NULL };
	cfl_outcome_cfg_t oc = {
		.max_backoff_ms = 4000, .polling_interval_s = 1, .flavor_name = "cloud", .max_body = 1 << 20
	};
	cfl_reply_t r;
	cfl_outcome_t o;
	cfl_backoff_t probe = *bo;
	int64_t floor;

	memset(&r, 0, sizeof(r));
	r.status = byte(f) & 1 ? 429 : 503;
	r.retry_after = ras[byte(f) % (sizeof(ras) / sizeof(ras[0]))];
	r.body = "";
	floor = cfl_backoff_next(&probe, 0); /* the least the backoff would wait now */
	cfl_outcome_decide(&r, &oc, bo, byte(f), T0, &o);
	if (o.delay_ms < floor || o.delay_ms > oc.max_backoff_ms || !o.retry)
		BROKEN("a failed reply's wait is below the backoff floor or above maxBackoff");
}

static void poll_once(fz_t *f, cfl_poll_t *p, int64_t now, cfl_backoff_t *bo)
{
	static char body[BODY_CAP];
	const cfl_poll_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t n, i, cnt, requests = 0;
	int64_t c;
	unsigned op;
	int k, steps = 0;

	memset(f->shown, 0, sizeof(f->shown));
	f->hostile = 0;
	cfl_poll_begin(p, now);
	while (steps++ < 4096) {
		switch (cfl_poll_next(p, &req)) {
		case CFL_POLL_IDLE: goto done;
		case CFL_POLL_FETCH:
			if (++requests > 256)
				BROKEN("a poll of <= 48 events costs a bounded number of requests");
			op = byte(f) % 16;
			if (op == 10) {
				failure(f, bo);
				break;
			}
			if (op == 11) {
				if (cfl_poll_feed(p, "<html>", 6, &err) == CFL_OK)
					BROKEN("a body that is not JSON was taken");
				f->hostile = 1;
				break;
			}
			if (op >= 13 || op < 4 || (op == 12 && f->flavor == CFL_FLAVOR_CLOUD))
				op = 0;
			else
				f->hostile = 1;
			cnt = reply(f, &req, op, body);
			if (cfl_poll_feed(p, body, strlen(body), &err) == CFL_OK && cnt > (size_t)f->page_size)
				BROKEN("more than the limit must be refused");
			cfl_backoff_reset(bo);
			break;
		case CFL_POLL_EMIT:
			n = cfl_poll_batch(p, &evs);
			if (n > (size_t)f->page_size)
				BROKEN("a batch larger than the page size");
			for (i = 0; i < n; i++) {
				const char *e = strstr(evs[i].json, ":\"e"); /* "summary":"e<k>" or "id":"e<k>" */
				if (evs[i].ts_ms > now + CFL_POLL_MAX_SKEW_MS)
					BROKEN("an event time beyond now + skew");
				if (e != NULL && (k = atoi(e + 3)) >= 0 && k < f->n_ev)
					f->delivered[k]++;
			}
			if (cfl_poll_commit(p, &err) != CFL_OK)
				return;
			if (cfl_poll_cursor(p, &c) && c > now + CFL_POLL_MAX_SKEW_MS)
				BROKEN("the checkpoint passed now + skew");
			break;
		}
	}
done:
	for (k = 0; k < f->n_ev; k++) {
		if (f->shown[k] > f->shown_max[k])
			f->shown_max[k] = f->shown[k];
		if (f->delivered[k] > (f->shown_max[k] > 0 ? f->shown_max[k] : 1))
			BROKEN("delivered more often than one poll ever showed it");
	}
	if (f->hostile) {
		f->lost_before = now - OVERLAP_MS;
		return;
	}
	if (steps >= 4096)
		return;
	for (k = 0; k < f->n_ev; k++)
		if (f->ts[k] > f->lost_before && f->ts[k] <= now && f->delivered[k] == 0)
			BROKEN("an honest poll left an event of its window undelivered");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fz_t f;
	cfl_poll_cfg_t cfg;
	cfl_backoff_t bo;
	cfl_errbuf_t err;
	cfl_poll_t *p;
	int64_t now = T0;
	unsigned b0;
	int polls = 0;

	memset(&f, 0, sizeof(f));
	f.d = data;
	f.n = size;
	b0 = byte(&f);
	f.flavor = b0 & 1 ? CFL_FLAVOR_DC : CFL_FLAVOR_CLOUD;
	f.page_size = 1 + (long)((b0 >> 1) % 8);
	f.lost_before = INT64_MIN;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flavor = f.flavor;
	cfg.page_size = f.page_size;
	cfg.overlap_ms = OVERLAP_MS;
	cfg.initial_lookback_ms = 10 * OVERLAP_MS;
	cfg.max_walk_pages = 64;
	if ((p = cfl_poll_new(&cfg, &err)) == NULL)
		return 0;
	cfl_backoff_init(&bo, 1000, 4000);
	while (f.pos < f.n && polls++ < 32) {
		unsigned c = byte(&f), add = c % 4, i;
		int64_t prev = now;
		now += 1000 * (int64_t)(1 + (c >> 2) % 40);
		for (i = 0; i < add && f.n_ev < MAXEV; i++) /* written since the last poll, none late */
			f.ts[f.n_ev++] = prev + 1 + (int64_t)(byte(&f) % (unsigned)(now - prev));
		poll_once(&f, p, now, &bo);
	}
	cfl_poll_free(p);
	return 0;
}
