#!/bin/bash
# The lines that say an input works (docs/imconfluence.md, "Log lines of a
# running input"): a backfill of two days of history, paced by
# maxRequestsPerMinute to take about two and a half minutes, logs its progress at most
# once a minute (the first a minute after the start), then one "first poll
# done" line with the count, the cursor and the next poll; a later poll
# logs neither.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_progress

m_start dc --flavor datacenter --events 0 --dc-search-events off || exit 1
m_gen dc 600 172000 600
icf_conf <<EOF
input(type="imconfluence" name="backfill" url="$M_URL_dc" pageSize="10" initialLookback="172800"
      pollingInterval="2" overlap="5" maxRequestsPerMinute="24" requestBurst="1" ruleset="r")
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the first poll ends" h_wait_grep "$H_INTERNAL" 'imconfluence\(backfill\): first poll done' 240
h_check "all the history arrived" h_wait_lines "$H_DIR/out.log" 600 10
more_polls dc
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
grep -E "imconfluence\(backfill\): (backfill|first poll)" "$H_INTERNAL" | sed "s/^/# /"

# seconds since the epoch of the internal log lines matching a pattern
times() {
	grep -E "$1" "$H_INTERNAL" | while read -r ts _; do date -d "$ts" +%s.%N; done
}
t0=$(times 'imconfluence\(backfill\): polling ' | head -n 1)
tp=$(times 'imconfluence\(backfill\): backfill in progress: ' | xargs)
td=$(times 'imconfluence\(backfill\): first poll done' | xargs)
h_check "the backfill took more than two minutes (two progress lines are due) ($t0 .. $td)" awk -v a="$t0" -v b="$td" 'BEGIN { exit !(b - a >= 125) }'
h_check "progress was logged ($(echo "$tp" | wc -w) lines)" test "$(echo "$tp" | wc -w)" -ge 2
h_check "the first progress line came a minute after the start, the others a minute apart at least" \
	awk -v s="$t0 $tp" 'BEGIN { n = split(s, a, " "); for (i = 2; i <= n; i++) if (a[i] - a[i - 1] < 59.9) exit 1 }'
h_check "each progress line says how far it is" \
	test "$(grep -cE 'imconfluence\(backfill\): backfill in progress: [0-9]+ events submitted and [1-9][0-9]* pages read so far, cursor at 20[0-9-]+T[0-9:.]+Z, [0-9.]+ hours of history to go( \[|$)' "$H_INTERNAL")" = "$(echo "$tp" | wc -w)"
h_check "one first-poll line, with the count, the cursor and the next poll" \
	test "$(grep -cE 'imconfluence\(backfill\): first poll done: 600 events, cursor at 20[0-9-]+T[0-9:.]+Z, next poll in 2 s( \[|$)' "$H_INTERNAL")" = 1
h_check "no progress after the first poll" awk -v p="$tp" -v d="$td" 'BEGIN { n = split(p, a, " "); exit !(a[n] < d) }'
h_check "no 'backfill done' besides the first-poll line" bash -c "! grep -q 'backfill done' '$H_INTERNAL'"
h_done
