/* fuzz_page.c: libFuzzer target for the page parser (cfl_page), fed
 * through the polling state machine (cfl_poll) the way a reply is in
 * production, plus the state-file reader on the same bytes.
 *
 * Every input is tried as a Data Center and as a Cloud page; a parsed
 * page's events are fingerprinted, emitted and committed, and the
 * resulting state is written and read back. No file system, no network.
 * Seed corpus: tests/fuzz/corpus/page/ (Elastic's fixture events wrapped
 * as pages, empty pages, cut-off and non-JSON bodies).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_dedup.h"
#include "cfl_page.h"
#include "cfl_poll.h"
#include "cfl_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void through_the_poller(cfl_flavor_t flavor, const char *body, size_t len)
{
	static const char *const excl[] = { "atlassian.audit.event.action.audit.search", "Space logo uploaded", NULL };
	cfl_poll_cfg_t cfg;
	const cfl_poll_event_t *evs;
	cfl_request_t req;
	cfl_errbuf_t err;
	cfl_state_t st, back;
	cfl_poll_t *p;
	size_t n, i, slen;
	char *s;
	int steps = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flavor = flavor;
	cfg.page_size = 2;
	cfg.overlap_ms = 60000;
	cfg.initial_lookback_ms = INT64_C(100000000000); /* back to 2018: the fixtures' times are inside */
	cfg.exclude = excl;
	if ((p = cfl_poll_new(&cfg, &err)) == NULL)
		return;
	cfl_poll_begin(p, INT64_C(1700000000000));
	/* feed the same body to every request: splits, paging guards, emits */
	while (steps++ < 64) {
		cfl_poll_action_t a = cfl_poll_next(p, &req);
		if (a == CFL_POLL_IDLE)
			break;
		if (a == CFL_POLL_FETCH) {
			if (cfl_poll_feed(p, body, len, &err) != CFL_OK)
				break;
			continue;
		}
		n = cfl_poll_batch(p, &evs);
		for (i = 0; i < n; i++)
			if (evs[i].json[evs[i].len] != '\0')
				abort(); /* every event is NUL-terminated */
		if (cfl_poll_commit(p, &err) != CFL_OK)
			break;
	}
	memset(&st, 0, sizeof(st));
	if (cfl_poll_snapshot(p, &st) == CFL_OK) {
		st.base_url = strdup("https://fuzz.example/");
		st.flavor = strdup(cfl_flavor_name(flavor));
		if (st.base_url != NULL && st.flavor != NULL && (s = cfl_state_serialize(&st, &slen)) != NULL) {
			if (cfl_state_parse(s, slen, &back, &err) != CFL_OK)
				abort(); /* what we write we must read */
			cfl_state_free(&back);
			free(s);
		}
		cfl_state_free(&st);
	}
	cfl_poll_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	cfl_flavor_t flavors[2] = { CFL_FLAVOR_DC, CFL_FLAVOR_CLOUD };
	cfl_errbuf_t err;
	cfl_page_t pg;
	cfl_state_t st;
	size_t i, k;

	if (size > (1u << 20))
		return 0;
	for (k = 0; k < 2; k++) {
		if (cfl_page_parse(flavors[k], body, size, NULL, &pg, &err) != CFL_OK) {
			if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
				abort(); /* messages are bounded and terminated */
			continue;
		}
		for (i = 0; i < pg.n; i++) {
			if (pg.ev[i].len > size || pg.ev[i].json[pg.ev[i].len] != '\0')
				abort();
			(void)cfl_dedup_fingerprint(pg.ev[i].json, pg.ev[i].len);
		}
		cfl_page_free(&pg);
		through_the_poller(flavors[k], body, size);
	}
	if (cfl_state_parse(body, size, &st, &err) == CFL_OK)
		cfl_state_free(&st);
	return 0;
}
