/* cfl_map_user.c: contract section 5, user and group fields.
 *
 * Runs only for user-management and authentication events (the gate below).
 * Which rules apply comes from the action's categorization rule
 * ("user_fields": group, membership, target, login, renamed, changes), so an
 * operator who adds an action to the table can give it user fields too.
 *
 * Order and overwrite semantics follow the contract literally: affected objects
 * are walked in order and a later object's fields replace an earlier one's,
 * including by absence (a later User without id removes user.target.id); then
 * changed values are walked, where an empty "from" counts as absent.
 *
 * Jira and Bitbucket (docs/jira-bitbucket-mapping.md section 7) differ in the
 * gate, the object type spelling (GROUP, USER), the keys of renames and
 * changes, and in what a User or Group object fills; the table `rules`
 * below holds the differences, so the walk is the same for all three.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_fields.h"
#include "cfl_json_util.h"

static int str_eq(struct json_object *v, const char *s)
{
	return v != NULL && json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), s) == 0;
}

/* What differs per product. NULL: no such key (no value of it matches). */
static const struct product_rules {
	const char *gate_keys[2];       /* categoryI18nKey values that open the gate */
	const char *gate_categories[2]; /* category values that open it */
	const char *group_type, *user_type;
	int group_id;         /* a Group object's id -> group.id */
	int target_full_name; /* a target User's name -> user.target.full_name
	                                * (and .name from its uri); else user.target.name */
	const char *renamed_key;
	const char *change_keys[3]; /* -> name, email, full_name */
	int change_fallback;        /* target.* = to when there is no from */
} rules[CFL_NPRODUCTS] = {
	[CFL_PRODUCT_CONFLUENCE] = { { "audit.logging.category.user.management", "audit.logging.category.auth" },
	                             { "Users and groups", NULL },
	                             "Group",
	                             "User",
	                             1,
	                             1,
	                             "audit.logging.changed.value.username",
	                             { "Username", "Email", "Display name" },
	                             1 },
	[CFL_PRODUCT_JIRA] = { { "jira.auditing.category.usermanagement", "jira.auditing.category.groupmanagement" },
	                       { "user management", "group management" },
	                       "GROUP",
	                       "USER",
	                       0,
	                       0,
	                       "common.words.username",
	                       { "common.words.username", "common.words.email", "common.words.fullname" },
	                       0 },
	[CFL_PRODUCT_BITBUCKET] = { { "bitbucket.service.audit.category.usersandgroups", NULL },
	                            { NULL, NULL },
	                            "GROUP",
	                            "USER",
	                            1,
	                            0,
	                            "bitbucket.service.user.audit.attribute.user.name",
	                            { NULL, NULL, NULL },
	                            0 },
};

static int str_eq_any(struct json_object *v, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] != NULL && str_eq(v, list[i]))
			return 1;
	}
	return 0;
}

static int gate_open(cfl_map_work_t *ev)
{
	const struct product_rules *r = &rules[ev->product];
	struct json_object *type = cfl_json_get(ev->audit, CFL_LEAF(CFL_FP_AUDIT_TYPE));

	return str_eq_any(cfl_json_get(type, CFL_LEAF(CFL_FP_AUDIT_TYPE_CATEGORY_I18N_KEY)), r->gate_keys, 2) ||
	       str_eq_any(cfl_json_get(type, CFL_LEAF(CFL_FP_AUDIT_TYPE_CATEGORY)), r->gate_categories, 2);
}

static int is_uuid_char(char c, int i)
{
	if (i == 8 || i == 13 || i == 18 || i == 23)
		return c == '-';
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

size_t cfl_split_group_uuid(const char *s, size_t len)
{
	enum { UUID_LEN = 36 };
	size_t name_len, i;

	if (len < UUID_LEN + 2)
		return 0;
	name_len = len - UUID_LEN - 1;
	if (s[name_len] != ':')
		return 0;
	for (i = 0; i < UUID_LEN; i++) {
		if (!is_uuid_char(s[name_len + 1 + i], (int)i))
			return 0;
	}
	return name_len;
}

/* The name and id of a Group object; on Confluence Cloud "<name>:<uuid>" is split. */
static void group_name_id(cfl_map_work_t *ev, struct json_object *obj, struct json_object **name,
                          struct json_object **id)
{
	struct json_object *split_name, *split_id;
	const char *s;
	size_t n;

	*name = cfl_json_keyword(cfl_json_get(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_NAME)));
	*id = rules[ev->product].group_id
	              ? cfl_json_keyword(cfl_json_get(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_ID)))
	              : NULL;
	if (!ev->is_cloud || ev->product != CFL_PRODUCT_CONFLUENCE || *name == NULL)
		return; /* Jira Cloud's names are not split (jira-bitbucket-mapping.md section 5) */
	s = json_object_get_string(*name);
	n = cfl_split_group_uuid(s, (size_t)json_object_get_string_len(*name));
	if (n == 0)
		return;
	split_name = json_object_new_string_len(s, (int)n);
	split_id = json_object_new_string(s + n + 1);
	json_object_put(*name);
	json_object_put(*id);
	*name = split_name;
	*id = split_id;
}

/* dst.name_key = name, dst.id_key = id (both stolen; NULL removes). */
static void put_name_id(struct json_object *dst, const char *name_key, struct json_object *name, const char *id_key,
                        struct json_object *id)
{
	cfl_json_put(dst, name_key, name);
	cfl_json_put(dst, id_key, id);
}

static void apply_group(cfl_map_work_t *ev, struct json_object *obj, unsigned uf)
{
	struct json_object *name, *id;

	group_name_id(ev, obj, &name, &id);
	if (uf & CFL_UF_GROUP)
		put_name_id(cfl_work_group(ev), CFL_LEAF(CFL_FP_GROUP_NAME), json_object_get(name),
		            CFL_LEAF(CFL_FP_GROUP_ID), json_object_get(id));
	if (uf & CFL_UF_MEMBERSHIP) {
		struct json_object *target = cfl_json_child(cfl_work_user(ev), CFL_LEAF(CFL_FP_USER_TARGET));

		put_name_id(cfl_json_child(target, CFL_LEAF(CFL_FP_USER_TARGET_GROUP)),
		            CFL_LEAF(CFL_FP_USER_TARGET_GROUP_NAME), json_object_get(name),
		            CFL_LEAF(CFL_FP_USER_TARGET_GROUP_ID), json_object_get(id));
	}
	json_object_put(name);
	json_object_put(id);
}

/* dst.key from the uri's "?username=", if it ends that way. */
static void put_uri_name(cfl_map_work_t *ev, struct json_object *obj, struct json_object *dst, const char *key)
{
	char username[CFL_HOST_MAX];
	const char *uri;
	size_t len, n;

	uri = cfl_json_get_str(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_URI), &len);
	if (uri == NULL)
		return;
	n = cfl_lognorm_uri_username(ev->m->ln, uri, len, username, sizeof(username));
	if (n > 0)
		cfl_json_put(dst, key, json_object_new_string_len(username, (int)n));
}

static void apply_user(cfl_map_work_t *ev, struct json_object *obj, unsigned uf)
{
	struct json_object *name = cfl_json_get(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_NAME));
	struct json_object *id = cfl_json_get(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_ID));
	struct json_object *user = cfl_work_user(ev);

	if ((uf & CFL_UF_TARGET) && !rules[ev->product].target_full_name) {
		put_name_id(cfl_json_child(user, CFL_LEAF(CFL_FP_USER_TARGET)), CFL_LEAF(CFL_FP_USER_TARGET_NAME),
		            cfl_json_keyword(name), CFL_LEAF(CFL_FP_USER_TARGET_ID), cfl_json_keyword(id));
	} else if (uf & CFL_UF_TARGET) {
		struct json_object *target = cfl_json_child(user, CFL_LEAF(CFL_FP_USER_TARGET));

		cfl_json_put(target, CFL_LEAF(CFL_FP_USER_TARGET_FULL_NAME), cfl_json_keyword(name));
		cfl_json_put(target, CFL_LEAF(CFL_FP_USER_TARGET_ID), cfl_json_keyword(id));
		put_uri_name(ev, obj, target, CFL_LEAF(CFL_FP_USER_TARGET_NAME));
	}
	if (uf & CFL_UF_MEMBERSHIP)
		put_name_id(cfl_json_child(user, CFL_LEAF(CFL_FP_USER_TARGET)), CFL_LEAF(CFL_FP_USER_TARGET_NAME),
		            cfl_json_keyword(name), CFL_LEAF(CFL_FP_USER_TARGET_ID), cfl_json_keyword(id));
	if (uf & CFL_UF_LOGIN) {
		cfl_json_put(user, CFL_LEAF(CFL_FP_USER_FULL_NAME), cfl_json_keyword(name));
		cfl_json_put(user, CFL_LEAF(CFL_FP_USER_ID), cfl_json_keyword(id));
		put_uri_name(ev, obj, user, CFL_LEAF(CFL_FP_USER_NAME));
	}
}

static void walk_affected_objects(cfl_map_work_t *ev, unsigned uf)
{
	const struct product_rules *r = &rules[ev->product];
	struct json_object *arr = cfl_json_get(ev->audit, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS));
	int i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *obj = json_object_array_get_idx(arr, i);
		struct json_object *type = cfl_json_get(obj, CFL_LEAF(CFL_FP_AUDIT_AFFECTED_OBJECTS_TYPE));

		if (str_eq(type, r->group_type) && (uf & (CFL_UF_GROUP | CFL_UF_MEMBERSHIP)))
			apply_group(ev, obj, uf);
		else if (str_eq(type, r->user_type) && (uf & (CFL_UF_TARGET | CFL_UF_MEMBERSHIP | CFL_UF_LOGIN)))
			apply_user(ev, obj, uf);
	}
}

/* A changed value's "from", or NULL when absent or "" (contract: [fix]). */
static struct json_object *from_value(struct json_object *cv)
{
	return cfl_json_keyword(cfl_json_get(cv, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_FROM)));
}

static void apply_rename(cfl_map_work_t *ev, struct json_object *cv)
{
	struct json_object *user = cfl_work_user(ev);

	cfl_json_put(cfl_json_child(user, CFL_LEAF(CFL_FP_USER_CHANGES)), CFL_LEAF(CFL_FP_USER_CHANGES_NAME),
	             cfl_json_keyword(cfl_json_get(cv, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_TO))));
	cfl_json_put(cfl_json_child(user, CFL_LEAF(CFL_FP_USER_TARGET)), CFL_LEAF(CFL_FP_USER_TARGET_NAME),
	             from_value(cv));
}

/* Username / Email / Display name (field 0, 1, 2, as in change_keys): the
 * new value to user.changes.<field>, the old one (or the new one when there
 * is no old one) to user.target.<field>. */
static void apply_change(cfl_map_work_t *ev, struct json_object *cv, int field)
{
	/* not static: CFL_LEAF is no constant expression for every compiler */
	const char *const changes_key[3] = { CFL_LEAF(CFL_FP_USER_CHANGES_NAME), CFL_LEAF(CFL_FP_USER_CHANGES_EMAIL),
		                             CFL_LEAF(CFL_FP_USER_CHANGES_FULL_NAME) };
	const char *const target_key[3] = { CFL_LEAF(CFL_FP_USER_TARGET_NAME), CFL_LEAF(CFL_FP_USER_TARGET_EMAIL),
		                            CFL_LEAF(CFL_FP_USER_TARGET_FULL_NAME) };
	struct json_object *user = cfl_work_user(ev);
	struct json_object *to = cfl_json_keyword(cfl_json_get(cv, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_TO)));
	struct json_object *from = from_value(cv);
	struct json_object *target = cfl_json_child(user, CFL_LEAF(CFL_FP_USER_TARGET));

	cfl_json_put(cfl_json_child(user, CFL_LEAF(CFL_FP_USER_CHANGES)), changes_key[field], json_object_get(to));
	if (rules[ev->product].change_fallback)
		cfl_json_put(target, target_key[field], json_object_get(to));
	if (from != NULL)
		cfl_json_put(target, target_key[field], from);
	json_object_put(to);
}

/* Which of the product's change_keys key is (0, 1, 2), or -1. */
static int changed_field(const cfl_map_work_t *ev, struct json_object *key)
{
	const struct product_rules *r = &rules[ev->product];
	int i;

	for (i = 0; i < 3; i++) {
		if (r->change_keys[i] != NULL && str_eq(key, r->change_keys[i]))
			return i;
	}
	return -1;
}

static void walk_changed_values(cfl_map_work_t *ev, unsigned uf)
{
	struct json_object *arr = cfl_json_get(ev->audit, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES));
	int i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *cv = json_object_array_get_idx(arr, i);
		struct json_object *key = cfl_json_get(cv, CFL_LEAF(CFL_FP_AUDIT_CHANGED_VALUES_I18N_KEY));
		int field;

		if ((uf & CFL_UF_RENAMED) && str_eq(key, rules[ev->product].renamed_key))
			apply_rename(ev, cv);
		if ((uf & CFL_UF_CHANGES) && (field = changed_field(ev, key)) >= 0)
			apply_change(ev, cv, field);
	}
}

void cfl_map_user_fields(cfl_map_work_t *ev, const cfl_category_t *cat)
{
	if (cat == NULL || cat->user_fields == 0 || !gate_open(ev))
		return;
	walk_affected_objects(ev, cat->user_fields);
	walk_changed_values(ev, cat->user_fields);
}
