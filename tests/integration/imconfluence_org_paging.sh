#!/bin/bash
# flavor="organization" against every answer the open API questions allow
# (the org-audit contract, section 12), one mock each, one rsyslogd:
#   the last page: "next": null / a cursor and then an empty page with
#   null / a cursor on every page, empty ones included;
#   from/to compared with processedAt or with the event time; `from`
#   exclusive; a cursor that keeps the first request's `to`; a server whose
#   largest page is smaller than the limit asked for (37 < 100).
# Each gets a backfill, then new events and late-processed ones (time 30 s
# ago, processed now). Every event arrives exactly once, in processing
# order; an empty page ends a walk even when it carries a cursor (no
# request for a cursor follows an empty page); walks stay short.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_org_paging

MOCKS="nullp emptyp cursorp nullt emptyt cursort strict small"
org_start nullp --last-page null --filter processedAt || exit 1
org_start emptyp --last-page empty --filter processedAt || exit 1
org_start cursorp --last-page cursor --filter processedAt || exit 1
org_start nullt --last-page null --filter time || exit 1
org_start emptyt --last-page empty --filter time || exit 1
org_start cursort --last-page cursor --filter time || exit 1
org_start strict --last-page cursor --filter time --from-exclusive --cursor-keeps-to || exit 1
org_start small --last-page null --max-limit 37 || exit 1

conf=""
for m in $MOCKS; do
	org_gen $m 250 7200 120
	conf="$conf
$(org_input $m 'pageSize="100" pollingInterval="1" initialLookback="10800" overlap="120" stateFile="'$m'.state" ruleset="'$m'"')
ruleset(name=\"$m\") { action(type=\"omfile\" file=\"$H_DIR/out-$m.log\" template=\"msgonly\") }"
done
icf_conf <<<"$conf"
h_start || { h_fail "rsyslogd starts"; h_done; }
for m in $MOCKS; do
	h_check "$m: the 250 events of the backfill arrive" h_wait_lines "$H_DIR/out-$m.log" 250 40
done
# new events, and events processed late: time 30 s ago, processedAt now
for m in $MOCKS; do
	org_gen $m 5 20 10
	now=$(($(date +%s) * 1000))
	org_gen $m 4 35 25 '"processed_ms":'$now
done
for m in $MOCKS; do
	h_check "$m: the new and the late-processed events arrive" h_wait_lines "$H_DIR/out-$m.log" 259 40
done
more_polls $MOCKS
for m in $MOCKS; do
	m_ctl $m GET /__mock/events >"$H_DIR/oracle-$m.jsonl"
	h_check "$m: every event once, in processing order, as served" cmp "$H_DIR/oracle-$m.jsonl" "$H_DIR/out-$m.log"
	m_requests $m >"$H_DIR/req-$m.json"
	h_check "$m: no cursor request follows an empty page" \
		jq -e '. as $r | [range(1; length) | select($r[. - 1].count == 0 and $r[.].cursor)] | length == 0' "$H_DIR/req-$m.json"
	h_check "$m: idle walks take at most 3 requests" \
		jq -e '[.[] | select(.cursor | not)] | length as $walks | ($walks >= 3) and (length <= 3 * $walks + 3)' "$H_DIR/req-$m.json"
done
h_check "the cursor modes answered empty pages with a cursor (what is tested happened)" \
	jq -e 'any(.count == 0 and .cursor)' "$H_DIR/req-cursorp.json"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_done
