#!/bin/bash
# flavor="organization" through the real rsyslogd against the events-stream
# mock (tests/mock/org_audit_mock.py): the first walk reads initialLookback
# with from/to/limit/sortOrder=asc and a Bearer key, follows meta.next with
# cursor+limit only, hands every event over once, in processing order, as
# the exact compact JSON served; the next walk starts again at the
# checkpoint minus overlap and delivers only the new events (the re-read
# ones are dropped by id); the state file is version 2; pageSize above
# the API's 500 is clamped; counters appear in impstats; the flavour's
# default client-side limit is 50 a minute, and a set limit paces the walk.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_org_basic

org_start org || exit 1
org_start big || exit 1
org_start lim || exit 1
org_gen org 450 7200 120
org_gen big 1200 7200 120
org_gen lim 120 7200 120
m_oracle org x >"$H_DIR/oracle.jsonl"
m_ctl big GET /__mock/events >"$H_DIR/oracle-big.jsonl"

icf_conf <<EOF2
$(org_input org 'pageSize="100" pollingInterval="1" initialLookback="10800" overlap="600" ruleset="r" tag="atlassian-org"')
$(org_input big 'pollingInterval="1" initialLookback="10800" ruleset="big" stateFile="big.state"')
ruleset(name="r") {
	action(type="omfile" file="$H_DIR/out.log" template="msgonly")
	action(type="omfile" file="$H_DIR/props.log" template="props")
}
$(org_input lim 'pageSize="10" pollingInterval="1" initialLookback="10800" ruleset="lim" stateFile="lim.state" maxRequestsPerMinute="300" requestBurst="2"')
ruleset(name="big") { action(type="omfile" file="$H_DIR/out-big.log" template="msgonly") }
ruleset(name="lim") { action(type="omfile" file="$H_DIR/out-lim.log" template="msgonly") }
EOF2
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "450 events arrive" h_wait_lines "$H_DIR/out.log" 450 30
h_check "1200 events arrive on the default pageSize" h_wait_lines "$H_DIR/out-big.log" 1200 30
more_polls org
h_check "exactly the served bytes, in processing order" cmp "$H_DIR/oracle.jsonl" "$H_DIR/out.log"
h_check "the other input too" cmp "$H_DIR/oracle-big.jsonl" "$H_DIR/out-big.log"

first_t=$(head -n1 "$H_DIR/oracle.jsonl" | jq -r .attributes.time)
want_ts=$(date -u -d "$first_t" +%Y-%m-%dT%H:%M:%S.%3N)
h_check "timestamp is attributes.time, hostname the API host, the tag as configured" \
	grep -q "^${want_ts}[^ ]* 127.0.0.1 atlassian-org imconfluence " <(head -n1 "$H_DIR/props.log")

m_requests org >"$H_DIR/req.json"
h_check "every request carries the Bearer key and Accept: application/json" \
	jq -e 'length > 5 and all(.auth_ok and .accept == "application/json")' "$H_DIR/req.json"
h_check "the first request: from, to, limit=100, sortOrder=asc, no cursor" \
	jq -e '.[0].params | (.from and .to and .limit == "100" and .sortOrder == "asc" and (has("cursor") | not))' "$H_DIR/req.json"
h_check "the first request reaches back initialLookback" \
	jq -e "(.[0].params.to | tonumber) - (.[0].params.from | tonumber) == 10800000" "$H_DIR/req.json"
h_check "cursor requests send cursor and limit only" \
	jq -e '[.[] | select(.cursor) | .params | keys] | length >= 4 and all(. == ["cursor","limit"])' "$H_DIR/req.json"
h_check "the first walk took 5 pages (450 / 100)" \
	jq -e '[.[] | select(.count > 0)] | length >= 5' "$H_DIR/req.json"
h_check "pageSize 1000 asks for the API maximum, 500" \
	test "$(m_requests big | jq -r '.[0].params.limit')" = 500
# the events-stream's stated 50 requests a minute per path is the
# organization flavour's default client-side limit (burst 10); the limit
# paces the walk: 300 a minute after a burst of 2 spaces the 12 requests of
# a 120-event walk at pageSize 10 over at least 10 * 0.2 s (back to back,
# they take a fraction of that)
h_check "the start-up line states the default limit of 50 a minute, burst 10" \
	grep -q 'polling .*orgs/.*(organization).*pageSize 100,.*maxRequestsPerMinute 50/min, burst 10' "$H_INTERNAL"
h_check "120 events arrive on the limited input" h_wait_lines "$H_DIR/out-lim.log" 120 30
h_check "its first 12 requests span at least 1.9 s (300 a minute after a burst of 2)" \
	jq -e '[.[].ms] as $t | ($t | length) >= 12 and $t[11] - $t[0] >= 1900' <(m_requests lim)

# new events: the next walk re-reads the overlap and delivers only those
n=$(m_requests org | jq length)
org_gen org 7 60 30
m_oracle org x >"$H_DIR/oracle2.jsonl"
h_check "the 7 new events arrive" h_wait_lines "$H_DIR/out.log" 457 30
more_polls org
h_check "still exactly the served events, once each, in processing order" cmp "$H_DIR/oracle2.jsonl" "$H_DIR/out.log"
m_requests org | jq -c ".[$n:][] | select(.cursor | not) | .params" >"$H_DIR/later.json"
h_check "later walks send from/to again (no cursor is kept between walks)" test -s "$H_DIR/later.json"
stats_again
h_check "impstats: submitted 457, duplicates > 0 (the overlap re-read)" \
	bash -c "grep '\"name\": \"imconfluence(127.0.0.1)\"' '$H_DIR/stats.log' | tail -n1 | sed 's/^[^{]*//' |
		jq -e '.submitted == 457 and .duplicates > 0 and .\"cursor.drops\" == 0'"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
st=$(ls "$H_DIR"/work/imconfluence-127.0.0.1-*.state | head -n1)
h_check "the state file is version 2 with the org in its base_url, and no cursor between walks" \
	jq -e '.version == 2 and (.base_url | endswith("/admin/v1/orgs/'$ORG_ID'")) and .flavor == "organization" and .api_cursor == null and (.ids | length) > 0' "$st"
h_done
