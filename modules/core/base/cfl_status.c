/* cfl_status.c: result codes and error text of the core (see cfl_status.h).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cfl_status.h"

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

int cfl_msg_take(char *pending, char *buf, size_t len)
{
	if (pending[0] == '\0')
		return 0;
	snprintf(buf, len, "%s", pending);
	pending[0] = '\0';
	return 1;
}
