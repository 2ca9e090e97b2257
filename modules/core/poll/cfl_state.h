/* cfl_state.h: the per-input state file (cursor + overlap fingerprints).
 *
 * Format (JSON, one line, version 1; version 2 below):
 *   {"version":1,"base_url":"https://x.atlassian.net/","flavor":"cloud",
 *    "cursor":1637628276398,"cursor_time":"2021-11-23T00:44:36.398Z",
 *    "low":1637628216398,
 *    "fingerprints":[["0123456789abcdef",1637628276398,1],...]}
 * cursor: every event with a time <= cursor was handed to rsyslog (null
 * before the first delivery). low: where the next poll's window starts
 * (<= cursor; below the cursor by up to `overlap` for recent events that
 * may still be written late). fingerprints: [XXH3-64 hex, event ms,
 * deliveries] of the events delivered with time >= low. cursor_time is for
 * humans only and ignored on reading.
 *
 * Version 2 (the organization flavour; a version-1 file still loads, and
 * the Confluence flavours keep writing version 1) adds three members:
 *   "api_cursor":"<opaque>"|null   the events-stream cursor of the walk in
 *                                  progress (the next page), null between walks
 *   "walk_to":<ms>|null            the "to" that walk was started with
 *   "ids":[["<event id>",<processedAt ms>],...]  the ids delivered with
 *                                  processedAt >= low (exact deduplication)
 * and "cursor" is then the checkpoint: the processedAt up to which every
 * event visible at the time was handed over.
 *
 * Writing is atomic: a temp file "<path>.tmp.XXXXXX" in the same directory,
 * all bytes written, fsync, rename over <path>, fsync of the directory; on
 * any failure the temp file is removed and the old state stays. So after a
 * crash or kill -9 the file holds the last committed state or the one
 * before, never a mix. Temp files left by a kill -9 between the write and
 * the rename are removed by cfl_state_remove_temps().
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_STATE_H
#define CFL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "cfl_status.h"

#define CFL_STATE_VERSION 1
#define CFL_STATE_VERSION_ORG 2
#define CFL_STATE_MAX_BYTES (64u * 1024u * 1024u)

typedef struct cfl_state_fp {
	uint64_t fp;
	int64_t ts_ms;
	uint32_t count;
} cfl_state_fp_t;

typedef struct cfl_state_id {
	char *id;
	int64_t ts_ms;
} cfl_state_id_t;

typedef struct cfl_state {
	char *base_url; /* owned */
	char *flavor;   /* owned: "cloud" or "datacenter" */
	int has_cursor; /* 0: nothing delivered yet */
	int64_t cursor_ms;
	int64_t low_ms;
	cfl_state_fp_t *fps; /* owned */
	size_t n_fps;
	/* version 2 (organization); all zero/NULL in a version-1 state */
	int org;          /* write version 2 */
	char *api_cursor; /* owned, NULL = none */
	int has_walk_to;
	int64_t walk_to_ms;
	cfl_state_id_t *ids; /* owned, each id owned */
	size_t n_ids;
} cfl_state_t;

/* Serialises st into a malloc'ed, NUL-terminated buffer; NULL on ENOMEM. */
char *cfl_state_serialize(const cfl_state_t *st, size_t *len);

/* Parses a state file's bytes. CFL_ECORRUPT (with the reason) for anything
 * that is not a version-1 or version-2 state this code wrote. */
cfl_rc_t cfl_state_parse(const char *buf, size_t len, cfl_state_t *st, cfl_errbuf_t *err);

/* CFL_ENOENT if there is no file (a first run), CFL_ECORRUPT if it cannot
 * be trusted, CFL_EIO if it cannot be read. */
cfl_rc_t cfl_state_load(const char *path, cfl_state_t *st, cfl_errbuf_t *err);

/* Atomic write, see above. CFL_EIO with the failing step and errno text. */
cfl_rc_t cfl_state_save(const char *path, const cfl_state_t *st, cfl_errbuf_t *err);

/* Removes "<path>.tmp.*" leftovers; returns how many were removed. */
int cfl_state_remove_temps(const char *path);

void cfl_state_free(cfl_state_t *st);

#endif
