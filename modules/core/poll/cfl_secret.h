/* cfl_secret.h: reading a password or token file (plain C, no rsyslog
 * header). The content never appears in a message.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_SECRET_H
#define CFL_SECRET_H

#include "cfl_status.h"

/* The largest secret file, in bytes, not counting one final newline. */
#define CFL_SECRET_MAX 8192

/* Reads the file's first line, without trailing blanks and line end, into
 * *out (malloc'ed), replacing and wiping its old value. param names the
 * parameter in messages ("passwordFile"). *mode gets the file's permission
 * bits (the caller warns when group or others may read it).
 * Errors: cfl_file_open's,
 * CFL_ELIMIT when the file is larger than CFL_SECRET_MAX, CFL_EINVAL when
 * the file is empty or its first line blank (two messages), CFL_ENOMEM. */
cfl_rc_t cfl_secret_read(const char *param, const char *path, char **out, unsigned *mode, cfl_errbuf_t *err);

/* Opens path for reading (*fd, O_CLOEXEC) if it is a regular file; param
 * names the parameter in messages. Errors: CFL_ENOENT/CFL_EIO "cannot read
 * <param> "<path>": <reason>", CFL_EINVAL when it is a directory, a pipe,
 * a device or a socket. Never blocks (a named pipe is refused unopened). */
cfl_rc_t cfl_file_open(const char *param, const char *path, int *fd, cfl_errbuf_t *err);

/* cfl_file_open's checks, and not empty (CFL_EINVAL "<param> "<path>" is
 * empty"); the file is closed again. For the TLS files -N1 checks. */
cfl_rc_t cfl_file_check(const char *param, const char *path, cfl_errbuf_t *err);

/* Overwrites and frees a secret; *s becomes NULL. */
void cfl_secret_free(char **s);

#endif
