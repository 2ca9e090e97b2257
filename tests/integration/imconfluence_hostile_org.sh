#!/bin/bash
# A hostile organization events-stream, through the real rsyslogd:
#   poison  one event with processedAt 9999-12-31T23:59:59.999Z: it is
#           delivered and counted (events.oddtime), the checkpoint stays
#           sane (cursor.ahead 0) and later events still arrive (before: the
#           checkpoint became 253402300799999 and nothing arrived again);
#           then a state file poisoned that way (by an older version) is
#           reset at start with one warning, and polling goes on;
#   amp     a page of 200,000 distinct ids (the limit asked is 50): refused
#           with a clear error, and rsyslogd stops on SIGTERM while the
#           server keeps sending it (before: 11-17 s of CPU per page in a
#           pairwise duplicate check, and no exit on SIGTERM).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_hostile_org

org_start poison --last-page null --max-limit 49 || exit 1  # room for the injected event
org_start amp --last-page null || exit 1
org_gen poison 100 600 5
org_gen amp 20 600 5
m_ctl poison POST /__mock/faults '{"kind":"inject","count":1,"events":["{\"id\":\"evil-9999\",\"type\":\"events\",\"attributes\":{\"time\":\"9999-12-31T23:59:59.999Z\",\"processedAt\":\"9999-12-31T23:59:59.999Z\",\"action\":\"user_login\"}}"]}' >/dev/null
m_ctl amp POST /__mock/faults '{"kind":"amplify","n":200000,"count":100000}' >/dev/null

write_conf() {
	{
		org_input poison 'pageSize="50" pollingInterval="1" initialLookback="3600" overlap="30" maxBackoff="2" stateFile="poison.state" ruleset="poison" name="poison"'
		org_input amp 'pageSize="50" pollingInterval="1" initialLookback="3600" overlap="30" maxBackoff="2" stateFile="amp.state" ruleset="amp" name="amp"'
		for r in poison amp; do
			echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$H_DIR/out-$r.log\" template=\"msgonly\") }"
		done
	} | icf_conf
}
write_conf
h_start || { h_fail "rsyslogd starts"; h_done; }

h_check "poison: the 100 events and the 9999 one arrive" h_wait_lines "$H_DIR/out-poison.log" 101 30
h_check "poison: the 9999 event was delivered" grep -q '"evil-9999"' "$H_DIR/out-poison.log"
org_gen poison 5 2 1
h_check "poison: events written after it still arrive" h_wait_lines "$H_DIR/out-poison.log" 106 30
stats_again
h_check "poison: events.oddtime counted it" \
	test "$(icf_stats "$H_DIR/stats.log" events.oddtime 'imconfluence(poison)')" -ge 1
h_check "poison: the checkpoint is not in the future (cursor.ahead = 0)" \
	test "$(icf_stats "$H_DIR/stats.log" cursor.ahead 'imconfluence(poison)')" = 0
h_check "amp: the page of 200,000 ids is refused and says why" \
	h_wait_grep "$H_INTERNAL" "unusable reply .*more than 50 events, more than the limit" 30
# SIGTERM while the page is being read (before: the pairwise check of 200k
# ids runs for tens of seconds once the 20 MB reply is in, about 1 s later)
wait_requests amp 1 30 '.status != null'
sleep 3
h_stop 5
h_check "rsyslogd stops on SIGTERM within 5 s while the 200,000-id page keeps coming" test $? = 0
h_check "amp: not one of the 200,000 ids went out" bash -c "! grep -q 'amp-' '$H_DIR/out-amp.log' 2>/dev/null"

# a state file poisoned by an older version: the checkpoint in 9999
st=$H_DIR/work/poison.state
h_check "poison: the state file is there" test -s "$st"
jq -c '.cursor = 253402300799999 | .low = 253402300769999' "$st" >"$st.new" && mv "$st.new" "$st"
m_ctl amp DELETE /__mock/faults >/dev/null
n=$(wc -l <"$H_DIR/out-poison.log")
org_gen poison 3 2 1
h_start || { h_fail "rsyslogd starts again"; h_done; }
h_check "poison: after a restart on the poisoned state, new events arrive" \
	h_wait_lines "$H_DIR/out-poison.log" $((n + 3)) 30
h_check "poison: the reset was logged" h_wait_grep "$H_INTERNAL" "saved checkpoint .* ahead of the clock" 10
more_polls poison
h_check "poison: ... once" test "$(grep -c 'saved checkpoint .* ahead of the clock' "$H_INTERNAL")" = 1
h_check "amp: its events arrive once the server behaves" h_wait_lines "$H_DIR/out-amp.log" 20 30
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "poison: no event was repeated" test "$(dup_count "$H_DIR/out-poison.log")" = 0
h_check "amp: no event was repeated" test "$(dup_count "$H_DIR/out-amp.log")" = 0
h_done
