/* cfl_status.c: result codes and error text of the core (see cfl_status.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cfl_status.h"

const char *cfl_rc_name(cfl_rc_t rc)
{
	switch (rc) {
	case CFL_OK: return "ok";
	case CFL_ENOMEM: return "out of memory";
	case CFL_EINVAL: return "invalid argument";
	case CFL_EPARSE: return "not valid JSON";
	case CFL_ETRUNC: return "truncated";
	case CFL_ELIMIT: return "limit exceeded";
	case CFL_ENOENT: return "no such file";
	case CFL_EIO: return "I/O error";
	case CFL_ECORRUPT: return "corrupt state";
	case CFL_EPROTO: return "protocol error";
	}
	return "unknown error";
}

cfl_rc_t cfl_err_set(cfl_errbuf_t *err, cfl_rc_t rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->rc = rc;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

void cfl_excerpt(const char *data, size_t len, char *out, size_t max)
{
	size_t i;

	if (len > max)
		len = max;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
	}
	out[len] = '\0';
}
