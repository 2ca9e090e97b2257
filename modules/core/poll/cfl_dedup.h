/* cfl_dedup.h: fingerprints of the events already delivered in the overlap.
 *
 * Neither audit API gives an event an id, so an event is identified by
 * the XXH3-64 hash of its compact JSON text (cfl_dedup_fingerprint). The
 * set keeps, per fingerprint, the event time and how many events with
 * that text were delivered: two genuinely identical events (same text,
 * same millisecond) are both delivered once, never folded into one.
 *
 * Deciding: for each event of a slice that is read (again), in order,
 * cfl_dedup_is_dup() counts its occurrences within the current read
 * ("generation") and says "duplicate" while that count does not exceed
 * the delivered count. cfl_dedup_add() records a delivery. Entries older
 * than the poller's low mark are dropped by cfl_dedup_prune(), so the set
 * only spans the overlap. It is capped at max_entries: beyond that the
 * oldest quarter is evicted (counted; a re-read of an evicted event would
 * be delivered again).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_DEDUP_H
#define CFL_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_status.h"

typedef uint64_t cfl_fp_t;
typedef struct cfl_dedup cfl_dedup_t;

cfl_fp_t cfl_dedup_fingerprint(const char *text, size_t len);

/* NULL on allocation failure. max_entries >= 16. */
cfl_dedup_t *cfl_dedup_new(size_t max_entries);
void cfl_dedup_free(cfl_dedup_t *d);

/* 1 if this occurrence of fp within read generation gen was delivered
 * before. Call once per event read, in read order. */
int cfl_dedup_is_dup(cfl_dedup_t *d, cfl_fp_t fp, uint32_t gen);

/* The same for the poller, which also numbers identical events: an
 * unknown fp is remembered at once (count 0, time ts_ms), so the k-th
 * occurrence of one text within a read gets *occurrence = k - 1 whether
 * the copies share a page or not; a re-read numbers them alike, which is
 * what makes the ordinal stable (event.id: two events are two
 * documents, one event read twice is one; docs/ecs-mapping.md). strict: a read known to be unreliable (pages out of order) -
 * a second occurrence within it is taken as the server repeating itself,
 * not as a copy. 1 = duplicate, 0 = deliver, -1 = out of memory. */
int cfl_dedup_read(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t gen, int strict, unsigned *occurrence);

/* Records count more deliveries of fp at ts_ms. CFL_ENOMEM on failure. */
cfl_rc_t cfl_dedup_add(cfl_dedup_t *d, cfl_fp_t fp, int64_t ts_ms, uint32_t count);

/* Forgets every entry with ts < low_ms. */
void cfl_dedup_prune(cfl_dedup_t *d, int64_t low_ms);

size_t cfl_dedup_count(const cfl_dedup_t *d);
uint64_t cfl_dedup_evicted(const cfl_dedup_t *d);

/* Iteration: start with *pos = 0; returns 1 per entry, 0 at the end. */
int cfl_dedup_iter(const cfl_dedup_t *d, size_t *pos, cfl_fp_t *fp, int64_t *ts_ms, uint32_t *count);

#endif
