/* cfl_params_rsyslog.h: a cfl_params table (cfl_params.h) as rsyslog's
 * parameter table, and rsyslog's parsed values stored by it. Glue, header
 * only: include once, after "config.h" and rsyslog's headers (rsyslog.h,
 * conf.h), with CFL_PARAMS_STRUCT (the struct holding the values) and
 * CFL_PARAMS_FILE (the module's .def, as a string) defined. It defines
 *   cfl_params[CFL_NPARAMS]  the table, for cfl_params_* and cfl_rs_params_store
 *   cfl_rs_blk               rsyslog's table, for nvlstGetParams
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_PARAMS_RSYSLOG_H
#define CFL_PARAMS_RSYSLOG_H

#include <stdio.h>
#include <stdlib.h>

#include "cfl_params.h"

#define CFL_RS_HDLR_STRING eCmdHdlrString
#define CFL_RS_HDLR_WORD eCmdHdlrGetWord
#define CFL_RS_HDLR_INT eCmdHdlrInt
#define CFL_RS_HDLR_BINARY eCmdHdlrBinary
#define CFL_RS_HDLR_ARRAY eCmdHdlrArray
#define CFL_RS_HDLR_FACILITY eCmdHdlrFacility
#define CFL_RS_HDLR_SEVERITY eCmdHdlrSeverity
#define CFL_RS_FLAG_0 0
#define CFL_RS_FLAG_REQUIRED CNFPARAM_REQUIRED

#define CFL_PARAM(...) CFL_PARAM_ROW(CFL_PARAMS_STRUCT, __VA_ARGS__)
static const cfl_param_t cfl_params[] = {
#include CFL_PARAMS_FILE
};
#undef CFL_PARAM
#define CFL_PARAM(name, type, flags, field, dstr, dnum, min, max, doc) \
	{ name, CFL_RS_HDLR_##type, CFL_RS_FLAG_##flags },
static struct cnfparamdescr cfl_rs_descr[] = {
#include CFL_PARAMS_FILE
};
#undef CFL_PARAM
static struct cnfparamblk cfl_rs_blk = { CNFPARAMBLK_VERSION, sizeof(cfl_rs_descr) / sizeof(cfl_rs_descr[0]),
	                                 cfl_rs_descr };
#define CFL_NPARAMS (sizeof(cfl_params) / sizeof(cfl_params[0]))

static inline char **cfl_rs_array(struct cnfarray *ar)
{
	char **a;
	int j;

	if ((a = calloc((size_t)ar->nmemb + 1, sizeof(char *))) == NULL)
		return NULL;
	for (j = 0; j < ar->nmemb; j++) {
		if ((a[j] = es_str2cstr(ar->arr[j], NULL)) == NULL) {
			while (j-- > 0)
				free(a[j]);
			free(a);
			return NULL;
		}
	}
	return a;
}

/* Stores every value given in pv (built by nvlstGetParams from the
 * cnfparamdescr rows of table t, in the same order) into dst. Returns
 * CFL_OK; CFL_ENOMEM when out of memory (dst keeps what was stored: free
 * it); CFL_EINVAL when a number is out of bounds: err holds the first such
 * message, and the other values are stored. */
static inline cfl_rc_t cfl_rs_params_store(const cfl_param_t *t, const struct cnfparamblk *blk, struct cnfparamvals *pv,
                                           void *dst, cfl_errbuf_t *err)
{
	cfl_rc_t rc = CFL_OK;
	int i;
	char *s;
	char **a;

	for (i = 0; i < blk->nParams; i++) {
		if (!pv[i].bUsed)
			continue;
		switch (t[i].type) {
		case CFL_PT_STRING:
		case CFL_PT_WORD:
			if ((s = es_str2cstr(pv[i].val.d.estr, NULL)) == NULL)
				goto oom;
			cfl_param_set_str(&t[i], dst, s);
			break;
		case CFL_PT_ARRAY:
			if ((a = cfl_rs_array(pv[i].val.d.ar)) == NULL)
				goto oom;
			cfl_param_set_array(&t[i], dst, a);
			break;
		default:
			if (cfl_param_set_num(&t[i], dst, (long long)pv[i].val.d.n, rc == CFL_OK ? err : NULL) !=
			    CFL_OK)
				rc = CFL_EINVAL;
			break;
		}
	}
	return rc;
oom:
	return cfl_err_set(err, CFL_ENOMEM, "out of memory storing parameter '%s'", t[i].name);
}

#endif
