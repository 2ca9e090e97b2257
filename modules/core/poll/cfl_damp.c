/* cfl_damp.c: see cfl_damp.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "cfl_damp.h"

void cfl_damp_init(cfl_damp_t *d, int64_t repeat_ms)
{
	d->kind = CFL_DAMP_NONE;
	d->count = 0;
	d->logged_ms = 0;
	d->repeat_ms = repeat_ms;
}

int cfl_damp_should_log(cfl_damp_t *d, int kind, int64_t now)
{
	int log = d->kind != kind || now - d->logged_ms >= d->repeat_ms;

	if (d->kind != kind)
		d->count = 0;
	d->kind = kind;
	d->count++;
	if (log)
		d->logged_ms = now;
	return log;
}

int cfl_damp_should_log_once(cfl_damp_t *d, int kind, int64_t now)
{
	int log = d->kind != kind;

	cfl_damp_should_log(d, kind, now);
	return log;
}

unsigned cfl_damp_recovered(cfl_damp_t *d)
{
	unsigned n = d->kind != CFL_DAMP_NONE ? d->count : 0;

	d->kind = CFL_DAMP_NONE;
	d->count = 0;
	return n;
}
