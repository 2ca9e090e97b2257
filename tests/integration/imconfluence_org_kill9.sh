#!/bin/bash
# flavor="organization": 5,000 events of history walked by cursor across
# three kill -9 of rsyslogd. Nothing is lost; each kill repeats at most the
# page in flight (handed to rsyslog, state not yet saved), so at most one
# page per kill; and deduplicated by event id (as the outputs do with the
# id as document id) there is not a single duplicate. As in
# imconfluence_kill9.sh, the ruleset runs on a direct queue.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_org_kill9
PAGE=100

org_start org --last-page cursor || exit 1
org_gen org 5000 20000 60
m_ctl org GET /__mock/events >"$H_DIR/oracle.jsonl"
# slow every answer down a little, so the kills land in the middle of the walk
m_ctl org POST /__mock/faults '{"kind":"slow","seconds":0.05,"count":100000}' >/dev/null

icf_conf <<EOF2
$(org_input org 'pageSize="'$PAGE'" pollingInterval="1" initialLookback="86400" ruleset="r"')
ruleset(name="r" queue.type="direct") {
	action(type="omfile" file="$H_DIR/out.log" template="msgonly" flushOnTXEnd="on")
}
EOF2
kills=0
for target in 1000 2500 4000; do
	h_start || { h_fail "rsyslogd starts"; h_done; }
	h_wait_lines "$H_DIR/out.log" "$target" 60 || break
	h_kill9
	kills=$((kills + 1))
	echo "# killed at $(wc -l <"$H_DIR/out.log") lines; state cursor: $(jq -r '.api_cursor != null' "$H_DIR"/work/*.state)"
done
h_check "rsyslogd was killed 3 times during the walk" test "$kills" = 3
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the walk completes" h_wait_lines "$H_DIR/out.log" 5000 60
more_polls org # further walks must not add anything
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
check_untorn "$H_DIR/out.log" "$H_DIR/oracle.jsonl" "$kills"
lost=$(missing "$H_DIR/out.log" "$H_DIR/oracle.jsonl")
rep=$(dup_count "$H_DIR/out.log")
h_check "0 events lost (of $(grep -c '' "$H_DIR/oracle.jsonl"))" test "$lost" = 0
h_check "at most one page repeated per kill ($rep repeated, limit $((3 * PAGE)))" test "$rep" -le $((3 * PAGE))
org_ids "$H_DIR/out.log" | sort -u >"$H_DIR/ids.out"
org_ids "$H_DIR/oracle.jsonl" | sort -u >"$H_DIR/ids.oracle"
h_check "deduplicated by id: exactly the 5000 served events, 0 duplicates" cmp "$H_DIR/ids.oracle" "$H_DIR/ids.out"
h_check "each restart resumed the walk from the saved cursor (one fresh request with a full page: the first)" \
	test "$(m_requests org | jq '[.[] | select((.cursor | not) and .count == '$PAGE')] | length')" = 1
h_check "no temp state file is left" bash -c "! ls '$H_DIR'/work/*.tmp.* 2>/dev/null | grep -q ."
h_done
