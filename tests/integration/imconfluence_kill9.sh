#!/bin/bash
# 20,000 events of history backfilled across three kill -9 of rsyslogd:
# nothing is lost, and each kill repeats at most one page (the chunk in
# flight between handing events to rsyslog and saving the state).
# The ruleset runs on a direct queue, so what rsyslog accepted is in the
# output file before the state says so; with an in-memory queue, kill -9
# loses what that queue holds (rsyslog's documented trade-off).
#
# Per product (thin wrappers imconfluence_kill9_<product>.sh):
#   PRODUCT=confluence|jira|bitbucket   the Data Center API (one auditing
#                                       plugin), events in that product's shape
#   PRODUCT=jira-cloud                  Jira Cloud's audit records (offset
#                                       paging, sorted hand-over); deduplicated
#                                       by record id, not one duplicate
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
PRODUCT=${PRODUCT:-confluence}
h_init "imconfluence_kill9$([ "$PRODUCT" = confluence ] || echo "_$PRODUCT")"
PAGE=500

now_ms=$(($(date +%s) * 1000))
if [ "$PRODUCT" = jira-cloud ]; then
	API=jira-cloud
	m_start dc --flavor jira-cloud --jira-total-extra 3 --events 0 || exit 1
	input_product='flavor="cloud" product="jira"'
else
	API=datacenter
	m_start dc --flavor datacenter --product "$PRODUCT" --events 0 || exit 1
	# Confluence: no product parameter, its default
	[ "$PRODUCT" = confluence ] && input_product= || input_product="product=\"$PRODUCT\""
fi
m_ctl dc POST /__mock/generate '{"count":20000,"ts_from_ms":'$((now_ms - 20 * 3600000))',"ts_to_ms":'$((now_ms - 60000))'}' >/dev/null
m_oracle dc $API exclude_search=1 >"$H_DIR/oracle.jsonl"
# slow every answer down a little, so the kills land in the middle
m_ctl dc POST /__mock/faults '{"kind":"slow","seconds":0.1,"count":100000}' >/dev/null

icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" $input_product pageSize="$PAGE" pollingInterval="1"
      initialLookback="86400" ruleset="r" excludeActions=["atlassian.audit.event.action.audit.search"])
ruleset(name="r" queue.type="direct") {
	action(type="omfile" file="$H_DIR/out.log" template="msgonly" flushOnTXEnd="on")
}
EOF
kills=0
for target in 4000 9000 14000; do
	h_start || { h_fail "rsyslogd starts"; h_done; }
	h_wait_lines "$H_DIR/out.log" "$target" 60 || break
	h_kill9
	kills=$((kills + 1))
	echo "# killed at $(wc -l <"$H_DIR/out.log") lines"
done
h_check "rsyslogd was killed 3 times during the backfill" test "$kills" = 3
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the backfill completes" h_wait_lines "$H_DIR/out.log" 20000 60
more_polls dc # further polls must not add anything
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
check_untorn "$H_DIR/out.log" "$H_DIR/oracle.jsonl" "$kills"
lost=$(missing "$H_DIR/out.log" "$H_DIR/oracle.jsonl")
rep=$(dup_count "$H_DIR/out.log")
h_check "0 events lost (of $(grep -c '' "$H_DIR/oracle.jsonl"))" test "$lost" = 0
h_check "at most one page repeated per kill ($rep repeated, limit $((3 * PAGE)))" test "$rep" -le $((3 * PAGE))
h_check "exactly the 20000 oracle events, each at least once" test "$(sort -u "$H_DIR/out.log" | wc -l)" = 20000
if [ "$API" = jira-cloud ]; then
	jq -r .id "$H_DIR/out.log" | sort -u >"$H_DIR/ids.out"
	jq -r .id "$H_DIR/oracle.jsonl" | sort -u >"$H_DIR/ids.oracle"
	h_check "deduplicated by record id: exactly the 20000 served records, 0 duplicates" \
		cmp "$H_DIR/ids.oracle" "$H_DIR/ids.out"
	h_check "the state file keeps the delivered ids (version 2)" \
		test "$(jq '.version == 2 and (.ids | length) > 0' "$H_DIR"/work/imconfluence-127.0.0.1-jira-*.state)" = true
else
	h_check "the state file is named for the product" \
		test "$(ls "$H_DIR"/work/imconfluence-127.0.0.1-*.state | grep -c -- "-$PRODUCT-")" = "$([ "$PRODUCT" = confluence ] && echo 0 || echo 1)"
fi
h_check "no temp state file is left" bash -c "! ls '$H_DIR'/work/*.tmp.* 2>/dev/null | grep -q ."
h_done
