#!/bin/bash
# contrib/tested-on.sh: the README's "Tested on" table, from measured rows.
#
#   contrib/tested-on.sh row RESULT   prints this machine's row (TSV): release,
#                                     rsyslog, libcurl, libfastjson, liblognorm,
#                                     gcc, RESULT (e.g. "smoke: 95 passed, 0 failed")
#   contrib/tested-on.sh table        rewrites the table in README.md between
#                                     its tested-on markers from contrib/tested-on/*.tsv
#
# contrib/check-distro.sh writes contrib/tested-on/SUITE.tsv with `row` inside
# each release's root, and .ci/run the host's; nobody types the table.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

row() {
	local rel
	v() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }
	# shellcheck disable=SC1091
	rel=$(. /etc/os-release && echo "Debian ${VERSION_ID:-testing} (${VERSION_CODENAME:-sid})")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rel" "$(v rsyslog)" "$(pkg-config --modversion libcurl 2>/dev/null)" \
		"$(pkg-config --modversion libfastjson 2>/dev/null)" "$(pkg-config --modversion lognorm 2>/dev/null)" \
		"$(gcc -dumpfullversion 2>/dev/null)" "$1 ($(date -u +%Y-%m-%d))"
}

table() {
	local readme=$ROOT/README.md tmp
	grep -q '^<!-- tested-on:begin' "$readme" || { echo "tested-on.sh: no tested-on markers in README.md" >&2; exit 1; }
	tmp=$(mktemp)
	{
		echo "| release | rsyslog | libcurl | libfastjson | liblognorm | gcc | result |"
		echo "|---|---|---|---|---|---|---|"
		# oldest release first: by rsyslog version
		cat "$ROOT"/contrib/tested-on/*.tsv 2>/dev/null | sort -t "$(printf '\t')" -k2,2V |
			awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }'
	} >"$tmp"
	awk -v t="$tmp" '
		/^<!-- tested-on:begin/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
		/^<!-- tested-on:end/ { skip = 0 }
		!skip' "$readme" >"$readme.new"
	mv "$readme.new" "$readme"
	rm -f "$tmp"
}

case "${1:-}" in
row) row "${2:-}" ;;
table) table ;;
*) echo "usage: $0 row RESULT | table" >&2; exit 2 ;;
esac
