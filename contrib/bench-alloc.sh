#!/bin/bash
# contrib/bench-alloc.sh: heap allocations per event, counted (not sampled).
#
# contrib/alloc-count.c, built here as an LD_PRELOAD library, counts every
# malloc/calloc/realloc (that moves) and free of a whole process. Each
# contender runs twice, on the first N1 and on the first N2 fixture events
# (CFL_ALLOC_N1 / CFL_ALLOC_N2, default 2000 / 12000), so start-up and
# shut-down cancel out: per event = (count(N2) - count(N1)) / (N2 - N1).
#
#   rsyslogd imfile -> mmjsonparse  -> omfile   (tuned queues, as contrib/bench.sh)
#   rsyslogd imfile -> mmconfluence -> omfile
#   json_roundtrip (libfastjson parse + serialize) and confluence2ecs (the core)
# Needs a built tree (contrib/build.sh or make) and a C compiler; MMCONFLUENCE_SO
# and CONFLUENCE2ECS override the module and the binary (to compare builds).
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
N1=${CFL_ALLOC_N1:-2000}
N2=${CFL_ALLOC_N2:-12000}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
MM=${MMCONFLUENCE_SO:-$ROOT/modules/mmconfluence/.libs/mmconfluence.so}
C2E=${CONFLUENCE2ECS:-$ROOT/confluence2ecs}
RT=$ROOT/tests/bench/json_roundtrip
RB=$ROOT/rulebases
for b in "$MM" "$C2E" "$RT"; do
	[ -e "$b" ] || die "$b is missing: build first (contrib/build.sh)"
done
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-alloc.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cc -O2 -shared -fPIC -o "$DIR/alloc-count.so" "$ROOT/contrib/alloc-count.c" -ldl
for n in "$N1" "$N2"; do
	bench_events "$n" "$DIR/events.$n"
done

# counts NAME N: runs contender NAME on N events; prints "allocations frees"
counts() {
	local name=$1 n=$2 d=$DIR/$1.$2 pid i
	mkdir -p "$d"
	case $name in
	roundtrip | confluence2ecs)
		local cmd=("$RT")
		[ "$name" = confluence2ecs ] &&
			cmd=("$C2E" --rulebase "$RB/confluence-audit.rulebase" --categories "$RB/confluence-categories.json")
		CFL_ALLOC_OUT=$d/counts LD_PRELOAD=$DIR/alloc-count.so "${cmd[@]}" <"$DIR/events.$n" >/dev/null
		;;
	*)
		bench_rsyslog_conf "$d" "$DIR/events.$n" "$([ "$name" = mmjsonparse ] && echo "$BENCH_MMJ_ACTION" || echo "$BENCH_MMC_ACTION")" \
			tuned "$MM"
		CFL_ALLOC_OUT=$d/counts LD_PRELOAD=$DIR/alloc-count.so "$RSYSLOGD" -n -f "$d/rsyslog.conf" -i "$d/pid" \
			2>"$d/stderr" &
		pid=$!
		for ((i = 0; i < 6000; i++)); do
			[ -f "$d/out.jsonl" ] && [ "$(wc -l <"$d/out.jsonl")" -ge "$n" ] && break
			kill -0 "$pid" 2>/dev/null || die "$name: rsyslogd died: $(tail -5 "$d/stderr")"
			sleep 0.05
		done
		kill -TERM "$pid"
		wait "$pid" || true
		;;
	esac
	cat "$d/counts"
}

echo "heap allocations per event: (count over $N2 events - count over $N1) / $((N2 - N1))"
for name in mmjsonparse mmconfluence roundtrip confluence2ecs; do
	read -r a1 f1 <<<"$(counts "$name" "$N1")"
	read -r a2 f2 <<<"$(counts "$name" "$N2")"
	awk -v n="$((N2 - N1))" -v a="$((a2 - a1))" -v f="$((f2 - f1))" -v name="$name" \
		'BEGIN { printf "%-15s %7.1f allocations  %7.1f frees per event\n", name, a / n, f / n }'
done
