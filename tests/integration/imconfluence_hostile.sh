#!/bin/bash
# A hostile or broken Confluence server, through the real
# rsyslogd, one mock per behaviour, all inputs in one rsyslogd:
#   clodd  Cloud, page 1 also holds events dated -1000, 0, "1700000000000
#           \u0000x" and 9999-12-31: every event arrives (before: 45 of
#           300, paging stopped at page 1), the odd ones too, counted in
#           events.oddtime; the cursor is not in the future; a new event
#           still arrives;
#   dcodd  Data Center, page 1 also holds "1970-01-01T00:00:00.000Z": the
#           same;
#   amp     Cloud, pageSize 100, a gzip reply of 200,000 "{}" events: refused
#           with a clear error (before: 200,000 messages of "{}"), then the
#           real events arrive;
#   lc      Data Center, a 5,002-byte nextPageCursor on page 1: its 100
#           events are handed over at once and the rest with the next poll,
#           logged once (before: "cannot build a request URL" every poll,
#           nothing delivered);
#   hdr     a 1 MB header line: the log says what was wrong (before: "Out of
#           memory");
#   deep    Data Center, page 1 also holds an event nested 100,000 deep: the
#           page's good events arrive, the bad one as the text it was sent
#           as (mmconfluence makes it a pipeline_error) (before: the page was
#           rejected whole and retried forever, nothing arrived);
#   twin    Cloud, three genuinely identical events: all three
#           arrive, with $!metadata!copy absent, 1 and 2, and the overlap
#           re-reads deliver none of them again;
#   shuf    Cloud, a server that reshuffles its pages on every request (10
#           events within the overlap): every event arrives once (before:
#           repeats, as each walk pruned what it had handed over).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_hostile

# room for the injected events on page 1: the mock pages by 45, we ask 50
m_start clodd --flavor cloud --events 0 --max-limit 45 || exit 1
m_start dcodd --flavor datacenter --events 0 --max-limit 45 || exit 1
m_start amp --flavor cloud --events 0 || exit 1
m_start lc --flavor datacenter --events 0 || exit 1
m_start hdr --flavor datacenter --events 0 || exit 1
m_start shuf --flavor cloud --events 0 || exit 1
m_start deep --flavor datacenter --events 0 --max-limit 49 || exit 1
m_start twin --flavor cloud --events 0 || exit 1
m_gen clodd 300 600 5
m_gen dcodd 300 600 5
m_gen amp 30 600 5
m_gen lc 150 600 5
m_gen hdr 10 600 5
m_gen shuf 10 40 5
m_gen deep 120 600 5
ts=$(( ($(date +%s) - 30) * 1000 ))
ev='{"creationDate":'$ts',"summary":"User added to group","category":"Users and groups","remoteAddress":"192.0.2.10"}'
m_ctl twin POST /__mock/events "[$ev,$ev,$ev]" >/dev/null

odd_cl='["{\"creationDate\":-1000,\"summary\":\"hostile: -1000\"}","{\"creationDate\":0,\"summary\":\"hostile: 0\"}","{\"creationDate\":\"1700000000000\\u0000x\",\"summary\":\"hostile: NUL\"}","{\"creationDate\":253402300799999,\"summary\":\"hostile: 9999\"}"]'
# sticky: the odd events stay at the head of the server's list (they take
# offsets like any event, and every poll's page 1 shows them again)
m_ctl clodd POST /__mock/faults '{"kind":"inject","sticky":true,"events":'"$odd_cl"'}' >/dev/null
m_ctl dcodd POST /__mock/faults '{"kind":"inject","events":["{\"timestamp\":\"1970-01-01T00:00:00.000Z\",\"type\":{\"actionI18nKey\":\"hostile.epoch\"},\"source\":\"192.0.2.66\"}"]}' >/dev/null
m_ctl amp POST /__mock/faults '{"kind":"amplify","n":200000,"event":"{}","gzip":true}' >/dev/null
m_ctl lc POST /__mock/faults '{"kind":"long_cursor","bytes":5002}' >/dev/null
m_ctl hdr POST /__mock/faults '{"kind":"big_header","bytes":1048576}' >/dev/null
m_ctl shuf POST /__mock/faults '{"kind":"reshuffle"}' >/dev/null
"$PYTHON3" -c 'import json, sys; ev = "{\"timestamp\":\"1999-01-01T00:00:00.000Z\",\"deep\":" + "[" * 100000 + "]" * 100000 + "}"; print(json.dumps({"kind": "inject", "count": 1000, "first_page": True, "at": "end", "events": [ev]}))' >"$H_DIR/deep.json"
# (200 KB: more than one command-line argument may hold)
curl -sS --noproxy '*' -X POST -H 'Content-Type: application/json' --data-binary @"$H_DIR/deep.json" \
	"$M_URL_deep/__mock/faults" >/dev/null

common='pollingInterval="1" initialLookback="3600" timeout="5" maxBackoff="2"'
excl='excludeActions=["atlassian.audit.event.action.audit.search"]'
{
	cat <<EOF
input(type="imconfluence" name="clodd" url="$M_URL_clodd" flavor="cloud" pageSize="50" overlap="60" $common ruleset="clodd")
input(type="imconfluence" name="dcodd" url="$M_URL_dcodd" flavor="datacenter" pageSize="50" overlap="60" $common $excl ruleset="dcodd")
input(type="imconfluence" name="amp" url="$M_URL_amp" flavor="cloud" pageSize="100" overlap="60" $common ruleset="amp")
input(type="imconfluence" name="lc" url="$M_URL_lc" flavor="datacenter" pageSize="100" overlap="60" $common $excl ruleset="lc")
input(type="imconfluence" name="hdr" url="$M_URL_hdr" flavor="datacenter" pageSize="100" overlap="60" $common $excl ruleset="hdr")
input(type="imconfluence" name="deep" url="$M_URL_deep" flavor="datacenter" pageSize="50" overlap="60" $common $excl ruleset="deep")
input(type="imconfluence" name="twin" url="$M_URL_twin" flavor="cloud" pageSize="5" overlap="60" $common ruleset="twin")
input(type="imconfluence" name="shuf" url="$M_URL_shuf" flavor="cloud" pageSize="2" overlap="120" $common ruleset="shuf")
EOF
	for r in clodd dcodd amp lc hdr shuf deep; do
		echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$H_DIR/out-$r.log\" template=\"msgonly\") }"
	done
	echo 'template(name="copy" type="string" string="[%$!metadata!copy%] %msg%\n")'
	echo "ruleset(name=\"twin\") { action(type=\"omfile\" file=\"$H_DIR/out-twin.log\" template=\"copy\") }"
} | icf_conf
h_start || { h_fail "rsyslogd starts"; h_done; }

# ---- odd times ----
h_check "clodd: 300 events and the 4 odd ones arrive" h_wait_lines "$H_DIR/out-clodd.log" 304 30
h_check "dcodd: 300 events and the odd one arrive" h_wait_lines "$H_DIR/out-dcodd.log" 301 30
m_oracle clodd cloud >"$H_DIR/oracle-clodd.jsonl"
m_oracle dcodd datacenter exclude_search=1 >"$H_DIR/oracle-dcodd.jsonl"
for r in clodd dcodd; do
	h_check "$r: no event lost" test "$(missing "$H_DIR/out-$r.log" "$H_DIR/oracle-$r.jsonl")" = 0
done
for v in "-1000" '0' 'NUL' '9999'; do
	h_check "clodd: the odd event ($v) was delivered" grep -q "\"summary\":\"hostile: $v\"" "$H_DIR/out-clodd.log"
done
h_check "dcodd: the 1970 event was delivered" grep -q 'hostile.epoch' "$H_DIR/out-dcodd.log"
h_check "odd times were warned about" h_wait_grep "$H_INTERNAL" "dated before 2004 or more than 86400 s ahead" 10
stats_again
h_check "clodd: events.oddtime counts -1000, 0 and 9999 ($(icf_stats "$H_DIR/stats.log" events.oddtime 'imconfluence(clodd)'))" \
	test "$(icf_stats "$H_DIR/stats.log" events.oddtime 'imconfluence(clodd)')" -ge 3
h_check "clodd: the cursor is not in the future (cursor.ahead = 0)" \
	test "$(icf_stats "$H_DIR/stats.log" cursor.ahead 'imconfluence(clodd)')" = 0
m_gen clodd 1 1 1
h_check "clodd: a new event still arrives" h_wait_lines "$H_DIR/out-clodd.log" 305 20

# ---- amplification ----
h_check "amp: the page of 200,000 events is refused and says why" \
	h_wait_grep "$H_INTERNAL" "imconfluence\(.*\): unusable reply .*more than 100 events, more than the limit" 20
h_check "amp: the 30 real events arrive after it" h_wait_lines "$H_DIR/out-amp.log" 30 30
h_check "amp: not one of the 200,000 \"{}\" went out" bash -c "! grep -qx '{}' '$H_DIR/out-amp.log'"

# ---- an unusable cursor ----
h_check "lc: all 150 events arrive" h_wait_lines "$H_DIR/out-lc.log" 150 30
h_check "lc: the cursor was reported" grep -q "nextPageCursor of 5002 bytes" "$H_INTERNAL"
h_check "lc: no request URL failed to build" bash -c "! grep -q 'request URL' '$H_INTERNAL'"

# ---- a 1 MB header line ----
h_check "hdr: the events arrive after it" h_wait_lines "$H_DIR/out-hdr.log" 10 30
h_check "hdr: the log names the header problem" grep -q "header line longer than libcurl accepts" "$H_INTERNAL"

# ---- an event nested 100,000 deep ----
h_check "deep: the 120 good events arrive" h_wait_lines "$H_DIR/out-deep.log" 120 30
m_oracle deep datacenter exclude_search=1 >"$H_DIR/oracle-deep.jsonl"
h_check "deep: none of them lost" test "$(missing "$H_DIR/out-deep.log" "$H_DIR/oracle-deep.jsonl")" = 0
h_check "deep: the bad one went through as sent" grep -q '^{"timestamp":"1999-01-01T00:00:00.000Z","deep":\[\[\[' "$H_DIR/out-deep.log"
h_check "deep: it was warned about" h_wait_grep "$H_INTERNAL" "nested too deep to read; delivered as they were sent" 10

# ---- identical events ----
h_check "twin: the three identical events arrive" h_wait_lines "$H_DIR/out-twin.log" 3 30
more_polls twin
h_check "twin: numbered: no copy, copy 1, copy 2; none again" \
	test "$(sed "s/ .*//" "$H_DIR/out-twin.log" | sort | tr "\\n" " ")" = "[1] [2] [] "

# ---- reshuffled pages ----
h_wait_lines "$H_DIR/out-shuf.log" 10 30
more_polls shuf
more_polls shuf
m_ctl shuf DELETE /__mock/faults >/dev/null
more_polls shuf
more_polls shuf

h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
for r in clodd dcodd amp lc hdr shuf deep; do
	h_check "$r: no event was repeated" test "$(dup_count "$H_DIR/out-$r.log")" = 0
done
m_oracle shuf cloud >"$H_DIR/oracle-shuf.jsonl"
h_check "shuf: every event arrived" test "$(missing "$H_DIR/out-shuf.log" "$H_DIR/oracle-shuf.jsonl")" = 0
m_oracle lc datacenter exclude_search=1 >"$H_DIR/oracle-lc.jsonl"
h_check "lc: no event lost" test "$(missing "$H_DIR/out-lc.log" "$H_DIR/oracle-lc.jsonl")" = 0
h_done
