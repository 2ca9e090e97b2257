#!/bin/bash
# rsyslogd stops within a second, whatever the input is waiting for: a
# request whose answer is slow, a body that stalls half way, a long
# Retry-After, the polling interval.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_shutdown

m_start dc --flavor datacenter --events 0 || exit 1
m_gen dc 50 600 60

icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" pollingInterval="3600" timeout="120" maxBackoff="300"
      initialLookback="3600" ruleset="r")
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF

# stop_within DESC: SIGTERM, rsyslogd must be gone within 1 s
stop_within() {
	local t0 t1 ms
	t0=$(date +%s%N)
	h_stop 5
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	h_check "$1: rsyslogd stopped in ${ms} ms (< 1000)" test "$ms" -lt 1000
}

# wait_fault KIND: until the mock has started answering a request with it
_fault_served() { m_requests dc | jq -e "[.[] | select(.fault == \"$1\")] | length > 0" >/dev/null; }
wait_fault() { h_until 5 _fault_served "$1"; }

m_ctl dc POST /__mock/faults '{"kind":"slow","seconds":30}' >/dev/null
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "a slow answer is being waited for" wait_fault slow
h_nap 0.3
stop_within "waiting for a slow answer"

m_ctl dc DELETE /__mock/requests >/dev/null
m_ctl dc POST /__mock/faults '{"kind":"stall_body","seconds":30}' >/dev/null
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "a stalled body is being read" wait_fault stall_body
h_nap 0.3
stop_within "reading a stalled body"

m_ctl dc DELETE /__mock/requests >/dev/null
m_ctl dc POST /__mock/faults '{"kind":"retry_after","status":429,"value":"120"}' >/dev/null
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "a 429 with Retry-After: 120 was answered" wait_fault retry_after
h_check "the wait was logged" h_wait_grep "$H_INTERNAL" "waiting 120.0 s" 5
stop_within "waiting 120 s for Retry-After"

m_ctl dc DELETE /__mock/faults >/dev/null
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the history arrives" h_wait_lines "$H_DIR/out.log" 50 20
h_nap 0.5
stop_within "waiting out a 3600 s polling interval"
h_check "nothing was repeated across the interrupted runs" test "$(dup_count "$H_DIR/out.log")" = 0
h_done
