#!/bin/bash
# A server that tries to switch the backoff off: 5 s of 429 with
# "Retry-After: 0", 5 s of 503 with it, 5 s of 503 with a date in the past,
# through the real rsyslogd (maxBackoff=4 s). The requests in each 5 s are
# counted: Retry-After may lengthen the exponential backoff, never shorten
# it, so there are a handful (before, here: 97 on 429 and about 200 on 503
# in 10 s; the issue saw 6,419 and 7,807 against a faster server). The polling goes on
# afterwards and nothing is lost or repeated.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_hostile_storm

m_start dc --flavor datacenter --events 0 || exit 1
m_gen dc 40 600 60
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" flavor="datacenter" pageSize="20" overlap="5" pollingInterval="1"
      initialLookback="3600" timeout="5" maxBackoff="4" ruleset="r"
      excludeActions=["atlassian.audit.event.action.audit.search"])
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the history arrives" h_wait_lines "$H_DIR/out.log" 40 20

# storm DESC FAULT_JSON: requests served during 5 s of that fault: at most
# 1.2 a second (pollingInterval 1, backoff 1, 2, 4: about 3), where a
# client that takes Retry-After: 0 at its word asks hundreds of times
storm() {
	local before after
	before=$(m_requests dc | jq length)
	m_ctl dc POST /__mock/faults "$2" >/dev/null
	sleep 5
	m_ctl dc DELETE /__mock/faults >/dev/null
	after=$(m_requests dc | jq length)
	echo "# $1: $((after - before)) requests in 5 s" >&2
	h_check "$1: at most 6 requests in 5 s ($((after - before)))" test $((after - before)) -le 6
	h_check "$1: and at least 2 (it did retry)" test $((after - before)) -ge 2
	# the next storm starts from a fresh backoff: one request answered 200
	# first (else the backoff left by this storm, up to maxBackoff, can leave
	# a single request in the next 5 s)
	h_check "$1: a request succeeds after it" wait_requests dc 1 10 ".seq > $after and .status == 200"
}
# bare: Retry-After alone, no X-RateLimit-* headers (a proxy's 429)
storm "429 with Retry-After: 0" '{"kind":"retry_after","status":429,"value":"0","bare":true,"count":1000000}'
storm "503 with Retry-After: 0" '{"kind":"retry_after","status":503,"value":"0","count":1000000}'
storm "503 with a Retry-After date in the past" \
	'{"kind":"retry_after","status":503,"value":"Sun, 06 Nov 1994 08:49:37 GMT","count":1000000}'

m_gen dc 3 2 1
h_check "polling goes on after the storms" h_wait_lines "$H_DIR/out.log" 43 30
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "no event was repeated" test "$(dup_count "$H_DIR/out.log")" = 0
m_oracle dc datacenter exclude_search=1 >"$H_DIR/oracle.jsonl"
h_check "no event was lost" test "$(missing "$H_DIR/out.log" "$H_DIR/oracle.jsonl")" = 0
h_done
