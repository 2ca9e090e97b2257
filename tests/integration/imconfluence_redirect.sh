#!/bin/bash
# Redirects are refused on every libcurl version: the input never follows a
# 3xx, whatever the scheme of its Location (the protocol restriction,
# CURLOPT_PROTOCOLS_STR from libcurl 7.85 or the CURLOPT_PROTOCOLS mask
# before, is a second guard), so credentials never leave the configured host.
# The mock answers 302 to an ftp:// URL (a listener on that port records any
# connection), 301 to file:///, and 307 to another http host (a second mock);
# the streak is logged once with its Location, nothing connects anywhere else, and the
# input goes on polling the configured host once the redirects stop.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_redirect

m_start dc --flavor datacenter --events 0 --user auditor --password 'Redir-PW-7e1' || exit 1
m_start other --flavor datacenter --events 0 || exit 1
m_gen dc 20 600 60
# a listener standing in for an FTP server: it records every connection
"$PYTHON3" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()
' "$H_DIR/ftp.port" "$H_DIR/ftp.seen" &
h_bg $!
h_wait_file "$H_DIR/ftp.port" 10 || { h_fail "the listener starts"; h_done; }
FTP=$(cat "$H_DIR/ftp.port")
m_ctl dc POST /__mock/faults '[{"kind":"status","status":302,"headers":{"Location":"ftp://127.0.0.1:'"$FTP"'/rest/auditing/1.0/events"}},
	{"kind":"status","status":301,"headers":{"Location":"file:///etc/passwd"}},
	{"kind":"status","status":307,"headers":{"Location":"'"$M_URL_other"'/rest/auditing/1.0/events"}}]' >/dev/null

icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc" username="auditor" password="Redir-PW-7e1" pollingInterval="1"
      initialLookback="3600" overlap="5" timeout="2" maxBackoff="1" ruleset="r"
      excludeActions=["atlassian.audit.event.action.audit.search"])
ruleset(name="r") { action(type="omfile" file="$H_DIR/out.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "after the redirects, the configured host's history arrives" h_wait_lines "$H_DIR/out.log" 20 30
h_check "all three redirects were served" \
	test "$(m_requests dc | jq '[.[] | select(.fault == "status")] | length')" = 3
h_check "the 302 to ftp:// is logged with its Location, not followed" \
	grep -q "redirects (HTTP 302) to ftp://127.0.0.1:$FTP/rest/auditing/1.0/events; redirects are not followed" "$H_INTERNAL"
h_check "nothing connected to the ftp:// target" test ! -e "$H_DIR/ftp.seen"
# the three come in a row: one streak, logged once (its first Location)
h_check "the streak of redirects is logged once" test "$(grep -c 'redirects are not followed' "$H_INTERNAL")" = 1
h_check "the other host never saw a request" test "$(m_requests other | jq length)" = 0
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_check "no event was repeated" test "$(dup_count "$H_DIR/out.log")" = 0
h_done
