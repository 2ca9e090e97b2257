/* fuzz_jira.c: libFuzzer target for the Jira Cloud audit records walk
 * (cfl_jira), fed the way a reply is in production.
 *
 * The input is fed to every request of a walk (so a page whose `total`
 * says more is asked for again at the next offset until an empty page,
 * the total, a guard or the memory cap ends it); each chunk's events are
 * checked, emitted and committed; the resulting state is serialised, must
 * read back, and is restored into a second walk, which reads the same
 * body again. No file system, no network. Seed corpus:
 * tests/fuzz/corpus/jira/ (Elastic's Cloud records as a page, the empty
 * page past an overstated total, records without id or created, a future
 * date, a page larger than the limit, cut-off and non-JSON bodies).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_jira.h"
#include "cfl_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cfl_jira_t *walker(void)
{
	static const char *const excl[] = { "Project deleted", NULL };
	cfl_jira_cfg_t cfg;
	cfl_errbuf_t err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.page_size = 4;
	cfg.overlap_ms = 60000;
	cfg.initial_lookback_ms = INT64_C(200000000000); /* back to 2020: Elastic's records are of 2022 */
	cfg.exclude = excl;
	cfg.max_ids = 16;
	cfg.max_events = 8;
	cfg.chunk = 3;
	cfg.max_stale_pages = 4;
	return cfl_jira_new(&cfg, &err);
}

/* Walks body until idle (at most 64 steps); returns the events emitted. */
static uint64_t walk(cfl_jira_t *j, const char *body, size_t len)
{
	const cfl_jira_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	size_t n, i;
	int steps = 0;

	cfl_jira_begin(j, INT64_C(1780000000000));
	while (steps++ < 64) {
		cfl_jira_action_t a = cfl_jira_next(j, &req);
		if (a == CFL_JIRA_IDLE)
			break;
		if (a == CFL_JIRA_FETCH) {
			if (req.from_ms > req.to_ms || req.limit < 1 || req.limit > 1000)
				abort(); /* every request is a window and a clamped limit */
			if (cfl_jira_feed(j, body, len, &err) != CFL_OK) {
				if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
					abort(); /* messages are bounded and terminated */
				break;
			}
			continue;
		}
		n = cfl_jira_batch(j, &evs);
		for (i = 0; i < n; i++)
			if (evs[i].len > len || evs[i].json[evs[i].len] != '\0' ||
			    (i > 0 && evs[i].ts_ms < evs[i - 1].ts_ms))
				abort(); /* NUL-terminated, never longer than the body, oldest first */
		if (cfl_jira_commit(j, &err) != CFL_OK)
			break;
	}
	return cfl_jira_stats(j)->emitted;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	cfl_jira_t *j, *j2;
	cfl_state_t st, back;
	cfl_errbuf_t err;
	size_t slen;
	char *s;

	if (size > (1u << 20) || (j = walker()) == NULL)
		return 0;
	(void)walk(j, body, size);
	memset(&st, 0, sizeof(st));
	if (cfl_jira_snapshot(j, &st) == CFL_OK) {
		st.base_url = "https://fuzz.atlassian.net";
		st.flavor = "jira-cloud";
		if ((s = cfl_state_serialize(&st, &slen)) != NULL) {
			if (cfl_state_parse(s, slen, &back, &err) != CFL_OK)
				abort(); /* what we write we must read */
			if ((j2 = walker()) != NULL) {
				if (cfl_jira_restore(j2, &back, &err) == CFL_OK)
					(void)walk(j2, body, size);
				cfl_jira_free(j2);
			}
			cfl_state_free(&back);
			free(s);
		}
		st.base_url = st.flavor = NULL;
		cfl_state_free(&st);
	}
	cfl_jira_free(j);
	return 0;
}
