#!/bin/bash
# contrib/format.sh: applies .clang-format to all of the project's C (the
# files git tracks; in a tarball, every .c and .h under modules, tests and
# contrib). With --check it changes nothing and lists the files that
# differ, exiting 1 if any does (tests/integration/clang_format.sh).
# Licensed under the Apache License, Version 2.0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
check=0
[ "${1:-}" = --check ] && check=1

c_files() {
	if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$ROOT" ls-files -z -- '*.c' '*.h'
	else
		(cd "$ROOT" && find modules tests contrib -name '*.[ch]' -print0)
	fi
}

cd "$ROOT"
if [ "$check" = 0 ]; then
	c_files | xargs -0 -r "$CLANG_FORMAT" -i --style=file
	exit 0
fi
# one clang-format for all files (one per file cost a process start each):
# it names every file that differs in its "file:line:col: error: code
# should be clang-formatted" lines; any other failure is shown whole
out=$(c_files | xargs -0 -r "$CLANG_FORMAT" --dry-run -Werror --style=file 2>&1) && rc=0 || rc=$?
bad=$(printf '%s\n' "$out" | sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if [ -n "$bad" ]; then
	echo "$bad"
	exit 1
fi
if [ "$rc" != 0 ]; then
	printf '%s\n' "$out" | head -n 20
	exit 1
fi
exit 0
