#!/bin/bash
# confluence2ecs's identity and its man page: --version prints the project's
# version (not rsyslog's), --help names it, and docs/confluence2ecs.1 renders
# with man and groff without a warning and documents every option --help
# lists (and --help every option, short and long, the man page lists).
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
help_opts=$("$CONFLUENCE2ECS" --help | sed -n 's/^  -[a-zA-Z], \(--[a-z-]*\).*/\1/p')
h_check "--help lists options, each with its short form ($(echo $help_opts | wc -w))" test "$(echo $help_opts | wc -w)" -ge 10
for opt in $help_opts; do
	grep -q -- "${opt//-/\\\\-}" "$MAN" || missing="$missing $opt"
done
h_check "the man page documents every option of --help${missing:+ (missing:$missing)}" test -z "$missing"
# and the other way: every option the man page lists, short and long, is in
# --help and is accepted (-h/--help as the last option prints the help)
missing=""
for opt in $(sed -n 's/^\.BR \\-\([a-zA-Z]\) ", " \\-\\-\([a-z\\-]*\).*/-\1 --\2/p' "$MAN" | sed 's/\\-/-/g'); do
	grep -qE -- "(^|[ ,])$opt([ ,=]|$)" <<<"$("$CONFLUENCE2ECS" --help)" || missing="$missing $opt"
done
h_check "--help lists every option of the man page, short and long${missing:+ (missing:$missing)}" test -z "$missing"
h_check "the man page lists options at all" test "$(grep -c '^\.BR \\-[a-zA-Z] ' "$MAN")" -ge 10
h_check "short options work like the long ones (-e -t x -n ns)" \
	"$PYTHON3" -c 'import json,sys; d=json.loads(sys.stdin.readline()); assert len(d["event"]["id"]) == 32 and "x" in d["tags"] and d["data_stream"]["namespace"] == "ns", d' \
	< <(head -n1 "$CFL_FIXTURES/elastic-confluence/test-audit-files.log" | "$CONFLUENCE2ECS" -e -t x -n ns)
h_done
