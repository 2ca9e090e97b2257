#!/bin/bash
# Replays the committed state corpus (tests/fuzz/corpus/state) through
# fuzz_state.c without libFuzzer (tests/fuzz/replay_main.c): a regression
# run on every build, under valgrind or the sanitizers when configured.
# Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_state" "$top_srcdir/tests/fuzz/corpus/state"
