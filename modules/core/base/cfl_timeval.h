/* cfl_timeval.h: epoch milliseconds to a struct timeval, for the message
 * timestamp both modules set (plain C, no rsyslog header).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_TIMEVAL_H
#define CFL_TIMEVAL_H

#include <stdint.h>
#include <sys/time.h>

/* Floors, so that tv_usec is always 0..999000 and a time before 1970 is
 * the earlier second plus a positive fraction: -1 ms is {-1, 999000}. */
void cfl_ms_to_timeval(int64_t ms, struct timeval *tv);

#endif
