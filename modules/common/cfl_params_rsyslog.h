/* cfl_params_rsyslog.h: a cfl_params table (cfl_params.h) as rsyslog's
 * parameter table, and rsyslog's parsed values stored by it. Glue, header
 * only: include after "config.h" and rsyslog's headers (rsyslog.h, conf.h).
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

/* One cnfparamdescr row of a .def line:
 * #define CFL_PARAM(...) CFL_PARAM_RS_ROW(__VA_ARGS__) */
#define CFL_PARAM_RS_ROW(name, type, flags, field, dstr, dnum, min, max, doc) \
	{ name, CFL_RS_HDLR_##type, CFL_RS_FLAG_##flags },

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
 * cnfparamdescr rows of table t, in the same order) into obj. Returns 0;
 * -1 when out of memory (obj keeps what was stored: free it); -2 when a
 * number is out of bounds: err holds the first such message, and the
 * other values are stored. */
static inline int cfl_rs_params_store(const cfl_param_t *t, const struct cnfparamblk *blk, struct cnfparamvals *pv,
                                      void *obj, char *err, size_t errlen)
{
	int i, rc = 0;
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
			cfl_param_set_str(&t[i], obj, s);
			break;
		case CFL_PT_ARRAY:
			if ((a = cfl_rs_array(pv[i].val.d.ar)) == NULL)
				goto oom;
			cfl_param_set_array(&t[i], obj, a);
			break;
		default:
			if (cfl_param_set_num(&t[i], obj, (long long)pv[i].val.d.n, rc == 0 ? err : NULL,
			                      rc == 0 ? errlen : 0) != 0)
				rc = -2;
			break;
		}
	}
	return rc;
oom:
	snprintf(err, errlen, "out of memory storing parameter '%s'", t[i].name);
	return -1;
}

#endif
