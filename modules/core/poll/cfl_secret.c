/* cfl_secret.c: see cfl_secret.h.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfl_secret.h"

void cfl_secret_free(char **s)
{
	if (*s != NULL) {
		memset(*s, 0, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a named pipe";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

cfl_rc_t cfl_file_open(const char *param, const char *path, int *fd, cfl_errbuf_t *err)
{
	struct stat sb;
	int e;

	*fd = -1;
	/* stat first: opening a named pipe would block */
	if (stat(path, &sb) != 0) {
		e = errno;
		return cfl_err_set(err, e == ENOENT ? CFL_ENOENT : CFL_EIO, "cannot read %s \"%s\": %s", param, path,
		                   strerror(e));
	}
	if (!S_ISREG(sb.st_mode))
		return cfl_err_set(err, CFL_EINVAL, "%s \"%s\" is %s; it must name a regular file", param, path,
		                   file_kind(sb.st_mode));
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		e = errno;
		return cfl_err_set(err, e == ENOENT ? CFL_ENOENT : CFL_EIO, "cannot read %s \"%s\": %s", param, path,
		                   strerror(e));
	}
	if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) { /* replaced in between */
		close(*fd);
		*fd = -1;
		return cfl_err_set(err, CFL_EINVAL, "%s \"%s\" is not a regular file", param, path);
	}
	return CFL_OK;
}

cfl_rc_t cfl_file_check(const char *param, const char *path, cfl_errbuf_t *err)
{
	struct stat sb;
	cfl_rc_t rc;
	int fd;

	if ((rc = cfl_file_open(param, path, &fd, err)) != CFL_OK)
		return rc;
	rc = fstat(fd, &sb) == 0 && sb.st_size == 0 ? cfl_err_set(err, CFL_EINVAL, "%s \"%s\" is empty", param, path)
	                                            : CFL_OK;
	close(fd);
	return rc;
}

cfl_rc_t cfl_secret_read(const char *param, const char *path, char **out, unsigned *mode, cfl_errbuf_t *err)
{
	char buf[CFL_SECRET_MAX + 3]; /* the limit, "\r\n" and one byte more */
	struct stat sb;
	size_t n;
	int rd_err, e, more, fd;
	FILE *f;
	char *s;
	cfl_rc_t rc = CFL_OK;

	*mode = 0;
	if ((rc = cfl_file_open(param, path, &fd, err)) != CFL_OK)
		return rc;
	if ((f = fdopen(fd, "r")) == NULL) {
		e = errno;
		close(fd);
		return cfl_err_set(err, CFL_EIO, "cannot read %s \"%s\": %s", param, path, strerror(e));
	}
	if (fstat(fileno(f), &sb) == 0)
		*mode = (unsigned)(sb.st_mode & 0777);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	e = errno;
	rd_err = ferror(f);
	fclose(f);
	buf[n] = '\0';
	if (rd_err) {
		rc = cfl_err_set(err, CFL_EIO, "cannot read %s \"%s\": %s", param, path, strerror(e));
		goto done;
	}
	/* one final line end does not count against the limit */
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n > CFL_SECRET_MAX) {
		rc = cfl_err_set(err, CFL_ELIMIT,
		                 "%s \"%s\" is larger than %d bytes; it must hold the secret "
		                 "alone, on its first line",
		                 param, path, CFL_SECRET_MAX);
		goto done;
	}
	more = strcspn(buf, "\r\n") < n; /* lines after the first */
	buf[strcspn(buf, "\r\n")] = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (n == 0 && more) {
		/* a secret pasted below a blank line: say where it must go */
		rc = cfl_err_set(err, CFL_EINVAL,
		                 "%s \"%s\": its first line is blank; the secret must be alone "
		                 "on the first line",
		                 param, path);
		goto done;
	}
	if (n == 0) {
		rc = cfl_err_set(err, CFL_EINVAL, "%s \"%s\" is empty", param, path);
		goto done;
	}
	if ((s = strdup(buf)) == NULL) {
		rc = cfl_err_set(err, CFL_ENOMEM, "out of memory reading %s \"%s\"", param, path);
		goto done;
	}
	cfl_secret_free(out);
	*out = s;
done:
	memset(buf, 0, sizeof(buf));
	return rc;
}
