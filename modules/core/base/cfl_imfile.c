/* cfl_imfile.c: see cfl_imfile.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <stdlib.h>

#include "cfl_imfile.h"

int cfl_imfile_offset(const char *s, int64_t *out)
{
	long long v;
	char *end;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || v < 0 || errno == ERANGE)
		return 0;
	*out = (int64_t)v;
	return 1;
}
