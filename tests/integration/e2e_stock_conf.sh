#!/bin/bash
# End to end under Debian's own /etc/rsyslog.conf: the drop-ins are put in an
# rsyslog.d folder under the names the docs give them, and rsyslogd starts
# from the stock rsyslog.conf of the installed rsyslog package, which reads
# them with `$IncludeConfig /etc/rsyslog.d/*.conf` in alphabetical order.
# Every source the docs show feeds the shipped default output
# (output-files.conf), N events each: Confluence Cloud, Confluence Data
# Center API and audit files, the organization audit log, Jira Cloud, Jira
# Data Center API and files, Bitbucket Data Center API and files (mocks and
# audit files), and the relay: two "node" rsyslogds, each from a stock
# rsyslog.conf of its own with confluence-relay-shipper.conf alone in its
# rsyslog.d, ship their audit files over RELP and plain TCP to
# confluence-relay-central.conf in the central one. Each source's documents
# are counted, in its product's data stream, none a pipeline_error.
#
# And the check that this catches a bad name: the same folder with
# atlassian-00-common.conf under its old name confluence-00-common.conf
# (which atlassian-organization.conf and bitbucket-* sort before) is refused
# by rsyslogd -N1: imconfluence is unknown where atlassian-organization.conf
# uses it.
#
# The drop-ins get e2e_configs' usual rewrites (the build's modules and
# rulebases, paths) plus the mocks' URLs and the relay's host and ports;
# their global() lines are kept, as a user installs them.
# tests/integration/e2e_stock_outputs.sh does the same through every output.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_stock_lib.sh"
h_init e2e_stock_conf
N=${E2E_STOCK_EVENTS:-20}
start=$(date +%s)

stock_is_packaged
if ! compgen -G "/usr/lib/*/rsyslog/imrelp.so" >/dev/null || ! compgen -G "/usr/lib/*/rsyslog/omrelp.so" >/dev/null; then
	h_fail "imrelp and omrelp are installed (Debian package rsyslog-relp; contrib/check.sh installs it)"
	h_done
fi

C=$H_DIR/conf
E2E_KEEP_GLOBALS=1 e2e_configs "$C"
h_check "every source has its mock, audit file, secret and URL" stock_sources "$C" "$N" || h_done
RELP_PORT=$(e2e_free_port)
TCP_PORT=$(e2e_free_port)
while [ "$TCP_PORT" = "$RELP_PORT" ]; do TCP_PORT=$(e2e_free_port); done
sed -i -e "s|port=\"2514\"|port=\"$RELP_PORT\"|" -e "s|port=\"10514\"|port=\"$TCP_PORT\"|" \
	"$C/confluence-relay-central.conf"

# --- the central: every shipped file but the shipper (a host of its own) and
# the outputs that need a server (e2e_stock_outputs.sh runs those)
R=$H_DIR/central
stock_root "$R" || h_fail "the sandboxed stock file still includes its rsyslog.d by the glob"
files=()
for f in "$C"/*.conf; do
	case $(basename "$f") in
	confluence-relay-shipper.conf | output-elasticsearch.conf | output-kafka.conf | output-syslog.conf) ;;
	*) files+=("$(basename "$f")") ;;
	esac
done
stock_install "$C" "$R" "${files[@]}"
h_check "rsyslogd -N1 accepts the stock rsyslog.conf with ${#files[@]} drop-ins in rsyslog.d" \
	h_rsyslogd -N1 -f "$R/etc/rsyslog.conf"

# --- two nodes, each with its own stock rsyslog.conf and the shipper alone
# in its rsyslog.d: node1 ships over RELP (the file's default), node2 over
# plain TCP (its input's ruleset switched to confluence_ship_tcp, as the file
# says)
for node in "node1 confluence_ship_relp" "node2 confluence_ship_tcp"; do
	set -- $node
	NODE=$H_DIR/$1
	stock_root "$NODE" || h_fail "$1's stock file includes its rsyslog.d by the glob"
	mkdir -p "$NODE/audit"
	sed -e "s|$H_DIR/audit/|$NODE/audit/|g" -e "s|target=\"confluence-central.example.com\"|target=\"127.0.0.1\"|" \
		-e "s|port=\"2514\"|port=\"$RELP_PORT\"|" -e "s|port=\"10514\"|port=\"$TCP_PORT\"|" \
		-e "s|ruleset=\"confluence_ship_relp\")|ruleset=\"$2\")|" \
		"$C/confluence-relay-shipper.conf" >"$NODE/etc/rsyslog.d/confluence-relay-shipper.conf"
	e2e_audit_events "$N" "$NODE/audit/20260101-00000.audit.log"
	h_check "rsyslogd -N1 accepts $1's stock rsyslog.conf with the shipper ($2)" \
		h_rsyslogd -N1 -f "$NODE/etc/rsyslog.conf"
done

# --- run the three; every source delivers
OUT=$H_DIR/out/audit.ecs.jsonl
SOURCES="$STOCK_SOURCES confluence_relay_relp confluence_relay_tcp"
want=$((N * $(echo $SOURCES | wc -w)))
h_start "$R/etc/rsyslog.conf" || { h_fail "the central rsyslogd starts"; h_done; }
e2e_start_rsyslogd node1 "$H_DIR/node1/etc/rsyslog.conf" || h_fail "node1's rsyslogd starts"
P1=$E2E_PID
e2e_start_rsyslogd node2 "$H_DIR/node2/etc/rsyslog.conf" || h_fail "node2's rsyslogd starts"
P2=$E2E_PID
h_check "$want documents written ($N from each of $(echo $SOURCES | wc -w) sources)" \
	h_wait_lines "$OUT" "$want" 90
h_check "every API mock served its last page" stock_polls_done
e2e_stop_pid "$P1"
h_check "node1's rsyslogd stops cleanly" test $? -eq 0
e2e_stop_pid "$P2"
h_check "node2's rsyslogd stops cleanly" test $? -eq 0
h_stop 20
h_check "the central rsyslogd stops cleanly" test $? -eq 0
stock_check_counts "every source delivered" "$OUT" "$N" confluence_relay_relp confluence_relay_tcp
h_check "rsyslog's own messages went where the stock file sends them (the sandboxed syslog)" \
	grep -q "rsyslogd" "$R/var/log/syslog"
h_check "node1's too" grep -q "rsyslogd" "$H_DIR/node1/var/log/syslog"
h_check "node2's too" grep -q "rsyslogd" "$H_DIR/node2/var/log/syslog"

# --- the same folder with the shared file under its old name
OLD=$H_DIR/oldnames
stock_root "$OLD"
stock_install "$C" "$OLD" "${files[@]}"
mv "$OLD/etc/rsyslog.d/atlassian-00-common.conf" "$OLD/etc/rsyslog.d/confluence-00-common.conf"
h_rsyslogd -N1 -f "$OLD/etc/rsyslog.conf" >"$H_DIR/oldnames.out" 2>&1
rc=$?
grep -m 2 -A1 "imconfluence' is unknown" "$H_DIR/oldnames.out" | sed "s|$OLD/||; s/^/#   /"
h_check "under the old name confluence-00-common.conf rsyslogd -N1 fails (exit $rc)" test "$rc" -ne 0
# rsyslog names the file on the line after its "unknown" (the input's
# parameters it then does not know)
org_first() {
	grep -A1 -m1 "input module name 'imconfluence' is unknown" "$H_DIR/oldnames.out" | tail -n 1 |
		grep -q "error during parsing file $OLD/etc/rsyslog.d/atlassian-organization.conf"
}
h_check "... because imconfluence is unknown where atlassian-organization.conf uses it" org_first
echo "# run time: $(($(date +%s) - start)) s"
h_done
