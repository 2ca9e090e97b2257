#!/bin/bash
# contrib/bench-core.sh [EVENTS.jsonl]: benchmark (b), the mapping core alone.
#
# On the same lines, in the same run: confluence2ecs (parse + map + serialize)
# against tests/bench/json_roundtrip (libfastjson parse + serialize, nothing
# else), both reading stdin and writing to /dev/null. Prints events/s of each,
# the ratio (target >= 0.80 for the default configuration) and the peak RSS
# of confluence2ecs. Each contender runs 3 times; the fastest run counts.
#
# Configurations of confluence2ecs:
#   default  rulebase + categories only (the mmconfluence defaults)
#   geoip    + City and ASN test databases
#   full     + original-preserving and event.id (the largest documents)
# Without an argument, CFL_BENCH_EVENTS (default 100000) events are generated
# from the fixtures, round robin (contrib/bench.sh passes its own file).
# Needs a built tree (contrib/build.sh or make); CONFLUENCE2ECS and
# JSON_ROUNDTRIP override the binaries. Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
C2E=${CONFLUENCE2ECS:-$ROOT/confluence2ecs}
RT=${JSON_ROUNDTRIP:-$ROOT/tests/bench/json_roundtrip}
RB=$ROOT/rulebases
GEO=$ROOT/tests/fixtures/geoip
FX=$ROOT/tests/fixtures/elastic-confluence
TIME=/usr/bin/time
for b in "$C2E" "$RT" "$TIME"; do
	[ -x "$b" ] || { echo "bench-core.sh: $b is missing: build first (contrib/build.sh)" >&2; exit 2; }
done
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-core.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

EVENTS=${1:-}
if [ -z "$EVENTS" ]; then
	EVENTS=$DIR/events.jsonl
	N=${CFL_BENCH_EVENTS:-100000}
	awk -v n="$N" 'NF { l[c++] = $0 } END { for (i = 0; i < n; i++) print l[i % c] }' \
		"$FX/test-audit-files.log" "$FX/test-audit-api.log" "$FX/test-audit-cloud.log" >"$EVENTS"
fi
N=$(grep -c '' "$EVENTS")

# best NAME CMD...: fastest of 3 runs; prints "seconds max_rss_kib"
best() {
	local name=$1 i t bt="" brss=0
	shift
	for i in 1 2 3; do
		"$TIME" -f "%e %M" -o "$DIR/$name.time" "$@" <"$EVENTS" >/dev/null
		read -r t rss <"$DIR/$name.time"
		if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then bt=$t; fi
		[ "$rss" -gt "$brss" ] && brss=$rss
	done
	echo "$bt $brss"
}
eps() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }

C2E_ARGS=(--rulebase "$RB/confluence-audit.rulebase" --categories "$RB/confluence-categories.json")
GEO_ARGS=(--geoip-city "$GEO/GeoIP2-City-Test.mmdb" --geoip-asn "$GEO/GeoLite2-ASN-Test.mmdb")
base=$(best roundtrip "$RT")
echo "input: $N events, $(($(stat -c %s "$EVENTS") / 1024)) KiB (fixture mix)"
printf '(b) %-32s %9s events/s  peak RSS %6s KiB\n' "json_roundtrip (parse+serialize)" "$(eps "${base% *}")" "${base#* }"
for cfg in default geoip full; do
	case $cfg in
	default) r=$(best "$cfg" "$C2E" "${C2E_ARGS[@]}") ;;
	geoip) r=$(best "$cfg" "$C2E" "${C2E_ARGS[@]}" "${GEO_ARGS[@]}") ;;
	full) r=$(best "$cfg" "$C2E" "${C2E_ARGS[@]}" "${GEO_ARGS[@]}" --preserve-original --event-id) ;;
	esac
	ratio=$(awk -v a="${base% *}" -v b="${r% *}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	printf '(b) %-32s %9s events/s  peak RSS %6s KiB  ratio %s%s\n' "confluence2ecs $cfg" \
		"$(eps "${r% *}")" "${r#* }" "$ratio" "$([ "$cfg" = default ] && echo ' (target >= 0.80)')"
done
