/* cfl_flavor.h: the audit APIs imconfluence polls, in one place: the two
 * Confluence audit APIs (also Jira's and Bitbucket's Data Center API, the
 * same auditing plugin), Jira Cloud's audit records and the Atlassian
 * organization audit log.
 *
 * Every path, query parameter name and response field name the poller uses
 * is defined here, so a reader can check them against the API docs
 * (docs/imconfluence.md, and Atlassian's REST API reference for each flavour).
 *
 * Cloud (site https://<x>.atlassian.net or the gateway base
 * https://api.atlassian.com/ex/confluence/<cloudId>):
 *   GET <base>/wiki/rest/api/audit?startDate=<ms>&endDate=<ms>&start=<n>&limit=<n>
 *   -> {"results":[...newest first...],"start":n,"limit":n,"size":n,
 *       "_links":{"base":...,"next":"/rest/api/audit?..." (absent on the last page)}}
 *   Bounds are inclusive; an event's time is "creationDate" (epoch ms).
 *
 * Data Center (base URL including any context path, e.g. https://host/confluence):
 *   GET <base>/rest/auditing/1.0/events?from=<iso>&to=<iso>&limit=<n>[&pageCursor=<c>]
 *   -> {"entities":[...newest first...],
 *       "pagingInfo":{"lastPage":false,"nextPageCursor":"<ms>,<id>","nextPageLink":...,"size":n}}
 *   An event's time is "timestamp" (ISO 8601).
 *
 * Organization (Atlassian Administration; base https://api.atlassian.com;
 * never auto-detected, flavor="organization" and orgId are explicit):
 *   GET <base>/admin/v1/orgs/<orgId>/events-stream
 *       ?from=<ms>&to=<ms>&limit=<n>&sortOrder=asc   (a walk's first page)
 *       ?cursor=<opaque>&limit=<n>                    (the following pages)
 *   -> {"data":[...oldest processed first...],"links":{...},
 *       "meta":{"next":"<cursor>"|null|absent,"page_size":n}}
 *   Every event has an "id"; "attributes.processedAt" (ISO 8601) is the
 *   sort key, "attributes.time" when it happened. Contract:
 *   docs/imconfluence.md and the org-audit mapping contract (section 1).
 *
 * Jira Cloud (site https://<x>.atlassian.net or the gateway base
 * https://api.atlassian.com/ex/jira/<cloudId>; flavor "cloud" or "auto"
 * with product="jira", never a name of its own in the configuration):
 *   GET <base>/rest/api/3/auditing/record?offset=<n>&limit=<n>&from=<t>&to=<t>
 *       t = YYYY-MM-DDTHH:MM:SS.mmm+0000 (UTC, '+' sent as %2B); both inclusive
 *   -> {"offset":n,"limit":n,"total":n,"records":[...newest first...]}
 *   Every record has a numeric "id"; its time is "created" (ISO 8601 with a
 *   +0000-style offset). Contract: jira-bitbucket-mapping.md section 8.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_FLAVOR_H
#define CFL_FLAVOR_H

#include "cfl_product.h"

typedef enum cfl_flavor {
	CFL_FLAVOR_AUTO = 0,
	CFL_FLAVOR_CLOUD,
	CFL_FLAVOR_DC,
	CFL_FLAVOR_ORG,
	CFL_FLAVOR_JIRA_CLOUD
} cfl_flavor_t;

/* The Atlassian product an input polls (its `product` parameter):
 * cfl_product_t, in cfl_product.h (base). */

/* auto-detection: these hosts are Cloud, everything else Data Center */
#define CFL_CLOUD_SITE_SUFFIX ".atlassian.net"
#define CFL_CLOUD_GATEWAY_HOST "api.atlassian.com"

/* ---- Cloud ---- */
#define CFL_CLOUD_CONTEXT "/wiki"
#define CFL_CLOUD_AUDIT_PATH "/wiki/rest/api/audit"
#define CFL_CLOUD_Q_START_DATE "startDate"
#define CFL_CLOUD_Q_END_DATE "endDate"
#define CFL_CLOUD_Q_START "start"
#define CFL_CLOUD_Q_LIMIT "limit"
#define CFL_CLOUD_F_RESULTS "results"
#define CFL_CLOUD_F_LIMIT "limit"
#define CFL_CLOUD_F_LINKS "_links"
#define CFL_CLOUD_F_NEXT "next"
#define CFL_CLOUD_F_TIME "creationDate"
#define CFL_CLOUD_F_SUMMARY "summary"

/* ---- Data Center ---- */
#define CFL_DC_AUDIT_PATH "/rest/auditing/1.0/events"
#define CFL_DC_Q_FROM "from"
#define CFL_DC_Q_TO "to"
#define CFL_DC_Q_LIMIT "limit"
#define CFL_DC_Q_PAGE_CURSOR "pageCursor"
#define CFL_DC_F_ENTITIES "entities"
#define CFL_DC_F_PAGING "pagingInfo"
#define CFL_DC_F_LAST_PAGE "lastPage"
#define CFL_DC_F_NEXT_CURSOR "nextPageCursor"
#define CFL_DC_F_NEXT_LINK "nextPageLink"
#define CFL_DC_F_TIME "timestamp"
#define CFL_DC_F_TYPE "type"
#define CFL_DC_F_ACTION_KEY "actionI18nKey"
#define CFL_DC_F_ACTION "action"

/* ---- Organization (audit log of Atlassian Administration) ---- */
#define CFL_ORG_DEFAULT_URL "https://api.atlassian.com"
/* The events-stream's stated limit is 50 requests a minute per path
 * (docs/org-audit-mapping.md); the other flavours publish none, so their
 * client-side limit is off unless asked for. */
#define CFL_ORG_DEFAULT_RPM 50
#define CFL_ORG_PATH_PREFIX "/admin/v1/orgs/"
#define CFL_ORG_PATH_SUFFIX "/events-stream"
#define CFL_ORG_Q_FROM "from"
#define CFL_ORG_Q_TO "to"
#define CFL_ORG_Q_LIMIT "limit"
#define CFL_ORG_Q_SORT "sortOrder"
#define CFL_ORG_SORT_ASC "asc"
#define CFL_ORG_Q_CURSOR "cursor"
#define CFL_ORG_F_DATA "data"
#define CFL_ORG_F_META "meta"
#define CFL_ORG_F_NEXT "next"
#define CFL_ORG_F_ID "id"
#define CFL_ORG_F_ATTRIBUTES "attributes"
#define CFL_ORG_F_PROCESSED "processedAt"
#define CFL_ORG_F_TIME "time"
#define CFL_ORG_F_ACTION "action"
#define CFL_ORG_MAX_LIMIT 500 /* Elastic's stated maximum; not in Atlassian's text */

/* ---- Jira Cloud (audit records) ---- */
#define CFL_JIRA_AUDIT_PATH "/rest/api/3/auditing/record"
#define CFL_JIRA_Q_OFFSET "offset"
#define CFL_JIRA_Q_LIMIT "limit"
#define CFL_JIRA_Q_FROM "from"
#define CFL_JIRA_Q_TO "to"
#define CFL_JIRA_F_RECORDS "records"
#define CFL_JIRA_F_TOTAL "total"
#define CFL_JIRA_F_ID "id"
#define CFL_JIRA_F_CREATED "created"
#define CFL_JIRA_F_SUMMARY "summary"
#define CFL_JIRA_MAX_LIMIT 1000 /* the documented default and maximum */

/* "auto", "cloud", "datacenter" (also "dc"), "organization" (also "org"),
 * case-insensitive. Returns 1
 * and *out, or 0 for anything else. */
int cfl_flavor_parse(const char *name, cfl_flavor_t *out);

/* "auto", "cloud", "datacenter", "organization" or "jira-cloud". */
const char *cfl_flavor_name(cfl_flavor_t f);

/* What "auto" means for a host name: Cloud for *.atlassian.net and
 * api.atlassian.com (case-insensitive, a trailing dot ignored), Data
 * Center otherwise. */
cfl_flavor_t cfl_flavor_detect(const char *host);


/* The API a resolved flavour reads for a product: Cloud with Jira is the
 * Jira Cloud records API (one site serves both products); everything else
 * is unchanged (Data Center: one auditing plugin for all three). */
cfl_flavor_t cfl_flavor_for_product(cfl_flavor_t resolved, cfl_product_t p);

#endif
