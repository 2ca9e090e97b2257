#!/bin/bash
# contrib/bench-imconfluence.sh: imconfluence backfill speed and memory.
#
# The real rsyslogd with imconfluence back-fills CFL_BENCH_EVENTS (default
# 1,000,000) events of history from the local mock (tests/mock, pages
# pre-rendered so the mock's own rendering is not measured) with
# pageSize=1000, into omfile on /dev/null. Prints backfill events/s (wall
# time from rsyslogd's start until impstats says every event was
# submitted), the requests it took, rsyslogd's CPU time and its peak RSS
# (VmHWM). Targets: >= 20,000 events/s, RSS < 64 MiB.
#
# Environment: CFL_BENCH_EVENTS, CFL_BENCH_FLAVOR (cloud | datacenter,
# default cloud), CFL_BENCH_SPAN (seconds of history, default 30 days),
# IMCONFLUENCE_SO, RSYSLOGD.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${CFL_BENCH_EVENTS:-1000000}
FLAVOR=${CFL_BENCH_FLAVOR:-cloud}
SPAN=${CFL_BENCH_SPAN:-2592000}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
SO=${IMCONFLUENCE_SO:-$ROOT/modules/imconfluence/.libs/imconfluence.so}
[ -f "$SO" ] || { echo "bench-imconfluence: $SO is missing: run contrib/build.sh first" >&2; exit 1; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-im.XXXXXX")
MOCK_PID=""
RS_PID=""
cleanup() {
	[ -n "$RS_PID" ] && kill -KILL "$RS_PID" 2>/dev/null
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

echo "# starting the mock with $N $FLAVOR events over $SPAN s (pre-rendering takes a while)" >&2
python3 "$ROOT/tests/mock/confluence_mock.py" --port-file "$DIR/mock.port" --flavor "$FLAVOR" \
	--events "$N" --span "$SPAN" --anchor-ms "$(($(date +%s) * 1000 - 60000))" --prerender "$FLAVOR" \
	--max-limit 1000 --dc-search-events off 2>"$DIR/mock.err" &
MOCK_PID=$!
for _ in $(seq 1 3000); do
	[ -s "$DIR/mock.port" ] && break
	kill -0 "$MOCK_PID" 2>/dev/null || { cat "$DIR/mock.err" >&2; exit 1; }
	sleep 0.1
done
PORT=$(cat "$DIR/mock.port")

mkdir -p "$DIR/work"
cat >"$DIR/rsyslog.conf" <<CONF
global(workDirectory="$DIR/work" processInternalMessages="on" maxMessageSize="1m")
module(load="impstats" interval="1" format="json" log.syslog="off" log.file="$DIR/stats.log" resetCounters="off")
module(load="$SO")
template(name="msgonly" type="string" string="%msg%\n")
input(type="imconfluence" url="http://127.0.0.1:$PORT" flavor="$FLAVOR" pageSize="1000"
      initialLookback="$((SPAN + 3600))" pollingInterval="3600" ruleset="out")
ruleset(name="out") { action(type="omfile" file="/dev/null" template="msgonly") }
if \$syslogtag startswith "rsyslogd" then { action(type="omfile" file="$DIR/internal.log") stop }
CONF

t0=$(date +%s%N)
"$RSYSLOGD" -n -f "$DIR/rsyslog.conf" -i "$DIR/rsyslogd.pid" 2>"$DIR/rsyslogd.err" &
RS_PID=$!
submitted=0
hwm=0
while :; do
	kill -0 "$RS_PID" 2>/dev/null || { cat "$DIR/rsyslogd.err" "$DIR/internal.log" >&2; exit 1; }
	h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status" 2>/dev/null || echo 0)
	[ "${h:-0}" -gt "$hwm" ] && hwm=$h
	line=$(grep '"origin": "imconfluence"' "$DIR/stats.log" 2>/dev/null | tail -n 1 || true)
	submitted=$(sed -n 's/.*"submitted": \([0-9]*\).*/\1/p' <<<"$line")
	[ "${submitted:-0}" -ge "$N" ] && break
	[ $(($(date +%s%N) - t0)) -gt 900000000000 ] && { echo "bench-imconfluence: timed out at ${submitted:-0} events" >&2; exit 1; }
	sleep 0.05
done
t1=$(date +%s%N)
requests=$(sed -n 's/.*"requests": \([0-9]*\).*/\1/p' <<<"$line")
read -r utime stime < <(awk '{print $14, $15}' "/proc/$RS_PID/stat")
h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$RS_PID/status")
[ "${h:-0}" -gt "$hwm" ] && hwm=$h
kill -TERM "$RS_PID"
wait "$RS_PID" 2>/dev/null || true
RS_PID=""
tck=$(getconf CLK_TCK)
awk -v n="$N" -v ns=$((t1 - t0)) -v req="$requests" -v u="$utime" -v s="$stime" -v tck="$tck" -v hwm="$hwm" \
	-v flavor="$FLAVOR" 'BEGIN {
	secs = ns / 1e9; eps = n / secs
	printf "imconfluence backfill (%s, pageSize 1000): %d events in %.2f s = %.0f events/s (target >= 20000: %s)\n",
		flavor, n, secs, eps, (eps >= 20000 ? "met" : "MISSED")
	printf "requests: %d (%.2f per 1000 events); rsyslogd CPU: %.2f s user + %.2f s system\n",
		req, req * 1000 / n, u / tck, s / tck
	printf "rsyslogd peak RSS (VmHWM): %.1f MiB (target < 64 MiB: %s)\n", hwm / 1024, (hwm < 65536 ? "met" : "MISSED")
}'
