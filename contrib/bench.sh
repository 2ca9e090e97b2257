#!/bin/bash
# contrib/bench.sh (also `make bench`): mmconfluence speed and memory, as
# ratios against baselines measured in the same run on the same input.
#
# (a) rsyslogd events/s, imfile -> mmconfluence -> omfile, against
#     imfile -> mmjsonparse -> omfile (parse + serialize: the floor any JSON
#     mapping inside rsyslog pays). Target ratio >= 0.8.
# (b) confluence2ecs events/s against plain libfastjson parse + serialize
#     (contrib/bench-core.sh). Target ratio >= 0.8.
# (c) peak RSS (VmHWM) of each rsyslogd run.
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
FX=$ROOT/tests/fixtures/elastic-confluence

# the same N lines for every contender: all fixture events, round robin
python3 - "$N" "$DIR/events.jsonl" "$FX/test-audit-files.log" "$FX/test-audit-api.log" "$FX/test-audit-cloud.log" <<'PY'
import sys
n, out, srcs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
lines = [l.rstrip("\n") for s in srcs for l in open(s) if l.strip()]
with open(out, "w") as f:
    for i in range(n):
        f.write(lines[i % len(lines)] + "\n")
PY
SIZE=$(stat -c %s "$DIR/events.jsonl")

# run_rsyslog NAME ACTION: prints "seconds peak_rss_kib"
run_rsyslog() {
	local name=$1 action=$2 d=$DIR/$1 pid t0 t1 hwm=0 h
	mkdir -p "$d/work"
	cat >"$d/rsyslog.conf" <<CONF
global(workDirectory="$d/work" processInternalMessages="on" maxMessageSize="256k")
module(load="imfile")
module(load="mmjsonparse")
module(load="$MM")
if \$syslogtag startswith "rsyslogd" then { action(type="omfile" file="$d/internal.log") stop }
template(name="json" type="string" string="%\$!%\n")
main_queue(queue.type="direct")
input(type="imfile" file="$DIR/events.jsonl" tag="confluence-audit" ruleset="r")
ruleset(name="r" queue.type="fixedArray" queue.size="20000" queue.dequeueBatchSize="1024") {
	$action
	action(type="omfile" file="$d/out.jsonl" template="json" asyncWriting="on" ioBufferSize="1m" flushOnTXEnd="off")
}
CONF
	t0=$(date +%s.%N)
	"$RSYSLOGD" -n -f "$d/rsyslog.conf" -i "$d/pid" 2>"$d/stderr" &
	pid=$!
	while :; do
		if [ -f "$d/out.jsonl" ] && [ "$(stat -c %s "$d/out.jsonl")" -gt 0 ] &&
			[ "$(wc -l <"$d/out.jsonl")" -ge "$N" ]; then
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
	kill -TERM "$pid"
	wait "$pid" || true
	echo "$(echo "$t1 - $t0" | bc -l) $hwm"
}

command -v bc >/dev/null || apt_install bc
echo "input: $N events, $((SIZE / 1024)) KiB (fixture mix)"
best() { # best of 3 runs: the least disturbed measurement of each contender
	local name=$1 action=$2 i r bs="" bh=0
	for i in 1 2 3; do
		rm -rf "$DIR/$name"
		r=$(run_rsyslog "$name" "$action")
		if [ -z "$bs" ] || [ "$(echo "${r% *} < $bs" | bc -l)" = 1 ]; then bs=${r% *}; fi
		[ "${r#* }" -gt "$bh" ] && bh=${r#* }
	done
	echo "$bs $bh"
}
base=$(best mmjsonparse 'action(type="mmjsonparse" cookie="")')
ours=$(best mmconfluence "action(type=\"mmconfluence\" rulebase=\"$ROOT/rulebases/confluence-audit.rulebase\" categories=\"$ROOT/rulebases/confluence-categories.json\")")
eps_base=$(echo "$N / ${base% *}" | bc -l)
eps_ours=$(echo "$N / ${ours% *}" | bc -l)
printf '(a) rsyslogd imfile->mmjsonparse->omfile : %8.0f events/s  peak RSS %6d KiB\n' "$eps_base" "${base#* }"
printf '(a) rsyslogd imfile->mmconfluence->omfile: %8.0f events/s  peak RSS %6d KiB\n' "$eps_ours" "${ours#* }"
printf '(a) ratio mmconfluence/mmjsonparse: %.2f (target >= 0.80)\n' "$(echo "$eps_ours / $eps_base" | bc -l)"
printf '(c) peak RSS ratio mmconfluence/mmjsonparse: %.2f\n' "$(echo "${ours#* } / ${base#* }" | bc -l)"
if [ -x "$ROOT/contrib/bench-core.sh" ]; then
	"$ROOT/contrib/bench-core.sh" "$DIR/events.jsonl"
fi
