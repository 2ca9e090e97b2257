#!/bin/bash
# Secrets stay out of rsyslogd's debug output (-d), not only its log: a run
# with full debug logging polls the mock with basic auth and a Bearer token
# (from files, as documented), with 401 answers and retries on the way, and
# the secrets appear nowhere in the debug log. rsyslog's own config parser
# prints every *inline* parameter value in debug mode (rainerscript.c), which
# is why the docs say: use passwordFile/tokenFile. The test pins that too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_debug_secrets
PW='Pw-FILE-4e1b-SECRET'
TOK='Tok-FILE-77aa-SECRET'
INLINE='Pw-INLINE-90c2-SECRET'
PROXYPW='Proxy-PW-31d7-SECRET'
printf '%s\n' "$PW" >"$H_DIR/pw"
printf '%s\n' "$TOK" >"$H_DIR/tok"
chmod 600 "$H_DIR/pw" "$H_DIR/tok"
m_start a --user alice --password "$PW" --token "$TOK" --events 50 --span 3600 || { h_fail "mock starts"; h_done; }
m_ctl a POST /__mock/faults '[{"kind":"status","status":401,"count":2}]' >/dev/null

icf_conf <<EOF2
input(type="imconfluence" url="$M_URL_a" flavor="datacenter" username="alice" passwordFile="$H_DIR/pw"
      pollingInterval="1" maxBackoff="1" ruleset="out" stateFile="dc.state")
input(type="imconfluence" url="$M_URL_a" flavor="cloud" tokenFile="$H_DIR/tok"
      pollingInterval="1" maxBackoff="1" ruleset="out" stateFile="cl.state")
input(type="imconfluence" url="http://127.0.0.1:9" flavor="datacenter" username="bob" password="$INLINE"
      pollingInterval="1" timeout="1" ruleset="out" stateFile="x.state")
input(type="imconfluence" url="http://127.0.0.1:9" flavor="datacenter" proxy="http://carol:$PROXYPW@127.0.0.1:9"
      pollingInterval="1" timeout="1" ruleset="out" stateFile="p.state" requestTraceFile="$H_DIR/trace.jsonl")
ruleset(name="out") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF2
RSYSLOG_DEBUG="Debug NoStdOut" RSYSLOG_DEBUGLOG="$H_DIR/debug.log" h_start
h_check "events arrive with full debug logging on" h_wait_lines "$H_DIR/out.log" 100 30
h_stop 10
h_check "the debug log was written ($(grep -c '' "$H_DIR/debug.log" 2>/dev/null) lines)" \
	test "$(grep -c 'imconfluence' "$H_DIR/debug.log" 2>/dev/null)" -gt 10
h_check "the mock saw both auth kinds" \
	bash -c "m_requests() { curl -sS http://127.0.0.1:$M_PORT_a/__mock/requests; }; m_requests | grep -q basic:alice && m_requests | grep -q bearer"
h_check "secrets from passwordFile/tokenFile appear nowhere in the debug log" \
	bash -c "! grep -q -e '$PW' -e '$TOK' '$H_DIR/debug.log'"
h_check "nor in rsyslogd's messages, stderr or state files" \
	bash -c "! grep -rq -e '$PW' -e '$TOK' -e '$INLINE' '$H_INTERNAL' '$H_DIR/rsyslogd.stderr' '$H_DIR/work'"
h_check "the start-up lines state the auth mode of each input" \
	test "$(grep -c 'polling .*auth: basic, password from passwordFile;' "$H_INTERNAL")" = 1 -a \
	"$(grep -c 'polling .*auth: bearer token from tokenFile;' "$H_INTERNAL")" = 1 -a \
	"$(grep -c 'polling .*auth: basic;' "$H_INTERNAL")" = 1
h_check "the start-up line names the proxy with its password redacted" \
	grep -q "polling .*proxy: http://REDACTED@127.0.0.1:9;" "$H_INTERNAL"
h_check "the proxy's password appears nowhere but rsyslog's own config dump" \
	bash -c "! grep -rq '$PROXYPW' '$H_INTERNAL' '$H_DIR/rsyslogd.stderr' '$H_DIR/work' '$H_DIR/trace.jsonl' && test \"\$(grep '$PROXYPW' '$H_DIR/debug.log' | grep -vc 'rainerscript.c:')\" = 0"
h_check "an inline password shows up only in rsyslog's own config dump (why the docs say: use the file)" \
	bash -c "test \"\$(grep '$INLINE' '$H_DIR/debug.log' | grep -vc 'rainerscript.c:')\" = 0"
h_done
