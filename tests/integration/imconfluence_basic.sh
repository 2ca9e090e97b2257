#!/bin/bash
# imconfluence basics through the real rsyslogd against the mock, for both
# APIs: every event of the initial lookback arrives once, oldest first, as
# the exact compact JSON the API served, with the event time as timestamp,
# the Confluence host as hostname, $inputname imconfluence and the
# configured tag/facility/severity; requests carry the window and paging
# parameters; new events arrive on the next poll; excludeActions drops the
# self-generated DC search events; counters appear in impstats.
# PRODUCT=jira|bitbucket (thin wrappers imconfluence_basic_<product>.sh):
# the Data Center input polls that product's events (the same API) with
# product="<product>", and $!metadata!product says so on every message;
# an event of that product written late into the overlap arrives once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
PRODUCT=${PRODUCT:-confluence}
h_init "imconfluence_basic$([ "$PRODUCT" = confluence ] || echo "_$PRODUCT")"
# Confluence: no product parameter, its default
[ "$PRODUCT" = confluence ] && dc_product= || dc_product="product=\"$PRODUCT\""

now_ms=$(($(date +%s) * 1000))
m_start dc --flavor datacenter --product "$PRODUCT" --events 0 || exit 1
m_start cl --flavor cloud --events 0 || exit 1
# 450 events over the last 2 hours (pageSize 100: several slices), with ties
gen='{"count":450,"ts_from_ms":'$((now_ms - 7200000))',"ts_to_ms":'$((now_ms - 120000))'}'
m_ctl dc POST /__mock/generate "$gen" >/dev/null
m_ctl cl POST /__mock/generate "$gen" >/dev/null
m_oracle dc datacenter >"$H_DIR/oracle-dc.jsonl"
m_oracle cl cloud >"$H_DIR/oracle-cl.jsonl"

icf_conf <<EOF
template(name="meta" type="string" string="%\$!metadata!product% %\$!metadata!site%\n")
input(type="imconfluence" url="$M_URL_dc" flavor="datacenter" $dc_product pageSize="100" pollingInterval="1"
      initialLookback="10800" ruleset="dc" tag="confluence-dc" facility="local3" severity="notice"
      excludeActions=["atlassian.audit.event.action.audit.search"])
input(type="imconfluence" url="$M_URL_cl" flavor="cloud" pageSize="100" pollingInterval="1"
      initialLookback="10800" ruleset="cl")
ruleset(name="dc") {
	action(type="omfile" file="$H_DIR/out-dc.log" template="msgonly")
	action(type="omfile" file="$H_DIR/props-dc.log" template="props")
	action(type="omfile" file="$H_DIR/gen-dc.log" template="gen")
	action(type="omfile" file="$H_DIR/meta-dc.log" template="meta")
}
ruleset(name="cl") { action(type="omfile" file="$H_DIR/out-cl.log" template="msgonly") }
EOF
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "DC: 450 events arrive" h_wait_lines "$H_DIR/out-dc.log" 450 30
h_check "Cloud: 450 events arrive" h_wait_lines "$H_DIR/out-cl.log" 450 30
more_polls dc cl # another poll of each: nothing more may come
h_check "DC: exactly the served bytes, oldest first" cmp "$H_DIR/oracle-dc.jsonl" "$H_DIR/out-dc.log"
h_check "Cloud: exactly the served bytes, oldest first" cmp "$H_DIR/oracle-cl.jsonl" "$H_DIR/out-cl.log"

# message properties
first_ts=$(head -n1 "$H_DIR/oracle-dc.jsonl" | jq -r .timestamp)
line=$(head -n1 "$H_DIR/props-dc.log")
want_ts=$(date -u -d "$first_ts" +%Y-%m-%dT%H:%M:%S.%3N)
h_check "timestamp is the event time ($first_ts)" grep -q "^${want_ts}" <<<"$line"
gen=$(head -n1 "$H_DIR/gen-dc.log")
h_check "timegenerated is when the event was read, not the event time ($gen)" \
	test $(( $(date +%s) - ${gen:-0} )) -lt 300
h_check "hostname, tag, inputname, facility.severity" \
	grep -q "^[^ ]* 127.0.0.1 confluence-dc imconfluence local3.notice {" <<<"$line"
h_check "DC: $PRODUCT-shaped events were served" \
	test "$(head -n 1 "$H_DIR/oracle-dc.jsonl" | jq -r .system)" = \
	"$(case $PRODUCT in jira) echo https://jira.example.com/jira;; bitbucket) echo http://bitbucket.internal:7990;;
		*) echo http://confluence.internal:8090;; esac)"
h_check "\$!metadata!product is \"$PRODUCT\" (and !site the url) on every message" \
	test "$(sort -u "$H_DIR/meta-dc.log")" = "$PRODUCT $M_URL_dc"

# the wire: DC from/to ISO (encoded), limit; Cloud epoch ms, start, limit
m_requests dc >"$H_DIR/req-dc.json"
m_requests cl >"$H_DIR/req-cl.json"
h_check "DC requests carry from/to/limit=100" \
	test "$(jq '[.[] | select(.params.from and .params.to and .params.limit == "100")] | length' "$H_DIR/req-dc.json")" \
	= "$(jq length "$H_DIR/req-dc.json")"
h_check "DC window bounds are sent percent-encoded" \
	grep -q 'from=[0-9-]*T[0-9][0-9]%3[aA]' <<<"$(jq -r '.[0].query' "$H_DIR/req-dc.json")"
# Elastic issue 18138: a `from` without a zone returns nothing on Atlassian's
# side; every bound we send names its offset (UTC, "Z" or "+00:00")
h_check "DC from/to carry an explicit UTC offset" \
	test "$(jq '[.[] | select((.params.from + " " + .params.to) | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+]00:00) [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+]00:00)$"))] | length' "$H_DIR/req-dc.json")" \
	= "$(jq length "$H_DIR/req-dc.json")"
h_check "Cloud requests carry startDate/endDate (epoch ms), start, limit" \
	test "$(jq '[.[] | select((.params.startDate|test("^[0-9]+$")) and (.params.endDate|test("^[0-9]+$")) and .params.start and .params.limit == "100")] | length' "$H_DIR/req-cl.json")" \
	= "$(jq length "$H_DIR/req-cl.json")"
h_check "Cloud requests go to /wiki/rest/api/audit" \
	test "$(jq -r '[.[].path] | unique | join(",")' "$H_DIR/req-cl.json")" = "/wiki/rest/api/audit"
h_check "requests carry our version as User-Agent (rsyslog-imconfluence/$CFL_PACKAGE_VERSION)" \
	test "$(jq -r '[.[].user_agent] | unique | join(",")' "$H_DIR/req-dc.json" "$H_DIR/req-cl.json" | sort -u)" \
	= "rsyslog-imconfluence/$CFL_PACKAGE_VERSION"
h_check "the start-up line names our version" \
	grep -q "imconfluence(127.0.0.1): polling .*rsyslog-imconfluence/$CFL_PACKAGE_VERSION)" "$H_INTERNAL"

# new events are picked up by the next poll, once
m_ctl dc POST /__mock/events '[{"timestamp":"'"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"'","type":{"category":"Users and groups","actionI18nKey":"audit.logging.summary.user.created","action":"User created"},"author":{"name":"new","type":"user"},"source":"192.0.2.1"}]' >/dev/null
h_check "DC: a new event arrives on the next poll" h_wait_lines "$H_DIR/out-dc.log" 451 15
m_ctl cl POST /__mock/events '[{"creationDate":'"$(($(date +%s) * 1000))"',"summary":"User created","category":"Users and groups","author":{"type":"user","displayName":"new"},"remoteAddress":"192.0.2.1"}]' >/dev/null
h_check "Cloud: a new event arrives on the next poll" h_wait_lines "$H_DIR/out-cl.log" 451 15
# a $PRODUCT event written late: dated 20 s ago, visible only 2 s from now
late=$(head -n 1 "$H_DIR/oracle-dc.jsonl" | jq -c --arg t "$(date -u -d '20 seconds ago' +%Y-%m-%dT%H:%M:%S.000Z)" \
	'.timestamp = $t | .source = "192.0.2.9"')
m_ctl dc POST /__mock/events '[{"event":'"$late"',"visible_after":2}]' >/dev/null
h_check "DC: an event written late into the overlap arrives" h_wait_lines "$H_DIR/out-dc.log" 452 15
more_polls dc cl && more_polls dc cl # a few more polls re-read the overlap
stats_again
h_check "DC: no event is repeated" test "$(dup_count "$H_DIR/out-dc.log")" = 0
h_check "Cloud: no event is repeated" test "$(dup_count "$H_DIR/out-cl.log")" = 0
h_check "DC: the self-generated search events were excluded" bash -c "! grep -q 'audit.search' '$H_DIR/out-dc.log'"
h_check "DC: and the mock did log them" test "$(m_oracle dc datacenter | grep -c 'audit.search')" -gt 0
h_check "impstats: submitted=452 for the DC input" test "$(icf_stats "$H_DIR/stats.log" submitted "imconfluence(127.0.0.1)\"")" = 452
h_check "impstats: the DC input counted excluded search events" test "$(icf_stats "$H_DIR/stats.log" excluded "imconfluence(127.0.0.1)\"")" -gt 0
h_check "impstats: duplicates (overlap re-reads) are counted" test "$(icf_stats "$H_DIR/stats.log" duplicates "imconfluence(127.0.0.1)-2")" -gt 0
h_check "impstats: cursor.lag is small" test "$(icf_stats "$H_DIR/stats.log" cursor.lag "imconfluence(127.0.0.1)\"")" -lt 10
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "state files are in the work directory" test "$(ls "$H_DIR"/work/imconfluence-127.0.0.1-*.state | wc -l)" = 2
h_check "the product names its state file (Confluence: the name it always had)" \
	test "$(ls "$H_DIR"/work/ | grep -c -- "-$PRODUCT-")" = "$([ "$PRODUCT" = confluence ] && echo 0 || echo 1)"
h_check "no error was logged" bash -c "! grep -i 'imconfluence.*error\|rsyslogd-[0-9]' '$H_INTERNAL' | grep -v 'rsyslogd-2039'"
h_done
