#!/bin/bash
# Replays the committed events-stream corpus (tests/fuzz/corpus/orgwalk)
# through fuzz_orgwalk.c without libFuzzer (tests/fuzz/replay_main.c): a
# regression run on every build, under valgrind or the sanitizers when
# configured. Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_orgwalk" "$top_srcdir/tests/fuzz/corpus/orgwalk"
