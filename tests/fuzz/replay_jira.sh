#!/bin/bash
# Replays the committed Jira Cloud records corpus (tests/fuzz/corpus/jira)
# through fuzz_jira.c without libFuzzer (tests/fuzz/replay_main.c): a
# regression run on every build, under valgrind or the sanitizers when
# configured. Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_jira" "$top_srcdir/tests/fuzz/corpus/jira"
