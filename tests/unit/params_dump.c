/* params_dump: prints the docs table rows a module's parameter table
 * implies, one "name|type|default|range" line each, in table order; with
 * "counters", the rows of its counter table (<module>_counters.def) as
 * docs/<module>.md spells them: "| `name` | meaning |".
 * tests/integration/docs_params.sh compares them with docs/<module>.md.
 *
 * Usage: params_dump imconfluence|mmconfluence [counters]
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <string.h>

#include "cfl_params.h"


#define CFL_PARAM(name, type, flags, field, dstr, dnum, min, max, doc) \
	{ name, CFL_PT_##type, CFL_PF_##flags, 0, dstr, dnum, min, max, doc },
static const cfl_param_t im[] = {
#include "imconfluence/imconfluence_params.def"
};
static const cfl_param_t mm[] = {
#include "mmconfluence/mmconfluence_params.def"
};
#undef CFL_PARAM

typedef struct counter {
	const char *name, *meaning;
} counter_t;
#define ICF_COUNTER(id, name, kind, member, meaning) { name, meaning },
static const counter_t im_ctr[] = {
#include "imconfluence/imconfluence_counters.def"
};
#undef ICF_COUNTER
#define MMC_COUNTER(id, name, meaning) { name, meaning },
static const counter_t mm_ctr[] = {
#include "mmconfluence/mmconfluence_counters.def"
};
#undef MMC_COUNTER

static void dump(const cfl_param_t *t, size_t n)
{
	char row[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		cfl_param_doc_row(&t[i], row, sizeof(row));
		puts(row);
	}
}

static void dump_counters(const counter_t *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("| `%s` | %s |\n", t[i].name, t[i].meaning);
}

int main(int argc, char **argv)
{
	int counters = argc == 3 && strcmp(argv[2], "counters") == 0;

	if ((argc == 2 || counters) && strcmp(argv[1], "imconfluence") == 0) {
		if (counters)
			dump_counters(im_ctr, sizeof(im_ctr) / sizeof(im_ctr[0]));
		else
			dump(im, sizeof(im) / sizeof(im[0]));
	} else if ((argc == 2 || counters) && strcmp(argv[1], "mmconfluence") == 0) {
		if (counters)
			dump_counters(mm_ctr, sizeof(mm_ctr) / sizeof(mm_ctr[0]));
		else
			dump(mm, sizeof(mm) / sizeof(mm[0]));
	} else {
		fprintf(stderr, "usage: params_dump imconfluence|mmconfluence [counters]\n");
		return 2;
	}
	return 0;
}
