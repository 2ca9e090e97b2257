#!/bin/bash
# contrib/bench-mock.sh: the mock's paging speed, a benchmark rather than a
# test (make check pages 5,000 events; this pages CFL_BENCH_MOCK_EVENTS,
# default 100,000, through both flavours at limit 1000, cold and warm):
# tests/mock/selftest.sh with SELFTEST_PERF_EVENTS set, its speed lines
# printed (events/s, MB, slowest page; every page must take < 1 s).
# Licensed under the Apache License, Version 2.0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"

events=${CFL_BENCH_MOCK_EVENTS:-100000}
out=$(mktemp "${TMPDIR:-/tmp}/bench-mock.XXXXXX")
trap 'rm -f "$out"' EXIT
say "paging $events events through the mock (tests/mock/selftest.sh)"
rc=0
SELFTEST_PERF_EVENTS=$events "$ROOT/tests/mock/selftest.sh" >"$out" 2>&1 || rc=$?
grep -A4 "paging $events events" "$out" || true
[ "$rc" = 0 ] || { grep '^not ok' "$out" >&2; die "the mock self test failed (rc $rc)"; }
