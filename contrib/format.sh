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
bad=0
while IFS= read -r -d '' f; do
	if ! "$CLANG_FORMAT" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
		echo "$f"
		bad=1
	fi
done < <(c_files)
exit "$bad"
