#!/bin/bash
# Authentication: a token (Bearer) wins over basic; passwordFile/tokenFile
# are read at start; a 401 and a 403 each log one clear error and the input
# keeps trying at the polling interval; the secrets never appear in
# rsyslogd's messages; conflicting settings are configuration errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_auth

PW='Pw-7d1c-SECRET'
TOK='Tok-93f0-SECRET'
m_start ok --flavor datacenter --events 0 --user alice --password "$PW" --token "$TOK" || exit 1
m_start forbid --flavor cloud --events 0 --user alice --password "$PW" || exit 1
m_gen ok 30 600 60
m_gen forbid 30 600 60
m_ctl forbid POST /__mock/faults '{"kind":"status","status":403,"count":1000}' >/dev/null
printf '%s\n' "$PW" >"$H_DIR/pw"
printf '%s\n' "$TOK" >"$H_DIR/tok"
chmod 600 "$H_DIR/pw" "$H_DIR/tok"
printf '%s\n' "$PW" >"$H_DIR/pw-open"
chmod 644 "$H_DIR/pw-open"

# one input per case against the same mock, told apart by pageSize (= limit)
common='pollingInterval="1" initialLookback="3600" overlap="5" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_ok" stateFile="tokwins" token="$TOK" username="alice" password="wrong"
      pageSize="101" ruleset="tokwins" $common)
input(type="imconfluence" url="$M_URL_ok" stateFile="pwfile" username="alice" passwordFile="$H_DIR/pw"
      pageSize="102" ruleset="pwfile" $common)
input(type="imconfluence" url="$M_URL_ok" stateFile="tokfile" tokenFile="$H_DIR/tok"
      pageSize="103" ruleset="tokfile" $common)
input(type="imconfluence" url="$M_URL_ok" stateFile="badpw" username="alice" password="not-the-password"
      pageSize="104" ruleset="badpw" $common)
input(type="imconfluence" url="$M_URL_ok" stateFile="openfile" username="alice" passwordFile="$H_DIR/pw-open"
      pageSize="105" ruleset="openfile" $common)
input(type="imconfluence" url="$M_URL_forbid" flavor="cloud" username="alice" password="$PW"
      ruleset="forbid" $common)
ruleset(name="tokwins") { action(type="omfile" file="$H_DIR/out-tokwins.log" template="msgonly") }
ruleset(name="pwfile") { action(type="omfile" file="$H_DIR/out-pwfile.log" template="msgonly") }
ruleset(name="tokfile") { action(type="omfile" file="$H_DIR/out-tokfile.log" template="msgonly") }
ruleset(name="badpw") { action(type="omfile" file="$H_DIR/out-badpw.log" template="msgonly") }
ruleset(name="openfile") { action(type="omfile" file="$H_DIR/out-openfile.log" template="msgonly") }
ruleset(name="forbid") { action(type="omfile" file="$H_DIR/out-forbid.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "token + username/password: events arrive" h_wait_lines "$H_DIR/out-tokwins.log" 30 20
h_check "passwordFile: events arrive" h_wait_lines "$H_DIR/out-pwfile.log" 30 20
h_check "tokenFile: events arrive" h_wait_lines "$H_DIR/out-tokfile.log" 30 20
h_check "a group-readable passwordFile works, with a warning" h_wait_lines "$H_DIR/out-openfile.log" 30 20
h_check "the warning names the file's mode" grep -q "pw-open\" is readable by group or others (mode 644)" "$H_INTERNAL"
# several polling intervals with the failing inputs
wait_requests ok 3 20 '.params.limit == "104"'
wait_requests forbid 3 20
stats_again
m_requests ok >"$H_DIR/req.json"
auth_of() { jq -r "[.[] | select(.params.limit == \"$1\") | .auth] | unique | join(\",\")" "$H_DIR/req.json"; }
h_check "token wins over basic: only Bearer was sent ($(auth_of 101))" test "$(auth_of 101)" = bearer
h_check "passwordFile: basic as alice ($(auth_of 102))" test "$(auth_of 102)" = basic:alice
h_check "tokenFile: Bearer ($(auth_of 103))" test "$(auth_of 103)" = bearer
h_check "bad password: basic as alice was tried" test "$(auth_of 104)" = basic:alice
n401=$(jq '[.[] | select(.params.limit == "104")] | length' "$H_DIR/req.json")
h_check "401: retried at the polling interval ($n401 requests in ~5 s)" test "$n401" -ge 3 -a "$n401" -le 8
h_check "401: one clear error" test "$(grep -c 'authentication failed (HTTP 401): check username' "$H_INTERNAL")" = 1
h_check "401: nothing delivered" test ! -s "$H_DIR/out-badpw.log"
h_check "403: one clear error naming the permission and the Free plan" \
	test "$(grep -c 'access denied (HTTP 403): reading the audit log needs the Confluence Administrator permission, and Confluence Cloud.s Free plan has no audit log' "$H_INTERNAL")" = 1
h_check "403: retried at the polling interval" test "$(m_requests forbid | jq length)" -ge 3
h_check "impstats: http.4xx counts the 401s" test "$(grep 'badpw\|imconfluence(127.0.0.1)-4"' "$H_DIR/stats.log" | tail -n1 | sed -n 's/.*"http.4xx": \([0-9]*\).*/\1/p')" -ge 3
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "no secret in rsyslogd's messages or state files" \
	bash -c "! grep -rq -e '$PW' -e '$TOK' '$H_INTERNAL' '$H_DIR/rsyslogd.stderr' '$H_DIR/rsyslogd.stdout' '$H_DIR/stats.log' '$H_DIR/work'"

# configuration errors, found by rsyslogd -N1
bad() { # DESC MESSAGE-REGEX INPUT-PARAMS
	h_conf "$H_DIR/bad.conf" <<EOF
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" $3)
EOF
	if h_rsyslogd -N1 -f "$H_DIR/bad.conf" >"$H_DIR/bad.out" 2>&1; then
		h_fail "$1 is rejected"
	else
		h_check "$1 is rejected with a clear message" grep -Eq "$2" "$H_DIR/bad.out"
		h_check "$1: the message shows no secret" bash -c "! grep -q SECRET '$H_DIR/bad.out'"
	fi
}
bad "password and passwordFile" "either password or passwordFile" "url=\"$M_URL_ok\" username=\"a\" password=\"$PW\" passwordFile=\"$H_DIR/pw\""
bad "credentials in the url" "must not contain user information" "url=\"http://alice:$PW@127.0.0.1:$M_PORT_ok/\""
bad "password without username" "needs username" "url=\"$M_URL_ok\" password=\"$PW\""
bad "an unknown flavor" "flavor \"server\" is not one of" "url=\"$M_URL_ok\" flavor=\"server\""
bad "an unknown parameter" "noSuchParam' not known" "url=\"$M_URL_ok\" noSuchParam=\"1\""
h_done
