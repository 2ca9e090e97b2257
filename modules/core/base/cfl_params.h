/* cfl_params.h: one parameter table per module (plain C, no rsyslog header).
 *
 * Each module lists its parameters once, in an X-macro data file
 * (modules/<module>/<module>_params.def):
 *
 *   CFL_PARAM(name, type, flags, field, default text, default number, min, max, docs default)
 *
 * and expands it into a cfl_param_t array. That array drives the rsyslog
 * parameter table (the glue maps the type to an eCmdHdlr), the defaults,
 * the bounds checks with one error message, and the check of the module's
 * docs/<module>.md parameter table (tests/integration/docs_params.sh runs
 * tests/unit/params_dump, which prints the rows this table implies).
 *
 * Storage: the value of a parameter lives at `offset` in the module's own
 * struct: char * for STRING and WORD, int for INT, BINARY, FACILITY and
 * SEVERITY, char ** (NULL-terminated) for ARRAY.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_PARAMS_H
#define CFL_PARAMS_H

#include <stddef.h>

#include "cfl_status.h"


typedef enum cfl_ptype {
	CFL_PT_STRING,   /* any text */
	CFL_PT_WORD,     /* one word */
	CFL_PT_INT,      /* integer within [min, max] */
	CFL_PT_BINARY,   /* on/off */
	CFL_PT_ARRAY,    /* array of strings */
	CFL_PT_FACILITY, /* syslog facility, stored shifted (local0 = 16 << 3) */
	CFL_PT_SEVERITY  /* syslog severity */
} cfl_ptype_t;

#define CFL_PF_0 0
#define CFL_PF_REQUIRED 1

typedef struct cfl_param {
	const char *name;
	cfl_ptype_t type;
	int flags;               /* CFL_PF_* */
	size_t offset;           /* of the value in the module's struct */
	const char *dflt_str;    /* STRING/WORD default stored, or NULL */
	long long dflt;          /* INT/BINARY/FACILITY/SEVERITY default */
	long long min, max;      /* INT bounds, inclusive */
	const char *doc_default; /* the docs table's "default" cell */
} cfl_param_t;

/* One cfl_param_t row of a .def line, for a module whose values live in
 * struct type T: #define CFL_PARAM(...) CFL_PARAM_ROW(T, __VA_ARGS__) */
#define CFL_PARAM_ROW(T, name, type, flags, field, dstr, dnum, min, max, doc) \
	{ name, CFL_PT_##type, CFL_PF_##flags, offsetof(T, field), dstr, dnum, min, max, doc },

/* The docs table's name of a type: "string", "word", "integer", ... */
const char *cfl_ptype_name(cfl_ptype_t type);

/* Stores every default into obj (strings are strdup'ed). 0, or -1 when
 * out of memory. */
int cfl_params_defaults(const cfl_param_t *t, size_t n, void *obj);

/* Frees obj's strings and arrays of the table (not obj). */
void cfl_params_free(const cfl_param_t *t, size_t n, void *obj);

/* Finds a parameter by name (case-insensitive, as rsyslog matches them). */
const cfl_param_t *cfl_params_find(const cfl_param_t *t, size_t n, const char *name);

/* Stores a number (INT, BINARY, FACILITY, SEVERITY): CFL_OK. An INT outside
 * [min, max] is not stored: CFL_EINVAL, and err (may be NULL) says
 * "parameter 'x' must be between A and B, got C". */
cfl_rc_t cfl_param_set_num(const cfl_param_t *p, void *obj, long long v, cfl_errbuf_t *err);

/* Stores s (owned, may not be NULL) into a STRING or WORD, freeing the old. */
void cfl_param_set_str(const cfl_param_t *p, void *obj, char *s);

/* Stores a NULL-terminated array (owned) into an ARRAY, freeing the old. */
void cfl_param_set_array(const cfl_param_t *p, void *obj, char **a);

/* One docs table row: "name|type|default|range" (range "A..B" for INT,
 * "" otherwise). Returns snprintf's result. */
int cfl_param_doc_row(const cfl_param_t *p, char *buf, size_t len);

#endif
