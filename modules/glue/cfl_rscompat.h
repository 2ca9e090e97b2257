/* cfl_rscompat.h: the rsyslog API differences the glue meets between the
 * releases it is built for (Debian 11's 8.2102 to testing's 8.26xx).
 *
 * Chosen by the interface versions in rsyslog's own headers where one
 * changed with the API (more exact than a release number), else by
 * CFL_RSYSLOG_VERSION_NUM (configure: 8.2102.0 -> 82102000, from the
 * configured tree's config.h VERSION).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef CFL_RSCOMPAT_H
#define CFL_RSCOMPAT_H

#ifndef CFL_RSYSLOG_VERSION_NUM
#error "CFL_RSYSLOG_VERSION_NUM (the rsyslog tree's version) is not defined by the build"
#endif

/* glbl interface 10 (after 8.2102, before 8.2302) made the global settings per configuration:
 * before it, the getters take no rsconf_t. */
#if glblCURR_IF_VERSION >= 10
#define CFL_GLBL_WORKDIR(cnf) glbl.GetWorkDir(cnf)
#define CFL_GLBL_MAXLINE(cnf) glblGetMaxLine(cnf)
#else
#define CFL_GLBL_WORKDIR(cnf) glbl.GetWorkDir()
#define CFL_GLBL_MAXLINE(cnf) glblGetMaxLine()
#endif

/* Where rsyslog's configuration parser is: the file it reads and the line
 * (its lexer's globals, in rsyslogd since v6; not part of any interface).
 * While an input() statement is processed (newInpInst) that is the line
 * ending the statement. Weak: an rsyslogd that does not export them leaves
 * their addresses NULL, and messages go without the location. */
extern char *cnfcurrfn __attribute__((weak));
extern int yylineno __attribute__((weak));
#define CFL_CNF_FILE() (&cnfcurrfn != NULL ? (const char *)cnfcurrfn : NULL)
#define CFL_CNF_LINE() (&yylineno != NULL ? yylineno : 0)

#endif
