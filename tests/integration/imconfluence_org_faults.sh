#!/bin/bash
# flavor="organization" when the events-stream fails, one mock per fault,
# one rsyslogd (maxBackoff=5 s):
#   429 with Retry-After: 2 in the middle of a walk: the same cursor is
#     asked for again no sooner than 2 s later; nothing lost or repeated;
#   a cursor answered with 400 (invalid): dropped with a clear log line,
#     the walk resumes from the checkpoint (a fresh from/to request), the
#     re-read events are dropped by id;
#   401 and 403: logged once each with the org-specific hint, retried every
#     pollingInterval, and the events arrive once the key works;
#   a restart after the saved cursor expired (a long stop): 400, dropped,
#     resumed from the checkpoint, nothing lost or repeated.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_org_faults

MOCKS="rate bad auth deny exp"
for m in $MOCKS; do
	org_start $m --last-page null || exit 1
	org_gen $m 300 3000 60
done
m_ctl rate POST /__mock/faults '{"kind":"status","status":429,"retry_after":"2","only":"cursor","count":1}' >/dev/null
m_ctl bad POST /__mock/faults '{"kind":"status","status":400,"only":"cursor","count":1,"body":"{\"errors\":[{\"status\":\"400\",\"title\":\"Invalid cursor\"}]}"}' >/dev/null
m_ctl auth POST /__mock/faults '{"kind":"status","status":401,"count":3}' >/dev/null
m_ctl deny POST /__mock/faults '{"kind":"status","status":403,"count":3,"body":"{\"message\":\"Forbidden\"}"}' >/dev/null
# exp: every answer takes 1 s, so the walk can be stopped in its middle
m_ctl exp POST /__mock/faults '{"kind":"slow","seconds":1,"count":100000}' >/dev/null
conf=""
for m in $MOCKS; do
	conf="$conf
$(org_input $m 'pageSize="50" pollingInterval="1" initialLookback="3600" maxBackoff="5" stateFile="'$m'.state" ruleset="'$m'"')
ruleset(name=\"$m\") { action(type=\"omfile\" file=\"$H_DIR/out-$m.log\" template=\"msgonly\") }"
done
icf_conf <<<"$conf"
h_start || { h_fail "rsyslogd starts"; h_done; }
for m in rate bad auth deny; do
	h_check "$m: all 300 events arrive" h_wait_lines "$H_DIR/out-$m.log" 300 40
done
h_wait_lines "$H_DIR/out-exp.log" 100 40
h_stop 10
h_check "rsyslogd stops in the middle of the exp walk" test "$(grep -c '' "$H_DIR/out-exp.log")" -lt 300
h_check "exp: the state file holds the cursor of the walk in progress" \
	jq -e '.api_cursor != null and .walk_to != null' "$H_DIR/work/exp.state"
m_ctl exp POST /__mock/faults '{"kind":"expire_cursors"}' >/dev/null
m_ctl exp DELETE /__mock/faults >/dev/null
h_start || { h_fail "rsyslogd starts again"; h_done; }
h_check "exp: all 300 events arrive after the restart" h_wait_lines "$H_DIR/out-exp.log" 300 40
more_polls $MOCKS
for m in $MOCKS; do
	m_ctl $m GET /__mock/events >"$H_DIR/oracle-$m.jsonl"
	h_check "$m: every event once, in processing order" cmp "$H_DIR/oracle-$m.jsonl" "$H_DIR/out-$m.log"
	m_requests $m >"$H_DIR/req-$m.json"
done

# 429: the same cursor again, no sooner than Retry-After
h_check "rate: a cursor request was answered 429" jq -e 'any(.status == 429 and .cursor)' "$H_DIR/req-rate.json"
h_check "rate: the request after the 429 asks for the same cursor" \
	jq -e '(map(.status) | index(429)) as $i | .[$i].params == .[$i + 1].params' "$H_DIR/req-rate.json"
gap=$(jq '(map(.status) | index(429)) as $i | (.[$i + 1].ms - .[$i].ms) / 1000' "$H_DIR/req-rate.json")
h_check "rate: it came after Retry-After (${gap} s >= 2 s)" awk -v g="$gap" 'BEGIN { exit !(g >= 1.95) }'
h_check "rate: the wait was logged" grep -q "Retry-After: 2" "$H_INTERNAL"

# 400 to a cursor: dropped, resumed fresh
h_check "bad: the rejected cursor is logged with what happens next" \
	grep -q "HTTP 400 (.*Invalid cursor.*): the events-stream rejected the cursor of the walk in progress (expired or invalid); it is dropped and the walk resumes from the checkpoint" "$H_INTERNAL"
h_check "bad: the request after the 400 is a fresh from/to request" \
	jq -e '(map(.status) | index(400)) as $i | .[$i].cursor and (.[$i + 1] | (.cursor | not) and .params.from and .params.to)' "$H_DIR/req-bad.json"
h_check "exp: the expired cursor after the restart was dropped the same way" \
	jq -e '(map(.status) | rindex(400)) as $i | $i != null and .[$i].cursor and (.[$i + 1].cursor | not)' "$H_DIR/req-exp.json"
stats_again
n=$(grep -F '"name": "imconfluence(127.0.0.1)' "$H_DIR/stats.log" | sed 's/^[^{]*//' | jq -s 'map(."cursor.drops") | max')
h_check "the cursor.drops counter counted them" test "${n:-0}" -ge 1

# 401 / 403: once per streak, with the organization hint
h_check "401: logged once, naming the organization API key" \
	test "$(grep -c 'authentication failed (HTTP 401): check the organization API key in tokenFile' "$H_INTERNAL")" = 1
h_check "403: logged once, naming the read:events:admin scope" \
	test "$(grep -c 'access denied (HTTP 403): the organization API key needs the read:events:admin scope' "$H_INTERNAL")" = 1
h_check "the API key never appears in rsyslog's messages" bash -c "! grep -q test-api-key '$H_INTERNAL'"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_done
