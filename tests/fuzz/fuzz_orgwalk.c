/* fuzz_orgwalk.c: libFuzzer target for the organization events-stream
 * walker (cfl_orgwalk), fed the way a reply is in production.
 *
 * The input is fed to every request of a walk (so a body with a cursor is
 * followed until a guard or an empty page ends it); each page's events
 * are checked, emitted and committed; a rejected cursor is tried once; the
 * resulting state is serialised, must read back, and is restored into a
 * second walker, which walks the same body again. No file system, no network. Seed corpus: tests/fuzz/corpus/orgwalk/
 * (Elastic's mock pages, empty pages with and without a cursor, events
 * without ids or times, cut-off and non-JSON bodies).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_orgwalk.h"
#include "cfl_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cfl_orgwalk_t *walker(void)
{
	static const char *const excl[] = { "user_profile_viewed", NULL };
	cfl_orgwalk_cfg_t cfg;
	cfl_errbuf_t err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.org_id = "00000000-0000-0000-0000-000000000000";
	cfg.page_size = 2;
	cfg.overlap_ms = 60000;
	cfg.initial_lookback_ms = INT64_C(100000000000);
	cfg.exclude = excl;
	cfg.max_ids = 16;
	cfg.max_stale_pages = 4;
	return cfl_orgwalk_new(&cfg, &err);
}

/* Walks body until idle (at most 64 steps); returns the events emitted. */
static uint64_t walk(cfl_orgwalk_t *w, const char *body, size_t len, int reject_once)
{
	const cfl_orgwalk_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	char why[CFL_ERRBUF_LEN];
	size_t n, i;
	int steps = 0;

	cfl_orgwalk_begin(w, INT64_C(1780000000000));
	while (steps++ < 64) {
		cfl_orgwalk_action_t a = cfl_orgwalk_next(w, &req);
		if (a == CFL_ORGWALK_IDLE)
			break;
		if (a == CFL_ORGWALK_FETCH) {
			if (reject_once && cfl_orgwalk_sent_cursor(w) &&
			    cfl_orgwalk_cursor_rejected(w, INT64_C(1780000001000), why, sizeof(why))) {
				reject_once = 0;
				continue;
			}
			if (cfl_orgwalk_feed(w, body, len, &err) != CFL_OK) {
				if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
					abort(); /* messages are bounded and terminated */
				break;
			}
			continue;
		}
		n = cfl_orgwalk_batch(w, &evs);
		for (i = 0; i < n; i++)
			if (evs[i].len > len || evs[i].json[evs[i].len] != '\0')
				abort(); /* every event is NUL-terminated, never longer than the body */
		if (cfl_orgwalk_commit(w, &err) != CFL_OK)
			break;
	}
	return cfl_orgwalk_stats(w)->emitted;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	cfl_orgwalk_t *w, *w2;
	cfl_state_t st, back;
	cfl_errbuf_t err;
	size_t slen;
	char *s;

	if (size > (1u << 20) || (w = walker()) == NULL)
		return 0;
	(void)walk(w, body, size, 1);
	memset(&st, 0, sizeof(st));
	if (cfl_orgwalk_snapshot(w, &st) == CFL_OK) {
		st.base_url = "https://fuzz.example/admin/v1/orgs/x";
		st.flavor = "organization";
		if ((s = cfl_state_serialize(&st, &slen)) != NULL) {
			if (cfl_state_parse(s, slen, &back, &err) != CFL_OK)
				abort(); /* what we write we must read */
			if ((w2 = walker()) != NULL) {
				if (cfl_orgwalk_restore(w2, &back, &err) == CFL_OK)
					(void)walk(w2, body, size, 0);
				cfl_orgwalk_free(w2);
			}
			cfl_state_free(&back);
			free(s);
		}
		st.base_url = st.flavor = NULL;
		cfl_state_free(&st);
	}
	cfl_orgwalk_free(w);
	return 0;
}
