#!/bin/bash
# The parameter and counter references cannot drift from the code: every
# parameter in a module's parameter table (modules/<module>/<module>_params.def,
# printed by tests/unit/params_dump) has a row in docs/<module>.md with
# the same name, type, default and range, and every impstats counter of
# its counter table (<module>_counters.def, printed likewise) has one with
# the same meaning; and every documented row is the code's.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init docs_params
for mod in mmconfluence imconfluence; do
	doc=$top_srcdir/docs/$mod.md
	if [ ! -f "$doc" ]; then
		h_fail "$mod: docs/$mod.md exists"
		continue
	fi
	# code: the rows the module's parameter table (<module>_params.def)
	# implies; doc: the "## Parameters" table's first four columns. Both
	# ways: every row of one is in the other, name, type, default and range.
	"$top_builddir/tests/unit/params_dump" $mod | sort >"$H_DIR/$mod.code"
	awk '/^## Parameters/{p=1;next} /^## /{p=0} p && /^\| `/{print}' "$doc" |
		awk -F ' [|] ' '{ for (i = 1; i <= 4; i++) { gsub(/`/, "", $i); sub(/^[|] */, "", $i);
		                  gsub(/^ +| +$/, "", $i) } print $1 "|" $2 "|" $3 "|" $4 }' | sort >"$H_DIR/$mod.doc"
	h_check "$mod: the code has parameters ($(grep -c '' "$H_DIR/$mod.code"))" test -s "$H_DIR/$mod.code"
	missing=$(comm -23 "$H_DIR/$mod.code" "$H_DIR/$mod.doc" | tr '\n' ' ')
	extra=$(comm -13 "$H_DIR/$mod.code" "$H_DIR/$mod.doc" | tr '\n' ' ')
	h_check "$mod: every code parameter is documented with its type, default and range (missing: ${missing:-none})" test -z "$missing"
	h_check "$mod: every documented parameter row is the code's (extra: ${extra:-none})" test -z "$extra"

	# impstats counters: the rows the module's counter table
	# (<module>_counters.def) implies, name and meaning, against the
	# "## Counters" table, both ways.
	"$top_builddir/tests/unit/params_dump" $mod counters | sort >"$H_DIR/$mod.ctr.code"
	awk '/^## Counters/{p=1;next} /^## /{p=0} p && /^\| `/{print}' "$doc" | sort >"$H_DIR/$mod.ctr.doc"
	h_check "$mod: the code has counters ($(grep -c '' "$H_DIR/$mod.ctr.code"))" test -s "$H_DIR/$mod.ctr.code"
	missing=$(comm -23 "$H_DIR/$mod.ctr.code" "$H_DIR/$mod.ctr.doc" | tr '\n' ' ')
	extra=$(comm -13 "$H_DIR/$mod.ctr.code" "$H_DIR/$mod.ctr.doc" | tr '\n' ' ')
	h_check "$mod: every counter is documented with its meaning (missing: ${missing:-none})" test -z "$missing"
	h_check "$mod: every documented counter row is the code's (extra: ${extra:-none})" test -z "$extra"
done
h_done
