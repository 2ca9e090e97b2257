/* cfl_damp.h: logging a failure once per streak (plain C, no rsyslog
 * header). imconfluence logs the first failure of a kind, a change of
 * kind, and the same kind again after repeat_ms; some kinds (bad
 * credentials) only once until a request succeeds again.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_DAMP_H
#define CFL_DAMP_H

#include <stdint.h>

#define CFL_DAMP_NONE 0 /* no failure: the kind a streak starts from */

typedef struct cfl_damp {
	int kind;          /* the current streak's kind, CFL_DAMP_NONE if none */
	unsigned count;    /* failures in the current streak */
	int64_t logged_ms; /* when the streak was last logged */
	int64_t repeat_ms; /* the same kind is logged again after this */
} cfl_damp_t;

/* An empty history. */
void cfl_damp_init(cfl_damp_t *d, int64_t repeat_ms);

/* Records a failure of kind (not CFL_DAMP_NONE) at now (monotonic ms);
 * 1 if it should be logged: the first of a streak, a change of kind, or
 * the same kind repeat_ms after it was last logged. */
int cfl_damp_should_log(cfl_damp_t *d, int kind, int64_t now);

/* The same, but a streak is logged once only, however long it lasts. */
int cfl_damp_should_log_once(cfl_damp_t *d, int kind, int64_t now);

/* A success ends the streak: returns how many failures it had (0 when
 * there was none, so nothing is to be said), and forgets it. */
unsigned cfl_damp_recovered(cfl_damp_t *d);

#endif
