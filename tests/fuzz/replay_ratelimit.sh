#!/bin/bash
# Replays the committed rate-limit/trace corpus (tests/fuzz/corpus/ratelimit)
# through fuzz_ratelimit.c without libFuzzer (tests/fuzz/replay_main.c).
# Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_ratelimit" "$top_srcdir/tests/fuzz/corpus/ratelimit"
