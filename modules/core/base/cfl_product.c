/* cfl_product.c: product names to the enum and back (cfl_product.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stddef.h>
#include <strings.h>

#include "cfl_product.h"

static const char *const names[CFL_NPRODUCTS] = {
	[CFL_PRODUCT_CONFLUENCE] = "confluence",
	[CFL_PRODUCT_JIRA] = "jira",
	[CFL_PRODUCT_BITBUCKET] = "bitbucket",
};

int cfl_product_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < CFL_NPRODUCTS; i++) {
		if (strcasecmp(name, names[i]) == 0)
			return i;
	}
	return -1;
}

const char *cfl_product_name(cfl_product_t p)
{
	return (unsigned)p < CFL_NPRODUCTS ? names[p] : "unknown";
}
