/* cfl_map_jiracloud.c: docs/jira-bitbucket-mapping.md section 5: a Jira
 * Cloud audit record (GET /rest/api/3/auditing/record, records[]) into the
 * Data Center-like ECS shape under jira.audit.
 *
 *   created ("2022-01-24T08:48:05.645+0000") -> @timestamp (UTC, milliseconds)
 *   id (a JSON integer)                      -> event.id, its decimal digits
 *   remoteAddress                            -> source.address (not split)
 *   authorAccountId                          -> user.id
 *   category / summary                       -> jira.audit.type.category / .action, event.action
 *   associatedItems[] + objectItem (unless already listed)
 *                                            -> jira.audit.affected_objects[] (typeName -> type)
 *   changedValues[]                          -> jira.audit.changed_values[]
 *                                               (fieldName -> i18nKey + key, changedTo -> to,
 *                                                changedFrom -> from)
 * Not mapped: authorKey (deprecated), eventSource, description. The site
 * (imconfluence's $!metadata!site) becomes service.address in cfl_map.c, as
 * for Confluence Cloud. What the two Cloud shapes share is cfl_cloud_* in
 * cfl_map_cloud.c; this file holds only what Jira's record does otherwise.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_json_util.h"
#include "cfl_json_span.h"
#include "cfl_fields.h"

/* The Jira cases of the shape order (docs/jira-bitbucket-mapping.md section
 * 5): created, else a member only Jira Cloud records have. The caller has
 * ruled out creationDate and timestamp. */
int cfl_jiracloud_is_record(const cfl_map_work_t *ev)
{
	static const cfl_field_t only_jira[] = { CFL_F_CREATED,           CFL_F_OBJECT_ITEM, CFL_F_ASSOCIATED_ITEMS,
		                                 CFL_F_AUTHOR_ACCOUNT_ID, CFL_F_AUTHOR_KEY,  CFL_F_EVENT_SOURCE };
	size_t i;

	for (i = 0; i < sizeof(only_jira) / sizeof(only_jira[0]); i++) {
		if (cfl_work_has(ev, only_jira[i]))
			return 1;
	}
	return cfl_jscan_type(ev->f[CFL_F_ID]) == CFL_JNUMBER;
}

/* created is read as a Data Center API timestamp (ISO 8601; "+0000" is an
 * offset it reads); missing or anything else: no usable timestamp, so the
 * record becomes a pipeline_error document. */
static cfl_rc_t map_time(cfl_map_work_t *ev)
{
	if (!cfl_work_has(ev, CFL_F_CREATED))
		return cfl_work_fail(ev, "no usable timestamp: Jira Cloud audit record without \"created\"");
	return cfl_map_iso_time(ev, ev->f[CFL_F_CREATED]);
}

/* event.id = the record's id: a number as its JSON text (all its digits, even
 * beyond int64), anything else as a text value. It is set whatever eventId
 * says (decision 6); cfl_map.c adds the hash only to an event without one. */
static void map_id(cfl_map_work_t *ev)
{
	cfl_span_t v = ev->f[CFL_F_ID];
	struct json_object *id;

	id = cfl_jscan_type(v) == CFL_JNUMBER ? cfl_span_keyword_literal(v) : cfl_span_keyword(v);
	if (id != NULL)
		cfl_json_add_new(ev->event, CFL_LEAF(CFL_FP_EVENT_ID), id);
}

cfl_rc_t cfl_map_jiracloud(cfl_map_work_t *ev)
{
	static const cfl_span_t none;

	if (map_time(ev) != CFL_OK)
		return ev->error.rc;
	map_id(ev);
	cfl_work_address(ev, cfl_span_keyword(ev->f[CFL_F_REMOTE_ADDRESS]));
	cfl_work_author(ev, ev->f[CFL_F_AUTHOR_ACCOUNT_ID], none);
	cfl_cloud_type(ev);
	cfl_cloud_affected_objects(ev, ev->f[CFL_F_ASSOCIATED_ITEMS], ev->f[CFL_F_OBJECT_ITEM], "typeName");
	cfl_cloud_changed_values(ev, "fieldName", "changedTo", "changedFrom");
	return CFL_OK;
}
