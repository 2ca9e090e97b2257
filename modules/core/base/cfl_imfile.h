/* cfl_imfile.h: reading imfile's metadata (addMetadata="on") for
 * mmconfluence's log.offset (plain C, no rsyslog header).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_IMFILE_H
#define CFL_IMFILE_H

#include <stdint.h>

/* $!metadata!fileoffset: a non-negative decimal integer that fits in
 * int64 (leading blanks and a '+' are accepted, as strtoll does). Returns
 * 1 and *out, or 0 for anything else (NULL, empty, trailing text,
 * negative, overflow). */
int cfl_imfile_offset(const char *s, int64_t *out);

#endif
