/* cfl_categories.h: the categorization table of contract section 5, loaded
 * from rulebases/confluence-categories.json (data an operator may extend) into
 * a hash table keyed by event.action.
 *
 * File format: a JSON array of rules, one object each:
 *   { "actions":     ["User created", "audit.logging.summary.user.created"],
 *     "category":    ["iam"],                  ECS event.category values
 *     "type":        ["user", "creation"],     ECS event.type values (default ["info"])
 *     "outcome":     "success",                ECS event.outcome (optional)
 *     "user_fields": ["target", "changes"],    which user/group rules apply (optional)
 *     "note":        "free text" }             ignored
 * An action may appear in one rule only. Instead of (or besides) "actions", a
 * rule may match by "prefixes": [...] or "suffixes": [...] of event.action, or
 * be the table's one "default": true rule. A lookup tries, first match wins:
 * the exact actions, then the prefixes in file order, then the suffixes in
 * file order, then the default rule (the organization audit log's table,
 * rulebases/atlassian-cloud-categories.json, uses all four). Errors name the
 * file and the line of the offending rule.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_CATEGORIES_H
#define CFL_CATEGORIES_H

#include <stddef.h>
#include <json.h>

#include "cfl_status.h"

/* The action families of contract section 5 ("user_fields" in the file). */
typedef enum cfl_user_fields {
	CFL_UF_GROUP = 1 << 0,      /* "group": Group objects -> group.* */
	CFL_UF_MEMBERSHIP = 1 << 1, /* "membership": Group -> user.target.group.*, User -> user.target.name/id */
	CFL_UF_TARGET = 1 << 2,     /* "target": User -> user.target.full_name/id/name */
	CFL_UF_LOGIN = 1 << 3,      /* "login": User -> user.full_name/id/name */
	CFL_UF_RENAMED = 1 << 4,    /* "renamed": username change -> user.changes.name, user.target.name */
	CFL_UF_CHANGES = 1 << 5     /* "changes": Username/Email/Display name -> user.changes.*, user.target.* */
} cfl_user_fields_t;

typedef struct cfl_category {
	const char *const *category;
	size_t ncategory;
	const char *const *type;
	size_t ntype;
	const char *outcome;  /* NULL if the rule sets none */
	unsigned user_fields; /* cfl_user_fields_t bits */
	int line;             /* where the rule starts in the file */
	/* the same values as immutable JSON strings, shared by every document
	 * (see cfl_categories_apply) */
	struct json_object **category_json, **type_json, *outcome_json;
} cfl_category_t;

typedef struct cfl_categories cfl_categories_t;

/* CFL_OK and *out, or an error code with "FILE:LINE: what is wrong" in err. */
cfl_rc_t cfl_categories_load(const char *path, cfl_categories_t **out, cfl_errbuf_t *err);

/* Same, from a string; name is used in messages. */
cfl_rc_t cfl_categories_load_string(const char *text, size_t len, const char *name, cfl_categories_t **out,
                                    cfl_errbuf_t *err);

void cfl_categories_free(cfl_categories_t *c);

/* The rule for an action (exact, prefix, suffix, default; see above), or NULL. */
const cfl_category_t *cfl_categories_find(const cfl_categories_t *c, const char *action, size_t len);

size_t cfl_categories_count(const cfl_categories_t *c);

/* The line of the first rule whose user_fields include one of the bits uf,
 * or 0 if none does (a product without such a rule refuses the table). */
int cfl_categories_user_fields_line(const cfl_categories_t *c, unsigned uf);

/* Writes event.category / event.type / event.outcome of rule c into the ECS
 * event object (event.type defaults to ["info"] when c is NULL or sets none).
 * The arrays are new; their strings are references to the table's immutable
 * string objects (libfastjson cannot modify a string in place, so sharing
 * them between documents and threads is safe and saves an allocation each). */
void cfl_categories_apply(const cfl_categories_t *cats, const cfl_category_t *c, struct json_object *event);

/* Same, with the new arrays from new_array(ctx) (an empty array, new
 * reference) instead of json_object_new_array(); new_array NULL: the latter. */
void cfl_categories_apply_ex(const cfl_categories_t *cats, const cfl_category_t *c, struct json_object *event,
                             struct json_object *(*new_array)(void *), void *ctx);

#endif /* CFL_CATEGORIES_H */
