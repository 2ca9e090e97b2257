/* cfl_jira.c: walking Jira Cloud's audit records (see cfl_jira.h), and the
 * walk as a source of cfl_source.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_flavor.h"
#include "cfl_idset.h"
#include "cfl_jira.h"
#include "cfl_jscan.h"
#include "cfl_poll.h"
#include "cfl_time.h"

_Static_assert(CFL_JIRA_IDLE == (int)CFL_SRC_IDLE && CFL_JIRA_FETCH == (int)CFL_SRC_FETCH &&
                       CFL_JIRA_EMIT == (int)CFL_SRC_EMIT,
               "cfl_jira_action_t must match cfl_src_action_t");

/* one record of the walk: its text, dedup key and time */
typedef struct jira_rec {
	char *json;
	size_t len;
	char *key; /* the id's text, or "#<fingerprint>" */
	size_t klen;
	int64_t ts;
	int timed;    /* ts is the record's own `created` */
	int excluded; /* its summary is in excludeActions: recorded, not handed over */
} jira_rec_t;

struct cfl_jira {
	cfl_jira_cfg_t cfg;
	long limit;
	cfl_idset_t *ids;       /* delivered, created >= the next walk's from */
	cfl_idset_t *walk_keys; /* the keys read in this walk */
	int running, handing;
	int has_ckpt;
	int64_t ckpt_ms;
	int64_t from_ms, walk_to_ms;
	long offset;
	unsigned stale; /* pages in a row with nothing new */
	jira_rec_t *recs;
	size_t nrec, cap;
	size_t hand; /* the next record to hand over */
	/* the chunk handed over and not yet committed */
	int pending;
	size_t chunk_end;
	cfl_jira_event_t *evs;
	size_t nev;
	cfl_jira_stats_t st;
	char warning[CFL_ERRBUF_LEN];
	int evict_warned;
};

/* Every key a walk reads: it holds at most max_events records and a page. */
static cfl_idset_t *walk_keys_new(const cfl_jira_t *j)
{
	return cfl_idset_new(j->cfg.max_events + CFL_JIRA_MAX_LIMIT + 16);
}

cfl_jira_t *cfl_jira_new(const cfl_jira_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_jira_t *j;

	if (cfg->page_size < 1 || cfg->overlap_ms < 0 || cfg->initial_lookback_ms < 0) {
		cfl_err_set(err, CFL_EINVAL, "page size, overlap or initial lookback out of range");
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	j->cfg = *cfg;
	if (j->cfg.max_ids == 0)
		j->cfg.max_ids = CFL_JIRA_DFLT_MAX_IDS;
	if (j->cfg.max_events == 0)
		j->cfg.max_events = CFL_JIRA_DFLT_MAX_EVENTS;
	if (j->cfg.max_stale_pages == 0)
		j->cfg.max_stale_pages = CFL_JIRA_DFLT_MAX_STALE;
	j->limit = cfg->page_size > CFL_JIRA_MAX_LIMIT ? CFL_JIRA_MAX_LIMIT : cfg->page_size;
	if (j->cfg.chunk == 0)
		j->cfg.chunk = (size_t)j->limit;
	if ((j->ids = cfl_idset_new(j->cfg.max_ids)) == NULL || (j->walk_keys = walk_keys_new(j)) == NULL) {
		cfl_jira_free(j);
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	return j;
}

static void drop_records(cfl_jira_t *j)
{
	size_t i;

	for (i = 0; i < j->nrec; i++) {
		free(j->recs[i].json);
		free(j->recs[i].key);
	}
	free(j->recs);
	free(j->evs);
	j->recs = NULL;
	j->evs = NULL;
	j->nrec = j->cap = j->nev = j->hand = j->chunk_end = 0;
	j->pending = j->handing = 0;
}

void cfl_jira_free(cfl_jira_t *j)
{
	if (j == NULL)
		return;
	drop_records(j);
	cfl_idset_free(j->ids);
	cfl_idset_free(j->walk_keys);
	free(j);
}

/* Where a walk starts: one ms before checkpoint - overlap (so an exclusive
 * `from` loses nothing), or the initial lookback. */
static int64_t fresh_from(const cfl_jira_t *j)
{
	return cfl_idset_window_from(j->has_ckpt, j->ckpt_ms, j->cfg.overlap_ms, j->walk_to_ms,
	                             j->cfg.initial_lookback_ms);
}

cfl_rc_t cfl_jira_restore(cfl_jira_t *j, const cfl_state_t *st, cfl_errbuf_t *err)
{
	if (st->has_cursor) {
		j->has_ckpt = 1;
		j->ckpt_ms = st->cursor_ms;
	}
	return cfl_idset_restore(j->ids, st) == CFL_OK ? CFL_OK : cfl_err_set(err, CFL_ENOMEM, "out of memory");
}

/* A checkpoint beyond now + skew (a state poisoned by a record dated in the
 * future, or a clock gone back): back to the newest sane delivered id. */
static void reset_poisoned(cfl_jira_t *j, int64_t now_ms)
{
	int64_t oldest, best = cfl_idset_newest_sane(j->ids, now_ms, &oldest);

	/* the re-read (from checkpoint - overlap) starts no earlier than the
	 * oldest id kept: from there on all is known, nothing twice */
	if (best != INT64_MIN && best - j->cfg.overlap_ms - 1 < oldest)
		best = oldest + j->cfg.overlap_ms + 1;
	j->st.cursor_resets++;
	snprintf(j->warning, sizeof(j->warning),
	         "the saved checkpoint (%" PRId64 " ms) is more than %d s ahead of the clock: "
	         "the state was poisoned by a record dated in the future, or the clock went back; it is reset to %s",
	         j->ckpt_ms, (int)(CFL_POLL_MAX_SKEW_MS / 1000),
	         best != INT64_MIN ? "the newest delivered record the state remembers"
	                           : "nothing: the last initialLookback is read again");
	j->has_ckpt = best != INT64_MIN;
	j->ckpt_ms = best != INT64_MIN ? best : 0;
}

void cfl_jira_begin(cfl_jira_t *j, int64_t now_ms)
{
	if (j->running)
		return;
	if (j->has_ckpt && j->ckpt_ms > now_ms + CFL_POLL_MAX_SKEW_MS)
		reset_poisoned(j, now_ms);
	j->running = 1;
	j->walk_to_ms = now_ms;
	j->from_ms = fresh_from(j);
	if (j->from_ms >= j->walk_to_ms)
		j->walk_to_ms = j->from_ms + 1;
	j->offset = 0;
	j->stale = 0;
	j->evict_warned = 0;
	drop_records(j);
	cfl_idset_free(j->walk_keys);
	j->walk_keys = NULL; /* a new one at the first feed */
}

/* Prepares the next chunk of the hand-over: records [hand, chunk_end). */
static void prepare_chunk(cfl_jira_t *j)
{
	size_t i, n = 0;

	j->chunk_end = j->hand + j->cfg.chunk < j->nrec ? j->hand + j->cfg.chunk : j->nrec;
	for (i = j->hand; i < j->chunk_end; i++) {
		const jira_rec_t *r = &j->recs[i];
		if (r->excluded)
			continue;
		j->evs[n].json = r->json;
		j->evs[n].len = r->len;
		j->evs[n].ts_ms = j->evs[n].processed_ms = r->ts;
		j->evs[n].copy = 0;
		n++;
	}
	j->nev = n;
	j->pending = 1;
}

cfl_jira_action_t cfl_jira_next(cfl_jira_t *j, cfl_request_t *req)
{
	if (!j->running)
		return CFL_JIRA_IDLE;
	if (j->pending)
		return CFL_JIRA_EMIT;
	if (j->handing) {
		if (j->hand < j->nrec) {
			prepare_chunk(j);
			return CFL_JIRA_EMIT;
		}
		j->st.walks++; /* nothing to hand over (an empty walk) */
		j->running = 0;
		drop_records(j);
		return CFL_JIRA_IDLE;
	}
	memset(req, 0, sizeof(*req));
	req->from_ms = j->from_ms;
	req->to_ms = j->walk_to_ms;
	req->offset = j->offset;
	req->limit = j->limit;
	return CFL_JIRA_FETCH;
}

static int excluded(const cfl_jira_t *j, cfl_span_t item)
{
	const char *const *x;
	char summary[256];
	cfl_span_t v;

	if (j->cfg.exclude == NULL || j->cfg.exclude[0] == NULL || !cfl_jscan_member(item, CFL_JIRA_F_SUMMARY, &v) ||
	    cfl_jscan_string(v, summary, sizeof(summary)) <= 0)
		return 0;
	for (x = j->cfg.exclude; *x != NULL; x++)
		if (strcmp(*x, summary) == 0)
			return 1;
	return 0;
}

/* The dedup key: the id's digits (a JSON number, as Jira sends it) or its
 * text (a string), else "#<XXH3 of the record's text>". */
static char *key_of(cfl_jira_t *j, cfl_span_t item, const char *text, size_t len, size_t *klen)
{
	char id[CFL_IDSET_MAX_ID + 1];
	cfl_span_t v;
	long n = -1;

	if (cfl_jscan_member(item, CFL_JIRA_F_ID, &v)) {
		if (cfl_jscan_type(v) == CFL_JNUMBER && v.len <= CFL_IDSET_MAX_ID)
			n = (long)cfl_jscan_compact(v, id);
		else if (cfl_jscan_type(v) == CFL_JSTRING)
			n = cfl_jscan_string(v, id, sizeof(id));
	}
	if (n > 0) {
		id[n] = '\0';
		*klen = (size_t)n;
		return strdup(id);
	}
	j->st.no_id++;
	return cfl_idset_text_key(text, len, klen);
}

static void time_of(cfl_jira_t *j, cfl_span_t item, jira_rec_t *r)
{
	char s[64];
	cfl_span_t v;

	r->timed = cfl_jscan_member(item, CFL_JIRA_F_CREATED, &v) && cfl_jscan_string(v, s, sizeof(s)) > 0 &&
	           cfl_time_parse_iso8601(s, strlen(s), &r->ts) == 0;
	if (r->timed && !cfl_poll_time_sane(r->ts, j->walk_to_ms)) {
		r->timed = 0;
		j->st.odd_time++;
		if (j->warning[0] == '\0')
			snprintf(j->warning, sizeof(j->warning),
			         "a Jira audit record is dated before 2004 or more than %d s ahead of the clock; "
			         "it is delivered, and moves no checkpoint",
			         (int)(CFL_POLL_MAX_SKEW_MS / 1000));
	} else if (!r->timed) {
		j->st.untimed++;
	}
	if (!r->timed)
		r->ts = j->has_ckpt ? j->ckpt_ms : j->walk_to_ms;
}

/* Reads one record into the walk; 1 if it is new, 0 if not (or on ENOMEM,
 * with *rc set). */
static int take_record(cfl_jira_t *j, cfl_span_t item, cfl_rc_t *rc)
{
	jira_rec_t r;

	memset(&r, 0, sizeof(r));
	if ((r.json = malloc(item.len + 1)) == NULL)
		goto oom;
	r.len = cfl_jscan_compact(item, r.json);
	r.json[r.len] = '\0';
	if (cfl_jscan_type(item) == CFL_JOBJECT) {
		time_of(j, item, &r);
	} else {
		r.ts = j->has_ckpt ? j->ckpt_ms : j->walk_to_ms;
		j->st.untimed++;
	}
	if (r.timed && (r.ts < j->from_ms || r.ts > j->walk_to_ms)) {
		j->st.out_of_window++;
		free(r.json);
		return 0;
	}
	if ((r.key = key_of(j, item, r.json, r.len, &r.klen)) == NULL)
		goto oom;
	if (cfl_idset_has(j->ids, r.key, r.klen) || cfl_idset_has(j->walk_keys, r.key, r.klen)) {
		j->st.duplicates++;
		free(r.json);
		free(r.key);
		return 0;
	}
	if (cfl_idset_add(j->walk_keys, r.key, r.klen, r.ts) == CFL_ENOMEM)
		goto oom;
	r.excluded = cfl_jscan_type(item) == CFL_JOBJECT && excluded(j, item);
	if (j->nrec == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 256;
		jira_rec_t *n = realloc(j->recs, cap * sizeof(*n));
		if (n == NULL)
			goto oom;
		j->recs = n;
		j->cap = cap;
	}
	j->recs[j->nrec++] = r;
	return 1;
oom:
	free(r.json);
	free(r.key);
	*rc = CFL_ENOMEM;
	return 0;
}

/* Out of memory in the middle of a walk: it starts again at offset 0 with
 * the same window, having handed over nothing of it: nothing is lost. */
static void restart_walk(cfl_jira_t *j)
{
	drop_records(j);
	cfl_idset_free(j->walk_keys);
	j->walk_keys = NULL;
	j->offset = 0;
	j->stale = 0;
}

/* Oldest first: created, then id (numeric ids by value, as digits). */
static int rec_cmp(const void *a, const void *b)
{
	const jira_rec_t *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->klen != y->klen && x->key[0] != '#' && y->key[0] != '#')
		return x->klen < y->klen ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The walk holds too many records: its `to` moves to the oldest one held
 * and it starts again at offset 0, so the older part goes first. */
static void cut(cfl_jira_t *j)
{
	int64_t oldest = j->walk_to_ms;
	size_t i;

	for (i = 0; i < j->nrec; i++)
		if (j->recs[i].timed && j->recs[i].ts < oldest)
			oldest = j->recs[i].ts;
	j->st.cuts++;
	if (oldest >= j->walk_to_ms) { /* all in one ms: hand over what is held */
		j->st.guard_stops++;
		snprintf(j->warning, sizeof(j->warning),
		         "more than %zu Jira audit records share one millisecond; the walk hands over those it "
		         "holds, older ones may be missed",
		         j->cfg.max_events);
		j->handing = 1;
		return;
	}
	snprintf(j->warning, sizeof(j->warning),
	         "a walk held more than %zu Jira audit records; it is cut to the older part (to = %" PRId64
	         "), the next walks read the rest",
	         j->cfg.max_events, oldest);
	j->walk_to_ms = oldest;
	restart_walk(j);
}

cfl_rc_t cfl_jira_feed(cfl_jira_t *j, const char *body, size_t len, cfl_errbuf_t *err)
{
	cfl_span_t root, records, v, item;
	cfl_errbuf_t jerr;
	cfl_jiter_t it;
	size_t n = 0, fresh = 0;
	int64_t total = -1;
	cfl_rc_t rc;

	if (!j->running || j->handing || j->pending)
		return cfl_err_set(err, CFL_EINVAL, "no Jira audit records request is outstanding");
	if (j->walk_keys == NULL && (j->walk_keys = walk_keys_new(j)) == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory");
	if ((rc = cfl_jscan_document(body, len, &root, &jerr)) != CFL_OK)
		return cfl_err_set(err, rc, "the Jira audit records reply is not JSON (%s)", jerr.msg);
	if (!cfl_jscan_member(root, CFL_JIRA_F_RECORDS, &records) || cfl_jscan_type(records) != CFL_JARRAY)
		return cfl_err_set(err, CFL_EPARSE, "the Jira audit records reply has no \"records\" array");
	if (cfl_jscan_member(root, CFL_JIRA_F_TOTAL, &v) && !cfl_jscan_int64(v, &total))
		total = -1;
	cfl_jscan_arr_begin(records, &it);
	while (cfl_jscan_arr_next(&it, &item))
		if (++n > (size_t)j->limit)
			return cfl_err_set(err, CFL_ELIMIT,
			                   "the Jira audit records page holds more than %ld records, more than the "
			                   "limit asked for; refused like an oversized body (%zu bytes)",
			                   j->limit, len);
	rc = CFL_OK;
	cfl_jscan_arr_begin(records, &it);
	while (rc == CFL_OK && cfl_jscan_arr_next(&it, &item))
		fresh += (size_t)take_record(j, item, &rc);
	if (rc != CFL_OK) {
		restart_walk(j);
		return cfl_err_set(err, rc, "out of memory reading a page of %zu records", n);
	}
	j->st.pages++;
	j->offset += (long)n;
	j->stale = fresh > 0 ? 0 : j->stale + 1;
	if (n == 0) {
		j->st.empty_pages++;
		j->handing = 1;
	} else if (total >= 0 && j->offset >= total) {
		j->handing = 1;
	} else if (j->stale >= j->cfg.max_stale_pages) {
		j->st.guard_stops++;
		snprintf(j->warning, sizeof(j->warning),
		         "%u pages in a row brought only Jira audit records read before; this walk ends", j->stale);
		j->handing = 1;
	} else if (j->nrec > j->cfg.max_events) {
		cut(j);
	}
	if (j->handing && j->nrec > 0) {
		qsort(j->recs, j->nrec, sizeof(*j->recs), rec_cmp);
		if ((j->evs = calloc(j->cfg.chunk < j->nrec ? j->cfg.chunk : j->nrec, sizeof(*j->evs))) == NULL) {
			restart_walk(j);
			return cfl_err_set(err, CFL_ENOMEM, "out of memory handing over %zu records", j->nrec);
		}
	}
	return CFL_OK;
}

size_t cfl_jira_batch(const cfl_jira_t *j, const cfl_jira_event_t **evs)
{
	*evs = j->evs;
	return j->pending ? j->nev : 0;
}

cfl_rc_t cfl_jira_commit(cfl_jira_t *j, cfl_errbuf_t *err)
{
	size_t i;

	if (!j->pending)
		return CFL_OK;
	for (i = j->hand; i < j->chunk_end; i++) {
		const jira_rec_t *r = &j->recs[i];
		if (cfl_idset_add(j->ids, r->key, r->klen, r->ts) == CFL_ENOMEM)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory recording delivered record ids");
		if (r->timed && (!j->has_ckpt || r->ts > j->ckpt_ms)) {
			j->has_ckpt = 1;
			j->ckpt_ms = r->ts;
		}
		j->st.excluded += (uint64_t)r->excluded;
	}
	j->st.emitted += j->nev;
	if (cfl_idset_evicted(j->ids) > j->st.evictions) {
		j->st.evictions = cfl_idset_evicted(j->ids);
		if (!j->evict_warned && j->warning[0] == '\0')
			snprintf(j->warning, sizeof(j->warning),
			         "more records were delivered inside the overlap than the %zu ids kept (the oldest "
			         "are forgotten): re-read records may be repeated; lower overlap",
			         j->cfg.max_ids);
		j->evict_warned = 1;
	}
	j->hand = j->chunk_end;
	j->pending = 0;
	if (j->hand >= j->nrec) {
		j->st.walks++;
		j->running = 0;
		drop_records(j);
	}
	if (j->has_ckpt)
		cfl_idset_prune(j->ids, fresh_from(j));
	return CFL_OK;
}

cfl_rc_t cfl_jira_snapshot(const cfl_jira_t *j, cfl_state_t *st)
{
	st->org = 1; /* version 2: the ids */
	st->has_cursor = j->has_ckpt;
	st->cursor_ms = j->ckpt_ms;
	st->low_ms = j->has_ckpt ? fresh_from(j) : 0;
	st->fps = NULL;
	st->n_fps = 0;
	st->api_cursor = NULL;
	st->has_walk_to = 0;
	return cfl_idset_snapshot(j->ids, st);
}

const cfl_jira_stats_t *cfl_jira_stats(const cfl_jira_t *j)
{
	return &j->st;
}

int cfl_jira_checkpoint(const cfl_jira_t *j, int64_t *ms)
{
	*ms = j->ckpt_ms;
	return j->has_ckpt;
}

int64_t cfl_jira_walk_to(const cfl_jira_t *j)
{
	return j->walk_to_ms;
}

int cfl_jira_take_warning(cfl_jira_t *j, char *buf, size_t len)
{
	return cfl_msg_take(j->warning, buf, len);
}

/* ---- the source ---- */

static void *create(const cfl_source_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_jira_cfg_t jc;

	memset(&jc, 0, sizeof(jc));
	jc.page_size = cfg->page_size;
	jc.overlap_ms = cfg->overlap_ms;
	jc.initial_lookback_ms = cfg->initial_lookback_ms;
	jc.exclude = cfg->exclude;
	return cfl_jira_new(&jc, err);
}

/* offsets are rebuilt from the window each walk: nothing the server could
 * reject as stale, so no `rejected` */
CFL_SOURCE_OPS(cfl_jira_source_ops, cfl_jira_t, cfl_jira, create, cfl_jira_checkpoint, cfl_jira_walk_to, NULL);
