#!/bin/bash
# Clean restarts (SIGTERM) neither lose nor repeat an event: three stops in
# the middle of a Cloud backfill, then stops while caught up with events
# written in between, including one written late into the overlap.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_restart

now_ms=$(($(date +%s) * 1000))
m_start cl --flavor cloud --events 0 || exit 1
m_ctl cl POST /__mock/generate '{"count":12000,"ts_from_ms":'$((now_ms - 10 * 3600000))',"ts_to_ms":'$((now_ms - 60000))'}' >/dev/null
m_ctl cl POST /__mock/faults '{"kind":"slow","seconds":0.1,"count":100000}' >/dev/null

icf_conf <<EOF
input(type="imconfluence" url="$M_URL_cl" flavor="cloud" pageSize="300" pollingInterval="1"
      initialLookback="43200" overlap="30" ruleset="r")
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
stops=0
for target in 2000 5000 9000; do
	h_start || { h_fail "rsyslogd starts"; h_done; }
	h_wait_lines "$H_DIR/out.log" "$target" 60 || break
	h_stop 10 && stops=$((stops + 1))
	echo "# stopped at $(wc -l <"$H_DIR/out.log") lines"
done
h_check "rsyslogd was stopped 3 times during the backfill" test "$stops" = 3
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the backfill completes" h_wait_lines "$H_DIR/out.log" 12000 60
h_stop 10
m_ctl cl DELETE /__mock/faults >/dev/null
# caught up: events while stopped, one of them "written late" into the overlap
t=$(($(date +%s) * 1000))
m_ctl cl POST /__mock/events '[{"creationDate":'$((t - 1000))',"summary":"User created","category":"Users and groups","author":{"type":"user","displayName":"while stopped"},"remoteAddress":"192.0.2.7"}]' >/dev/null
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "an event written while stopped arrives" h_wait_lines "$H_DIR/out.log" 12001 20
m_ctl cl POST /__mock/events '[{"event":{"creationDate":'$(($(date +%s) * 1000 - 5000))',"summary":"Space created","category":"Spaces","author":{"type":"user","displayName":"late"},"remoteAddress":"192.0.2.8"},"visible_after":2}]' >/dev/null
h_check "an event written 5 s late arrives" h_wait_lines "$H_DIR/out.log" 12002 20
h_stop 10
h_start || { h_fail "rsyslogd starts"; h_done; }
more_polls cl && more_polls cl # several polls re-read the overlap after the restart
h_stop 10
m_oracle cl cloud >"$H_DIR/oracle.jsonl"
h_check "0 events lost" test "$(missing "$H_DIR/out.log" "$H_DIR/oracle.jsonl")" = 0
h_check "0 events repeated" test "$(dup_count "$H_DIR/out.log")" = 0
h_check "exactly the oracle's events" test "$(grep -c '' "$H_DIR/out.log")" = "$(grep -c '' "$H_DIR/oracle.jsonl")"
h_done
