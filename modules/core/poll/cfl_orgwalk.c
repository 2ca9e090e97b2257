/* cfl_orgwalk.c: walking the organization events-stream (see cfl_orgwalk.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_flavor.h"
#include "cfl_idset.h"
#include "cfl_jscan.h"
#include "cfl_orgwalk.h"
#include "cfl_poll.h"
#include "cfl_time.h"

/* one item of the page being handed over: its dedup key and time */
typedef struct seen {
	char *key;
	size_t klen;
	int64_t processed_ms;
} seen_t;

struct cfl_orgwalk {
	cfl_orgwalk_cfg_t cfg;
	char *org_id;
	long limit;
	cfl_idset_t *ids;
	int running;
	int has_ckpt;
	int64_t ckpt_ms;
	int has_walk_to;
	int64_t walk_to_ms;
	char *cursor;    /* the next request's cursor, NULL = a fresh request */
	int sent_cursor; /* the last FETCH carried a cursor */
	char *sent;      /* that cursor (a copy) */
	unsigned stale;  /* pages in a row with nothing new */
	/* the page fed and not yet committed */
	int pending;
	char *buf; /* the compact events, NUL-separated */
	cfl_orgwalk_event_t *evs;
	size_t nev;
	seen_t *seen;
	size_t nseen;
	cfl_idset_t *page_keys; /* the keys of seen[], for the in-page duplicate check */
	char *next;             /* meta.next to follow, owned */
	int end_walk, complete;
	cfl_orgwalk_stats_t st;
	char warning[CFL_ERRBUF_LEN];
	int evict_warned; /* this walk already overflowed the id set */
};

cfl_orgwalk_t *cfl_orgwalk_new(const cfl_orgwalk_cfg_t *cfg, cfl_errbuf_t *err)
{
	cfl_orgwalk_t *w;

	if (cfg->org_id == NULL || cfg->org_id[0] == '\0') {
		cfl_err_set(err, CFL_EINVAL, "the organization flavour needs an orgId");
		return NULL;
	}
	if (cfg->page_size < 1 || cfg->overlap_ms < 0 || cfg->initial_lookback_ms < 0) {
		cfl_err_set(err, CFL_EINVAL, "page size, overlap or initial lookback out of range");
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL || (w->org_id = strdup(cfg->org_id)) == NULL ||
	    (w->ids = cfl_idset_new(cfg->max_ids ? cfg->max_ids : CFL_ORGWALK_DFLT_MAX_IDS)) == NULL) {
		cfl_orgwalk_free(w);
		cfl_err_set(err, CFL_ENOMEM, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	w->cfg.org_id = w->org_id;
	if (w->cfg.max_ids == 0)
		w->cfg.max_ids = CFL_ORGWALK_DFLT_MAX_IDS;
	if (w->cfg.max_stale_pages == 0)
		w->cfg.max_stale_pages = CFL_ORGWALK_DFLT_MAX_STALE;
	w->limit = cfg->page_size > CFL_ORG_MAX_LIMIT ? CFL_ORG_MAX_LIMIT : cfg->page_size;
	return w;
}

static void clear_pending(cfl_orgwalk_t *w)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		free(w->seen[i].key);
	cfl_idset_free(w->page_keys);
	w->page_keys = NULL;
	free(w->seen);
	free(w->evs);
	free(w->buf);
	free(w->next);
	w->seen = NULL;
	w->evs = NULL;
	w->buf = NULL;
	w->next = NULL;
	w->nseen = w->nev = 0;
	w->pending = w->end_walk = w->complete = 0;
}

void cfl_orgwalk_free(cfl_orgwalk_t *w)
{
	if (w == NULL)
		return;
	clear_pending(w);
	cfl_idset_free(w->ids);
	free(w->org_id);
	free(w->cursor);
	free(w->sent);
	free(w);
}

/* Where a fresh request starts: one ms before checkpoint - overlap (so an
 * exclusive `from` loses nothing), or the initial lookback. */
static int64_t fresh_from(const cfl_orgwalk_t *w)
{
	return cfl_idset_window_from(w->has_ckpt, w->ckpt_ms, w->cfg.overlap_ms, w->walk_to_ms,
	                             w->cfg.initial_lookback_ms);
}

cfl_rc_t cfl_orgwalk_restore(cfl_orgwalk_t *w, const cfl_state_t *st, cfl_errbuf_t *err)
{
	if (st->has_cursor) {
		w->has_ckpt = 1;
		w->ckpt_ms = st->cursor_ms;
	}
	if (!st->org)
		return CFL_OK;
	if (st->api_cursor != NULL && st->has_walk_to) {
		if ((w->cursor = strdup(st->api_cursor)) == NULL)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory");
		w->has_walk_to = 1;
		w->walk_to_ms = st->walk_to_ms;
	}
	if (cfl_idset_restore(w->ids, st) != CFL_OK)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory");
	return CFL_OK;
}

void cfl_orgwalk_begin(cfl_orgwalk_t *w, int64_t now_ms)
{
	if (w->running)
		return;
	if ((w->has_ckpt && w->ckpt_ms > now_ms + CFL_POLL_MAX_SKEW_MS) ||
	    (w->cursor != NULL && w->has_walk_to && w->walk_to_ms > now_ms + CFL_POLL_MAX_SKEW_MS)) {
		/* every window from there is in the future: a poisoned state.
		 * The newest sane processedAt among the delivered ids is where
		 * we were; without one, read as on a first run. */
		int64_t oldest, best = cfl_idset_newest_sane(w->ids, now_ms, &oldest);
		/* the re-read (from checkpoint - overlap) starts no earlier than
		 * the oldest id kept: from there on all is known, nothing twice */
		if (best != INT64_MIN && best - w->cfg.overlap_ms - 1 < oldest)
			best = oldest + w->cfg.overlap_ms + 1; /* ahead of now by < overlap at most: harmless */
		w->st.cursor_resets++;
		snprintf(w->warning, sizeof(w->warning),
		         "the saved checkpoint (%" PRId64 " ms) is more than %d s "
		         "ahead of the clock: the state was poisoned by an event dated in the future, or the clock "
		         "went back; it is reset to %s",
		         w->ckpt_ms, (int)(CFL_POLL_MAX_SKEW_MS / 1000),
		         best != INT64_MIN ? "the newest delivered event the state remembers"
		                           : "nothing: the last initialLookback is read again");
		w->has_ckpt = best != INT64_MIN;
		w->ckpt_ms = best != INT64_MIN ? best : 0;
		free(w->cursor);
		w->cursor = NULL;
		w->has_walk_to = 0;
	}
	w->running = 1;
	w->stale = 0;
	w->evict_warned = 0;
	if (w->cursor == NULL || !w->has_walk_to)
		w->walk_to_ms = now_ms;
	w->has_walk_to = 1;
}

cfl_orgwalk_action_t cfl_orgwalk_next(cfl_orgwalk_t *w, cfl_request_t *req)
{
	if (!w->running)
		return CFL_ORGWALK_IDLE;
	if (w->pending)
		return CFL_ORGWALK_EMIT;
	memset(req, 0, sizeof(*req));
	req->org_id = w->org_id;
	req->limit = w->limit;
	free(w->sent);
	w->sent = NULL;
	w->sent_cursor = w->cursor != NULL;
	if (w->cursor != NULL) {
		req->page_cursor = w->cursor;
		w->sent = strdup(w->cursor); /* NULL on ENOMEM: only the loop check is lost */
	} else {
		req->from_ms = fresh_from(w);
		req->to_ms = w->walk_to_ms > req->from_ms ? w->walk_to_ms : req->from_ms + 1;
	}
	return CFL_ORGWALK_FETCH;
}

/* A string member of obj decoded into out; 1 if present and it fits. */
static int str_member(cfl_span_t obj, const char *name, char *out, size_t len)
{
	cfl_span_t v;

	return cfl_jscan_member(obj, name, &v) && cfl_jscan_string(v, out, len) > 0;
}

static int time_member(cfl_span_t attrs, const char *name, int64_t *ms)
{
	char s[64];

	return str_member(attrs, name, s, sizeof(s)) && cfl_time_parse_iso8601(s, strlen(s), ms) == 0;
}

static int excluded(const cfl_orgwalk_t *w, cfl_span_t attrs)
{
	const char *const *x;
	char action[256];

	if (w->cfg.exclude == NULL || w->cfg.exclude[0] == NULL ||
	    !str_member(attrs, CFL_ORG_F_ACTION, action, sizeof(action)))
		return 0;
	for (x = w->cfg.exclude; *x != NULL; x++)
		if (strcmp(*x, action) == 0)
			return 1;
	return 0;
}

/* The dedup key of an item: its id, or "#<XXH3 of its text>" without one. */
static char *key_of(cfl_orgwalk_t *w, cfl_span_t item, const char *text, size_t len, size_t *klen)
{
	char id[CFL_IDSET_MAX_ID + 1];

	if (cfl_jscan_type(item) == CFL_JOBJECT && str_member(item, CFL_ORG_F_ID, id, sizeof(id))) {
		*klen = strlen(id);
		return strdup(id);
	}
	w->st.no_id++;
	return cfl_idset_text_key(text, len, klen);
}

/* 1 if key was on this page before; records it. A hash set: 100k ids on
 * one page cost milliseconds, not the 11-17 s of a pairwise check. */
static int seen_on_page(cfl_orgwalk_t *w, const char *key, size_t klen)
{
	if (cfl_idset_has(w->page_keys, key, klen))
		return 1;
	(void)cfl_idset_add(w->page_keys, key, klen, 0); /* ENOMEM: only an in-page repeat may pass */
	return 0;
}

/* Reads one item into the pending page; returns 1 if it is new. */
static int take_item(cfl_orgwalk_t *w, cfl_span_t item, size_t *off, cfl_rc_t *rc)
{
	cfl_orgwalk_event_t *ev = &w->evs[w->nev];
	cfl_span_t attrs = { NULL, 0 };
	seen_t *s = &w->seen[w->nseen];
	int64_t p, t, fallback = w->has_ckpt ? w->ckpt_ms : w->walk_to_ms;
	int has_p = 0, has_t = 0, dup;

	ev->json = w->buf + *off;
	ev->copy = 0; /* ids tell identical events apart */
	ev->len = cfl_jscan_compact(item, w->buf + *off);
	w->buf[*off + ev->len] = '\0';
	*off += ev->len + 1;
	if (cfl_jscan_type(item) == CFL_JOBJECT && cfl_jscan_member(item, CFL_ORG_F_ATTRIBUTES, &attrs) &&
	    cfl_jscan_type(attrs) == CFL_JOBJECT) {
		has_p = time_member(attrs, CFL_ORG_F_PROCESSED, &p);
		has_t = time_member(attrs, CFL_ORG_F_TIME, &t);
	} else {
		attrs.p = NULL;
	}
	/* dated outside the sane range: as untimed (never a checkpoint) */
	if ((has_p && !cfl_poll_time_sane(p, w->walk_to_ms)) || (has_t && !cfl_poll_time_sane(t, w->walk_to_ms))) {
		w->st.odd_time++;
		has_p = has_p && cfl_poll_time_sane(p, w->walk_to_ms);
		has_t = has_t && cfl_poll_time_sane(t, w->walk_to_ms);
		if (w->warning[0] == '\0')
			snprintf(w->warning, sizeof(w->warning),
			         "an event of the events-stream is dated before 2004 or "
			         "more than %d s ahead of the clock; it is delivered, and moves no checkpoint",
			         (int)(CFL_POLL_MAX_SKEW_MS / 1000));
	} else if (!has_p) {
		w->st.untimed++;
	}
	ev->processed_ms = has_p ? p : has_t ? t : fallback;
	ev->ts_ms = has_t ? t : ev->processed_ms;
	if ((s->key = key_of(w, item, ev->json, ev->len, &s->klen)) == NULL) {
		*rc = CFL_ENOMEM;
		return 0;
	}
	s->processed_ms = ev->processed_ms;
	dup = cfl_idset_has(w->ids, s->key, s->klen) || seen_on_page(w, s->key, s->klen);
	w->nseen++;
	if (dup) {
		w->st.duplicates++;
		return 0;
	}
	if (attrs.p != NULL && excluded(w, attrs))
		w->st.excluded++;
	else
		w->nev++;
	return 1;
}

/* Decides what follows the page just read. */
static void decide_end(cfl_orgwalk_t *w, size_t n, size_t fresh, cfl_span_t meta)
{
	cfl_span_t v;
	long nl;

	if (fresh > 0)
		w->stale = 0;
	if (meta.p != NULL && cfl_jscan_type(meta) == CFL_JOBJECT && cfl_jscan_member(meta, CFL_ORG_F_NEXT, &v) &&
	    cfl_jscan_type(v) == CFL_JSTRING && v.len > 2) {
		if ((w->next = malloc(v.len)) != NULL &&
		    ((nl = cfl_jscan_string(v, w->next, v.len)) <= 0 || nl > CFL_ORGWALK_MAX_CURSOR)) {
			free(w->next);
			w->next = NULL;
			snprintf(w->warning, sizeof(w->warning),
			         "the events-stream sent a cursor of more than %d "
			         "bytes; it is not followed, the next walk starts again from the checkpoint",
			         CFL_ORGWALK_MAX_CURSOR);
		}
	}
	if (n == 0 || w->next == NULL) {
		w->st.empty_pages += n == 0;
		w->end_walk = w->complete = 1;
	} else if (fresh == 0 && w->sent != NULL && strcmp(w->sent, w->next) == 0) {
		w->end_walk = 1;
		w->st.guard_stops++;
		snprintf(w->warning, sizeof(w->warning),
		         "the events-stream answered a cursor with that same cursor "
		         "and nothing new; this walk ends, the next one starts again from the checkpoint");
	} else if (fresh == 0 && ++w->stale >= w->cfg.max_stale_pages) {
		w->end_walk = 1;
		w->st.guard_stops++;
		snprintf(w->warning, sizeof(w->warning),
		         "%u pages in a row brought only events delivered "
		         "before; this walk ends, the next one starts again from the checkpoint",
		         w->stale);
	}
	if (w->end_walk) {
		free(w->next);
		w->next = NULL;
	}
}

cfl_rc_t cfl_orgwalk_feed(cfl_orgwalk_t *w, const char *body, size_t len, cfl_errbuf_t *err)
{
	cfl_span_t root, data, meta = { NULL, 0 }, item;
	cfl_errbuf_t jerr;
	cfl_jiter_t it;
	size_t n = 0, fresh = 0, off = 0;
	cfl_rc_t rc;

	if (!w->running || w->pending)
		return cfl_err_set(err, CFL_EINVAL, "no events-stream request is outstanding");
	if ((rc = cfl_jscan_document(body, len, &root, &jerr)) != CFL_OK)
		return cfl_err_set(err, rc, "the events-stream reply is not JSON (%s)", jerr.msg);
	if (!cfl_jscan_member(root, CFL_ORG_F_DATA, &data) || cfl_jscan_type(data) != CFL_JARRAY)
		return cfl_err_set(err, CFL_EPARSE, "the events-stream reply has no \"data\" array");
	if (!cfl_jscan_member(root, CFL_ORG_F_META, &meta))
		meta.p = NULL;
	cfl_jscan_arr_begin(data, &it);
	while (cfl_jscan_arr_next(&it, &item))
		if (++n > (size_t)w->limit) /* before anything is allocated for them */
			return cfl_err_set(err, CFL_ELIMIT,
			                   "the events-stream page holds more than %ld events, more "
			                   "than the limit asked for; refused like an oversized body (%zu bytes)",
			                   w->limit, len);
	if ((w->buf = malloc(data.len + 1)) == NULL || (w->page_keys = cfl_idset_new(n + 16)) == NULL ||
	    (n > 0 &&
	     ((w->evs = calloc(n, sizeof(*w->evs))) == NULL || (w->seen = calloc(n, sizeof(*w->seen))) == NULL))) {
		clear_pending(w);
		return cfl_err_set(err, CFL_ENOMEM, "out of memory reading a page of %zu events", n);
	}
	rc = CFL_OK;
	cfl_jscan_arr_begin(data, &it);
	while (rc == CFL_OK && cfl_jscan_arr_next(&it, &item))
		fresh += (size_t)take_item(w, item, &off, &rc);
	if (rc != CFL_OK) {
		clear_pending(w);
		return cfl_err_set(err, rc, "out of memory reading a page of %zu events", n);
	}
	decide_end(w, n, fresh, meta);
	w->st.pages++;
	w->pending = 1;
	return CFL_OK;
}

size_t cfl_orgwalk_batch(const cfl_orgwalk_t *w, const cfl_orgwalk_event_t **evs)
{
	*evs = w->evs;
	return w->pending ? w->nev : 0;
}

cfl_rc_t cfl_orgwalk_commit(cfl_orgwalk_t *w, cfl_errbuf_t *err)
{
	size_t i;

	if (!w->pending)
		return CFL_OK;
	for (i = 0; i < w->nseen; i++) {
		if (cfl_idset_add(w->ids, w->seen[i].key, w->seen[i].klen, w->seen[i].processed_ms) == CFL_ENOMEM)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory recording delivered event ids");
		if (!w->has_ckpt || w->seen[i].processed_ms > w->ckpt_ms) {
			w->has_ckpt = 1;
			w->ckpt_ms = w->seen[i].processed_ms;
		}
	}
	w->st.emitted += w->nev;
	/* a full set forgets the oldest delivered ids: a re-read of them would
	 * repeat them, so the first overflow of a walk is said */
	if (cfl_idset_evicted(w->ids) > w->st.evictions) {
		w->st.evictions = cfl_idset_evicted(w->ids);
		if (!w->evict_warned && w->warning[0] == '\0')
			snprintf(w->warning, sizeof(w->warning),
			         "more events were delivered inside the overlap "
			         "than the %zu ids kept (the oldest are forgotten): re-read events may be repeated; "
			         "lower overlap",
			         w->cfg.max_ids);
		w->evict_warned = 1;
	}
	free(w->cursor);
	w->cursor = w->next; /* NULL when the walk ends */
	w->next = NULL;
	if (w->end_walk) {
		if (w->complete) {
			w->st.walks++;
			if (!w->has_ckpt || w->walk_to_ms > w->ckpt_ms)
				w->ckpt_ms = w->walk_to_ms;
			w->has_ckpt = 1;
		}
		w->running = 0;
		w->has_walk_to = 0;
	}
	if (w->has_ckpt)
		cfl_idset_prune(w->ids, fresh_from(w));
	clear_pending(w);
	return CFL_OK;
}

int cfl_orgwalk_cursor_rejected(cfl_orgwalk_t *w, int64_t now_ms, char *why, size_t len)
{
	char iso[CFL_TIME_ISO_LEN];

	if (!w->sent_cursor || w->cursor == NULL || w->pending)
		return 0;
	free(w->cursor);
	w->cursor = NULL;
	w->sent_cursor = 0;
	w->stale = 0;
	w->walk_to_ms = now_ms;
	w->st.cursor_drops++;
	if (w->has_ckpt) {
		cfl_time_format_ms(w->ckpt_ms, iso, sizeof(iso));
		snprintf(why, len,
		         "the events-stream rejected the cursor of the walk in progress (expired or "
		         "invalid); it is dropped and the walk resumes from the checkpoint %s (from=%" PRId64
		         ", overlap included)",
		         iso, fresh_from(w));
	} else {
		snprintf(why, len,
		         "the events-stream rejected the cursor of the walk in progress (expired or "
		         "invalid); it is dropped and the walk starts again with from=%" PRId64 " (initialLookback)",
		         fresh_from(w));
	}
	return 1;
}

int cfl_orgwalk_sent_cursor(const cfl_orgwalk_t *w)
{
	return w->sent_cursor;
}

cfl_rc_t cfl_orgwalk_snapshot(const cfl_orgwalk_t *w, cfl_state_t *st)
{
	st->org = 1;
	st->has_cursor = w->has_ckpt;
	st->cursor_ms = w->ckpt_ms;
	st->low_ms = w->has_ckpt ? fresh_from(w) : 0;
	st->fps = NULL;
	st->n_fps = 0;
	st->api_cursor = NULL;
	st->has_walk_to = w->cursor != NULL;
	st->walk_to_ms = w->walk_to_ms;
	if (w->cursor != NULL && (st->api_cursor = strdup(w->cursor)) == NULL)
		return CFL_ENOMEM; /* what is set is st's: cfl_state_free() releases it */
	return cfl_idset_snapshot(w->ids, st);
}

const cfl_orgwalk_stats_t *cfl_orgwalk_stats(const cfl_orgwalk_t *w)
{
	return &w->st;
}

int cfl_orgwalk_checkpoint(const cfl_orgwalk_t *w, int64_t *ms)
{
	*ms = w->ckpt_ms;
	return w->has_ckpt;
}

int64_t cfl_orgwalk_walk_to(const cfl_orgwalk_t *w)
{
	return w->walk_to_ms;
}

int cfl_orgwalk_take_warning(cfl_orgwalk_t *w, char *buf, size_t len)
{
	return cfl_msg_take(w->warning, buf, len);
}
