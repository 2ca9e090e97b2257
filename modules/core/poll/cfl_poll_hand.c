/* cfl_poll_hand.c: cfl_poll handing a segment over (design in
 * cfl_poll.h): a prepared page in chunks of at most page_size, the commit
 * that moves cursor, low and fingerprints, the next page or segment; and
 * what the poller tells the glue (snapshot, stats, cursor, warnings).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_poll_int.h"

void cfl_poll_i_make_chunk(cfl_poll_t *p)
{
	size_t i;

	p->chunk_end = p->chunk_begin + (size_t)p->cfg.page_size;
	if (p->chunk_end > p->n_items)
		p->chunk_end = p->n_items;
	p->n_out = 0;
	for (i = p->chunk_begin; i < p->chunk_end; i++) {
		if (p->items[i].ev->excluded)
			continue;
		p->out[p->n_out].json = p->items[i].ev->json;
		p->out[p->n_out].len = p->items[i].ev->len;
		p->out[p->n_out].ts_ms = p->items[i].ts;
		p->out[p->n_out].processed_ms = p->items[i].ts;
		p->out[p->n_out].copy = p->items[i].copy;
		p->n_out++;
	}
}

size_t cfl_poll_batch(const cfl_poll_t *p, const cfl_poll_event_t **evs)
{
	*evs = p->out;
	return p->emitting ? p->n_out : 0;
}

/* The page in hand is handed over: on to the next newer one, or the
 * segment is done. */
void cfl_poll_i_page_done(cfl_poll_t *p)
{
	p->emitting = 0;
	p->n_items = p->n_out = 0;
	if (p->recs[p->cur].held != NULL)
		cfl_poll_i_free_held(p, &p->recs[p->cur]);
	else
		cfl_page_free(&p->refetched);
	if (p->cur > 0) {
		p->cur--;
		return;
	}
	p->stats.segments++;
	p->next_start = p->cut_short ? p->end + 1 : p->b + 1; /* cut short: the next poll reads it again */
	cfl_poll_i_adapt_width(p);
	cfl_poll_i_drop_walk(p);
}

cfl_rc_t cfl_poll_commit(cfl_poll_t *p, cfl_errbuf_t *err)
{
	int64_t c, settled, pos;
	int last_chunk, had;
	size_t i;

	if (!p->emitting)
		return cfl_err_set(err, CFL_EINVAL, "cfl_poll_commit() without a pending EMIT");
	for (i = p->chunk_begin; i < p->chunk_end; i++) {
		const item_t *it = &p->items[i];
		if (cfl_dedup_add(p->dedup, it->fp, it->ev->ts_ms == CFL_TS_NONE ? p->b : it->ts, 1) != CFL_OK)
			return cfl_err_set(err, CFL_ENOMEM, "out of memory recording a delivered event");
		if (it->ev->excluded)
			p->stats.excluded++;
		else
			p->stats.emitted++;
	}
	/* a full set forgets the oldest delivered events: a re-read of them
	 * would repeat them, so the first overflow of a window is said */
	if (cfl_dedup_evicted(p->dedup) > p->stats.evictions) {
		p->stats.evictions = cfl_dedup_evicted(p->dedup);
		if (!p->evict_warned && p->warning[0] == '\0')
			snprintf(
			        p->warning, sizeof(p->warning),
			        "more events were delivered inside the overlap than the "
			        "%zu fingerprints kept (the oldest are forgotten): re-read events may be repeated; lower "
			        "overlap",
			        p->cfg.max_fingerprints);
		p->evict_warned = 1;
	}
	/* the whole segment; or everything older than the page's newest event
	 * (its millisecond may go on in the next page); or everything before
	 * the last event handed over (its millisecond may go on in the next
	 * chunk) */
	last_chunk = p->chunk_end == p->n_items;
	if (last_chunk && p->cur == 0)
		c = p->b;
	else if (last_chunk)
		c = p->page_top != CFL_TS_NONE ? p->page_top - 1 : CFL_TS_NONE;
	else
		c = p->items[p->chunk_end - 1].ts - 1;
	had = p->has_cursor;
	/* a walk a guard cut short left older events of the segment unread:
	 * what it read is handed over (the fingerprints keep the next read of
	 * the window from repeating it), the cursor stays */
	if (p->cut_short)
		c = CFL_TS_NONE;
	if (c != CFL_TS_NONE && (!had || c > p->cursor)) {
		p->cursor = c;
		p->has_cursor = 1;
		p->stuck = 0;
	}
	if (p->has_cursor) {
		settled = p->end - p->cfg.overlap_ms;
		c = p->cursor < settled ? p->cursor : settled;
		if (!had || c > p->low)
			p->low = c;
		/* Never forget what this walk may still meet: an ordered walk
		 * hands over oldest first, so what is still to come is not older
		 * than the last event handed over (with a window end newer than
		 * the last poll's, low may jump past the overlap being re-read);
		 * a walk whose pages were out of order may meet anything of its
		 * segment again. Behind that, low as ever: a backfill's state
		 * stays small. */
		pos = p->disordered ? p->a
		      : last_chunk  ? (p->page_top != CFL_TS_NONE ? p->page_top : p->a)
		                    : p->items[p->chunk_end - 1].ts;
		cfl_dedup_prune(p->dedup, pos < p->low ? pos : p->low);
	}
	if (!last_chunk) {
		p->chunk_begin = p->chunk_end;
		cfl_poll_i_make_chunk(p);
		return CFL_OK;
	}
	cfl_poll_i_page_done(p);
	return CFL_OK;
}

cfl_rc_t cfl_poll_snapshot(const cfl_poll_t *p, cfl_state_t *st)
{
	size_t n = cfl_dedup_count(p->dedup), pos = 0, k = 0;
	cfl_state_fp_t *fps = NULL;

	if (n > 0 && (fps = malloc(n * sizeof(*fps))) == NULL)
		return CFL_ENOMEM;
	while (k < n && cfl_dedup_iter(p->dedup, &pos, &fps[k].fp, &fps[k].ts_ms, &fps[k].count))
		k++;
	free(st->fps);
	st->fps = fps;
	st->n_fps = k;
	st->has_cursor = p->has_cursor;
	st->cursor_ms = p->cursor;
	st->low_ms = p->low;
	return CFL_OK;
}

const cfl_poll_stats_t *cfl_poll_stats(const cfl_poll_t *p)
{
	return &p->stats;
}

int cfl_poll_cursor(const cfl_poll_t *p, int64_t *cursor_ms)
{
	if (p->has_cursor)
		*cursor_ms = p->cursor;
	return p->has_cursor;
}

int64_t cfl_poll_window_end(const cfl_poll_t *p)
{
	return p->end;
}

int cfl_poll_take_warning(cfl_poll_t *p, char *buf, size_t len)
{
	return cfl_msg_take(p->warning, buf, len);
}
