/* cfl_product.h: the Atlassian products whose audit logs the modules read
 * (Confluence, Jira, Bitbucket), one list for both cores: the mapper picks
 * a product's rules and data stream by it, the poller its API (Jira Cloud)
 * and state-file name.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_PRODUCT_H
#define CFL_PRODUCT_H

typedef enum cfl_product {
	CFL_PRODUCT_CONFLUENCE = 0,
	CFL_PRODUCT_JIRA,
	CFL_PRODUCT_BITBUCKET,
	CFL_NPRODUCTS
} cfl_product_t;

/* "confluence", "jira", "bitbucket" (any case) -> the product; -1 for
 * anything else, NULL and "" included. */
int cfl_product_parse(const char *name);

/* The product's name as written in parameters, messages and file names;
 * "unknown" for a value outside the enum. */
const char *cfl_product_name(cfl_product_t p);

#endif
