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
 * Licensed under the Apache License, Version 2.0.
 */
#include <string.h>

#include "cfl_map_int.h"
#include "cfl_map_work.h"
#include "cfl_json_util.h"

static int str_eq(struct json_object *v, const char *s)
{
	return v != NULL && json_object_is_type(v, json_type_string)
		&& strcmp(json_object_get_string(v), s) == 0;
}

static int gate_open(cfl_map_work_t *ev)
{
	struct json_object *type = cfl_json_get(ev->audit, "type");

	return str_eq(cfl_json_get(type, "categoryI18nKey"), "audit.logging.category.user.management")
		|| str_eq(cfl_json_get(type, "categoryI18nKey"), "audit.logging.category.auth")
		|| str_eq(cfl_json_get(type, "category"), "Users and groups");
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

/* The name and id of a Group object; on Cloud "<name>:<uuid>" is split. */
static void group_name_id(cfl_map_work_t *ev, struct json_object *obj,
	struct json_object **name, struct json_object **id)
{
	struct json_object *split_name, *split_id;
	const char *s;
	size_t n;

	*name = cfl_json_keyword(cfl_json_get(obj, "name"));
	*id = cfl_json_keyword(cfl_json_get(obj, "id"));
	if (!ev->is_cloud || *name == NULL)
		return;
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

static void put_name_id(struct json_object *dst, struct json_object *name, struct json_object *id)
{
	cfl_json_put(dst, "name", name);
	cfl_json_put(dst, "id", id);
}

static void apply_group(cfl_map_work_t *ev, struct json_object *obj, unsigned uf)
{
	struct json_object *name, *id;

	group_name_id(ev, obj, &name, &id);
	if (uf & CFL_UF_GROUP)
		put_name_id(cfl_work_group(ev), json_object_get(name), json_object_get(id));
	if (uf & CFL_UF_MEMBERSHIP) {
		struct json_object *target = cfl_json_child(cfl_work_user(ev), "target");

		put_name_id(cfl_json_child(target, "group"), json_object_get(name), json_object_get(id));
	}
	json_object_put(name);
	json_object_put(id);
}

/* user.<key>name from the uri's "?username=", if it ends that way. */
static void put_uri_name(cfl_map_work_t *ev, struct json_object *obj, struct json_object *dst)
{
	char username[CFL_HOST_MAX];
	const char *uri;
	size_t len, n;

	uri = cfl_json_get_str(obj, "uri", &len);
	if (uri == NULL)
		return;
	n = cfl_lognorm_uri_username(ev->m->ln, uri, len, username, sizeof(username));
	if (n > 0)
		cfl_json_put(dst, "name", json_object_new_string_len(username, (int)n));
}

static void apply_user(cfl_map_work_t *ev, struct json_object *obj, unsigned uf)
{
	struct json_object *name = cfl_json_get(obj, "name");
	struct json_object *id = cfl_json_get(obj, "id");
	struct json_object *user = cfl_work_user(ev);

	if (uf & CFL_UF_TARGET) {
		struct json_object *target = cfl_json_child(user, "target");

		cfl_json_put(target, "full_name", cfl_json_keyword(name));
		cfl_json_put(target, "id", cfl_json_keyword(id));
		put_uri_name(ev, obj, target);
	}
	if (uf & CFL_UF_MEMBERSHIP)
		put_name_id(cfl_json_child(user, "target"), cfl_json_keyword(name), cfl_json_keyword(id));
	if (uf & CFL_UF_LOGIN) {
		cfl_json_put(user, "full_name", cfl_json_keyword(name));
		cfl_json_put(user, "id", cfl_json_keyword(id));
		put_uri_name(ev, obj, user);
	}
}

static void walk_affected_objects(cfl_map_work_t *ev, unsigned uf)
{
	struct json_object *arr = cfl_json_get(ev->audit, "affected_objects");
	int i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *obj = json_object_array_get_idx(arr, i);
		struct json_object *type = cfl_json_get(obj, "type");

		if (str_eq(type, "Group") && (uf & (CFL_UF_GROUP | CFL_UF_MEMBERSHIP)))
			apply_group(ev, obj, uf);
		else if (str_eq(type, "User") && (uf & (CFL_UF_TARGET | CFL_UF_MEMBERSHIP | CFL_UF_LOGIN)))
			apply_user(ev, obj, uf);
	}
}

/* A changed value's "from", or NULL when absent or "" (contract: [fix]). */
static struct json_object *from_value(struct json_object *cv)
{
	return cfl_json_keyword(cfl_json_get(cv, "from"));
}

static void apply_rename(cfl_map_work_t *ev, struct json_object *cv)
{
	struct json_object *user = cfl_work_user(ev);

	cfl_json_put(cfl_json_child(user, "changes"), "name", cfl_json_keyword(cfl_json_get(cv, "to")));
	cfl_json_put(cfl_json_child(user, "target"), "name", from_value(cv));
}

/* Username / Email / Display name: the new value to user.changes.<field>, the
 * old one (or the new one when there is no old one) to user.target.<field>. */
static void apply_change(cfl_map_work_t *ev, struct json_object *cv, const char *field)
{
	struct json_object *user = cfl_work_user(ev);
	struct json_object *to = cfl_json_keyword(cfl_json_get(cv, "to"));
	struct json_object *from = from_value(cv);
	struct json_object *target = cfl_json_child(user, "target");

	cfl_json_put(cfl_json_child(user, "changes"), field, json_object_get(to));
	cfl_json_put(target, field, json_object_get(to));
	if (from != NULL)
		cfl_json_put(target, field, from);
	json_object_put(to);
}

static const char *changed_field(struct json_object *key)
{
	if (str_eq(key, "Username"))
		return "name";
	if (str_eq(key, "Email"))
		return "email";
	if (str_eq(key, "Display name"))
		return "full_name";
	return NULL;
}

static void walk_changed_values(cfl_map_work_t *ev, unsigned uf)
{
	struct json_object *arr = cfl_json_get(ev->audit, "changed_values");
	int i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *cv = json_object_array_get_idx(arr, i);
		struct json_object *key = cfl_json_get(cv, "i18nKey");
		const char *field;

		if ((uf & CFL_UF_RENAMED) && str_eq(key, "audit.logging.changed.value.username"))
			apply_rename(ev, cv);
		if ((uf & CFL_UF_CHANGES) && (field = changed_field(key)) != NULL)
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
