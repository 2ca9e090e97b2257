#!/bin/bash
# Replays the committed event-mapper corpus (tests/fuzz/corpus/map: fixture
# events, relay prefixes, broken and non-object messages, API pages) through
# fuzz_map.c without libFuzzer (tests/fuzz/replay_main.c): a regression run
# on every build, under valgrind or the sanitizers when configured.
# Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_map" "$top_srcdir/tests/fuzz/corpus/map"
