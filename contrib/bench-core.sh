#!/bin/bash
# contrib/bench-core.sh [EVENTS.jsonl]: benchmark (b), the mapping core alone.
#
# On the same lines, in the same run: confluence2ecs (parse + map + serialize)
# against tests/bench/json_roundtrip (libfastjson parse + serialize, nothing
# else), both reading the file on stdin and writing to /dev/null. Both are
# single-threaded, so what counts is CPU time (user + sys), which another
# process on the machine disturbs far less than wall-clock time.
#
# The contenders are interleaved (roundtrip default geoip full, roundtrip
# default geoip full, ...) for CFL_BENCH_ROUNDS rounds (default 5, at least
# 5), and the best (least) CPU time of each counts: a disturbance hits one
# round of one contender, not one contender's whole measurement.
#
# Configurations of confluence2ecs:
#   default  rulebase + categories only (the mmconfluence defaults)  target >= 1.0
#   geoip    + City and ASN test databases                           target >= 0.9
#   full     + original-preserving and event.id                      target >= 0.9
# Ratio = roundtrip CPU time / confluence2ecs CPU time (higher is better).
# Without an argument, CFL_BENCH_EVENTS (default 100000) events are generated
# from the fixtures, round robin (contrib/bench.sh passes its own file).
# Needs a built tree (contrib/build.sh or make); CONFLUENCE2ECS and
# JSON_ROUNDTRIP override the binaries. Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
C2E=${CONFLUENCE2ECS:-$ROOT/confluence2ecs}
RT=${JSON_ROUNDTRIP:-$ROOT/tests/bench/json_roundtrip}
RB=$ROOT/rulebases
GEO=$ROOT/tests/fixtures/geoip
TIME=/usr/bin/time
ROUNDS=${CFL_BENCH_ROUNDS:-5}
[ "$ROUNDS" -ge 5 ] || ROUNDS=5
for b in "$C2E" "$RT" "$TIME"; do
	[ -x "$b" ] || { echo "bench-core.sh: $b is missing: build first (contrib/build.sh)" >&2; exit 2; }
done
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-core.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

EVENTS=${1:-}
if [ -z "$EVENTS" ]; then
	EVENTS=$DIR/events.jsonl
	N=${CFL_BENCH_EVENTS:-100000}
	bench_events "$N" "$EVENTS"
fi
N=$(grep -c '' "$EVENTS")

C2E_ARGS=(--rulebase "$RB/confluence-audit.rulebase" --categories "$RB/confluence-categories.json")
GEO_ARGS=(--geoip-city "$GEO/GeoIP2-City-Test.mmdb" --geoip-asn "$GEO/GeoLite2-ASN-Test.mmdb")
NAMES=(roundtrip default geoip full)

# one NAME: runs contender NAME once; appends "cpu_seconds max_rss_kib" to $DIR/NAME.runs
one() {
	local name=$1 cmd
	case $name in
	roundtrip) cmd=("$RT") ;;
	default) cmd=("$C2E" "${C2E_ARGS[@]}") ;;
	geoip) cmd=("$C2E" "${C2E_ARGS[@]}" "${GEO_ARGS[@]}") ;;
	full) cmd=("$C2E" "${C2E_ARGS[@]}" "${GEO_ARGS[@]}" --preserve-original --event-id) ;;
	esac
	"$TIME" -f "%U %S %M" -o "$DIR/$name.time" "${cmd[@]}" <"$EVENTS" >/dev/null
	awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$DIR/$name.time" >>"$DIR/$name.runs"
}

for ((r = 1; r <= ROUNDS; r++)); do
	for name in "${NAMES[@]}"; do
		one "$name"
	done
done

# best NAME: "least_cpu_seconds max_rss_kib all_cpu_seconds"
best() {
	awk '{ all = all (NR > 1 ? "," : "") $1; if (NR == 1 || $1 < b) b = $1; if ($2 > m) m = $2 }
		END { printf "%.2f %d %s\n", b, m, all }' "$DIR/$1.runs"
}
eps() { awk -v n="$N" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }

read -r bt brss ball <<<"$(best roundtrip)"
echo "input: $N events, $(($(stat -c %s "$EVENTS") / 1024)) KiB (fixture mix); $ROUNDS interleaved rounds, best CPU time (user+sys)"
printf '(b) %-32s %5.2f s CPU %9s events/s  peak RSS %6s KiB  runs %s\n' "json_roundtrip (parse+serialize)" \
	"$bt" "$(eps "$bt")" "$brss" "$ball"
for cfg in default geoip full; do
	read -r t rss all <<<"$(best "$cfg")"
	ratio=$(awk -v a="$bt" -v b="$t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	target=0.9
	[ "$cfg" = default ] && target=1.0
	printf '(b) %-32s %5.2f s CPU %9s events/s  peak RSS %6s KiB  ratio %s (target >= %s)  runs %s\n' \
		"confluence2ecs $cfg" "$t" "$(eps "$t")" "$rss" "$ratio" "$target" "$all"
done
