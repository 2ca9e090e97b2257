#!/bin/bash
# contrib/bench-imconfluence.sh: imconfluence backfill requests, speed and memory.
#
# The real rsyslogd with imconfluence back-fills history from the local mock
# (tests/mock) into omfile on /dev/null. Two parts:
#
# 1. Backfill shapes, each on both flavors: the requests it took
#    until the last event was submitted against the ideal
#    ceil(events / pageSize) + 1, and the ratio (target <= 1.5), next to
#    events/s and rsyslogd's peak RSS:
#      elastic    the Elastic fixture (183 events, 106 in one second),
#                 lookback to 2021, pageSize 10
#      burst-200  3,000 events within one second + 2,000 over 90 days, pageSize 200
#      burst-100  2,500 events within one second + 1,500 over 90 days, pageSize 100
#      even-1000  20,000 events evenly over 30 days, pageSize 1000
# 2. CFL_BENCH_EVENTS (default 1,000,000) events over CFL_BENCH_SPAN
#    (default 30 days) with pageSize=1000, pages pre-rendered so the mock's
#    own rendering is not measured: backfill events/s (wall time from
#    rsyslogd's start until impstats says every event was submitted), the
#    requests against the ideal (a window larger than the memory cap takes
#    a second pass: target <= 2.2), rsyslogd's CPU time and peak RSS
#    (VmHWM). Targets: >= 20,000 events/s, RSS < 64 MiB.
#
# Environment: CFL_BENCH_PARTS (default "shapes big"), CFL_BENCH_SHAPES (default
# all four), CFL_BENCH_FLAVORS (default "datacenter cloud"), CFL_BENCH_EVENTS,
# CFL_BENCH_FLAVOR (cloud | datacenter, default cloud: the 1M run),
# CFL_BENCH_SPAN (seconds of history, default 30 days), IMCONFLUENCE_SO,
# RSYSLOGD.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PARTS=${CFL_BENCH_PARTS:-shapes big}
SHAPES=${CFL_BENCH_SHAPES:-elastic burst-200 burst-100 even-1000}
FLAVORS=${CFL_BENCH_FLAVORS:-datacenter cloud}
N=${CFL_BENCH_EVENTS:-1000000}
FLAVOR=${CFL_BENCH_FLAVOR:-cloud}
SPAN=${CFL_BENCH_SPAN:-2592000}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
SO=${IMCONFLUENCE_SO:-$ROOT/modules/imconfluence/.libs/imconfluence.so}
FIXTURE=$ROOT/tests/fixtures/elastic-confluence/test-audit-api.log
[ -f "$SO" ] || { echo "bench-imconfluence: $SO is missing: run contrib/build.sh first" >&2; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-im.XXXXXX")
MOCK_PID=""
RS_PID=""
stop_mock() {
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
	MOCK_PID=""
}
cleanup() {
	[ -n "$RS_PID" ] && kill -KILL "$RS_PID" 2>/dev/null
	stop_mock
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

# start_mock FLAVOR [mock args]: sets PORT
start_mock() {
	local flavor=$1
	shift
	rm -f "$DIR/mock.port"
	python3 "$ROOT/tests/mock/confluence_mock.py" --port-file "$DIR/mock.port" --flavor "$flavor" \
		--max-limit 1000 --dc-search-events off "$@" 2>"$DIR/mock.err" &
	MOCK_PID=$!
	for _ in $(seq 1 3000); do
		[ -s "$DIR/mock.port" ] && break
		kill -0 "$MOCK_PID" 2>/dev/null || { cat "$DIR/mock.err" >&2; exit 1; }
		sleep 0.1
	done
	PORT=$(cat "$DIR/mock.port")
}

# gen COUNT FROM_MS TO_MS: synthetic events (all in one second = a burst)
gen() {
	curl -sS --noproxy '*' -X POST -H 'Content-Type: application/json' \
		--data-binary '{"count":'"$1"',"ts_from_ms":'"$2"',"ts_to_ms":'"$3"'}' \
		"http://127.0.0.1:$PORT/__mock/generate" >/dev/null
}

# backfill FLAVOR PAGESIZE LOOKBACK_S N: runs rsyslogd until N events were
# submitted; sets SECS, REQUESTS, HWM_KB, UTIME, STIME (clock ticks)
backfill() {
	local flavor=$1 ps=$2 lookback=$3 n=$4 t0 t1 line submitted h
	rm -rf "$DIR/work" "$DIR/stats.log" "$DIR/internal.log"
	mkdir -p "$DIR/work"
	cat >"$DIR/rsyslog.conf" <<CONF
global(workDirectory="$DIR/work" processInternalMessages="on" maxMessageSize="1m")
module(load="impstats" interval="1" format="json" log.syslog="off" log.file="$DIR/stats.log" resetCounters="off")
module(load="$SO")
template(name="msgonly" type="string" string="%msg%\n")
input(type="imconfluence" url="http://127.0.0.1:$PORT" flavor="$flavor" pageSize="$ps"
      initialLookback="$lookback" pollingInterval="3600" ruleset="out")
ruleset(name="out") { action(type="omfile" file="/dev/null" template="msgonly") }
if \$syslogtag startswith "rsyslogd" then { action(type="omfile" file="$DIR/internal.log") stop }
CONF
	t0=$(date +%s%N)
	"$RSYSLOGD" -n -f "$DIR/rsyslog.conf" -i "$DIR/rsyslogd.pid" 2>"$DIR/rsyslogd.err" &
	RS_PID=$!
	HWM_KB=0
	while :; do
		kill -0 "$RS_PID" 2>/dev/null || { cat "$DIR/rsyslogd.err" "$DIR/internal.log" >&2; exit 1; }
		h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status" 2>/dev/null || echo 0)
		[ "${h:-0}" -gt "$HWM_KB" ] && HWM_KB=$h
		line=$(grep '"origin": "imconfluence"' "$DIR/stats.log" 2>/dev/null | tail -n 1 || true)
		submitted=$(sed -n 's/.*"submitted": \([0-9]*\).*/\1/p' <<<"$line")
		[ "${submitted:-0}" -ge "$n" ] && break
		[ $(($(date +%s%N) - t0)) -gt 900000000000 ] && { echo "bench-imconfluence: timed out at ${submitted:-0} events" >&2; exit 1; }
		sleep 0.05
	done
	t1=$(date +%s%N)
	SECS=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')
	REQUESTS=$(sed -n 's/.*"requests": \([0-9]*\).*/\1/p' <<<"$line")
	read -r UTIME STIME < <(awk '{print $14, $15}' "/proc/$RS_PID/stat")
	h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status")
	[ "${h:-0}" -gt "$HWM_KB" ] && HWM_KB=$h
	kill -TERM "$RS_PID"
	wait "$RS_PID" 2>/dev/null || true
	RS_PID=""
}

# row SHAPE FLAVOR N PAGESIZE TARGET: one line of the table
row() {
	awk -v shape="$1" -v flavor="$2" -v n="$3" -v ps="$4" -v target="$5" -v req="$REQUESTS" \
		-v secs="$SECS" -v hwm="$HWM_KB" 'BEGIN {
		ideal = int((n + ps - 1) / ps) + 1; ratio = req / ideal
		printf "| %-10s | %-10s | %7d | %5d | %6d | %6d | %5.2fx %-6s | %9.0f | %6.1f MiB |\n",
			shape, flavor, n, ps, req, ideal, ratio, (ratio <= target ? "met" : "MISSED"),
			n / secs, hwm / 1024
	}'
}

header() {
	echo "| shape      | flavor     |  events | pSize | reqsts |  ideal | ratio (target)  |  events/s | peak RSS   |"
	echo "|------------|------------|---------|-------|--------|--------|-----------------|-----------|------------|"
}

shapes() {
	local now_ms flavor burst_ms day=86400000 lookback2021
	now_ms=$(($(date +%s) * 1000 - 60000))
	lookback2021=$(($(date +%s) - $(date -d 2021-11-01T00:00:00Z +%s)))
	echo "# backfill shapes: requests until the last event against ceil(events/pageSize)+1 (target <= 1.5)"
	header
	burst_ms=$((now_ms - 30 * day))
	for flavor in $FLAVORS; do
		for shape in $SHAPES; do
			case $shape in
			elastic)
				start_mock "$flavor" --events 0 --events-file "$FIXTURE"
				set -- 10 "$lookback2021" 183 ;;
			burst-200)
				start_mock "$flavor" --events 0
				gen 2000 $((now_ms - 90 * day)) $((now_ms - 60000))
				gen 3000 "$burst_ms" $((burst_ms + 999))
				set -- 200 $((91 * 86400)) 5000 ;;
			burst-100)
				start_mock "$flavor" --events 0
				gen 1500 $((now_ms - 90 * day)) $((now_ms - 60000))
				gen 2500 "$burst_ms" $((burst_ms + 999))
				set -- 100 $((91 * 86400)) 4000 ;;
			even-1000)
				start_mock "$flavor" --events 0
				gen 20000 $((now_ms - 30 * day)) $((now_ms - 60000))
				set -- 1000 $((31 * 86400)) 20000 ;;
			*) echo "bench-imconfluence: unknown shape $shape" >&2; exit 2 ;;
			esac
			backfill "$flavor" "$1" "$2" "$3"
			row "$shape" "$flavor" "$3" "$1" 1.5
			stop_mock
		done
	done
}

big() {
	echo "# starting the mock with $N $FLAVOR events over $SPAN s (pre-rendering takes a while)" >&2
	start_mock "$FLAVOR" --events "$N" --span "$SPAN" --anchor-ms "$(($(date +%s) * 1000 - 60000))" \
		--prerender "$FLAVOR"
	backfill "$FLAVOR" 1000 $((SPAN + 3600)) "$N"
	stop_mock
	echo "# $N events over $SPAN s, pageSize 1000 (a window larger than the memory cap: target <= 2.2)"
	header
	row big "$FLAVOR" "$N" 1000 2.2
	awk -v n="$N" -v secs="$SECS" -v req="$REQUESTS" -v u="$UTIME" -v s="$STIME" -v tck="$(getconf CLK_TCK)" \
		-v hwm="$HWM_KB" -v flavor="$FLAVOR" 'BEGIN {
		eps = n / secs
		printf "imconfluence backfill (%s, pageSize 1000): %d events in %.2f s = %.0f events/s (target >= 20000: %s)\n",
			flavor, n, secs, eps, (eps >= 20000 ? "met" : "MISSED")
		printf "requests: %d (%.2f per 1000 events); rsyslogd CPU: %.2f s user + %.2f s system\n",
			req, req * 1000 / n, u / tck, s / tck
		printf "rsyslogd peak RSS (VmHWM): %.1f MiB (target < 64 MiB: %s)\n", hwm / 1024, (hwm < 65536 ? "met" : "MISSED")
	}'
}

for part in $PARTS; do
	case $part in
	shapes) shapes ;;
	big) big ;;
	*) echo "bench-imconfluence: unknown part $part (shapes, big)" >&2; exit 2 ;;
	esac
done
