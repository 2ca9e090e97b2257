/* cfl_status.h: result codes and error text of the whole core.
 *
 * Every fallible function of the core, mapping (cfl_mapper_new,
 * cfl_categories_load, ...) and polling (cfl_url, cfl_page, cfl_state,
 * cfl_poll, ...) alike, returns a cfl_rc_t and, when it fails, fills a
 * caller-provided cfl_errbuf_t (may be NULL) with one sentence that says
 * what happened and where (file names, line numbers, byte offsets). The
 * core never logs: the rsyslog glue prefixes the text with its module
 * name and logs it. No message ever contains a credential: the core never
 * sees one.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_STATUS_H
#define CFL_STATUS_H

#include <stddef.h>

typedef enum cfl_rc {
	CFL_OK = 0,
	CFL_ENOMEM,   /* an allocation failed; retry later */
	CFL_EINVAL,   /* bad argument or configuration value */
	CFL_EPARSE,   /* a body or file is not the JSON we expect */
	CFL_ETRUNC,   /* a body or file ends in the middle of a JSON value */
	CFL_ELIMIT,   /* a size, depth or count limit was exceeded */
	CFL_ENOENT,   /* a file does not exist (a first run, for the state file) */
	CFL_EIO,      /* a system call failed; errno text is in the message */
	CFL_ECORRUPT, /* the state file exists but cannot be trusted */
	CFL_EPROTO    /* the server broke the paging protocol */
} cfl_rc_t;

#define CFL_ERRBUF_LEN 768

typedef struct cfl_errbuf {
	cfl_rc_t rc;
	char msg[CFL_ERRBUF_LEN];
} cfl_errbuf_t;

/* Records rc and a printf-style message in err (err may be NULL); returns rc
 * so callers can write `return cfl_err_set(err, CFL_EPARSE, "...")`. */
cfl_rc_t cfl_err_set(cfl_errbuf_t *err, cfl_rc_t rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies at most max bytes of data into out as printable ASCII (others
 * become '.'), for quoting a short excerpt of a server reply in a message.
 * out must hold max + 1 bytes. */
void cfl_excerpt(const char *data, size_t len, char *out, size_t max);

/* A pending message (a state machine's warning, "" when none): copies it
 * into buf, clears it and returns 1; returns 0 when there is none. */
int cfl_msg_take(char *pending, char *buf, size_t len);

#endif
