#!/bin/bash
# The state file is never guessed around: a corrupt one, or one written for
# another url, pauses the input with a clear error (nothing lost, nothing
# repeated, no request sent); removing it resumes the input within a
# polling interval, without a restart. Temp files left by a crash are
# removed. A relative stateFile without a workDirectory is refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_state

m_start dc --flavor datacenter --events 0 || exit 1
m_gen dc 40 600 60
ST=$H_DIR/work/site.state
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" stateFile="site.state" pollingInterval="1" initialLookback="3600"
      excludeActions=["atlassian.audit.event.action.audit.search"] ruleset="r")
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF

printf '{"version":1,"base_url":"http://127.0.0.1:1/","flav' >"$ST"
touch "$ST.tmp.AbC123"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "corrupt state: a clear error that says what to do" \
	h_wait_grep "$H_INTERNAL" "imconfluence\\(127.0.0.1\\): state file $ST: not valid JSON \\(truncated.*This input is paused so that no event is lost or repeated; repair, move or delete the file" 10
stats_again 2 # two seconds' reports: the paused input had its chances to repeat it
h_check "corrupt state: the error is not repeated every second" test "$(grep -c 'is paused' "$H_INTERNAL")" = 1
h_check "corrupt state: no request was sent" test "$(m_requests dc | jq length)" = 0
h_check "corrupt state: the file was left as it was" grep -q '"flav$' "$ST"
h_check "the crash's temp file was removed" test ! -e "$ST.tmp.AbC123"
rm -f "$ST"
h_check "after deleting it, the input resumes without a restart" h_wait_lines "$H_DIR/out.log" 40 10
h_stop 10

# a valid state file of another site
sed "s|\"base_url\":\"[^\"]*\"|\"base_url\":\"https://other.example/\"|" "$ST" >"$ST.new" && mv "$ST.new" "$ST"
m_gen dc 5 30 20
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "another site's state: paused with the reason" h_wait_grep "$H_INTERNAL" "state file $ST belongs to another url \\(https://other.example/\\)" 10
stats_again 2 # the paused input had its chances to deliver
h_check "another site's state: nothing was delivered" test "$(grep -c '' "$H_DIR/out.log")" = 40
h_stop 10

# no workDirectory and a relative stateFile
cat >"$H_DIR/nowd.conf" <<EOF
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" url="$M_URL_dc" stateFile="relative.state")
action(type="omfile" file="$H_DIR/nowd.log")
EOF
h_rsyslogd -N1 -f "$H_DIR/nowd.conf" >"$H_DIR/nowd.out" 2>&1
h_check "no workDirectory + relative stateFile: refused with a reason" grep -q "no global(workDirectory=...) is set" "$H_DIR/nowd.out"
h_done
