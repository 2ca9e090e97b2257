#!/bin/bash
# Every fault the mock can inject, against one running rsyslogd (DC input,
# timeout=2 s, maxBackoff=2 s): after each, a new event still arrives once,
# and the right counter moved. 500s, resets, timeouts (slow answer, stalled
# body), truncated bodies, HTML pages and other non-JSON bodies retry with
# backoff (an HTML page is counted apart, and logged with a hint about single
# sign-on); 429 waits what Retry-After says, an absurd Retry-After is clamped
# to maxBackoff; endless paging is stopped by a guard; a next link to
# another host is never requested (a second mock plays that host and sees
# no request).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_faults

m_start dc --flavor datacenter --events 0 --user auditor --password s3cret-PW || exit 1
m_start evil --flavor both --events 0 || exit 1
now_ms=$(($(date +%s) * 1000))
m_ctl dc POST /__mock/generate '{"count":40,"ts_from_ms":'$((now_ms - 600000))',"ts_to_ms":'$((now_ms - 60000))'}' >/dev/null

icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" username="auditor" password="s3cret-PW" pageSize="20" overlap="5"
      pollingInterval="1" initialLookback="3600" timeout="2" maxBackoff="2" ruleset="r"
      excludeActions=["atlassian.audit.event.action.audit.search"])
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the history arrives" h_wait_lines "$H_DIR/out.log" 40 20
n=40

# add_event: one new DC event now, returns when it is in the output
add_event() {
	local ts
	ts=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
	m_ctl dc POST /__mock/events '[{"timestamp":"'"$ts"'","type":{"category":"Spaces","actionI18nKey":"audit.logging.summary.space.created","action":"Space created"},"author":{"name":"'"$1"'","type":"user"},"source":"192.0.2.9"}]' >/dev/null
	n=$((n + 1))
	h_wait_lines "$H_DIR/out.log" "$n" "${2:-20}"
}

# after_fault DESC FAULT_JSON COUNTER: inject, then a new event must arrive
after_fault() {
	local desc=$1 fault=$2 ctr=$3 before after
	before=$(icf_stats "$H_DIR/stats.log" "$ctr")
	m_ctl dc POST /__mock/faults "$fault" >/dev/null
	if add_event "$desc" 30; then h_ok "$desc: an event still arrives"; else h_fail "$desc: an event still arrives"; fi
	stats_again # impstats reported since
	after=$(icf_stats "$H_DIR/stats.log" "$ctr")
	h_check "$desc: $ctr went up (${before:-0} -> ${after:-0})" test "${after:-0}" -gt "${before:-0}"
}

after_fault "HTTP 500 twice" '{"kind":"status","status":500,"count":2}' http.5xx
after_fault "HTTP 503 with Retry-After" '{"kind":"retry_after","status":503,"value":"1"}' ratelimit.waits
# a reset on a kept-alive connection is retried by libcurl itself at once,
# so it may not count as an error: what matters is that nothing is lost
m_ctl dc POST /__mock/faults '{"kind":"reset"}' >/dev/null
add_event "connection reset" 30 && h_ok "connection reset: an event still arrives" || h_fail "connection reset: an event still arrives"
h_check "connection reset: the mock did reset a request" \
	test "$(m_requests dc | jq '[.[] | select(.fault == "reset")] | length')" = 1
after_fault "slow answer beyond timeout" '{"kind":"slow","seconds":5}' curl.errors
after_fault "stalled body" '{"kind":"stall_body","seconds":30}' curl.errors
after_fault "truncated body" '{"kind":"truncate"}' curl.errors
after_fault "an HTML page (a server starting up)" '{"kind":"nonjson"}' http.html
h_check "the HTML page is logged with its title and the hint about single sign-on" \
	h_wait_grep "$H_INTERNAL" 'answered with an HTML page \(title "Service Unavailable"\) instead of the audit API.s JSON: a single sign-on or login page' 5
after_fault "a body neither JSON nor HTML" '{"kind":"status","status":200,"body":"Service starting","content_type":"text/plain"}' parse.errors
h_check "the unusable body is named in the log" h_wait_grep "$H_INTERNAL" "unusable reply.*starts with" 5
after_fault "HTTP 429 with Retry-After: 2" '{"kind":"retry_after","status":429,"value":"2"}' http.429
# the wait between the 429 and the next request honoured Retry-After
m_requests dc >"$H_DIR/req.json"
gap=$(jq '[.[] | {t: .time, f: .fault}] as $r | [range(0; $r|length-1) | select($r[.].f == "retry_after") | $r[.+1].t - $r[.].t] | last' "$H_DIR/req.json")
h_check "429: the next request came after >= 2 s (${gap} s)" awk -v g="$gap" 'BEGIN { exit !(g >= 1.95 && g < 4) }'
after_fault "HTTP 429 with an absurd Retry-After" '{"kind":"retry_after","status":429,"value":"9223372036854775807"}' http.429
m_requests dc >"$H_DIR/req.json"
gap=$(jq '[.[] | {t: .time, f: .fault}] as $r | [range(0; $r|length-1) | select($r[.].f == "retry_after") | $r[.+1].t - $r[.].t] | last' "$H_DIR/req.json")
h_check "absurd Retry-After: clamped to maxBackoff=2 s (${gap} s)" awk -v g="$gap" 'BEGIN { exit !(g >= 1.95 && g < 4) }'
h_check "the rate limit was logged with the wait" grep -q "rate limited (HTTP 429, Retry-After: 9223372036854775807); waiting 2.0 s" "$H_INTERNAL"

# endless paging: every page claims a next one, the cursor repeats
before=$(m_requests dc | jq length)
m_ctl dc POST /__mock/faults '{"kind":"endless"}' >/dev/null
add_event "during endless paging" 30 && h_ok "endless paging: an event still arrives" || h_fail "endless paging: an event still arrives"
h_wait_grep "$H_INTERNAL" "repeated nextPageCursor|same page twice|claims more pages" 10
more_polls dc # and another poll while every page still claims a next one
after=$(m_requests dc | jq length)
m_ctl dc DELETE /__mock/faults >/dev/null
h_check "endless paging: bounded requests ($((after - before)) until the guard and a poll after it)" test $((after - before)) -lt 200
h_check "endless paging: a guard stopped it and said so" h_wait_grep "$H_INTERNAL" "repeated nextPageCursor|same page twice|claims more pages" 5

# a next link to another host: warned, never followed
m_ctl dc POST /__mock/faults '{"kind":"foreign_next","host":"127.0.0.1:'"$M_PORT_evil"'","count":50}' >/dev/null
add_event "foreign next link" 30 && h_ok "foreign next link: an event still arrives" || h_fail "foreign next link: an event still arrives"
h_check "foreign next link: warned" h_wait_grep "$H_INTERNAL" "next-page link points to another host" 5
m_ctl dc DELETE /__mock/faults >/dev/null
h_check "foreign next link: the other host never saw a request" test "$(m_requests evil | jq length)" = 0
h_check "every request went to the configured host with its credentials" \
	test "$(m_requests dc | jq '[.[] | select(.auth != "basic:auditor")] | length')" = 0

more_polls dc # nothing more may come
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "no event was repeated" test "$(dup_count "$H_DIR/out.log")" = 0
m_oracle dc datacenter exclude_search=1 >"$H_DIR/oracle.jsonl"
h_check "no event was lost" test "$(missing "$H_DIR/out.log" "$H_DIR/oracle.jsonl")" = 0
h_check "the password never appears in rsyslogd's messages" bash -c "! grep -q 's3cret-PW' '$H_INTERNAL' '$H_DIR/rsyslogd.stderr' '$H_DIR/rsyslogd.stdout'"
h_done
