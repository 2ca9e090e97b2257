#!/bin/bash
# contrib/fuzz.sh: time-bounded libFuzzer runs of every core fuzz target.
#
# Each fuzz target tests/registry.txt lists, tests/fuzz/fuzz_<name>.c, is
# built with clang -fsanitize=fuzzer,address,undefined against the plain-C
# core (modules/core/*, no rsyslog headers, compiled once for all targets)
# and run for CFL_FUZZ_SECONDS (default 30) on a scratch copy of its committed
# seed corpus tests/fuzz/corpus/<name>/, CFL_FUZZ_JOBS targets (default: one
# per CPU) at a time. A crash, leak or timeout is a failure; the reproducer
# is kept under .cache/fuzz/. Prints TAP.
# Licensed under the Apache License, Version 2.0.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
SECONDS_PER_TARGET=${CFL_FUZZ_SECONDS:-30}
PAR=${CFL_FUZZ_JOBS:-$JOBS}
OUT=$CACHE/fuzz
mkdir -p "$OUT"
export CFL_RULEBASES=${CFL_RULEBASES:-$ROOT/rulebases}
command -v clang >/dev/null || die "clang is missing (apt-get install clang $(clang_rt_pkg))"

PKGS="libfastjson lognorm libcurl libmaxminddb libxxhash"
# shellcheck disable=SC2086
CFLAGS_PKG=$(pkg-config --cflags $PKGS)
# shellcheck disable=SC2086
LIBS_PKG=$(pkg-config --libs $PKGS)
# The core is compiled once, as objects shared by every target: recompiling
# it per target cost about 12 s each.
CORE_OBJ=$OUT/core-obj
rm -rf "$CORE_OBJ" "$OUT/core.build.log"
mkdir -p "$CORE_OBJ"
FUZZ_CFLAGS=(-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
	-DCFL_PKGDATADIR="\"$ROOT/rulebases\"" -I"$ROOT/modules/core/base" -I"$ROOT/modules/core/map" -I"$ROOT/modules/core/poll")
# throttle: waits while CFL_FUZZ_JOBS (default: one per CPU) jobs run
throttle() {
	while [ "$(jobs -rp | wc -l)" -ge "$PAR" ]; do
		wait -n
	done
}
# the core's objects, in parallel
for src in "$ROOT"/modules/core/*/cfl_*.c; do
	o=$CORE_OBJ/$(basename "$src" .c)
	# shellcheck disable=SC2086
	clang "${FUZZ_CFLAGS[@]}" $CFLAGS_PKG -c -o "$o.o" "$src" 2>"$o.log" || echo "$src" >>"$CORE_OBJ/failed" &
	throttle
done
wait
cat "$CORE_OBJ"/*.log >"$OUT/core.build.log" 2>/dev/null
core_ok=1
[ ! -e "$CORE_OBJ/failed" ] || core_ok=0

# fuzz_one N NAME: builds and runs one target; its TAP line (and notes) to
# $OUT/NAME.tap; exit status 1 on a failure
fuzz_one() {
	local n=$1 name=$2 target bin work runs
	target=$ROOT/tests/fuzz/fuzz_$name.c
	bin=$OUT/${name}_fuzzer
	# shellcheck disable=SC2086
	if [ "$core_ok" != 1 ] || ! clang "${FUZZ_CFLAGS[@]}" -fsanitize=fuzzer $CFLAGS_PKG \
		-o "$bin" "$target" "$CORE_OBJ"/*.o $LIBS_PKG 2>"$OUT/$name.build.log"; then
		[ "$core_ok" = 1 ] || cat "$OUT/core.build.log" >>"$OUT/$name.build.log"
		echo "not ok $n - fuzz_$name builds with libFuzzer (log: $OUT/$name.build.log)"
		sed 's/^/# /' "$OUT/$name.build.log" | tail -n 20
		return 1
	fi
	work=$OUT/$name.corpus
	rm -rf "$work"
	mkdir -p "$work"
	cp "$ROOT/tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null
	if (cd "$OUT" && "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=1024 \
		-max_len=65536 -print_final_stats=1 "$work" >"$OUT/$name.log" 2>&1); then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$name.log")
		echo "ok $n - fuzz_$name: ${runs:-?} inputs in ${SECONDS_PER_TARGET}s, no crash, leak or timeout"
	else
		echo "not ok $n - fuzz_$name found a problem (log: $OUT/$name.log; reproducer in $OUT)"
		grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$OUT/$name.log" | head -n 10 | sed 's/^/# /'
		return 1
	fi
}

# the targets, CFL_FUZZ_JOBS at a time; their lines in the list's order
n=0
failed=0
names=()
while read -r name _; do
	n=$((n + 1))
	names+=("$name")
	fuzz_one "$n" "$name" >"$OUT/$name.tap" 2>&1 &
	throttle
done < <("$ROOT/contrib/registry.sh" fuzz)
wait
for name in "${names[@]}"; do
	cat "$OUT/$name.tap"
	grep -q '^not ok ' "$OUT/$name.tap" && failed=1
done
echo "1..$n"
exit $failed
