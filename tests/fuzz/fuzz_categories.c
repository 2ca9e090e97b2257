/* fuzz_categories.c: libFuzzer target for the categories loader
 * (cfl_categories, the format of rulebases/confluence-categories.json).
 *
 * Every input is loaded as a categories file. A rejected input must leave a
 * bounded, terminated "NAME:LINE: ..." message; an accepted table must
 * answer lookups of every action it holds (and of a few it does not) and
 * apply each rule to an ECS event object. No file system, no network.
 * Seed corpus: tests/fuzz/corpus/categories/ (the shipped table, small
 * valid tables and the loader's error cases).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfl_categories.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void look_up(const cfl_categories_t *c, const char *action, size_t len)
{
	const cfl_category_t *r = cfl_categories_find(c, action, len);
	struct json_object *event = json_object_new_object();

	if (event == NULL)
		return;
	if (r != NULL && (r->ncategory > 64 || r->ntype > 64 || r->line < 1))
		abort();
	cfl_categories_apply(c, r, event);
	json_object_put(event);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const others[] = { "", "User created", "Space logo uploaded",
		                              "audit.logging.summary.user.created", "info" };
	cfl_errbuf_t err;
	cfl_categories_t *c = NULL;
	size_t i;

	if (size > (1u << 20))
		return 0;
	memset(&err, 'x', sizeof(err));
	if (cfl_categories_load_string((const char *)data, size, "fuzz", &c, &err) != CFL_OK) {
		if (c != NULL || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort(); /* no table, and a bounded, terminated message */
		return 0;
	}
	if (c == NULL)
		abort();
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		look_up(c, others[i], strlen(others[i]));
	/* every string of the input is tried as an action: that covers the
	 * table's own keys without reaching into its private layout */
	for (i = 0; i < size; i++) {
		const char *q = memchr(data + i, '"', size - i), *e;
		if (q == NULL || (e = memchr(q + 1, '"', size - (size_t)(q + 1 - (const char *)data))) == NULL)
			break;
		look_up(c, q + 1, (size_t)(e - q - 1));
		i = (size_t)(e - (const char *)data);
	}
	(void)cfl_categories_count(c);
	cfl_categories_free(c);
	return 0;
}
