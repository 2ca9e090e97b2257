#!/bin/bash
# contrib/check.sh: build (contrib/build.sh), then the whole test suite:
# unit tests, golden and data-driven mapping cases, fuzz-corpus replays and
# integration tests through the real rsyslogd (`make check`), then a
# time-bounded libFuzzer run of every fuzz target (contrib/fuzz.sh).
# Ends with one line `N passed, M failed`; exits non-zero on any failure.
# A skipped test counts as failed: nothing here may skip silently.
#
# Environment: CFL_FUZZ_SECONDS (per target, default 30), CFL_CHECK_JOBS
# (parallel test jobs, default 2), plus those of build.sh.
# Licensed under the Apache License, Version 2.0.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
cd "$ROOT" || exit 1

TEST_PKGS=(valgrind curl clang libclang-rt-14-dev procps binutils python3 openssl rsyslog-relp rsyslog-elasticsearch rsyslog-kafka debhelper)
passed=0
failed=0

summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

if ! "$ROOT/contrib/build.sh"; then
	failed=$((failed + 1))
	echo "not ok - contrib/build.sh failed"
	summary
fi
if ! apt_install "${TEST_PKGS[@]}"; then
	failed=$((failed + 1))
	summary
fi

# --- make check ------------------------------------------------------------
rm -f test-suite.log
make -j"${CFL_CHECK_JOBS:-2}" check >"$CACHE/check.log" 2>&1
make_rc=$?
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL):' "$CACHE/check.log"
if [ -f test-suite.log ]; then
	count() { sed -n "s/^# $1: *\([0-9]*\)$/\1/p" test-suite.log | head -n1; }
	passed=$((passed + $(count PASS) + $(count XFAIL)))
	failed=$((failed + $(count FAIL) + $(count XPASS) + $(count ERROR) + $(count SKIP)))
	# On failure show the failing tests' own logs (rsyslogd's messages are in them).
	[ "$make_rc" = 0 ] || sed -n '/^FAIL:\|^ERROR:\|^not ok/,+40p' test-suite.log | head -n 300
fi
if [ "$make_rc" != 0 ] && { [ ! -f test-suite.log ] || [ "$(grep -c '' test-suite.log)" = 0 ]; }; then
	tail -n 60 "$CACHE/check.log"
	echo "not ok - make check did not run the tests (exit $make_rc)"
	failed=$((failed + 1))
fi
if [ "$make_rc" != 0 ] && [ -f test-suite.log ] && [ "$failed" = 0 ]; then
	tail -n 60 "$CACHE/check.log"
	echo "not ok - make check failed (exit $make_rc) without a failing test"
	failed=$((failed + 1))
fi

# --- time-bounded fuzzing ---------------------------------------------------
fuzz_out=$("$ROOT/contrib/fuzz.sh" 2>"$CACHE/fuzz.stderr")
fuzz_rc=$?
echo "$fuzz_out"
passed=$((passed + $(echo "$fuzz_out" | grep -c '^ok ')))
failed=$((failed + $(echo "$fuzz_out" | grep -c '^not ok ')))
if [ "$fuzz_rc" != 0 ] && ! echo "$fuzz_out" | grep -q '^not ok '; then
	tail -n 30 "$CACHE/fuzz.stderr"
	echo "not ok - contrib/fuzz.sh failed (exit $fuzz_rc)"
	failed=$((failed + 1))
fi

summary
