#!/bin/bash
# The parameter and counter references cannot drift from the code: every
# parameter in a module's rsyslog parameter table (cnfparamdescr) and every
# impstats counter it registers has a row in its docs/<module>.md tables,
# and every documented row exists in the code.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init docs_params
for mod in mmconfluence imconfluence; do
	src=$top_srcdir/modules/$mod/$mod.c
	doc=$top_srcdir/docs/$mod.md
	if [ ! -f "$doc" ]; then
		h_fail "$mod: docs/$mod.md exists"
		continue
	fi
	# code: { "name", eCmdHdlrX, flags } entries (names are lower case there)
	sed -n 's/^[[:space:]]*{ *"\([^"]*\)", *eCmdHdlr.*/\1/p' "$src" | tr 'A-Z' 'a-z' | sort -u >"$H_DIR/$mod.code"
	# doc: first column of the "## Parameters" table
	awk '/^## Parameters/{p=1;next} /^## /{p=0} p && /^\| `/{print}' "$doc" |
		sed 's/^| `\([^`]*\)`.*/\1/' | tr 'A-Z' 'a-z' | sort -u >"$H_DIR/$mod.doc"
	h_check "$mod: the code has parameters ($(grep -c '' "$H_DIR/$mod.code"))" test -s "$H_DIR/$mod.code"
	missing=$(comm -23 "$H_DIR/$mod.code" "$H_DIR/$mod.doc" | tr '\n' ' ')
	extra=$(comm -13 "$H_DIR/$mod.code" "$H_DIR/$mod.doc" | tr '\n' ' ')
	h_check "$mod: every code parameter is documented (missing: ${missing:-none})" test -z "$missing"
	h_check "$mod: every documented parameter exists in the code (extra: ${extra:-none})" test -z "$extra"

	# impstats counters: ICF_CTR("name", ...) / AddCounter(..., UCHAR_CONSTANT("name"), ...)
	cat "$top_srcdir"/modules/$mod/*.c | grep -oE '(ICF_CTR|AddCounter)\([^"]*"[a-z0-9._]+"' |
		sed 's/.*"\([^"]*\)"$/\1/' | sort -u >"$H_DIR/$mod.ctr.code"
	awk '/^## Counters/{p=1;next} /^## /{p=0} p && /^\| `/{print}' "$doc" |
		sed 's/^| `\([^`]*\)`.*/\1/' | sort -u >"$H_DIR/$mod.ctr.doc"
	h_check "$mod: the code has counters ($(grep -c '' "$H_DIR/$mod.ctr.code"))" test -s "$H_DIR/$mod.ctr.code"
	missing=$(comm -23 "$H_DIR/$mod.ctr.code" "$H_DIR/$mod.ctr.doc" | tr '\n' ' ')
	extra=$(comm -13 "$H_DIR/$mod.ctr.code" "$H_DIR/$mod.ctr.doc" | tr '\n' ' ')
	h_check "$mod: every counter is documented (missing: ${missing:-none})" test -z "$missing"
	h_check "$mod: every documented counter exists (extra: ${extra:-none})" test -z "$extra"
done
h_done
