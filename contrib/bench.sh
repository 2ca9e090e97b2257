#!/bin/bash
# contrib/bench.sh (also `make bench`): mmconfluence speed and memory, as
# ratios against baselines measured in the same run on the same input.
#
# (a) rsyslogd wall time, imfile -> mmconfluence -> omfile, against
#     imfile -> mmjsonparse -> omfile (parse + serialize: the floor any JSON
#     mapping inside rsyslog pays), twice: with rsyslog's default queues (no
#     queue parameter at all) and with tuned ones (direct main queue, a
#     fixedArray ruleset queue of 20000, batches of 1024).
#     Target ratio >= 0.9 with both.
# (b) confluence2ecs CPU time against plain libfastjson parse + serialize
#     (contrib/bench-core.sh). Target ratio >= 1.0 (default), >= 0.9 (GeoIP, all options).
# (c) peak RSS (VmHWM) of each rsyslogd run. Target ratio <= 1.05.
# The six rsyslogd contenders are interleaved (jsonparse/confluence/ecsparse
# for tuned queues, then for default queues, round after round) for
# CFL_BENCH_ROUNDS rounds (default 5, at least 5); the best (least) wall time
# and the highest peak RSS of each count. A first, untimed run of each
# contender learns the size its output reaches, so a timed run waits for that
# size with stat alone (no line counting competing with rsyslogd for the CPU).
# (i) for information, no target: a third contender, mmjsonparse over the same
#     events already mapped (confluence2ecs output), parses and writes the
#     very documents mmconfluence writes: its ratio separates the cost of the
#     ECS output's size (more members, more bytes) from the cost of mapping.
# Input: CFL_BENCH_EVENTS (default 100000) events, a mix of the fixture events.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
N=${CFL_BENCH_EVENTS:-100000}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
MM=$ROOT/modules/mmconfluence/.libs/mmconfluence.so
[ -f "$MM" ] || "$ROOT/contrib/build.sh" >&2
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

# the same N lines for every contender: all fixture events, round robin
bench_events "$N" "$DIR/events.jsonl"
SIZE=$(stat -c %s "$DIR/events.jsonl")
# the same events already mapped (confluence2ecs, mmconfluence's defaults):
# input of the informational contender ecsparse
"$ROOT/confluence2ecs" --rulebase "$ROOT/rulebases/confluence-audit.rulebase" \
	--categories "$ROOT/rulebases/confluence-categories.json" <"$DIR/events.jsonl" >"$DIR/ecs.jsonl"

ROUNDS=${CFL_BENCH_ROUNDS:-5}
[ "$ROUNDS" -ge 5 ] || ROUNDS=5

# run_rsyslog NAME ACTION QUEUES [SIZE]: one rsyslogd run; QUEUES is tuned
# or default. Without SIZE it waits until the output has N lines and prints
# its size; with SIZE it waits until the output is that large and prints
# "seconds peak_rss_kib".
run_rsyslog() {
	local name=$1 action=$2 queues=$3 want=${4:-} d=$DIR/$1 pid t0 t1 hwm=0 h cpu
	rm -rf "$d"
	bench_rsyslog_conf "$d" "$DIR/$(input_of "$name")" "$action" "$queues" "$MM"
	t0=$(date +%s.%N)
	"$RSYSLOGD" -n -f "$d/rsyslog.conf" -i "$d/pid" 2>"$d/stderr" &
	pid=$!
	while :; do
		if [ -n "$want" ]; then
			[ "$(stat -c %s "$d/out.jsonl" 2>/dev/null || echo 0)" -ge "$want" ] && break
		elif [ -f "$d/out.jsonl" ] && [ "$(wc -l <"$d/out.jsonl")" -ge "$N" ]; then
			break
		fi
		h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${h:-0}" -gt "$hwm" ] && hwm=$h
		kill -0 "$pid" 2>/dev/null || die "$name: rsyslogd died: $(cat "$d/stderr" "$d/internal.log" 2>/dev/null | tail -5)"
		sleep 0.02
	done
	t1=$(date +%s.%N)
	h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null || echo 0)
	[ "${h:-0}" -gt "$hwm" ] && hwm=$h
	# CPU time (user + sys, all threads) too: less disturbed by a busy machine
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat")
	kill -TERM "$pid"
	wait "$pid" || true
	if [ -n "$want" ]; then
		echo "$(echo "$t1 - $t0" | bc -l) $hwm $cpu"
	else
		# a line may still be in flight: the size once it is complete
		sleep 0.2
		stat -c %s "$d/out.jsonl"
	fi
}

command -v bc >/dev/null || apt_install bc
echo "input: $N events, $((SIZE / 1024)) KiB (fixture mix); $ROUNDS interleaved rounds, best wall time"
CONTENDERS=(mmjsonparse-tuned mmconfluence-tuned ecsparse-tuned mmjsonparse-default mmconfluence-default ecsparse-default)
action_of() { case $1 in mmconfluence-*) echo "$BENCH_MMC_ACTION" ;; *) echo "$BENCH_MMJ_ACTION" ;; esac; }
input_of() { case $1 in ecsparse-*) echo ecs.jsonl ;; *) echo events.jsonl ;; esac; }
declare -A WANT
for c in "${CONTENDERS[@]}"; do
	WANT[$c]=$(run_rsyslog "$c" "$(action_of "$c")" "${c#*-}")
done
for ((r = 1; r <= ROUNDS; r++)); do
	for c in "${CONTENDERS[@]}"; do
		run_rsyslog "$c" "$(action_of "$c")" "${c#*-}" "${WANT[$c]}" >>"$DIR/$c.runs"
	done
done
# best C: "least_seconds max_rss_kib all_seconds least_cpu_seconds"
best() {
	awk '{ all = all (NR > 1 ? "," : "") sprintf("%.2f", $1); if (NR == 1 || $1 < b) b = $1; if ($2 > m) m = $2
		if (NR == 1 || $3 < c) c = $3 }
		END { printf "%.3f %d %s %.2f\n", b, m, all, c }' "$DIR/$1.runs"
}
for q in tuned default; do
	read -r tb rb ab cb <<<"$(best "mmjsonparse-$q")"
	read -r to ro ao co <<<"$(best "mmconfluence-$q")"
	printf '(a) %-7s queues: rsyslogd imfile->mmjsonparse->omfile : %8.0f events/s  peak RSS %6d KiB  CPU %5.2f s  runs %s\n' \
		"$q" "$(echo "$N / $tb" | bc -l)" "$rb" "$cb" "$ab"
	printf '(a) %-7s queues: rsyslogd imfile->mmconfluence->omfile: %8.0f events/s  peak RSS %6d KiB  CPU %5.2f s  runs %s\n' \
		"$q" "$(echo "$N / $to" | bc -l)" "$ro" "$co" "$ao"
	printf '(a) %-7s queues: ratio mmconfluence/mmjsonparse %.2f wall (target >= 0.90), %.2f CPU time\n' "$q" \
		"$(echo "$tb / $to" | bc -l)" "$(echo "$cb / $co" | bc -l)"
	printf '(c) %-7s queues: peak RSS ratio mmconfluence/mmjsonparse %.2f (target <= 1.05)\n' "$q" "$(echo "$ro / $rb" | bc -l)"
	read -r te re ae ce <<<"$(best "ecsparse-$q")"
	printf "(i) %-7s queues: rsyslogd imfile->mmjsonparse->omfile on the ECS output: %8.0f events/s  peak RSS %6d KiB  CPU %5.2f s  runs %s\n" \
		"$q" "$(echo "$N / $te" | bc -l)" "$re" "$ce" "$ae"
	printf '(i) %-7s queues: ratio mmconfluence/(mmjsonparse of the ECS output) %.2f wall, %.2f CPU time, %.2f peak RSS (no target)\n' \
		"$q" "$(echo "$te / $to" | bc -l)" "$(echo "$ce / $co" | bc -l)" "$(echo "$ro / $re" | bc -l)"
	printf '(i) %-7s queues: output bytes per event: mmjsonparse %d, mmconfluence %d, mmjsonparse of the ECS output %d\n' \
		"$q" "$((WANT[mmjsonparse-$q] / N))" "$((WANT[mmconfluence-$q] / N))" "$((WANT[ecsparse-$q] / N))"
done
if [ -x "$ROOT/contrib/bench-core.sh" ]; then
	"$ROOT/contrib/bench-core.sh" "$DIR/events.jsonl"
fi
