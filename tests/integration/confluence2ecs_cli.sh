#!/bin/bash
# confluence2ecs's identity and its man page: --version prints the project's
# version (not rsyslog's), --help names it, and docs/confluence2ecs.1 renders
# with man and groff without a warning and documents every option --help
# lists.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init confluence2ecs_cli
MAN=$top_srcdir/docs/confluence2ecs.1

h_check "the project version is known ($CFL_PACKAGE_VERSION)" test -n "$CFL_PACKAGE_VERSION"
out=$("$CONFLUENCE2ECS" --version)
h_check "--version exits 0" test $? = 0
h_check "--version prints 'confluence2ecs (rsyslog-confluence) $CFL_PACKAGE_VERSION'" \
	test "$out" = "confluence2ecs (rsyslog-confluence) $CFL_PACKAGE_VERSION"
h_check "-V is the same" test "$("$CONFLUENCE2ECS" -V)" = "$out"
h_check "--help mentions --version and the version" \
	grep -q -- "--version .*rsyslog-confluence $CFL_PACKAGE_VERSION" <<<"$("$CONFLUENCE2ECS" --help)"

h_check "groff -man renders the man page without a warning" \
	test -z "$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)"
MANWIDTH=80 man -l "$MAN" >"$H_DIR/man.txt" 2>"$H_DIR/man.err"
h_check "man -l renders it" test $? = 0 -a -s "$H_DIR/man.txt"
h_check "man -l prints no warning" test ! -s "$H_DIR/man.err" || sed 's/^/# /' "$H_DIR/man.err"
missing=""
for opt in $("$CONFLUENCE2ECS" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
	grep -q -- "${opt//-/\\\\-}" "$MAN" || missing="$missing $opt"
done
h_check "the man page documents every option of --help${missing:+ (missing:$missing)}" test -z "$missing"
h_done
