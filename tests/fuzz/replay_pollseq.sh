#!/bin/bash
# Replays the committed poll-sequence corpus (tests/fuzz/corpus/pollseq)
# through fuzz_pollseq.c without libFuzzer (tests/fuzz/replay_main.c): a
# regression run on every build, under valgrind or the sanitizers when
# configured. Prints TAP. Licensed under the Apache License, Version 2.0.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec "$top_builddir/tests/fuzz/replay_pollseq" "$top_srcdir/tests/fuzz/corpus/pollseq"
