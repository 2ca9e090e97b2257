#!/bin/bash
# TLS: verification is on by default. A server whose CA the system does not
# know, or a rogue CA given as tls.cacert, fails with a clear error naming
# the certificate problem; the test CA as tls.cacert works. The host name is
# checked (skipVerifyHost="on" turns that off); allowUnsignedCerts="on"
# turns verification off; a client certificate (tls.mycert/tls.myprivkey)
# is presented to a server that requires one.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_tls

PKI=$H_DIR/pki
bash "$top_srcdir/tests/mock/make_test_ca.sh" "$PKI" >/dev/null 2>&1 || { h_fail "make_test_ca.sh"; h_done; }
tls() { # NAME CERT KEY [more mock args]
	local n=$1 c=$2 k=$3
	shift 3
	m_start "$n" --flavor datacenter --events 0 --tls-cert "$PKI/$c" --tls-key "$PKI/$k" \
		--control-port-file "$H_DIR/mock-$n.ctl" "$@"
}
tls good server-chain.pem server.key || exit 1
tls wrong wronghost.pem wronghost.key || exit 1
tls mtls server-chain.pem server.key --client-ca "$PKI/ca.pem" || exit 1
for m in good wrong mtls; do m_gen $m 20 600 60; done

common='pollingInterval="1" initialLookback="3600" overlap="5" timeout="5" maxBackoff="2" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_good" stateFile="default" ruleset="default" $common)
input(type="imconfluence" url="$M_URL_good" stateFile="rogue" tls.cacert="$PKI/rogue-ca.pem" ruleset="rogue" $common)
input(type="imconfluence" url="$M_URL_good" stateFile="ca" tls.cacert="$PKI/ca.pem" ruleset="ca" $common)
input(type="imconfluence" url="$M_URL_good" stateFile="unsigned" allowUnsignedCerts="on" ruleset="unsigned" $common)
input(type="imconfluence" url="$M_URL_wrong" stateFile="wronghost" tls.cacert="$PKI/ca.pem" ruleset="wronghost" $common)
input(type="imconfluence" url="$M_URL_wrong" stateFile="skiphost" tls.cacert="$PKI/ca.pem" skipVerifyHost="on" ruleset="skiphost" $common)
input(type="imconfluence" url="$M_URL_mtls" stateFile="nocert" tls.cacert="$PKI/ca.pem" ruleset="nocert" $common)
input(type="imconfluence" url="$M_URL_mtls" stateFile="cert" tls.cacert="$PKI/ca.pem" tls.mycert="$PKI/client.pem"
      tls.myprivkey="$PKI/client.key" ruleset="cert" $common)
EOF
for r in default rogue ca unsigned wronghost skiphost nocert cert; do
	echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$H_DIR/out-$r.log\" template=\"msgonly\") }" >>"$H_CONF"
done
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "tls.cacert = the test CA: events arrive" h_wait_lines "$H_DIR/out-ca.log" 20 20
h_check "allowUnsignedCerts: events arrive" h_wait_lines "$H_DIR/out-unsigned.log" 20 20
h_check "skipVerifyHost with a wrong-host certificate: events arrive" h_wait_lines "$H_DIR/out-skiphost.log" 20 20
h_check "client certificate presented: events arrive" h_wait_lines "$H_DIR/out-cert.log" 20 20
# the failing inputs (1 default, 2 rogue, 5 wronghost, 7 nocert) had their
# chance: each sent a second request, so its first one ended
for i in "" -2 -5 -7; do
	h_wait_grep "$H_DIR/stats.log" "\"name\": \"imconfluence\\(127.0.0.1\\)$i\".*\"requests\": ([2-9]|[1-9][0-9])" 20
done
h_check "default (system CAs): nothing arrives" test ! -s "$H_DIR/out-default.log"
h_check "rogue CA: nothing arrives" test ! -s "$H_DIR/out-rogue.log"
h_check "wrong host name: nothing arrives" test ! -s "$H_DIR/out-wronghost.log"
h_check "no client certificate: nothing arrives" test ! -s "$H_DIR/out-nocert.log"
# our words first (libcurl's text, which changes between versions, follows)
h_check "unknown CA: a clear error with a hint" \
	grep -q "request failed: TLS server certificate not verified: .*check tls.cacert" "$H_INTERNAL"
h_check "missing client certificate: the error hints at tls.mycert" \
	grep -q "request failed: .*if the server requires a client certificate, set tls.mycert" "$H_INTERNAL"
h_check "wrong host: the error says so" grep -Eq "request failed: .*(does not match|no alternative certificate subject name matches)" "$H_INTERNAL"
# inputs 1 (system CAs), 2 (rogue CA) and 5 (wrong host) fail the same way
# (libcurl's code 60), one line each: 3, whatever libcurl's own text says
h_check "each failing input logged its error once per streak" \
	test "$(grep -c 'request failed: TLS server certificate not verified' "$H_INTERNAL")" = 3
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_done
