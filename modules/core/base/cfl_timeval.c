/* cfl_timeval.c: see cfl_timeval.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfl_timeval.h"

void cfl_ms_to_timeval(int64_t ms, struct timeval *tv)
{
	int64_t sec = ms / 1000, rem = ms % 1000;

	if (rem < 0) { /* C truncates towards zero */
		sec--;
		rem += 1000;
	}
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)(rem * 1000);
}
