#!/bin/bash
# Jira Cloud's audit records (product="jira" with a Cloud url) through the
# real rsyslogd against the mock, which overstates `total` as Jira does:
# every record of the lookback arrives once, oldest first, as the exact
# compact JSON served; the requests carry offset/limit and explicit +0000
# bounds, `to` fixed for a walk, offsets advancing by the records received,
# and each walk ends at its first empty page; a new record, a record
# written late into the overlap, and a 429 with Retry-After (the same
# request, after the wait) lose and repeat nothing. flavor="auto" on
# *.atlassian.net with product="jira" picks this API (decision 16), and
# Bitbucket with a Cloud url is refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_jira_cloud

# rec ID CREATED_MS SUMMARY: a Jira Cloud record
rec() {
	local iso
	iso=$(date -u -d "@$(($2 / 1000)).$(printf %03d $(($2 % 1000)))" +%Y-%m-%dT%H:%M:%S.%3N+0000)
	echo '{"id":'"$1"',"summary":"'"$3"'","created":"'"$iso"'","category":"user management","eventSource":"","objectItem":{"id":"u'"$1"'","name":"u'"$1"'","typeName":"USER"}}'
}

now_ms=$(($(date +%s) * 1000))
m_start jc --flavor jira-cloud --jira-total-extra 7 --events 0 || exit 1
m_ctl jc POST /__mock/generate '{"count":450,"ts_from_ms":'$((now_ms - 7200000))',"ts_to_ms":'$((now_ms - 120000))'}' >/dev/null
m_oracle jc jira-cloud >"$H_DIR/oracle.jsonl"

icf_conf <<EOF
template(name="meta" type="string" string="%\$!metadata!product%\n")
input(type="imconfluence" url="$M_URL_jc" flavor="cloud" product="jira" pageSize="100" pollingInterval="1"
      initialLookback="10800" overlap="60" ruleset="jc")
input(type="imconfluence" url="https://example.atlassian.net" product="JIRA" proxy="http://127.0.0.1:9"
      pollingInterval="3600" maxBackoff="3600" stateFile="auto.state" ruleset="none")
ruleset(name="jc") {
	action(type="omfile" file="$H_DIR/out.log" template="msgonly")
	action(type="omfile" file="$H_DIR/meta.log" template="meta")
}
ruleset(name="none") { stop }
EOF
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "450 records arrive" h_wait_lines "$H_DIR/out.log" 450 30
more_polls jc
h_check "exactly the served bytes, oldest first (created, then id)" cmp "$H_DIR/oracle.jsonl" "$H_DIR/out.log"
h_check "\$!metadata!product is jira on every message" test "$(sort -u "$H_DIR/meta.log")" = jira

# the wire
m_requests jc >"$H_DIR/req.json"
h_check "requests go to /rest/api/3/auditing/record" \
	test "$(jq -r '[.[].path] | unique | join(",")' "$H_DIR/req.json")" = /rest/api/3/auditing/record
h_check "requests carry offset, limit=100 and from/to as YYYY-MM-DDTHH:MM:SS.mmm+0000" \
	test "$(jq '[.[] | select((.params.offset | test("^[0-9]+$")) and .params.limit == "100"
		and ((.params.from + " " + .params.to) | test("^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}[+]0000 ?){2}$")))]
		| length' "$H_DIR/req.json")" = "$(jq length "$H_DIR/req.json")"
h_check "the + of the offset is sent percent-encoded" \
	test "$(jq '[.[] | select(.query | test("from=[^&]*%2[bB]0000&to=[^&]*%2[bB]0000"))] | length' "$H_DIR/req.json")" \
	= "$(jq length "$H_DIR/req.json")"
# within a walk (offset > 0): the previous request's from/to, offset + records received
h_check "within a walk to and from stay fixed and offset advances by the records received" \
	test "$(jq '[range(1; length) as $i | .[$i - 1] as $p | .[$i] | select(.params.offset != "0")
		| select(.params.to != $p.params.to or .params.from != $p.params.from
			or (.params.offset | tonumber) != ($p.params.offset | tonumber) + $p.count)] | length' "$H_DIR/req.json")" = 0
h_check "total overstated: walks end at their first empty page (past the real end)" \
	test "$(jq '[.[] | select(.count == 0 and .params.offset != "0")] | length' "$H_DIR/req.json")" -gt 0
h_check "an empty page is never followed by another request of that walk" \
	test "$(jq '[range(1; length) as $i | select(.[$i - 1].count == 0 and .[$i].params.offset != "0")] | length' \
		"$H_DIR/req.json")" = 0

# a new record, then one written late into the overlap (30 s before the newest)
t=$(($(date +%s) * 1000))
m_ctl jc POST /__mock/events "[$(rec 900001 $((t - 1000)) "User created")]" >/dev/null
h_check "a new record arrives on the next walk" h_wait_lines "$H_DIR/out.log" 451 15
more_polls jc
m_ctl jc POST /__mock/events "[$(rec 900002 $((t - 31000)) "User updated")]" >/dev/null
h_check "a record written late into the overlap arrives" h_wait_lines "$H_DIR/out.log" 452 15

# a 429 with Retry-After: the same request again, after the wait
m_ctl jc DELETE /__mock/requests >/dev/null
m_ctl jc POST /__mock/faults '{"kind":"retry_after","flavor":"jira-cloud","value":"2","count":1}' >/dev/null
m_ctl jc POST /__mock/events "[$(rec 900003 $(($(date +%s) * 1000)) "Group created")]" >/dev/null
h_check "after a 429 the record arrives" h_wait_lines "$H_DIR/out.log" 453 20
m_requests jc >"$H_DIR/req429.json"
h_check "the request after the 429 is the same one, sent after Retry-After (2 s)" \
	test "$(jq '[range(1; length) as $i | select(.[$i - 1].status == 429) | .[$i] as $n | .[$i - 1]
		| select($n.query == .query and $n.time - .time >= 1.9)] | length' "$H_DIR/req429.json")" = 1
more_polls jc && more_polls jc # more walks re-read the overlap
stats_again
h_check "no record is repeated" test "$(dup_count "$H_DIR/out.log")" = 0
h_check "453 distinct record ids" test "$(jq -r .id "$H_DIR/out.log" | sort -u | wc -l)" = 453
h_check "impstats: submitted=453" test "$(icf_stats "$H_DIR/stats.log" submitted "imconfluence(127.0.0.1)\"")" = 453
h_check "impstats: re-read records are counted as duplicates" \
	test "$(icf_stats "$H_DIR/stats.log" duplicates "imconfluence(127.0.0.1)\"")" -gt 0
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "the state file is named for jira and keeps the delivered ids" \
	test "$(jq '.version == 2 and .flavor == "jira-cloud" and (.ids | length) > 0' "$H_DIR"/work/imconfluence-127.0.0.1-jira-*.state)" = true
h_check "flavor=auto on *.atlassian.net with product=jira polls Jira Cloud's records (decision 16)" \
	grep -q "imconfluence(example.atlassian.net): polling https://example.atlassian.net/\\? (jira-cloud)" "$H_INTERNAL"

# Bitbucket Cloud has no audit API
cat >"$H_DIR/bb.conf" <<EOF
global(workDirectory="$H_DIR/work")
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" url="https://example.atlassian.net" product="bitbucket" username="u" password="p")
action(type="omfile" file="$H_DIR/bb.log")
EOF
h_rsyslogd -N1 -f "$H_DIR/bb.conf" >"$H_DIR/bb.out" 2>&1
h_check "product=bitbucket with a Cloud url is refused, pointing at the organization log" \
	grep -q 'Bitbucket Cloud has no audit API; use flavor="organization"' "$H_DIR/bb.out"
sed -i 's/product="bitbucket"/product="trello"/' "$H_DIR/bb.conf"
h_rsyslogd -N1 -f "$H_DIR/bb.conf" >"$H_DIR/bb2.out" 2>&1
h_check "an unknown product is refused" grep -q 'product "trello" is not one of confluence, jira, bitbucket' "$H_DIR/bb2.out"
h_done
