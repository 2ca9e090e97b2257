#!/bin/bash
# The alert rules of docs/operations.md ("Alert rules"), read from that
# table and evaluated as written (jq) on the impstats lines of a real
# rsyslogd: an input stuck on 401 raises imconfluence-failing within three
# polls, imconfluence-stale within five and imconfluence-behind at every
# report; a healthy input raises none, ever. With them: the health levels
# (cursor.lag, failures.streak, lastsuccess.age) move whatever the outcome
# of a poll (refused credentials, redirects, HTML login pages, refused
# connections), for a disabled or a paused input too; each failure is
# counted by its class; an HTML page is logged once with the hint about
# single sign-on; the first poll says it is done; and every log line and
# stats object of an input carries its name.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_alerts

PW='Alert-PW-51c2'
DOC=$top_srcdir/docs/operations.md
m_start ok --flavor datacenter --events 0 --user alice --password "$PW" || exit 1
m_start sso --flavor datacenter --events 0 || exit 1
m_start redir --flavor datacenter --events 0 || exit 1
m_gen ok 30 290 60
# a port nobody listens on: connection refused
dead=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SSO_PAGE='<!DOCTYPE html><html><head><title>Log in - Example SSO</title></head><body><form action="/saml"></form></body></html>'
m_ctl sso POST /__mock/faults "$(jq -nc --arg b "$SSO_PAGE" \
	'{kind: "status", status: 200, count: 100000, body: $b, content_type: "text/html;charset=UTF-8"}')" >/dev/null
m_ctl redir POST /__mock/faults '{"kind":"status","status":302,"count":100000,"headers":{"Location":"https://sso.example/login"}}' >/dev/null

# each input's parameters, as the rules' $p sees them
P='{"pollingInterval": 1, "overlap": 5}'
common='pollingInterval="1" overlap="5" maxBackoff="1" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" name="healthy" stateFile="healthy" url="$M_URL_ok" username="alice" password="$PW" pageSize="101"
      initialLookback="300" ruleset="r" $common)
input(type="imconfluence" name="stuck" stateFile="stuck" url="$M_URL_ok" username="alice" password="wrong" pageSize="102"
      initialLookback="3600" ruleset="r" $common)
input(type="imconfluence" name="sso" stateFile="sso" url="$M_URL_sso" username="alice" password="$PW" initialLookback="3600"
      ruleset="r" $common)
input(type="imconfluence" name="redir" stateFile="redir" url="$M_URL_redir" username="alice" password="$PW" initialLookback="3600"
      ruleset="r" $common)
input(type="imconfluence" name="disabled" stateFile="disabled" url="$M_URL_ok" username="alice" passwordFile="$H_DIR/no-such-file"
      pageSize="103" initialLookback="3600" ruleset="r" $common)
input(type="imconfluence" name="down" stateFile="down" url="http://127.0.0.1:$dead/" timeout="1"
      username="alice" password="$PW" initialLookback="3600" ruleset="r" $common)
input(type="imconfluence" name="paused" stateFile="paused.state" url="$M_URL_ok" username="alice" password="$PW"
      pageSize="104" initialLookback="3600" ruleset="r" $common)
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
printf '{"version":1,"base_url":"http://127.0.0.1:1/","flav' >"$H_DIR/work/paused.state"

# the rules, from the docs: "| `NAME` | `CONDITION` | ..."
rule() {
	sed -n "s/^| \`$1\` | \`\(.*\)\` | .*/\1/p" "$DOC"
}
FAILING=$(rule imconfluence-failing)
STALE=$(rule imconfluence-stale)
BEHIND=$(rule imconfluence-behind)
h_check "the docs give the three rules ($FAILING; $STALE; $BEHIND)" test -n "$FAILING" -a -n "$STALE" -a -n "$BEHIND"
# holds INPUT RULE: per impstats report of the input, true or false (the
# log file's lines start with a date; the JSON follows)
holds() {
	sed -n 's/^[^{]*{/{/p' "$H_DIR/stats.log" |
		jq -r --argjson p "$P" "select(.name == \"imconfluence($1)\") | ($2)"
}

h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "the healthy input delivers" h_wait_lines "$H_DIR/out.log" 30 20
h_check "the stuck input was refused three times" wait_requests ok 3 20 '.params.limit == "102"'
stats_again
h_check "imconfluence-failing holds for the stuck input after three polls" \
	test "$(holds stuck "$FAILING" | tail -n 1)" = true
h_check "the stuck input was refused five times" wait_requests ok 5 20 '.params.limit == "102"'
stats_again
h_check "imconfluence-stale holds for the stuck input after five polls" \
	test "$(holds stuck "$STALE" | tail -n 1)" = true
h_check "imconfluence-behind held for the stuck input at every report ($(holds stuck "$BEHIND" | sort | uniq -c | xargs))" \
	test "$(holds stuck "$BEHIND" | sort -u)" = true
lags=$(holds stuck '."cursor.lag"' | xargs)
h_check "cursor.lag of the stuck input grows (${lags:0:60}...)" \
	awk -v l="$lags" 'BEGIN { n = split(l, a, " "); exit !(n >= 4 && a[1] >= 3600 && a[n] > a[1]) }'
h_check "failures.streak of the stuck input is its refused polls ($(icf_stats "$H_DIR/stats.log" failures.streak 'imconfluence(stuck)'))" \
	test "$(icf_stats "$H_DIR/stats.log" failures.streak 'imconfluence(stuck)')" -ge 5
h_check "http.auth counts the 401s" test "$(icf_stats "$H_DIR/stats.log" http.auth 'imconfluence(stuck)')" -ge 5
h_check "the 401 is logged once, with the input's name" \
	test "$(grep -c 'imconfluence(stuck): authentication failed (HTTP 401)' "$H_INTERNAL")" = 1

# the HTML login page and the redirect: counted by class, logged once
h_check "the SSO page was served three times" wait_requests sso 3 20
h_check "the redirect was served three times" wait_requests redir 3 20
stats_again
h_check "http.html counts the HTML pages" test "$(icf_stats "$H_DIR/stats.log" http.html 'imconfluence(sso)')" -ge 3
h_check "an HTML page is not a parse error" test "$(icf_stats "$H_DIR/stats.log" parse.errors 'imconfluence(sso)')" = 0
h_check "the HTML page is logged once, with its title and the hint about single sign-on" \
	test "$(grep -c 'imconfluence(sso): the server answered with an HTML page (title "Log in - Example SSO") instead of the audit API.s JSON: a single sign-on or login page? Check url' "$H_INTERNAL")" = 1
h_check "http.3xx counts the redirects" test "$(icf_stats "$H_DIR/stats.log" http.3xx 'imconfluence(redir)')" -ge 3
h_check "curl.errors counts the refused connections" test "$(icf_stats "$H_DIR/stats.log" curl.errors 'imconfluence(down)')" -ge 3
h_check "the refused connection is logged with the input's name" grep -q 'imconfluence(down): request failed: cannot connect (connection refused)' "$H_INTERNAL"
for i in sso redir down; do
	h_check "imconfluence-failing holds for $i" test "$(holds $i "$FAILING" | tail -n 1)" = true
	lags=$(holds $i '."cursor.lag"' | xargs)
	h_check "cursor.lag of $i grows (${lags:0:40}...)" \
		awk -v l="$lags" 'BEGIN { n = split(l, a, " "); exit !(n >= 3 && a[1] >= 3600 && a[n] > a[1]) }'
done

# the disabled input (no password file) polls nothing, but its levels move
ages=$(holds disabled '."lastsuccess.age"' | xargs)
h_check "lastsuccess.age of the disabled input grows (${ages:0:60}...)" \
	awk -v l="$ages" 'BEGIN { n = split(l, a, " "); exit !(n >= 4 && a[n] > a[2]) }'
h_check "imconfluence-stale holds for the disabled input" test "$(holds disabled "$STALE" | tail -n 1)" = true
h_check "cursor.lag of the disabled input is at least its initialLookback" \
	test "$(icf_stats "$H_DIR/stats.log" cursor.lag 'imconfluence(disabled)')" -ge 3600
# the paused input (a corrupt state file) checks its file every poll: each
# check is a failed attempt
h_check "the paused input is reported, with its name" grep -q 'imconfluence(paused): state file .* This input is paused' "$H_INTERNAL"
for r in "$FAILING" "$STALE" "$BEHIND"; do
	h_check "the paused input meets $r" test "$(holds paused "$r" | tail -n 1)" = true
done
h_check "the paused input sent no request" test "$(m_requests ok | jq '[.[] | select(.params.limit == "104")] | length')" = 0

# the healthy input, over the whole run: no rule ever held
more_polls ok
stats_again
n=$(holds healthy true | grep -c true)
for r in "$FAILING" "$STALE" "$BEHIND"; do
	h_check "no report of the healthy input ($n) meets $r" test "$(holds healthy "$r" | sort -u)" = false
done
h_check "the healthy input's first poll is logged once, with its count, cursor and next poll" \
	test "$(grep -cE 'imconfluence\(healthy\): first poll done: 30 events, cursor at 20[0-9-]+T[0-9:.]+Z, next poll in 1 s( \[|$)' "$H_INTERNAL")" = 1
h_check "the refused inputs logged no first poll" bash -c "! grep -E 'imconfluence\((stuck|sso|redir|down|disabled|paused)\): first poll' '$H_INTERNAL'"

# one name per input: every imconfluence line and stats object names one
# of the seven inputs, never a host
labels=$(grep -o 'imconfluence([^)]*)' "$H_INTERNAL" | sort -u | xargs)
h_check "every log line names its input ($labels)" \
	test "$labels" = "imconfluence(disabled) imconfluence(down) imconfluence(healthy) imconfluence(paused) imconfluence(redir) imconfluence(sso) imconfluence(stuck)"
objects=$(grep -o '"name": "imconfluence[^"]*"' "$H_DIR/stats.log" | sort -u | sed 's/"name": //' | xargs)
h_check "the stats objects carry the same names ($objects)" \
	test "$objects" = "imconfluence(disabled) imconfluence(down) imconfluence(healthy) imconfluence(paused) imconfluence(redir) imconfluence(sso) imconfluence(stuck)"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_done
