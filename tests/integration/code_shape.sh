#!/bin/bash
# The shape of the code, kept: no file under modules/ over 800
# lines, no struct tag defined twice under modules/ (two private types of
# one name are two copies of one idea, or a name that misleads), and
# imconfluence's driver, entry points, messages and counters
# never ask which source they run (no flavour, no source's own API: only
# cfl_source.h), so a new source needs no change there.
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
h_done
