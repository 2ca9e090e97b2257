#!/bin/bash
# contrib/registry.sh: what tests/registry.txt (the one list of C unit tests
# and fuzz targets) implies.
#
#   registry.sh am       the automake fragment (what tests/registry.am holds)
#   registry.sh update   rewrites tests/registry.am from the list
#   registry.sh tests    the `make check` programs: unit tests, corpus replays
#   registry.sh fuzz     the fuzz targets, one "NAME CORE" a line
#
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIST=$ROOT/tests/registry.txt

# the list without comments and blank lines
rows() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LIST"; }

am() {
	rows | awk '
	function var(p) { gsub(/[^A-Za-z0-9_]/, "_", p); return p }
	$1 == "unit" {
		n = $2; prog = "tests/unit/test_" n; v = var(prog)
		dir = toupper(substr(n, 1, index(n "_", "_") - 1))
		srcs = prog ".c"
		for (i = 3; i <= NF; i++) srcs = srcs " " $i
		units = units " \\\n\t" prog
		body = body v "_SOURCES = " srcs "\n" \
			v "_CPPFLAGS = $(CFL_" dir "_TEST_CPPFLAGS)\n" \
			v "_CFLAGS = $(CFL_" dir "_TEST_CFLAGS)\n" \
			v "_LDADD = $(CFL_" dir "_TEST_LDADD)\n"
		next
	}
	$1 == "fuzz" {
		n = $2; core = $3; prog = "tests/fuzz/replay_" n; v = var(prog)
		replays = replays " \\\n\t" prog
		corpora = corpora " \\\n\ttests/fuzz/corpus/" n
		fbody = fbody v "_SOURCES = tests/fuzz/fuzz_" n ".c tests/fuzz/replay_main.c\n" \
			v "_CPPFLAGS = $(CFL_" toupper(core) "_CPPFLAGS) -DCFL_TOP_SRCDIR=\x27\"$(abs_top_srcdir)\"\x27\n" \
			v "_CFLAGS = $(CORE_CFLAGS)\n" \
			v "_LDADD = modules/core/" core "/libcfl" core ".la\n"
		next
	}
	{ print "tests/registry.txt: unknown row: " $0 > "/dev/stderr"; bad = 1; exit 1 }
	END {
		if (bad) exit 1
		print "# tests/registry.am: written by `contrib/registry.sh update` from"
		print "# tests/registry.txt, the one list of C unit tests and fuzz targets; edit"
		print "# the list, not this file."
		print ""
		print "# Unit tests (cmocka; TAP through automake\x27s driver, one line per case)."
		print "CFL_UNIT_TESTS =" units
		print "check_PROGRAMS += $(CFL_UNIT_TESTS)"
		print "TESTS += $(CFL_UNIT_TESTS)"
		printf "%s", body
		print ""
		print "# Each fuzz target replayed over its committed corpus without libFuzzer."
		print "CFL_FUZZ_REPLAYS =" replays
		print "check_PROGRAMS += $(CFL_FUZZ_REPLAYS)"
		print "TESTS += $(CFL_FUZZ_REPLAYS)"
		printf "%s", fbody
		print "EXTRA_DIST += tests/registry.txt tests/fuzz/replay_main.c" corpora
	}'
}

case "${1:-}" in
am) am ;;
update) am >"$ROOT/tests/registry.am.new" && mv "$ROOT/tests/registry.am.new" "$ROOT/tests/registry.am" ;;
tests) rows | awk '$1 == "unit" {print "tests/unit/test_" $2} $1 == "fuzz" {print "tests/fuzz/replay_" $2}' ;;
fuzz) rows | awk '$1 == "fuzz" {print $2, $3}' ;;
*)
	echo "usage: $0 am|update|tests|fuzz" >&2
	exit 2
	;;
esac
