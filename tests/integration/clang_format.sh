#!/bin/bash
# All C follows .clang-format: clang-format --dry-run -Werror over every
# C file (contrib/format.sh --check) reports nothing. Run contrib/format.sh
# to apply the format. Skipped (77) without clang-format.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
command -v "${CLANG_FORMAT:-clang-format}" >/dev/null || { echo "1..0 # SKIP clang-format not installed"; exit 77; }
h_init clang_format
h_check "the style file is there" test -f "$top_srcdir/.clang-format"
"$top_srcdir/contrib/format.sh" --check >"$H_DIR/differ" 2>&1
n=$(grep -c '' "$H_DIR/differ")
sed 's/^/# differs: /' "$H_DIR/differ" | head -n 40
h_check "every C file is formatted as .clang-format says ($n differ; contrib/format.sh fixes them)" test "$n" -eq 0
h_done
