#!/bin/bash
# Operating many sites, through rsyslogd with two Cloud inputs:
#  - name= gives each input a stable impstats object, imconfluence(<name>),
#    and $inputname: after the inputs are swapped in the configuration, each
#    name still counts the events of its own site;
#  - mmconfluence tells the sites' events apart by service.address (the url
#    polled, from imconfluence's $!metadata!site) and related.hosts;
#  - addMetadata="off" leaves $!metadata!site away;
#  - HUP re-reads tokenFile (site A) and passwordFile (site B, basic auth):
#    each site's credential changes, the old one gets 401s, the new one is
#    written to the file, a HUP, and polling goes on from the same cursor:
#    every event once, none lost or repeated; a HUP while the file is
#    missing keeps the credential read before;
#  - the start-up line states auth mode, proxy, TLS and intervals, and
#    never the token.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_sites
T1='Tok-OLD-1f2e-SECRET'
T2='Tok-NEW-9a8b-SECRET'
P1='Pw-OLD-77c3-SECRET'
P2='Pw-NEW-04d1-SECRET'
printf '%s\n' "$T1" >"$H_DIR/tokA"
printf '%s\n' "$P1" >"$H_DIR/pwB"
chmod 600 "$H_DIR/tokA" "$H_DIR/pwB"
m_start a --flavor cloud --events 0 --token "$T1" || exit 1
m_start b --flavor cloud --events 0 --seed 2 --user auditor --password "$P1" || exit 1
m_gen a 30 3000 60
m_gen b 20 3000 60

# conf FIRST SECOND: the two inputs in that order
conf() {
	icf_conf <<EOF
module(load="$MMCONFLUENCE_SO")
template(name="site" type="string" string="%inputname% %\$!input!type% %\$!service!address% %\$!related!hosts% %\$!event!id%\n")
$(input_$1)
$(input_$2)
ruleset(name="out") {
	action(type="omfile" file="$H_DIR/raw.log" template="msgonly")
	action(type="mmconfluence" eventId="on" rulebase="$CFL_RULEBASES/confluence-audit.rulebase"
	       categories="$CFL_RULEBASES/confluence-categories.json")
	action(type="omfile" file="$H_DIR/site.log" template="site")
}
# site B once more, without metadata, unmapped
input(type="imconfluence" url="$M_URL_b" username="auditor" passwordFile="$H_DIR/pwB" addMetadata="off" stateFile="nometa.state" flavor="cloud" pollingInterval="1"
      initialLookback="3600" overlap="5" pageSize="10" ruleset="nometa")
template(name="meta" type="string" string="[%\$!metadata!site%]\n")
ruleset(name="nometa") { action(type="omfile" file="$H_DIR/nometa.log" template="meta") }
EOF
}
common='flavor="cloud" pollingInterval="1" initialLookback="3600" overlap="5" pageSize="10" maxBackoff="2" ruleset="out"'
input_a() { echo "input(type=\"imconfluence\" name=\"siteA\" url=\"$M_URL_a\" tokenFile=\"$H_DIR/tokA\" $common)"; }
input_b() { echo "input(type=\"imconfluence\" name=\"siteB\" url=\"$M_URL_b\" username=\"auditor\" passwordFile=\"$H_DIR/pwB\" $common)"; }

conf a b
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "run 1: 50 events arrive" h_wait_lines "$H_DIR/raw.log" 50 30
h_check "addMetadata=off: site B's 20 events arrive" h_wait_lines "$H_DIR/nometa.log" 20 30
stats_again
h_check "run 1: imconfluence(siteA) submitted 30, imconfluence(siteB) 20" \
	test "$(icf_stats "$H_DIR/stats.log" submitted 'imconfluence(siteA)')" = 30 -a \
	"$(icf_stats "$H_DIR/stats.log" submitted 'imconfluence(siteB)')" = 20
h_stop 10
h_check "the start-up line states auth, proxy, TLS and intervals" \
	grep -q "imconfluence(siteA): polling .*auth: bearer token from tokenFile; proxy: libcurl default (environment); TLS: verify peer on, verify host on, CA system, pinned key off.*pollingInterval 1 s, pageSize 10" "$H_INTERNAL"

# run 2: the inputs swapped; new events on both sites
mv "$H_DIR/stats.log" "$H_DIR/stats-1.log"
conf b a
m_gen a 5 1 0
m_gen b 3 1 0
h_start || { h_fail "rsyslogd starts again"; h_done; }
h_check "run 2: 58 events in all" h_wait_lines "$H_DIR/raw.log" 58 30
stats_again
h_check "run 2, inputs swapped: siteA still counts site A's 5 new events, siteB site B's 3" \
	test "$(icf_stats "$H_DIR/stats.log" submitted 'imconfluence(siteA)')" = 5 -a \
	"$(icf_stats "$H_DIR/stats.log" submitted 'imconfluence(siteB)')" = 3

# the token of site A and the password of site B change: 401s until the
# files have them and rsyslogd a HUP
m_ctl a POST /__mock/auth "{\"token\":\"$T2\"}" >/dev/null
m_ctl b POST /__mock/auth "{\"user\":\"auditor\",\"password\":\"$P2\"}" >/dev/null
m_gen a 4 1 0
m_gen b 3 1 0
h_check "site A: the old token is refused (401)" wait_requests a 1 20 '.status == 401'
h_check "site B: the old password is refused (401)" wait_requests b 1 20 '.status == 401'
printf '%s\n' "$T2" >"$H_DIR/tokA.new"
mv "$H_DIR/tokA.new" "$H_DIR/tokA"
printf '%s\n' "$P2" >"$H_DIR/pwB.new"
mv "$H_DIR/pwB.new" "$H_DIR/pwB"
kill -HUP "$H_PID"
h_check "after the HUP: site A's 4 and site B's 3 new events arrive with the new credentials" \
	h_wait_lines "$H_DIR/raw.log" 65 30
h_check "the HUP was logged for tokenFile" grep -q "HUP: tokenFile read again; polling goes on from the same cursor" "$H_INTERNAL"
h_check "the HUP was logged for passwordFile" grep -q "HUP: passwordFile read again; polling goes on from the same cursor" "$H_INTERNAL"
n401a=$(m_requests a | jq '[.[] | select(.status == 401)] | length')
n401b=$(m_requests b | jq '[.[] | select(.status == 401)] | length')
more_polls a b
h_check "after the HUP no request is refused any more" \
	test "$(m_requests a | jq '[.[] | select(.status == 401)] | length')" = "$n401a" -a \
	"$(m_requests b | jq '[.[] | select(.status == 401)] | length')" = "$n401b"
# a HUP while the file is missing: the error is logged, the token read before stays in use
mv "$H_DIR/tokA" "$H_DIR/tokA.away"
kill -HUP "$H_PID"
h_check "a HUP with tokenFile missing: logged, the previous token stays in use" \
	h_wait_grep "$H_INTERNAL" "cannot read tokenFile .*; the credential read before stays in use" 20
m_gen a 2 1 0
h_check "and site A's next events still arrive" h_wait_lines "$H_DIR/raw.log" 67 30
mv "$H_DIR/tokA.away" "$H_DIR/tokA"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0

m_oracle a cloud >"$H_DIR/oracle-a.jsonl"
m_oracle b cloud >"$H_DIR/oracle-b.jsonl"
cat "$H_DIR/oracle-a.jsonl" "$H_DIR/oracle-b.jsonl" >"$H_DIR/oracle.jsonl"
h_check "every event of both sites once, across restart and HUP" \
	test "$(missing "$H_DIR/raw.log" "$H_DIR/oracle.jsonl")" = 0 -a "$(dup_count "$H_DIR/raw.log")" = 0
h_check "\$inputname and input.type are the input's name" \
	test "$(cut -d' ' -f1,2 "$H_DIR/site.log" | sort | uniq -c | awk '{print $2, $3, $1}' | tr '\n' ' ')" = "siteA siteA 41 siteB siteB 26 "
h_check "site A's events carry service.address $M_URL_a, site B's $M_URL_b" \
	test "$(grep -c "^siteA siteA $M_URL_a \[ \"127.0.0.1\" \]" "$H_DIR/site.log")" = 41 -a \
	"$(grep -c "^siteB siteB $M_URL_b \[ \"127.0.0.1\" \]" "$H_DIR/site.log")" = 26
h_check "addMetadata=off: no \$!metadata!site on its messages" test "$(sort -u "$H_DIR/nometa.log")" = "[]"
h_check "the tokens and passwords appear in no log, message or state file" \
	bash -c "! grep -rq -e '$T1' -e '$T2' -e '$P1' -e '$P2' '$H_INTERNAL' '$H_DIR/rsyslogd.stderr' '$H_DIR/work' '$H_DIR/site.log'"
h_done
