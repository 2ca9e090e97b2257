/* cfl_rsversion.h: a module refuses to load into an rsyslogd of another
 * upstream version than the source tree it was compiled against.
 *
 * rsyslog has no stable module ABI: the glue reads smsg_t and rsconf_t
 * fields and calls interfaces whose layout is only checked by their own
 * interface numbers, which stay equal across releases whose structs differ.
 * A module built for another release could load and then crash; this check
 * turns that into one clear line and a refused load.
 *
 * rsyslogd exports no version symbol, so the running daemon's version is
 * read from its own executable (/proc/self/exe: the running image, even when
 * an upgrade has replaced the file on disk), where every release from
 * 8.2102 to 8.26xx has the literal `swVersion="<VERSION>"` of its start-up
 * message. Debian revisions of one upstream version share the headers, so
 * only the upstream version is compared. Where the version cannot be read
 * (no /proc), the module loads, as before this check.
 *
 * Include after rsyslog's headers (LogError, DBGPRINTF, RS_RET_*).
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_RSVERSION_H
#define CFL_RSVERSION_H

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#ifndef CFL_RSYSLOG_VERSION
#error "CFL_RSYSLOG_VERSION (the rsyslog tree's version) is not defined by the build"
#endif

/* The running rsyslogd's version into out ("" when it cannot be read). */
static void cfl_running_rsyslog_version(char *out, size_t outlen)
{
	static const char key[] = "swVersion=\"";
	char buf[65536 + 64];
	size_t keep = 0, i, k = sizeof(key) - 1;
	ssize_t n;
	int fd;

	out[0] = '\0';
	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	while ((n = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		size_t len = keep + (size_t)n;

		for (i = 0; i + k < len; i++) {
			size_t j = i + k, o = 0;

			if (memcmp(buf + i, key, k) != 0)
				continue;
			while (j < len && o + 1 < outlen && ((buf[j] >= '0' && buf[j] <= '9') || buf[j] == '.'))
				out[o++] = buf[j++];
			if (j < len && buf[j] == '"' && o > 0) {
				out[o] = '\0';
				close(fd);
				return;
			}
			out[0] = '\0';
		}
		/* a key cut by the chunk's end is found in the next round */
		keep = len < 64 ? len : 64;
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
}

/* RS_RET_OK, or a refusal logged in one line naming both versions. */
static rsRetVal cfl_check_rsyslog_version(const char *module)
{
	char running[32];

	cfl_running_rsyslog_version(running, sizeof(running));
	if (running[0] == '\0') {
		DBGPRINTF("%s: cannot read the running rsyslogd's version; built for %s\n", module,
		          CFL_RSYSLOG_VERSION);
		return RS_RET_OK;
	}
	if (strcmp(running, CFL_RSYSLOG_VERSION) == 0)
		return RS_RET_OK;
	LogError(0, RS_RET_INTERFACE_NOT_SUPPORTED,
	         "%s: not loaded: built for rsyslog %s, but this rsyslogd is %s; "
	         "rebuild it for %s (docs/operations.md, \"Upgrading rsyslog\")",
	         module, CFL_RSYSLOG_VERSION, running, running);
	return RS_RET_INTERFACE_NOT_SUPPORTED;
}

#endif
