/* cfl_mapper.c: setting up a mapper from its options (cfl_map.h): the
 * product table, the strings every document shares, the rulebase, each
 * product's categorization table, the GeoIP databases and the organization
 * mapper; and the checks of the options (namespace). What one event goes
 * through is cfl_map.c's.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfl_map_int.h"
#include "cfl_json_util.h"

/* What each product's documents are filed under (docs/jira-bitbucket-mapping.md). */
const struct cfl_product_row cfl_products[CFL_NPRODUCTS] = {
	[CFL_PRODUCT_CONFLUENCE] = { "confluence", CFL_DATASET, CFL_MODULE, "confluence",
	                             "confluence-categories.json" },
	[CFL_PRODUCT_JIRA] = { "jira", "atlassian_jira.audit", "atlassian_jira", "jira", "jira-categories.json" },
	[CFL_PRODUCT_BITBUCKET] = { "bitbucket", "atlassian_bitbucket.audit", "atlassian_bitbucket", "bitbucket",
	                            "bitbucket-categories.json" },
};

static int add_tag(cfl_mapper_t *m, const char *tag)
{
	size_t i;

	if (tag == NULL || *tag == '\0')
		return 0;
	for (i = 0; i < m->ntags; i++) {
		if (strcmp(json_object_get_string(m->tags[i]), tag) == 0)
			return 0;
	}
	if ((m->tags[m->ntags] = json_object_new_string(tag)) == NULL)
		return -1;
	m->ntags++;
	return 0;
}

static int make_leaves(cfl_mapper_t *m, const cfl_map_opts_t *o)
{
	const char *text[CFL_NLEAVES];
	int i;

	text[CFL_L_ECS_VERSION] = CFL_ECS_VERSION;
	text[CFL_L_KIND_EVENT] = "event";
	text[CFL_L_KIND_ERROR] = "pipeline_error";
	text[CFL_L_LOGS] = "logs";
	text[CFL_L_NAMESPACE] = o->ns != NULL && *o->ns != '\0' ? o->ns : "default";
	for (i = 0; i < CFL_NLEAVES; i++) {
		if ((m->leaf[i] = json_object_new_string(text[i])) == NULL)
			return -1;
	}
	for (i = 0; i < CFL_NPRODUCTS; i++) {
		if ((m->dataset[i] = json_object_new_string(cfl_products[i].dataset)) == NULL ||
		    (m->module[i] = json_object_new_string(cfl_products[i].module)) == NULL)
			return -1;
	}
	return 0;
}

static cfl_rc_t copy_options(cfl_mapper_t *m, const cfl_map_opts_t *o, cfl_errbuf_t *err)
{
	size_t i;

	m->preserve_original = o->preserve_original;
	m->event_id = o->event_id;
	m->product_detect = o->product_detect;
	m->tags = calloc(o->ntags + 1, sizeof(*m->tags));
	if (m->tags == NULL || make_leaves(m, o) != 0)
		goto oom;
	for (i = 0; i < o->ntags; i++) {
		if (add_tag(m, o->tags[i]) != 0)
			goto oom;
	}
	if (o->preserve_original && add_tag(m, CFL_PRESERVE_TAG) != 0)
		goto oom;
	return CFL_OK;
oom:
	return cfl_err_set(err, CFL_ENOMEM, "out of memory");
}

const char *cfl_namespace_problem(const char *ns)
{
	const char *p;

	if (ns == NULL || *ns == '\0')
		return NULL; /* "default" */
	if (strlen(ns) > 100)
		return "is longer than 100 bytes";
	if (*ns == '_' || *ns == '+')
		return "starts with '_' or '+'";
	if (strcmp(ns, ".") == 0 || strcmp(ns, "..") == 0)
		return "is '.' or '..'";
	for (p = ns; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return "has an uppercase letter (index names are lowercase)";
		if (*p == '-')
			return "contains '-' (it separates the type, dataset and namespace of the index name)";
		if (strchr("\\/*?\"<>|,#: ", *p) != NULL)
			return "contains one of \\ / * ? \" < > | , # : or a space";
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "contains a control character";
	}
	return NULL;
}

/* A Jira or Bitbucket table (all are loaded whatever product says: detection
 * and imconfluence's metadata may select any). Their products have no login
 * rule (contract section 7): a table that names one is refused. */
static cfl_rc_t load_product_table(const cfl_map_opts_t *o, cfl_product_t p, const char *given, cfl_mapper_t *m,
                                   cfl_errbuf_t *err)
{
	char *path = cfl_beside_categories(o->categories, given, cfl_products[p].table);
	cfl_rc_t rc;
	int line;

	if (path == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory");
	if ((given == NULL || *given == '\0') && p != m->product && access(path, F_OK) != 0) {
		/* a Confluence configuration with its own table elsewhere, on a host
		 * without the installed tables, must keep starting: the product it
		 * does not use gets an empty table (its events are not categorized) */
		free(path);
		return cfl_categories_load_string("[]", 2, cfl_products[p].table, &m->cats[p], err);
	}
	rc = cfl_categories_load(path, &m->cats[p], err);
	if (rc == CFL_OK && (line = cfl_categories_user_fields_line(m->cats[p], CFL_UF_LOGIN)) > 0)
		rc = cfl_err_set(err, CFL_EPARSE,
		                 "%s:%d: \"user_fields\" value \"login\" is not "
		                 "defined for %s (only Confluence replaces the author)",
		                 path, line, cfl_products[p].name);
	free(path);
	return rc;
}

cfl_rc_t cfl_mapper_new(const cfl_map_opts_t *o, cfl_mapper_t **out, cfl_errbuf_t *err)
{
	cfl_mapper_t *m;
	cfl_rc_t rc;
	const char *why;

	*out = NULL;
	if (err != NULL) {
		err->rc = CFL_OK;
		err->msg[0] = '\0';
	}
	/* the namespace is part of the index name logs-<dataset>-<namespace>:
	 * one Elasticsearch refuses would have every document rejected */
	if ((why = cfl_namespace_problem(o->ns)) != NULL)
		return cfl_err_set(err, CFL_EINVAL,
		                   "datastream.namespace (--namespace) \"%.120s\" %s: "
		                   "Elasticsearch would refuse the index name logs-<dataset>-%.120s",
		                   o->ns, why, o->ns);
	if (o->product != NULL && *o->product != '\0' && cfl_product_parse(o->product) < 0)
		return cfl_err_set(err, CFL_EINVAL,
		                   "product (--product) \"%.64s\" is not one of "
		                   "confluence, jira, bitbucket",
		                   o->product);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return cfl_err_set(err, CFL_ENOMEM, "out of memory");
	m->product = o->product != NULL && *o->product != '\0' ? (cfl_product_t)cfl_product_parse(o->product)
	                                                       : CFL_PRODUCT_CONFLUENCE;
	if ((rc = copy_options(m, o, err)) != CFL_OK || (rc = cfl_lognorm_load(o->rulebase, &m->ln, err)) != CFL_OK ||
	    (rc = cfl_categories_load(o->categories, &m->cats[CFL_PRODUCT_CONFLUENCE], err)) != CFL_OK ||
	    (rc = load_product_table(o, CFL_PRODUCT_JIRA, o->jira_categories, m, err)) != CFL_OK ||
	    (rc = load_product_table(o, CFL_PRODUCT_BITBUCKET, o->bitbucket_categories, m, err)) != CFL_OK ||
	    (rc = cfl_geoip_open(o->geoip_city, o->geoip_asn, &m->geo, err)) != CFL_OK ||
	    (rc = cfl_map_org_new(o, m->geo, &m->org, err)) != CFL_OK) {
		cfl_mapper_free(m);
		return rc;
	}
	*out = m;
	return CFL_OK;
}

void cfl_mapper_free(cfl_mapper_t *m)
{
	size_t i;

	if (m == NULL)
		return;
	cfl_lognorm_free(m->ln);
	for (i = 0; i < CFL_NPRODUCTS; i++) {
		cfl_categories_free(m->cats[i]);
		json_object_put(m->dataset[i]);
		json_object_put(m->module[i]);
	}
	cfl_map_org_free(m->org);
	cfl_geoip_close(m->geo);
	for (i = 0; i < m->ntags; i++)
		json_object_put(m->tags[i]);
	free(m->tags);
	for (i = 0; i < CFL_NLEAVES; i++)
		json_object_put(m->leaf[i]);
	free(m);
}

const char *cfl_map_status_name(cfl_map_status_t st)
{
	switch (st) {
	case CFL_MAP_OK: return "ok";
	case CFL_MAP_EMPTY: return "empty";
	case CFL_MAP_ERROR: return "error";
	default: return "unknown";
	}
}
