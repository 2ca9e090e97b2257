#!/bin/bash
# proxy="...": plain HTTP goes through the proxy as absolute-form requests,
# HTTPS as a CONNECT tunnel (tests/integration/http_proxy.py); events arrive
# either way, and credentials reach the mock, not the proxy's log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_proxy

PKI=$H_DIR/pki
bash "$top_srcdir/tests/mock/make_test_ca.sh" "$PKI" >/dev/null 2>&1 || { h_fail "make_test_ca.sh"; h_done; }
m_start plain --flavor cloud --events 0 --user bob --password pw-b0b || exit 1
m_start tls --flavor datacenter --events 0 --token tok-9 --tls-cert "$PKI/server-chain.pem" --tls-key "$PKI/server.key" \
	--control-port-file "$H_DIR/mock-tls.ctl" || exit 1
m_gen plain 25 600 60
m_gen tls 25 600 60
"$PYTHON3" "$top_srcdir/tests/integration/http_proxy.py" --port-file "$H_DIR/proxy.port" --log "$H_DIR/proxy.log" &
h_bg $!
h_wait_lines "$H_DIR/proxy.port" 0 10
for i in $(seq 1 100); do [ -s "$H_DIR/proxy.port" ] && break; sleep 0.05; done
PROXY=http://127.0.0.1:$(cat "$H_DIR/proxy.port")

common='pollingInterval="1" initialLookback="3600" overlap="5" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_plain" flavor="cloud" username="bob" password="pw-b0b" proxy="$PROXY"
      ruleset="plain" $common)
input(type="imconfluence" url="$M_URL_tls" token="tok-9" tls.cacert="$PKI/ca.pem" proxy="$PROXY"
      ruleset="tls" $common)
ruleset(name="plain") { action(type="omfile" file="$H_DIR/out-plain.log" template="msgonly") }
ruleset(name="tls") { action(type="omfile" file="$H_DIR/out-tls.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "HTTP through the proxy: events arrive" h_wait_lines "$H_DIR/out-plain.log" 25 20
h_check "HTTPS through the proxy: events arrive" h_wait_lines "$H_DIR/out-tls.log" 25 20
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "the proxy forwarded absolute-form GETs to the HTTP mock" \
	grep -q "\"method\": \"GET\", \"target\": \"http://127.0.0.1:$M_PORT_plain/wiki/rest/api/audit?" "$H_DIR/proxy.log"
h_check "the proxy tunnelled HTTPS with CONNECT" grep -q "\"method\": \"CONNECT\", \"target\": \"127.0.0.1:$M_PORT_tls\"" "$H_DIR/proxy.log"
h_check "the mock saw basic auth through the proxy" test "$(m_requests plain | jq -r '[.[].auth] | unique | join(",")')" = basic:bob
h_check "the mock saw the Bearer token through the tunnel" test "$(m_requests tls | jq -r '[.[].auth] | unique | join(",")')" = bearer
h_check "every plain request went through the proxy" \
	test "$(grep -c '"GET"' "$H_DIR/proxy.log")" = "$(m_requests plain | jq length)"
h_done
