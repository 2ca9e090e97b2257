#!/bin/bash
# The table of messages in docs/operations.md ("### Messages"), row by row:
# each row names a case; the case makes the real rsyslogd meet that mistake
# (rsyslogd -N1, or a running rsyslogd against the mocks), and the row's
# message must then appear -- exactly once where the row says "-N1" or
# "once per streak", although the failure repeats. -N1 rows also need exit
# status 1 and the input() statement's file:line. A row without a case
# fails, so a row added to the table needs a case here (case_<id>, with
# "-" as "_"). No secret appears in any log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
h_init imconfluence_messages

PW='Pw-51c0-SECRET'
DOC=$top_srcdir/docs/operations.md
ROWS=$H_DIR/rows.tsv
common='pollingInterval="1" initialLookback="3600" overlap="5" maxBackoff="1" excludeActions=["atlassian.audit.event.action.audit.search"]'

# the table: case, logged, regex (the message after "imconfluence(<host>): ",
# every <...> standing for anything)
"$PYTHON3" - "$DOC" >"$ROWS" <<'PY' || { h_fail "the messages table can be read"; h_done; }
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"^### Messages\n(.*?)(?=^#)", text, re.S | re.M)
if not m:
    sys.exit("no '### Messages' section")
n = 0
for line in m.group(1).splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != 5 or not cells[0].startswith("`"):
        continue
    case, msg, logged = cells[0].strip("`"), cells[1].strip("`"), cells[2]
    rx = r"imconfluence\([^)]*\): " + ".*".join(re.escape(p) for p in re.split(r"<[^>]*>", msg))
    print("\t".join((case, logged, rx)))
    n += 1
if n == 0:
    sys.exit("no rows")
PY
h_ok "the messages table has $(wc -l <"$ROWS") rows"

# count CASE FILE: lines of FILE with the row's message
count() {
	"$PYTHON3" -c '
import re, sys
rx = re.compile(sys.argv[1])
print(sum(1 for l in open(sys.argv[2], encoding="utf-8", errors="replace") if rx.search(l)))' \
		"$(awk -F'\t' -v c="$1" '$1 == c {print $3}' "$ROWS")" "$2"
}

free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_stat COUNTER N: until the input's impstats counter reaches N
_stat_atleast() {
	local v
	v=$(icf_stats "$H_DIR/stats.log" "$1")
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}
wait_stat() {
	local v
	h_until 20 _stat_atleast "$1" "$2" && return 0
	v=$(icf_stats "$H_DIR/stats.log" "$1")
	echo "# timeout: $1 is ${v:-unset}, wanted $2" >&2
	return 1
}

# ---- -N1 cases: one input() on one line; rsyslogd -N1 must exit 1 and name it
n1_case() { # CASE INPUT-PARAMS [MORE-CONFIG]
	local conf=$H_DIR/n1-$1.conf line rc
	h_conf "$conf" <<EOF
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" url="$M_URL_ok" $2)
${3:-}
EOF
	line=$(grep -n '^input(type="imconfluence"' "$conf" | cut -d: -f1)
	h_rsyslogd -N1 -f "$conf" >"$H_DIR/case-$1.log" 2>&1
	rc=$?
	h_check "$1: rsyslogd -N1 exits 1 (it exited $rc)" test "$rc" = 1
	h_check "$1: the message names the statement, input() at $conf:$line" \
		grep -qF "input() at $conf:$line: " "$H_DIR/case-$1.log"
}
case_n1_secret_missing() { n1_case n1-secret-missing "username=\"u\" passwordFile=\"$H_DIR/no-such-file\""; }
case_n1_secret_notfile() {
	mkdir -p "$H_DIR/a-dir"
	n1_case n1-secret-notfile "tokenFile=\"$H_DIR/a-dir\""
}
case_n1_secret_empty() {
	: >"$H_DIR/empty.tok"
	chmod 600 "$H_DIR/empty.tok"
	n1_case n1-secret-empty "tokenFile=\"$H_DIR/empty.tok\""
}
case_n1_secret_blank() {
	printf '\n%s\n' "$PW" >"$H_DIR/blank.pw"
	chmod 600 "$H_DIR/blank.pw"
	n1_case n1-secret-blank "username=\"u\" passwordFile=\"$H_DIR/blank.pw\""
}
case_n1_tls_file() { n1_case n1-tls-file "tokenFile=\"$H_DIR/pw\" tls.cacert=\"$H_DIR/no-ca.pem\""; }
case_n1_state_dir() { n1_case n1-state-dir "tokenFile=\"$H_DIR/pw\" stateFile=\"$H_DIR/no-dir/x.state\""; }
case_n1_privkey_alone() { n1_case n1-privkey-alone "tokenFile=\"$H_DIR/pw\" tls.myprivkey=\"$H_DIR/pw\""; }
# root may write anywhere; the user rsyslogd drops privileges to may not.
# The legacy directive (Ubuntu's stock rsyslog.conf uses it): rsyslog 8.2102
# has no global(privDrop.user...), and both set the same.
case_n1_state_dir_privdrop() {
	mkdir -m 0755 "$H_DIR/root-only"
	n1_case n1-state-dir-privdrop "tokenFile=\"$H_DIR/pw\" stateFile=\"$H_DIR/root-only/x.state\"" \
		'$PrivDropToUserID 65534'
	# the control: once that user owns it, -N1 passes
	chown 65534 "$H_DIR/root-only"
	h_check "n1-state-dir-privdrop: with the directory that user's, -N1 passes" \
		h_rsyslogd -N1 -f "$H_DIR/n1-n1-state-dir-privdrop.conf"
}
case_n1_username_alone() { n1_case n1-username-alone "username=\"u\""; }

# ---- cases with a running rsyslogd: run_case < BODY, then end_case CASE
run_case() {
	rm -f "$H_INTERNAL" "$H_DIR/stats.log"
	rm -rf "$H_DIR/work"
	mkdir -p "$H_DIR/work"
	icf_conf
	h_start
}
end_case() {
	h_stop 10
	cp "$H_INTERNAL" "$H_DIR/case-$1.log" 2>/dev/null || : >"$H_DIR/case-$1.log"
}
out() { echo "ruleset(name=\"out\") { action(type=\"omfile\" file=\"$H_DIR/out-$1.log\" template=\"msgonly\") }"; }

# the secret file is missing at start and at a first HUP; a second HUP finds it
hup_run() {
	local n
	[ -f "$H_DIR/case-hup.log" ] && return 0
	m_start late --flavor datacenter --events 0 --user alice --password "$PW" || return 1
	m_gen late 10 600 60
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_late" username="alice" passwordFile="$H_DIR/late.pw" ruleset="out" $common)
$(out hup)
EOF
	kill -HUP "$H_PID"
	h_wait_grep "$H_INTERNAL" "still waits for it" 10
	sleep 1
	n=$(m_requests late | jq length)
	h_check "hup-secret: no request while the file is missing ($n)" test "$n" = 0
	printf '%s\n' "$PW" >"$H_DIR/late.pw"
	chmod 600 "$H_DIR/late.pw"
	kill -HUP "$H_PID"
	h_check "hup-secret: after the HUP the input polls, events arrive" h_wait_lines "$H_DIR/out-hup.log" 10 20
	end_case hup
}
case_hup_secret_still() {
	hup_run || return 1
	cp "$H_DIR/case-hup.log" "$H_DIR/case-hup-secret-still.log"
}
case_hup_secret() {
	hup_run || return 1
	cp "$H_DIR/case-hup.log" "$H_DIR/case-hup-secret.log"
}

# the state directory goes away after the first poll, then comes back
state_run() {
	[ -f "$H_DIR/case-state.log" ] && return 0
	m_start st --flavor datacenter --events 0 --token tok || return 1
	m_gen st 10 600 60
	mkdir "$H_DIR/st"
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_st" token="tok" stateFile="$H_DIR/st/s.state" ruleset="out" $common)
$(out st)
EOF
	h_wait_lines "$H_DIR/out-st.log" 10 20
	mv "$H_DIR/st" "$H_DIR/st.away"
	: >"$H_DIR/st" # a file: nothing can be created under it
	h_check "state: saves fail at least 3 times" wait_stat state.errors 3
	rm "$H_DIR/st"
	mv "$H_DIR/st.away" "$H_DIR/st"
	h_wait_grep "$H_INTERNAL" "is written again" 20
	more_polls st
	end_case state
}
case_state_unwritable() {
	state_run || return 1
	cp "$H_DIR/case-state.log" "$H_DIR/case-state-unwritable.log"
	h_check "state-unwritable: no \"requests succeed again\" while requests never failed" \
		test "$(grep -c 'requests succeed again' "$H_DIR/case-state.log")" = 0
}
case_state_written_again() {
	state_run || return 1
	cp "$H_DIR/case-state.log" "$H_DIR/case-state-written-again.log"
}

case_auth_401() {
	m_start a401 --flavor datacenter --events 0 --user alice --password "$PW" || return 1
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_a401" username="alice" password="not-it" ruleset="out" $common)
$(out a401)
EOF
	wait_requests a401 4 20
	end_case auth-401
}

# three 500s, then answers: the failure and the recovery
fault_run() {
	[ -f "$H_DIR/case-fault.log" ] && return 0
	m_start f5 --flavor datacenter --events 0 --token tok || return 1
	m_gen f5 10 600 60
	m_ctl f5 POST /__mock/faults '{"kind":"status","status":500,"count":3}' >/dev/null
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_f5" token="tok" ruleset="out" $common)
$(out f5)
EOF
	h_wait_lines "$H_DIR/out-f5.log" 10 30
	more_polls f5
	end_case fault
}
case_server_5xx() {
	fault_run || return 1
	cp "$H_DIR/case-fault.log" "$H_DIR/case-server-5xx.log"
}
case_recovered() {
	fault_run || return 1
	cp "$H_DIR/case-fault.log" "$H_DIR/case-recovered.log"
}

case_connect_refused() {
	run_case <<EOF || return 1
input(type="imconfluence" url="http://127.0.0.1:$(free_port)" token="tok" ruleset="out" $common)
$(out refused)
EOF
	wait_stat curl.errors 3
	end_case connect-refused
}

case_org_404() {
	org_start o404 || return 1
	run_case <<EOF || return 1
$(ORG_ID=11111111-2222-3333-4444-555555555555 org_input o404 ruleset=\"out\" $common)
$(out o404)
EOF
	wait_requests o404 3 20
	end_case org-404
}

case_proxy_refused() {
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_ok" token="tok" proxy="http://px:$PW@127.0.0.1:$(free_port)" ruleset="out" $common)
$(out pref)
EOF
	wait_stat curl.errors 3
	end_case proxy-refused
}

proxy407() {
	[ -n "${PROXY407:-}" ] && return 0
	"$PYTHON3" "$top_srcdir/tests/integration/http_proxy.py" --require-auth --port-file "$H_DIR/proxy.port" \
		--log "$H_DIR/proxy.log" &
	h_bg $!
	h_wait_file "$H_DIR/proxy.port" 10 || return 1
	PROXY407=http://px:$PW@127.0.0.1:$(cat "$H_DIR/proxy.port") # its password must not show
}
# proxy407_case CASE URL COUNTER: an input through the proxy that wants credentials
proxy407_case() {
	proxy407 || return 1
	run_case <<EOF || return 1
input(type="imconfluence" url="$2" token="tok" proxy="$PROXY407" ruleset="out" $common)
$(out "$1")
EOF
	wait_stat "$3" 3
	end_case "$1"
}
# an http:// url: the proxy answers the forwarded GET itself
case_proxy_407() { proxy407_case proxy-407 "$M_URL_ok" http.4xx; }
# an https:// url: the proxy refuses the CONNECT tunnel
case_proxy_connect_407() { proxy407_case proxy-connect-407 "https://127.0.0.1:$M_PORT_ok" curl.errors; }

# a 200 with an SSO login page, again and again
case_html_page() {
	m_start sso --flavor datacenter --events 0 --token tok || return 1
	m_ctl sso POST /__mock/faults "$(jq -nc --arg b '<!DOCTYPE html><html><head><title>Log in - Example SSO</title></head><body></body></html>' \
		'{kind: "status", status: 200, count: 100000, body: $b, content_type: "text/html;charset=UTF-8"}')" >/dev/null
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_sso" token="tok" ruleset="out" $common)
$(out sso)
EOF
	wait_requests sso 4 20
	end_case html-page
}

# a 302 to a login page, again and again
case_redirect() {
	m_start r302 --flavor datacenter --events 0 --token tok || return 1
	m_ctl r302 POST /__mock/faults '{"kind":"status","status":302,"count":100000,"headers":{"Location":"https://sso.example/login"}}' >/dev/null
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_r302" token="tok" ruleset="out" $common)
$(out r302)
EOF
	wait_requests r302 4 20
	end_case redirect
}

# a healthy input: its first poll is announced once, later polls are not
case_first_poll() {
	m_start fp --flavor datacenter --events 0 --token tok || return 1
	m_gen fp 10 600 60
	run_case <<EOF || return 1
input(type="imconfluence" url="$M_URL_fp" token="tok" ruleset="out" $common)
$(out fp)
EOF
	h_wait_lines "$H_DIR/out-fp.log" 10 30
	wait_requests fp 6 30
	end_case first-poll
}

# ---- the run
m_start ok --flavor datacenter --events 0 --token tok || exit 1
printf '%s\n' "$PW" >"$H_DIR/pw"
chmod 600 "$H_DIR/pw"
# the control: the same -N1 configuration without a mistake passes
h_conf "$H_DIR/n1-good.conf" <<EOF
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" url="$M_URL_ok" username="u" passwordFile="$H_DIR/pw" tls.cacert="$H_DIR/pw")
EOF
h_check "control: a configuration without a mistake passes rsyslogd -N1" \
	h_rsyslogd -N1 -f "$H_DIR/n1-good.conf"

while IFS=$'\t' read -r id logged rx; do
	fn=case_${id//-/_}
	if ! declare -F "$fn" >/dev/null; then
		h_fail "$id: the table's row has a trigger case ($fn)"
		continue
	fi
	"$fn"
	f=$H_DIR/case-$id.log
	n=$(count "$id" "$f")
	case "$logged" in
	-N1 | "once per streak" | "once per HUP" | "once per start")
		h_check "$id: the message appears once ($n times)" test "$n" = 1 || sed 's/^/#   /' "$f" >&2
		;;
	*)
		h_check "$id: the message appears ($n times)" test "$n" -ge 1 || sed 's/^/#   /' "$f" >&2
		;;
	esac
done <"$ROWS"
h_check "no secret in any message (passwords, the proxy's)" bash -c "! grep -q '$PW' '$H_DIR'/case-*.log"
h_done
