/* params_dump: prints the docs table rows a module's parameter table
 * implies, one "name|type|default|range" line each, in table order.
 * tests/integration/docs_params.sh compares them with docs/<module>.md.
 *
 * Usage: params_dump imconfluence|mmconfluence
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

static void dump(const cfl_param_t *t, size_t n)
{
	char row[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		cfl_param_doc_row(&t[i], row, sizeof(row));
		puts(row);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "imconfluence") == 0)
		dump(im, sizeof(im) / sizeof(im[0]));
	else if (argc == 2 && strcmp(argv[1], "mmconfluence") == 0)
		dump(mm, sizeof(mm) / sizeof(mm[0]));
	else {
		fprintf(stderr, "usage: params_dump imconfluence|mmconfluence\n");
		return 2;
	}
	return 0;
}
