#!/bin/bash
# `$RepeatedMsgReduction on` (Ubuntu's default rsyslog.conf sets it) makes
# rsyslog's inputs fold identical consecutive messages -- same text, host,
# tag and pid -- into one plus "message repeated N times". Two audit events
# can be identical (same author, action and millisecond).
# Pins: with it on, imconfluence still hands over every event (it does not
# pass its events through rsyslog's repeat reduction); mmconfluence warns at
# start-up, naming the setting, because imfile/imtcp/imrelp inputs feeding it
# do fold identical lines; with it off there is no warning.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init repeated_msg_reduction

m_start cl --flavor cloud --events 0 || { h_fail "Cloud mock starts"; h_done; }
ts=$(( ($(date +%s) - 600) * 1000 ))
ev='{"author":{"type":"user","displayName":"Ann","accountId":"5b10ac8d82e05b22cc7d4ef5"},"remoteAddress":"192.0.2.10","creationDate":'$ts',"summary":"User added to group","category":"Users and groups","sysAdmin":false,"affectedObject":{"name":"","objectType":""},"changedValues":[],"associatedObjects":[]}'
other='{"author":{"type":"user","displayName":"Bob","accountId":"5b10ac8d82e05b22cc7d4ef6"},"remoteAddress":"192.0.2.11","creationDate":'$((ts + 1000))',"summary":"Space created","category":"Spaces","sysAdmin":false,"affectedObject":{"name":"","objectType":""},"changedValues":[],"associatedObjects":[]}'
m_ctl cl POST /__mock/events "[$ev,$ev,$ev,$other]" >/dev/null

conf() {
	icf_conf <<EOF2
\$RepeatedMsgReduction $1
module(load="$MMCONFLUENCE_SO")
input(type="imconfluence" url="$M_URL_cl" flavor="cloud" pollingInterval="1" initialLookback="3600"
      ruleset="cl" stateFile="$H_DIR/work/cl-$1.state")
ruleset(name="cl") {
	action(type="omfile" file="$H_DIR/out-$1.log" template="msgonly")
	action(type="mmconfluence" rulebase="$CFL_RULEBASES/confluence-audit.rulebase"
	       categories="$CFL_RULEBASES/confluence-categories.json")
}
EOF2
}

conf on
h_start || { h_fail "rsyslogd starts with \$RepeatedMsgReduction on"; h_done; }
h_check "imconfluence hands over all 4 events, the 3 identical ones too" h_wait_lines "$H_DIR/out-on.log" 4 20
h_check "mmconfluence warns about \$RepeatedMsgReduction at start-up" \
	h_wait_grep "$H_INTERNAL" 'mmconfluence: .*RepeatedMsgReduction' 5
h_stop 10
h_check "the three identical events are all there" test "$(grep -c '"Ann"' "$H_DIR/out-on.log")" = 3
h_check "and no 'message repeated' line replaced any" test "$(grep -c 'repeated' "$H_DIR/out-on.log")" = 0

: >"$H_INTERNAL"
conf off
h_start || { h_fail "rsyslogd starts with \$RepeatedMsgReduction off"; h_done; }
h_check "off: all 4 events" h_wait_lines "$H_DIR/out-off.log" 4 20
h_stop 10
h_check "off: no warning" bash -c "! grep -q RepeatedMsgReduction '$H_INTERNAL'"
h_done
