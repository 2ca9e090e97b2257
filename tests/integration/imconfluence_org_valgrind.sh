#!/bin/bash
# flavor="organization" inside rsyslogd under valgrind, walking the
# events-stream mock by cursor (pageSize 25, empty pages that carry a
# cursor), then new events, through a 500, a rejected cursor (400), a 429
# and a non-JSON reply, and a stop with a request in flight. Pins: no
# invalid access, no uninitialised use, no definite leak, no crash, and
# every event arrives once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_org_valgrind
command -v valgrind >/dev/null || { h_fail "valgrind is installed"; h_done; }

org_start org --last-page cursor || exit 1
org_gen org 120 3600 60
icf_conf <<EOF2
$(org_input org 'pageSize="25" pollingInterval="1" initialLookback="7200" timeout="5" maxBackoff="1" ruleset="r"')
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF2
H_VALGRIND=1 H_START_TIMEOUT=600 h_start || { h_fail "rsyslogd starts under valgrind"; h_done; }
h_check "the history arrives under valgrind" h_wait_lines "$H_DIR/out.log" 120 180
n=120
for fault in '{"kind":"status","status":500,"count":1}' \
	'{"kind":"status","status":400,"only":"cursor","count":1}' \
	'{"kind":"status","status":429,"retry_after":"1","count":1}' \
	'{"kind":"status","status":200,"body":"<html>not json</html>","count":1}'; do
	m_ctl org POST /__mock/faults "$fault" >/dev/null
	org_gen org 30 2 1
	n=$((n + 30))
	h_check "30 events arrive after $fault" h_wait_lines "$H_DIR/out.log" "$n" 60
done
h_check "every served event once" test "$(dup_count "$H_DIR/out.log")" = 0
h_check "a cursor was rejected and dropped on the way" grep -q "rejected the cursor" "$H_INTERNAL"
m_ctl org POST /__mock/faults '{"kind":"slow","seconds":30}' >/dev/null
before=$(m_requests org | jq length)
wait_requests org $((before + 1)) 30
h_stop 120
h_valgrind_verdict $?
h_done
