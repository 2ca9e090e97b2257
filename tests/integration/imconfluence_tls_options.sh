#!/bin/bash
# The TLS options Elastic's input has, and the request trace:
#  - tls.pinnedPublicKey: the server's key pinned (sha256//base64) works,
#    another key's pin fails with curl's "public key does not match";
#  - tls.minVersion 1.3 against a server that speaks at most TLS 1.2 fails;
#    tls.maxVersion 1.2 against a TLS 1.3 server negotiates TLS 1.2;
#  - tls.cipherList (TLS 1.2) and tls.tls13Ciphers choose the cipher the
#    mock records; an RSA-only list against the EC test key fails;
#  - requestTraceFile: one JSON line per request (method, url, status,
#    timing, size), as many as the mock served, without credentials; the
#    start-up line states the TLS mode and never a secret.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_tls_options

PKI=$H_DIR/pki
bash "$top_srcdir/tests/mock/make_test_ca.sh" "$PKI" >/dev/null 2>&1 || { h_fail "make_test_ca.sh"; h_done; }
pin() { # the sha256// pin of a private key's public half
	echo "sha256//$(openssl pkey -in "$1" -pubout -outform der 2>/dev/null | openssl dgst -sha256 -binary | base64)"
}
jq_true() { jq "$@" >/dev/null; } # a jq condition for h_check, without jq's output
PIN_OK=$(pin "$PKI/server.key")
PIN_BAD=$(pin "$PKI/client.key")
PW='Pw-TRACE-5c6d-SECRET'
printf '%s\n' "$PW" >"$H_DIR/pw"
chmod 600 "$H_DIR/pw"
tls() { # NAME [more mock args]
	local n=$1
	shift
	m_start "$n" --flavor datacenter --events 0 --tls-cert "$PKI/server-chain.pem" --tls-key "$PKI/server.key" \
		--control-port-file "$H_DIR/mock-$n.ctl" "$@"
}
tls t13 --user alice --password "$PW" || exit 1
tls t12 --tls-max-version 1.2 || exit 1
for m in t13 t12; do m_gen $m 20 600 60; done

common='pollingInterval="1" initialLookback="3600" overlap="5" timeout="5" maxBackoff="2" tls.cacert="'$PKI/ca.pem'" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" name="pinok" url="$M_URL_t13" stateFile="pinok" tls.pinnedPublicKey="$PIN_OK"
      username="alice" passwordFile="$H_DIR/pw" requestTraceFile="$H_DIR/trace.jsonl" ruleset="pinok" $common)
input(type="imconfluence" name="pinbad" url="$M_URL_t13" stateFile="pinbad" tls.pinnedPublicKey="$PIN_BAD"
      username="alice" passwordFile="$H_DIR/pw" ruleset="pinbad" $common)
input(type="imconfluence" name="min13" url="$M_URL_t12" stateFile="min13" tls.minVersion="1.3" ruleset="min13" $common)
input(type="imconfluence" name="max12" url="$M_URL_t12" stateFile="max12" tls.maxVersion="1.2"
      tls.cipherList="ECDHE-ECDSA-AES128-GCM-SHA256" ruleset="max12" $common)
input(type="imconfluence" name="rsa" url="$M_URL_t12" stateFile="rsa" tls.maxVersion="1.2"
      tls.cipherList="ECDHE-RSA-AES256-GCM-SHA384" ruleset="rsa" $common)
input(type="imconfluence" name="c13" url="$M_URL_t13" stateFile="c13" tls.minVersion="1.3"
      tls.tls13Ciphers="TLS_CHACHA20_POLY1305_SHA256" username="alice" passwordFile="$H_DIR/pw" ruleset="c13" $common)
EOF
for r in pinok pinbad min13 max12 rsa c13; do
	echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$H_DIR/out-$r.log\" template=\"msgonly\") }" >>"$H_CONF"
done
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "pinned key matches: events arrive" h_wait_lines "$H_DIR/out-pinok.log" 20 20
h_check "tls.maxVersion 1.2 + an ECDSA cipher: events arrive" h_wait_lines "$H_DIR/out-max12.log" 20 20
h_check "tls.tls13Ciphers: events arrive" h_wait_lines "$H_DIR/out-c13.log" 20 20
for n in pinbad min13 rsa; do
	h_wait_grep "$H_DIR/stats.log" "\"name\": \"imconfluence\\($n\\)\".*\"requests\": ([2-9]|[1-9][0-9])" 20
done
h_check "another key pinned: nothing arrives" test ! -s "$H_DIR/out-pinbad.log"
h_check "tls.minVersion 1.3 against a TLS 1.2 server: nothing arrives" test ! -s "$H_DIR/out-min13.log"
h_check "an RSA-only cipher list against an EC key: nothing arrives" test ! -s "$H_DIR/out-rsa.log"
h_check "the pin mismatch is logged as such" grep -q "request failed: .*public key does not match pinned public key" "$H_INTERNAL"
h_check "the version mismatch is logged with the TLS reason" \
	grep -Eiq "request failed: .*(protocol version|unsupported protocol|no protocols available)" "$H_INTERNAL"
m_requests t12 >"$H_DIR/req-t12.json"
m_requests t13 >"$H_DIR/req-t13.json"
h_check "the TLS 1.2 server saw TLS 1.2 with the configured cipher" \
	test "$(jq -r '[.[] | "\(.tls_version) \(.cipher)"] | unique | join(",")' "$H_DIR/req-t12.json")" = "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
h_check "tls.tls13Ciphers: the TLS 1.3 server saw that suite (input c13; pinok uses the default)" \
	test "$(jq -r '[.[] | "\(.tls_version) \(.cipher)"] | unique | join(",")' "$H_DIR/req-t13.json")" = \
	"TLSv1.3 TLS_AES_256_GCM_SHA384,TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"
h_check "the start-up line states the TLS mode" \
	grep -q "TLS: verify peer on, verify host on, CA $PKI/ca.pem, pinned key on, versions default..any" "$H_INTERNAL"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0

# the trace: one line per request of input pinok (the t13 mock's requests
# not made with c13's cipher), all of them JSON
T=$H_DIR/trace.jsonl
n_pinok=$(m_requests t13 | jq '[.[] | select(.cipher != "TLS_CHACHA20_POLY1305_SHA256")] | length')
h_check "the trace has one line per request ($n_pinok)" test "$(grep -c '' "$T")" = "$n_pinok"
h_check "every trace line is a JSON object with the documented fields" \
	jq_true -se 'all(.[]; (keys - ["error","retry_after","ratelimit_remaining","ratelimit_nearlimit"] | sort)
		== ["@timestamp","bytes","duration_ms","input","method","status","url"]
		and .input == "pinok" and .method == "GET" and (.url | startswith("https://127.0.0.1:"))
		and (.duration_ms | type) == "number")' "$T"
h_check "the trace has the 200s and their response sizes" \
	jq_true -se '[.[] | select(.status == 200 and .bytes > 0)] | length > 0' "$T"
h_check "the trace's URLs are the ones the mock served" \
	test "$(jq -r '.url | sub("^https://[^/]*"; "") | sub("\\?.*"; "")' "$T" | sort -u)" = "/rest/auditing/1.0/events"
h_check "no password, Authorization or cookie in the trace" \
	bash -c "! grep -q -i -e '$PW' -e authorization -e cookie -e 'alice:' '$T'"
h_check "the trace file is private (mode 600)" test "$(stat -c %a "$T")" = 600
h_check "no secret in rsyslogd's messages" bash -c "! grep -q '$PW' '$H_INTERNAL'"
h_done
