/* cfl_idset.h: the event ids already delivered near the checkpoint.
 *
 * The organization audit log gives every event an id (a UUID), so its
 * deduplication is exact: the set keeps the id strings themselves (not a
 * hash of them) with the event's processedAt, and a re-read event whose
 * id is in the set is a duplicate. cfl_idset_prune() forgets the ids
 * processed before the poller's low mark (the next re-read starts there),
 * so the set spans only the overlap. It is capped at max_entries: beyond
 * that the oldest quarter (by processedAt) is evicted and counted, so a
 * flood cannot grow it without bound.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_IDSET_H
#define CFL_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_state.h"
#include "cfl_status.h"

#define CFL_IDSET_MAX_ID 512 /* longer ids are not kept (the caller hashes them) */

typedef struct cfl_idset cfl_idset_t;

/* NULL on allocation failure. max_entries >= 16. */
cfl_idset_t *cfl_idset_new(size_t max_entries);
void cfl_idset_free(cfl_idset_t *s);

/* 1 if id (len bytes, no NUL needed) is in the set. */
int cfl_idset_has(const cfl_idset_t *s, const char *id, size_t len);

/* Adds id (a copy) with its time; an id already there keeps the later
 * time. CFL_EINVAL for an empty or too long id, CFL_ENOMEM. */
cfl_rc_t cfl_idset_add(cfl_idset_t *s, const char *id, size_t len, int64_t ts_ms);

/* Forgets every id with ts < low_ms. */
void cfl_idset_prune(cfl_idset_t *s, int64_t low_ms);

size_t cfl_idset_count(const cfl_idset_t *s);
uint64_t cfl_idset_evicted(const cfl_idset_t *s);

/* Iteration: start with *pos = 0; returns 1 per entry (id NUL-terminated,
 * valid until the set changes), 0 at the end. */
int cfl_idset_iter(const cfl_idset_t *s, size_t *pos, const char **id, int64_t *ts_ms);

/* ---- what the walkers that deduplicate by id (cfl_orgwalk, cfl_jira) share ---- */

/* Adds the ids of a saved state (version 2). CFL_ENOMEM. */
cfl_rc_t cfl_idset_restore(cfl_idset_t *s, const cfl_state_t *st);

/* Fills st->ids and st->n_ids with malloc'ed copies of the set (st owns
 * what is set, also after an ENOMEM: cfl_state_free releases it). */
cfl_rc_t cfl_idset_snapshot(const cfl_idset_t *s, cfl_state_t *st);

/* The key of an event without a usable id: "#<XXH3-64 of its text>"
 * (malloc'ed, *klen bytes), NULL on ENOMEM. */
char *cfl_idset_text_key(const char *text, size_t len, size_t *klen);

/* The newest time in the set not beyond now + CFL_POLL_MAX_SKEW_MS, or
 * INT64_MIN; *oldest the oldest such (INT64_MAX if none). Where a walker
 * whose saved checkpoint lies in the future resumes. */
int64_t cfl_idset_newest_sane(const cfl_idset_t *s, int64_t now_ms, int64_t *oldest);

/* Where a walk's window starts: overlap_ms before the checkpoint, less one
 * millisecond so the events of its own millisecond are read again (the set
 * drops them); without a checkpoint, lookback_ms before the walk's end. */
static inline int64_t cfl_idset_window_from(int has_ckpt, int64_t ckpt_ms, int64_t overlap_ms, int64_t walk_to_ms,
                                            int64_t lookback_ms)
{
	return has_ckpt ? ckpt_ms - overlap_ms - 1 : walk_to_ms - lookback_ms;
}

#endif
