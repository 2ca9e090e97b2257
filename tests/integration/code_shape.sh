#!/bin/bash
# The shape of the code, kept: no file under modules/ over 800
# lines, no struct tag defined twice under modules/ (two private types of
# one name are two copies of one idea, or a name that misleads), and
# imconfluence's driver, entry points, messages and counters
# never ask which source they run (no flavour, no source's own API: only
# cfl_source.h), so a new source needs no change there. Tests sit beside
# what they test and are registered once: every tests/unit/test_<folder>_*.c
# names a folder of modules/, and every unit test and fuzz target is a row
# of tests/registry.txt, from which tests/registry.am is written.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init code_shape
long=$(cd "$top_srcdir" && find modules -name '*.[ch]' -o -name '*.def' | sort | xargs wc -l |
	awk '$2 != "total" && $1 > 800 {printf "%s (%d) ", $2, $1}')
h_check "no file under modules/ is over 800 lines (over: ${long:-none})" test -z "$long"
# rsyslog's module interface makes every module define its own
# struct modConfData_s (one per .so, never linked together)
twice=$(cd "$top_srcdir" && grep -rhoE '^[[:space:]]*(typedef[[:space:]]+)?struct[[:space:]]+[A-Za-z_0-9]+[[:space:]]*\{' \
	modules --include='*.[ch]' | sed -E 's/.*struct[[:space:]]+([A-Za-z_0-9]+).*/\1/' | sort | uniq -d |
	grep -vx 'modConfData_s' | tr '\n' ' ')
h_check "no struct tag is defined twice under modules/ (twice: ${twice:-none})" test -z "$twice"
glue="imconfluence.c imconfluence_driver.c imconfluence_msg.c imconfluence_counters.c imconfluence_rt.h"
kind=$(cd "$top_srcdir/modules/imconfluence" && grep -nE 'CFL_FLAVOR_|cfl_poll_|cfl_orgwalk_|->walk\b|->poll\b' $glue)
echo "$kind" | sed '/^$/d; s/^/# /'
h_check "imconfluence's driver and entry points name no flavour and no source's own API" test -z "$kind"
cd "$top_srcdir" || exit 1
listed=$(contrib/registry.sh tests)
unlisted=""
for f in tests/unit/test_*.c tests/fuzz/fuzz_*.c; do
	# a helper compiled into unit tests is a source in their rows
	grep -qE "^unit .* $f( |$)" tests/registry.txt && continue
	p=${f%.c}
	p=${p/fuzz\/fuzz_/fuzz\/replay_}
	echo "$listed" | grep -qx "$p" || unlisted="$unlisted $f"
done
h_check "every unit test and fuzz target is a row of tests/registry.txt (not:${unlisted:- none})" test -z "$unlisted"
astray=$(echo "$listed" | sed -n 's|^tests/unit/test_\([a-z]*\)_.*|\1|p' | sort -u |
	while read -r d; do [ -d "modules/core/$d" ] || [ -d "modules/$d" ] || echo "$d"; done | tr '\n' ' ')
h_check "every unit test is named for the folder of modules/ it tests (astray: ${astray:-none})" test -z "$astray"
h_check "tests/registry.am is what contrib/registry.sh writes from tests/registry.txt" \
	cmp -s tests/registry.am <(contrib/registry.sh am)
h_done
