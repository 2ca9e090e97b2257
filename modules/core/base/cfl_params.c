/* cfl_params.c: see cfl_params.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfl_params.h"

#define AT(obj, p, T) ((T *)(void *)((char *)(obj) + (p)->offset))

const char *cfl_ptype_name(cfl_ptype_t type)
{
	switch (type) {
	case CFL_PT_STRING: return "string";
	case CFL_PT_WORD: return "word";
	case CFL_PT_INT: return "integer";
	case CFL_PT_BINARY: return "binary";
	case CFL_PT_ARRAY: return "array";
	case CFL_PT_FACILITY: return "facility";
	case CFL_PT_SEVERITY: return "severity";
	}
	return "?";
}

static void free_array(char **a)
{
	char **x;

	for (x = a; x != NULL && *x != NULL; x++)
		free(*x);
	free(a);
}

int cfl_params_defaults(const cfl_param_t *t, size_t n, void *obj)
{
	size_t i;
	char *s;

	for (i = 0; i < n; i++) {
		const cfl_param_t *p = &t[i];
		switch (p->type) {
		case CFL_PT_STRING:
		case CFL_PT_WORD:
			if (p->dflt_str == NULL)
				break;
			if ((s = strdup(p->dflt_str)) == NULL)
				return -1;
			cfl_param_set_str(p, obj, s);
			break;
		case CFL_PT_ARRAY: break;
		default: *AT(obj, p, int) = (int)p->dflt; break;
		}
	}
	return 0;
}

void cfl_params_free(const cfl_param_t *t, size_t n, void *obj)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].type == CFL_PT_STRING || t[i].type == CFL_PT_WORD) {
			free(*AT(obj, &t[i], char *));
			*AT(obj, &t[i], char *) = NULL;
		} else if (t[i].type == CFL_PT_ARRAY) {
			free_array(*AT(obj, &t[i], char **));
			*AT(obj, &t[i], char **) = NULL;
		}
	}
}

const cfl_param_t *cfl_params_find(const cfl_param_t *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

cfl_rc_t cfl_param_set_num(const cfl_param_t *p, void *obj, long long v, cfl_errbuf_t *err)
{
	if (p->type == CFL_PT_INT && (v < p->min || v > p->max))
		return cfl_err_set(err, CFL_EINVAL, "parameter '%s' must be between %lld and %lld, got %lld", p->name,
		                   p->min, p->max, v);
	*AT(obj, p, int) = (int)v;
	return CFL_OK;
}

void cfl_param_set_str(const cfl_param_t *p, void *obj, char *s)
{
	free(*AT(obj, p, char *));
	*AT(obj, p, char *) = s;
}

void cfl_param_set_array(const cfl_param_t *p, void *obj, char **a)
{
	free_array(*AT(obj, p, char **));
	*AT(obj, p, char **) = a;
}

int cfl_param_doc_row(const cfl_param_t *p, char *buf, size_t len)
{
	if (p->type == CFL_PT_INT)
		return snprintf(buf, len, "%s|%s|%s|%lld..%lld", p->name, cfl_ptype_name(p->type), p->doc_default,
		                p->min, p->max);
	return snprintf(buf, len, "%s|%s|%s|", p->name, cfl_ptype_name(p->type), p->doc_default);
}
