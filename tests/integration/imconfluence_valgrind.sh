#!/bin/bash
# imconfluence inside rsyslogd under valgrind, polling the mock: a Data
# Center, a Cloud and a Jira Cloud input (product="jira": the records walk,
# the third source) read a paged history (several slices), then new
# events, through a 500, a truncated and a non-JSON reply (the error and
# retry paths), with a request trace, a client-side rate limit, rate-limit
# headers and a HUP on the way, and stop with a request in flight. Pins: no invalid access,
# no uninitialised use, no definite leak, no crash, and every event arrives
# once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_valgrind
command -v valgrind >/dev/null || { h_fail "valgrind is installed"; h_done; }

m_start dc --flavor datacenter --events 0 || exit 1
m_start cl --flavor cloud --events 0 || exit 1
m_start jc --flavor jira-cloud --jira-total-extra 3 --events 0 || exit 1
m_gen dc 120 3600 60
m_gen cl 120 3600 60
m_gen jc 120 3600 60
# parsed on every answer; a Reset in the past asks for no wait
m_ctl dc POST /__mock/ratelimit '{"headers":{"X-RateLimit-Remaining":"3","X-RateLimit-Reset":"2020-01-01T00:00:00Z","X-RateLimit-NearLimit":"true","RateLimit-Reason":"test"}}' >/dev/null

icf_conf <<EOF2
input(type="imconfluence" url="$M_URL_dc" flavor="datacenter" pageSize="25" pollingInterval="1"
      initialLookback="7200" timeout="5" maxBackoff="1" ruleset="dc"
      excludeActions=["atlassian.audit.event.action.audit.search"])
input(type="imconfluence" url="$M_URL_cl" flavor="cloud" pageSize="25" pollingInterval="1"
      initialLookback="7200" timeout="5" maxBackoff="1" ruleset="cl" name="cl"
      requestTraceFile="$H_DIR/trace.jsonl" maxRequestsPerMinute="600" requestBurst="3")
input(type="imconfluence" url="$M_URL_jc" flavor="cloud" product="jira" pageSize="25" pollingInterval="1"
      initialLookback="7200" timeout="5" maxBackoff="1" ruleset="jc")
ruleset(name="jc") { action(type="omfile" file="$H_DIR/out-jc.log" template="msgonly") }
ruleset(name="dc") { action(type="omfile" file="$H_DIR/out-dc.log" template="msgonly") }
ruleset(name="cl") { action(type="omfile" file="$H_DIR/out-cl.log" template="msgonly") }
EOF2
H_VALGRIND=1 H_START_TIMEOUT=600 h_start || { h_fail "rsyslogd starts under valgrind"; h_done; }
h_check "DC: the history arrives under valgrind" h_wait_lines "$H_DIR/out-dc.log" 120 180
h_check "Cloud: the history arrives under valgrind" h_wait_lines "$H_DIR/out-cl.log" 120 180
h_check "Jira Cloud: the history arrives under valgrind" h_wait_lines "$H_DIR/out-jc.log" 120 180
kill -HUP "$H_PID"

# the error paths: each fault, then a new event must still arrive
n=120
for fault in '{"kind":"status","status":500,"count":1}' '{"kind":"truncate"}' '{"kind":"nonjson"}'; do
	m_ctl cl POST /__mock/faults "$fault" >/dev/null
	m_ctl dc POST /__mock/faults "$fault" >/dev/null
	m_ctl jc POST /__mock/faults "$fault" >/dev/null
	m_gen dc 1 2 1
	m_gen cl 1 2 1
	m_gen jc 1 2 1
	n=$((n + 1))
	h_check "DC: an event arrives after $fault" h_wait_lines "$H_DIR/out-dc.log" "$n" 60
	h_check "Cloud: an event arrives after $fault" h_wait_lines "$H_DIR/out-cl.log" "$n" 60
	h_check "Jira Cloud: a record arrives after $fault" h_wait_lines "$H_DIR/out-jc.log" "$n" 60
done
h_check "DC: every served event once" test "$(dup_count "$H_DIR/out-dc.log")" = 0
h_check "Cloud: every served event once" test "$(dup_count "$H_DIR/out-cl.log")" = 0
h_check "Jira Cloud: every served record once" test "$(dup_count "$H_DIR/out-jc.log")" = 0
h_check "the request trace was written" test -s "$H_DIR/trace.jsonl"

# stop while a request hangs on a slow answer
m_ctl dc POST /__mock/faults '{"kind":"slow","seconds":30}' >/dev/null
before=$(m_requests dc | jq length)
wait_requests dc $((before + 1)) 30
h_stop 120
h_valgrind_verdict $?
h_done
