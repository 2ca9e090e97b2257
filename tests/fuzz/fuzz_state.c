/* fuzz_state.c: libFuzzer target for the state-file reader (cfl_state).
 *
 * Every input is parsed as a state file's bytes. A state the reader accepts
 * must serialise, and what is written must read back to the same state
 * (cursor, low mark, fingerprints, base_url, flavor). A rejected input must
 * leave a bounded, terminated message. No file system, no network.
 * Seed corpus: tests/fuzz/corpus/state/ (states the code writes, and
 * truncated, wrong-version, wrong-type and oversized ones).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int same_state(const cfl_state_t *a, const cfl_state_t *b)
{
	size_t i;

	if (!same_str(a->base_url, b->base_url) || !same_str(a->flavor, b->flavor) || a->has_cursor != b->has_cursor ||
	    a->n_fps != b->n_fps || a->low_ms != b->low_ms || (a->has_cursor && a->cursor_ms != b->cursor_ms))
		return 0;
	for (i = 0; i < a->n_fps; i++)
		if (a->fps[i].fp != b->fps[i].fp || a->fps[i].ts_ms != b->fps[i].ts_ms ||
		    a->fps[i].count != b->fps[i].count)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfl_errbuf_t err;
	cfl_state_t st, back;
	size_t slen;
	char *s;

	if (size > (1u << 20))
		return 0;
	memset(&st, 0, sizeof(st));
	if (cfl_state_parse((const char *)data, size, &st, &err) != CFL_OK) {
		if (memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort(); /* messages are bounded and terminated */
		return 0;
	}
	if ((s = cfl_state_serialize(&st, &slen)) != NULL) {
		if (slen != strlen(s))
			abort();
		memset(&back, 0, sizeof(back));
		if (cfl_state_parse(s, slen, &back, &err) != CFL_OK)
			abort(); /* what we write we must read */
		if (!same_state(&st, &back))
			abort(); /* and read back the same */
		cfl_state_free(&back);
		free(s);
	}
	cfl_state_free(&st);
	return 0;
}
