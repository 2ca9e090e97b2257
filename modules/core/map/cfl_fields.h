/* cfl_fields.h: the dotted path of every field and object the mapping core
 * writes into a document, one constant each, one block per ECS field family.
 * This is where `grep user.target.name` lands; grepping the constant then
 * finds the code that sets the field; docs/ecs-fields.md links each field
 * to those files (tests/integration/docs_ecs_fields.sh keeps the links true
 * and every constant here documented).
 *
 * Code adds a member under its parent object with CFL_LEAF(CFL_FP_...), the
 * path's last segment, or sets a whole path from the document root with
 * cfl_json_set_path() (cfl_json_util.h). A new field gets its constant here
 * and a row in docs/ecs-fields.md that links the file writing it.
 *
 * The Data Center audit fields are named under confluence.audit; Jira and
 * Bitbucket documents carry the same members under jira.audit and
 * bitbucket.audit (the product's root, cfl_products[].ns), and so do the
 * organization documents for the three fields of cfl_map_fit.c
 * (atlassian_cloud.audit.moved, ...).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_FIELDS_H
#define CFL_FIELDS_H

/* The last segment of a dotted path: the member name under the path's parent.
 * A suffix of the literal, so a static string (JSON_C_OBJECT_KEY_IS_CONSTANT
 * holds); GCC and clang fold it at compile time, but clang does not take it
 * as a constant expression: no static initializers. */
#define CFL_LEAF(path) (__builtin_strrchr((path), '.') != NULL ? __builtin_strrchr((path), '.') + 1 : (path))

/* base */
#define CFL_FP_TIMESTAMP "@timestamp"
#define CFL_FP_MESSAGE "message"
#define CFL_FP_TAGS "tags"

/* ecs */
#define CFL_FP_ECS "ecs"
#define CFL_FP_ECS_VERSION "ecs.version"

/* event */
#define CFL_FP_EVENT "event"
#define CFL_FP_EVENT_KIND "event.kind"
#define CFL_FP_EVENT_ACTION "event.action"
#define CFL_FP_EVENT_CATEGORY "event.category"
#define CFL_FP_EVENT_TYPE "event.type"
#define CFL_FP_EVENT_OUTCOME "event.outcome"
#define CFL_FP_EVENT_ORIGINAL "event.original"
#define CFL_FP_EVENT_ID "event.id"
#define CFL_FP_EVENT_CREATED "event.created"
#define CFL_FP_EVENT_DATASET "event.dataset"
#define CFL_FP_EVENT_MODULE "event.module"

/* source (all but source.address: cfl_source_enrich, for both mappers) */
#define CFL_FP_SOURCE "source"
#define CFL_FP_SOURCE_ADDRESS "source.address"
#define CFL_FP_SOURCE_IP "source.ip"
#define CFL_FP_SOURCE_GEO "source.geo"
#define CFL_FP_SOURCE_GEO_CONTINENT_NAME "source.geo.continent_name"
#define CFL_FP_SOURCE_GEO_COUNTRY_ISO_CODE "source.geo.country_iso_code"
#define CFL_FP_SOURCE_GEO_COUNTRY_NAME "source.geo.country_name"
#define CFL_FP_SOURCE_GEO_REGION_ISO_CODE "source.geo.region_iso_code"
#define CFL_FP_SOURCE_GEO_REGION_NAME "source.geo.region_name"
#define CFL_FP_SOURCE_GEO_CITY_NAME "source.geo.city_name"
#define CFL_FP_SOURCE_GEO_LOCATION "source.geo.location"
#define CFL_FP_SOURCE_GEO_LOCATION_LAT "source.geo.location.lat"
#define CFL_FP_SOURCE_GEO_LOCATION_LON "source.geo.location.lon"
#define CFL_FP_SOURCE_AS "source.as"
#define CFL_FP_SOURCE_AS_NUMBER "source.as.number"
#define CFL_FP_SOURCE_AS_ORGANIZATION "source.as.organization"
#define CFL_FP_SOURCE_AS_ORGANIZATION_NAME "source.as.organization.name"

/* user */
#define CFL_FP_USER "user"
#define CFL_FP_USER_ID "user.id"
#define CFL_FP_USER_NAME "user.name"
#define CFL_FP_USER_EMAIL "user.email"
#define CFL_FP_USER_FULL_NAME "user.full_name"
#define CFL_FP_USER_TARGET "user.target"
#define CFL_FP_USER_TARGET_ID "user.target.id"
#define CFL_FP_USER_TARGET_NAME "user.target.name"
#define CFL_FP_USER_TARGET_FULL_NAME "user.target.full_name"
#define CFL_FP_USER_TARGET_EMAIL "user.target.email"
#define CFL_FP_USER_TARGET_GROUP "user.target.group"
#define CFL_FP_USER_TARGET_GROUP_ID "user.target.group.id"
#define CFL_FP_USER_TARGET_GROUP_NAME "user.target.group.name"
#define CFL_FP_USER_CHANGES "user.changes"
#define CFL_FP_USER_CHANGES_NAME "user.changes.name"
#define CFL_FP_USER_CHANGES_EMAIL "user.changes.email"
#define CFL_FP_USER_CHANGES_FULL_NAME "user.changes.full_name"

/* group */
#define CFL_FP_GROUP "group"
#define CFL_FP_GROUP_ID "group.id"
#define CFL_FP_GROUP_NAME "group.name"

/* related */
#define CFL_FP_RELATED "related"
#define CFL_FP_RELATED_IP "related.ip"
#define CFL_FP_RELATED_USER "related.user"
#define CFL_FP_RELATED_HOSTS "related.hosts"

/* service */
#define CFL_FP_SERVICE "service"
#define CFL_FP_SERVICE_ADDRESS "service.address"

/* confluence.audit (and jira.audit, bitbucket.audit). The members of
 * type, affected_objects and changed_values come from the event; constants
 * name those the code writes or reads. */
#define CFL_FP_AUDIT "confluence.audit"
#define CFL_FP_AUDIT_TYPE "confluence.audit.type"
#define CFL_FP_AUDIT_TYPE_ACTION "confluence.audit.type.action"
#define CFL_FP_AUDIT_TYPE_CATEGORY "confluence.audit.type.category"
#define CFL_FP_AUDIT_TYPE_CATEGORY_I18N_KEY "confluence.audit.type.categoryI18nKey"
#define CFL_FP_AUDIT_METHOD "confluence.audit.method"
#define CFL_FP_AUDIT_EXTERNAL_COLLABORATOR "confluence.audit.external_collaborator"
#define CFL_FP_AUDIT_AFFECTED_OBJECTS "confluence.audit.affected_objects"
#define CFL_FP_AUDIT_AFFECTED_OBJECTS_ID "confluence.audit.affected_objects.id"
#define CFL_FP_AUDIT_AFFECTED_OBJECTS_NAME "confluence.audit.affected_objects.name"
#define CFL_FP_AUDIT_AFFECTED_OBJECTS_TYPE "confluence.audit.affected_objects.type"
#define CFL_FP_AUDIT_AFFECTED_OBJECTS_URI "confluence.audit.affected_objects.uri"
#define CFL_FP_AUDIT_CHANGED_VALUES "confluence.audit.changed_values"
#define CFL_FP_AUDIT_CHANGED_VALUES_KEY "confluence.audit.changed_values.key"
#define CFL_FP_AUDIT_CHANGED_VALUES_I18N_KEY "confluence.audit.changed_values.i18nKey"
#define CFL_FP_AUDIT_CHANGED_VALUES_FROM "confluence.audit.changed_values.from"
#define CFL_FP_AUDIT_CHANGED_VALUES_TO "confluence.audit.changed_values.to"
#define CFL_FP_AUDIT_EXTRA_ATTRIBUTES "confluence.audit.extra_attributes"
#define CFL_FP_AUDIT_TRUNCATED_FIELDS "confluence.audit.truncated_fields"
#define CFL_FP_AUDIT_UTF8_REPAIRED_FIELDS "confluence.audit.utf8_repaired_fields"
#define CFL_FP_AUDIT_MOVED "confluence.audit.moved"
#define CFL_FP_AUDIT_MOVED_FIELD "confluence.audit.moved.field"
#define CFL_FP_AUDIT_MOVED_VALUE "confluence.audit.moved.value"

/* jira.audit, Jira's own */
#define CFL_FP_JIRA_AUDIT_ADDITIONAL_SOURCE_IPS "jira.audit.additional_source_ips"

/* observer */
#define CFL_FP_OBSERVER "observer"
#define CFL_FP_OBSERVER_VENDOR "observer.vendor"
#define CFL_FP_OBSERVER_PRODUCT "observer.product"
#define CFL_FP_OBSERVER_TYPE "observer.type"

/* atlassian_cloud.audit */
#define CFL_FP_ORG "atlassian_cloud"
#define CFL_FP_ORG_AUDIT "atlassian_cloud.audit"
#define CFL_FP_ORG_AUDIT_CONTEXT "atlassian_cloud.audit.context"
#define CFL_FP_ORG_AUDIT_CONTAINER "atlassian_cloud.audit.container"
#define CFL_FP_ORG_AUDIT_LOCATION "atlassian_cloud.audit.location"
#define CFL_FP_ORG_AUDIT_LOCATION_GEO "atlassian_cloud.audit.location.geo"
#define CFL_FP_ORG_AUDIT_MESSAGE "atlassian_cloud.audit.message"
#define CFL_FP_ORG_AUDIT_MESSAGE_FORMAT "atlassian_cloud.audit.message.format"
#define CFL_FP_ORG_AUDIT_ACTOR "atlassian_cloud.audit.actor"
#define CFL_FP_ORG_AUDIT_ACTOR_AUTH "atlassian_cloud.audit.actor.auth"
#define CFL_FP_ORG_AUDIT_ACTOR_AUTH_AUTH_TYPE "atlassian_cloud.audit.actor.auth.auth_type"
#define CFL_FP_ORG_AUDIT_ACTOR_AUTH_TOKEN_ID "atlassian_cloud.audit.actor.auth.token_id"
#define CFL_FP_ORG_AUDIT_ACTOR_AUTH_TOKEN_LABEL "atlassian_cloud.audit.actor.auth.token_label"
#define CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF "atlassian_cloud.audit.actor.on_behalf_of"
#define CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_ID "atlassian_cloud.audit.actor.on_behalf_of.id"
#define CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_NAME "atlassian_cloud.audit.actor.on_behalf_of.name"
#define CFL_FP_ORG_AUDIT_ACTOR_ON_BEHALF_OF_EMAIL "atlassian_cloud.audit.actor.on_behalf_of.email"
#define CFL_FP_ORG_AUDIT_ACTOR_APP "atlassian_cloud.audit.actor.app"
#define CFL_FP_ORG_AUDIT_ACTOR_APP_ID "atlassian_cloud.audit.actor.app.id"
#define CFL_FP_ORG_AUDIT_ACTOR_APP_NAME "atlassian_cloud.audit.actor.app.name"
#define CFL_FP_ORG_AUDIT_ACTOR_APP_TYPE "atlassian_cloud.audit.actor.app.type"
#define CFL_FP_ORG_AUDIT_ACTOR_APP_ATTRIBUTES "atlassian_cloud.audit.actor.app.attributes"

/* data_stream, input, log */
#define CFL_FP_DATA_STREAM "data_stream"
#define CFL_FP_DATA_STREAM_TYPE "data_stream.type"
#define CFL_FP_DATA_STREAM_DATASET "data_stream.dataset"
#define CFL_FP_DATA_STREAM_NAMESPACE "data_stream.namespace"
#define CFL_FP_INPUT "input"
#define CFL_FP_INPUT_TYPE "input.type"
#define CFL_FP_LOG "log"
#define CFL_FP_LOG_FILE "log.file"
#define CFL_FP_LOG_FILE_PATH "log.file.path"
#define CFL_FP_LOG_OFFSET "log.offset"

/* error (pipeline_error documents) */
#define CFL_FP_ERROR "error"
#define CFL_FP_ERROR_MESSAGE "error.message"

#endif /* CFL_FIELDS_H */
