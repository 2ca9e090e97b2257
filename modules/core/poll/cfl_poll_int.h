/* cfl_poll_int.h: cfl_poll's private state, shared by its two files:
 * cfl_poll.c (cycles, segments, walking, re-fetching, preparing a page)
 * and cfl_poll_hand.c (handing a page over in chunks, committing, and
 * what the poller tells about itself). Not for use outside them.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_POLL_INT_H
#define CFL_POLL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_dedup.h"
#include "cfl_page.h"
#include "cfl_poll.h"

/* One page of a walk: how to ask for it again, what it looked like, and
 * its events while they are held. */
typedef struct rec {
	long offset;                /* Cloud start it was asked with */
	char *cursor;               /* DC pageCursor it was asked with (NULL: the first page) */
	size_t n;                   /* events as sent */
	size_t n_repeat;            /* leading events repeated from the page before (offset shift) */
	cfl_fp_t fp_first, fp_last; /* fingerprints of the first and last event as sent */
	int64_t carry;              /* time for untimed events when the page has no timed one */
	cfl_page_t *held;           /* the parsed page, NULL once dropped for the cap */
	size_t bytes;               /* what holding it costs */
} rec_t;

typedef struct item {
	const cfl_page_event_t *ev;
	int64_t ts;
	size_t order; /* position in server order, reversed: ties keep it */
	cfl_fp_t fp;
	unsigned copy; /* ordinal among identical events of this read */
} item_t;

enum phase { PH_NONE = 0, PH_WALK, PH_HAND };

struct cfl_poll {
	cfl_poll_cfg_t cfg;
	cfl_dedup_t *dedup;
	cfl_poll_stats_t stats;
	char warning[CFL_ERRBUF_LEN];
	int evict_warned; /* this cycle's window already overflowed the fingerprints */

	/* persisted */
	int has_cursor;
	int64_t cursor;
	int64_t low;

	/* cycle */
	int active;
	int64_t end;        /* window end, fixed for the cycle */
	int64_t next_start; /* start of the next segment */
	int64_t width;      /* width of the next segment, ms; 0: up to the window end */
	int64_t dense_from; /* a walk from above overflowed the cap down to here; or CFL_TS_NONE */
	long eff_limit;     /* page size the server really gives */

	/* segment [a, b] */
	int phase;
	int64_t a, b;
	uint32_t gen; /* dedup read generation of this walk */
	rec_t *recs;  /* in walk order: recs[0] is the newest page */
	size_t n_recs, cap_recs;
	size_t held_from; /* recs[held_from ..] still hold their events */
	size_t held_bytes;
	size_t walk_bytes; /* all pages of this walk, held or not */
	int two_pass;      /* the segment does not fit and cannot be cut: drop and re-fetch */
	int disordered;    /* a page of this walk was out of order: repeats are the server's, not copies */
	int cut_short;     /* a guard stopped this walk with pages unread: hand over, move no cursor */
	unsigned stuck;    /* replans since the cursor last moved */

	/* walking */
	long w_offset;   /* Cloud start of the next page */
	char *w_cursor;  /* DC pageCursor of the next page */
	int64_t w_carry; /* time of the last event of the page before */

	/* handing over recs[cur] */
	size_t cur;
	cfl_page_t refetched; /* recs[cur]'s page when it was fetched again */
	int emitting;
	item_t *items; /* the page's events to hand over (no duplicates), oldest first */
	int64_t *tsv;  /* scratch: event times in server order */
	size_t cap_items;
	size_t n_items;
	size_t chunk_begin, chunk_end;
	int64_t page_top; /* newest event time of the page inside [a, b], or CFL_TS_NONE */
	cfl_poll_event_t *out;
	size_t n_out;
};

/* cfl_poll.c */
void cfl_poll_i_free_held(cfl_poll_t *p, rec_t *r);
void cfl_poll_i_drop_walk(cfl_poll_t *p);
void cfl_poll_i_adapt_width(cfl_poll_t *p);

/* cfl_poll_hand.c */
void cfl_poll_i_make_chunk(cfl_poll_t *p);
void cfl_poll_i_page_done(cfl_poll_t *p);

#endif
