#!/bin/bash
# contrib/bench-perf.sh: where each microsecond per event goes, mmconfluence
# against mmjsonparse, inside the rsyslogd pipeline of contrib/bench.sh
# (imfile -> action -> omfile %$!%, tuned or default queues).
#
# Each contender runs once under `perf record` (all threads; perf's default
# event: cycles, or cpu-clock on a machine without counters, as in a VM); the
# samples are grouped (glibc's allocator, libfastjson, liblognorm, this
# project's module, rsyslog itself and its imfile/omfile, other libc, the
# kernel) and each group is reported as microseconds of CPU per event: its
# share of the samples times the run's CPU time (user + sys) over N. The
# last column is the difference, mmconfluence minus mmjsonparse: the gap a
# speed target has to close, by part. One run per contender: a breakdown,
# not a ratio -- contrib/bench.sh measures the ratios.
#
# Usage: contrib/bench-perf.sh [tuned|default]   (CFL_BENCH_EVENTS, default 100000)
# Needs perf (Debian package linux-perf) and root or perf_event_paranoid <= 1.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
Q=${1:-tuned}
N=${CFL_BENCH_EVENTS:-100000}
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
MM=$ROOT/modules/mmconfluence/.libs/mmconfluence.so
[ -f "$MM" ] || "$ROOT/contrib/build.sh" >&2
command -v perf >/dev/null || apt_install linux-perf
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-bench-perf.XXXXXX")
trap '[ -n "${CFL_KEEP:-}" ] || rm -rf "$DIR"' EXIT
bench_events "$N" "$DIR/events.jsonl"

# profile NAME ACTION: one recorded run; prints its CPU seconds. rsyslogd
# starts under perf (not attached to later): its queue workers are threads
# created on demand, and all of them must be sampled.
profile() {
	local name=$1 action=$2 d=$DIR/$1 pid perfpid cpu
	bench_rsyslog_conf "$d" "$DIR/events.jsonl" "$action" "$Q" "$MM"
	perf record -q -F 2999 -o "$d/perf.data" -- "$RSYSLOGD" -n -f "$d/rsyslog.conf" -i "$d/pid" \
		>/dev/null 2>"$d/stderr" &
	perfpid=$!
	for _ in $(seq 1 200); do [ -s "$d/pid" ] && break; sleep 0.05; done
	pid=$(cat "$d/pid")
	while ! [ -f "$d/out.jsonl" ] || [ "$(wc -l <"$d/out.jsonl")" -lt "$N" ]; do
		kill -0 "$pid" 2>/dev/null || die "$name: rsyslogd died: $(tail -5 "$d/stderr")"
		sleep 0.05
	done
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$pid/stat")
	kill -TERM "$pid"
	wait "$perfpid" || true
	echo "$cpu"
}

# group NAME: "group samples" lines from the recorded run
group() {
	perf report -i "$DIR/$1/perf.data" --no-children --sort dso,sym -F overhead,dso,sym \
		--stdio -t $'\t' 2>/dev/null | awk -F'\t' '
		/^#/ || NF < 3 { next }
		{ p = $1 + 0; dso = $2; sym = $3; gsub(/^ +| +$/, "", dso); gsub(/^\[[.k]\] +| +$/, "", sym)
		  if (sym ~ /^(_int_malloc|_int_free|malloc|free|cfree|calloc|realloc|_int_realloc|sysmalloc|malloc_consolidate|unlink_chunk|tcache_|__libc_malloc|__libc_free|__libc_calloc|__libc_realloc|alloc_perturb|__GI___libc_free|__GI___libc_malloc|arena_get2|systrim|__default_morecore|__brk|brk)/) g = "allocator (glibc malloc/free)"
		  else if (dso ~ /kernel/) g = "kernel (syscalls, page faults, futex)"
		  else if (dso ~ /libfastjson/) g = "libfastjson (tree, parse, serialize)"
		  else if (dso ~ /liblognorm|libestr/) g = "liblognorm/libestr"
		  else if (dso ~ /mmconfluence/) g = "mmconfluence.so (this project)"
		  else if (dso ~ /mmjsonparse/) g = "mmjsonparse.so"
		  else if (dso ~ /rsyslogd|imfile|omfile|lmnet|builtin/) g = "rsyslog (core, imfile, omfile)"
		  else if (dso ~ /libc/) g = "libc other (memcpy, str*, locks)"
		  else if (dso ~ /libmaxminddb/) g = "libmaxminddb"
		  else g = "other (" dso ")"
		  s[g] += p }
		END { for (g in s) printf "%s\t%.4f\n", g, s[g] }'
}

echo "rsyslogd, $Q queues, $N events (fixture mix), perf record at 2999 Hz; microseconds of CPU per event"
cj=$(profile mmjsonparse "$BENCH_MMJ_ACTION")
cc=$(profile mmconfluence "$BENCH_MMC_ACTION")
group mmjsonparse >"$DIR/j.groups"
group mmconfluence >"$DIR/c.groups"
python3 - "$N" "$cj" "$cc" "$DIR/j.groups" "$DIR/c.groups" <<'PY'
import sys
n, cj, cc = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
def load(p):
    d = {}
    for l in open(p):
        g, v = l.rstrip("\n").split("\t")
        d[g] = float(v)
    return d
j, c = load(sys.argv[4]), load(sys.argv[5])
tj, tc = sum(j.values()) or 1, sum(c.values()) or 1
us = lambda d, t, cpu, g: d.get(g, 0) / t * cpu / n * 1e6
rows = sorted(set(j) | set(c), key=lambda g: -(us(c, tc, cc, g) - us(j, tj, cj, g)))
print("%-40s %12s %12s %10s" % ("part", "mmjsonparse", "mmconfluence", "gap"))
for g in rows:
    a, b = us(j, tj, cj, g), us(c, tc, cc, g)
    print("%-40s %10.2f us %10.2f us %+8.2f us" % (g, a, b, b - a))
print("%-40s %10.2f us %10.2f us %+8.2f us" % ("total (CPU time / events)", cj / n * 1e6, cc / n * 1e6, (cc - cj) / n * 1e6))
PY
