/* cfl_flavor.c: flavor names and auto-detection (see cfl_flavor.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>
#include <strings.h>

#include "cfl_flavor.h"

int cfl_flavor_parse(const char *name, cfl_flavor_t *out)
{
	if (name == NULL)
		return 0;
	if (strcasecmp(name, "auto") == 0)
		*out = CFL_FLAVOR_AUTO;
	else if (strcasecmp(name, "cloud") == 0)
		*out = CFL_FLAVOR_CLOUD;
	else if (strcasecmp(name, "datacenter") == 0 || strcasecmp(name, "dc") == 0)
		*out = CFL_FLAVOR_DC;
	else if (strcasecmp(name, "organization") == 0 || strcasecmp(name, "org") == 0)
		*out = CFL_FLAVOR_ORG;
	else
		return 0;
	return 1;
}

const char *cfl_flavor_name(cfl_flavor_t f)
{
	switch (f) {
	case CFL_FLAVOR_CLOUD: return "cloud";
	case CFL_FLAVOR_DC: return "datacenter";
	case CFL_FLAVOR_ORG: return "organization";
	case CFL_FLAVOR_JIRA_CLOUD: return "jira-cloud";
	default: return "auto";
	}
}

cfl_flavor_t cfl_flavor_detect(const char *host)
{
	size_t n, sl = strlen(CFL_CLOUD_SITE_SUFFIX);

	if (host == NULL)
		return CFL_FLAVOR_DC;
	n = strlen(host);
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == strlen(CFL_CLOUD_GATEWAY_HOST) && strncasecmp(host, CFL_CLOUD_GATEWAY_HOST, n) == 0)
		return CFL_FLAVOR_CLOUD;
	if (n > sl && strncasecmp(host + n - sl, CFL_CLOUD_SITE_SUFFIX, sl) == 0)
		return CFL_FLAVOR_CLOUD;
	return CFL_FLAVOR_DC;
}

cfl_flavor_t cfl_flavor_for_product(cfl_flavor_t resolved, cfl_product_t p)
{
	return resolved == CFL_FLAVOR_CLOUD && p == CFL_PRODUCT_JIRA ? CFL_FLAVOR_JIRA_CLOUD : resolved;
}
