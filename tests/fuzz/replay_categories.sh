#!/bin/bash
# Replays the committed categories corpus (tests/fuzz/corpus/categories) through
# fuzz_categories.c without libFuzzer (tests/fuzz/replay_main.c): a regression
# run on every build, under valgrind or the sanitizers when configured.
# Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_categories" "$top_srcdir/tests/fuzz/corpus/categories"
