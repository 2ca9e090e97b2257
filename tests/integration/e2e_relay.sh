#!/bin/bash
# End to end, relay: two Data Center "nodes", each an rsyslogd running the
# shipped confluence-relay-shipper.conf over its own audit folder -- node1
# forwards over RELP (Debian's rsyslog-relp), node2 over plain TCP -- to a
# central rsyslogd running confluence-00-common + confluence-relay-central +
# output-files. The files are the shipped ones, rewritten only for paths,
# host and ports.
# Pins: every event arrives at the central, mapped by mmconfluence
# (event.kind event, event.id set); log.file.path and log.offset survive the
# trip (structured data); input.type says which transport carried it; events
# written while the central is down wait in the shippers' queues and arrive
# once it is back. RELP delivers each exactly once throughout; plain TCP
# exactly once while the central is up, and may repeat a batch that was in
# flight when the central went away (the repeat has the same event.id, which
# the idempotent outputs absorb) -- the trade-off the shipper file documents.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_relay
N1=${E2E_RELAY_EVENTS:-150}
N2=$N1
M=40

if ! compgen -G "/usr/lib/*/rsyslog/imrelp.so" >/dev/null || ! compgen -G "/usr/lib/*/rsyslog/omrelp.so" >/dev/null; then
	h_fail "imrelp and omrelp are installed (Debian package rsyslog-relp; contrib/check.sh installs it)"
	h_done
fi

RELP_PORT=$(e2e_free_port)
TCP_PORT=$(e2e_free_port)
while [ "$TCP_PORT" = "$RELP_PORT" ]; do TCP_PORT=$(e2e_free_port); done

# --- central: the harness's rsyslogd
C=$H_DIR/central
e2e_configs "$C"
e2e_dispatch "$C/confluence-00-common.conf" files
sed -i -e "s|port=\"2514\"|port=\"$RELP_PORT\"|" -e "s|port=\"10514\"|port=\"$TCP_PORT\"|" \
	"$C/confluence-relay-central.conf"
e2e_combine confluence-00-common.conf confluence-relay-central.conf output-files.conf

# --- two shippers, each with its own work and audit folders
make_shipper() {
	local name=$1 ruleset=$2 d=$H_DIR/$1
	mkdir -p "$d/work" "$d/audit"
	e2e_configs "$d/conf"
	sed -i -e "s|$H_DIR/audit/|$d/audit/|g" \
		-e "s|target=\"confluence-central.example.com\"|target=\"127.0.0.1\"|" \
		-e "s|port=\"2514\"|port=\"$RELP_PORT\"|" -e "s|port=\"10514\"|port=\"$TCP_PORT\"|" \
		-e "s|ruleset=\"confluence_ship_relp\")|ruleset=\"$ruleset\")|" \
		-e 's|action.resumeInterval="10"|action.resumeInterval="1"|' \
		"$d/conf/confluence-relay-shipper.conf"
	cat >"$d/rsyslog.conf" <<EOF2
global(workDirectory="$d/work" processInternalMessages="on" maxMessageSize="1m")
if \$syslogtag startswith "rsyslogd" or \$programname == "rsyslogd" then {
	action(type="omfile" file="$d/internal.log")
	stop
}
include(file="$d/conf/confluence-relay-shipper.conf")
$(e2e_impstats "$name")
EOF2
}
make_shipper node1 confluence_ship_relp
make_shipper node2 confluence_ship_tcp
h_check "rsyslogd -N1 accepts the RELP shipper" "$RSYSLOGD" -N1 -f "$H_DIR/node1/rsyslog.conf"
h_check "rsyslogd -N1 accepts the TCP shipper" "$RSYSLOGD" -N1 -f "$H_DIR/node2/rsyslog.conf"

# Events: node1 and node2 get different, distinct events (the @timestamp
# tells them apart); a second batch of each is written later.
e2e_audit_events $((2 * N1 + 2 * M)) "$H_DIR/all.audit.log"
sed -n "1,${N1}p" "$H_DIR/all.audit.log" >"$H_DIR/node1/audit/20231114-00000.audit.log"
sed -n "$((N1 + 1)),$((N1 + N2))p" "$H_DIR/all.audit.log" >"$H_DIR/node2/audit/20231114-00000.audit.log"

OUT=$H_DIR/out/audit.ecs.jsonl
h_start || { h_fail "central rsyslogd starts"; h_done; }
e2e_start_rsyslogd node1 "$H_DIR/node1/rsyslog.conf" || h_fail "RELP shipper starts"
P1=$E2E_PID
e2e_start_rsyslogd node2 "$H_DIR/node2/rsyslog.conf" || h_fail "TCP shipper starts"
P2=$E2E_PID
h_check "central received $((N1 + N2)) documents" h_wait_lines "$OUT" $((N1 + N2)) 30

# --- central down: the shippers queue what is written meanwhile
h_stop 20
h_check "central stops cleanly" test $? -eq 0
sed -n "$((N1 + N2 + 1)),$((N1 + N2 + M))p" "$H_DIR/all.audit.log" >"$H_DIR/node1/audit/20231115-00000.audit.log"
sed -n "$((N1 + N2 + M + 1)),$((N1 + N2 + 2 * M))p" "$H_DIR/all.audit.log" >"$H_DIR/node2/audit/20231115-00000.audit.log"
# the shippers read and queued every new line while the central is down
e2e_wait_queue_stat node1 confluence_ship_relp enqueued $((N1 + M)) 30
e2e_wait_queue_stat node2 confluence_ship_tcp enqueued $((N2 + M)) 30
h_start || { h_fail "central rsyslogd restarts"; h_done; }
h_check "after the central's restart: at least $((N1 + N2 + 2 * M)) documents" h_wait_lines "$OUT" $((N1 + N2 + 2 * M)) 30
# both shippers' queues are empty: a TCP repeat would have been sent
e2e_queue_drained node1 confluence_ship_relp 30
e2e_queue_drained node2 confluence_ship_tcp 30
e2e_stop_pid "$P1"
h_check "RELP shipper stops cleanly" test $? -eq 0
e2e_stop_pid "$P2"
h_check "TCP shipper stops cleanly" test $? -eq 0
h_stop 20
h_check "central stops cleanly at the end" test $? -eq 0

check_central() {
	"$PYTHON3" - "$OUT" "$H_DIR" "$N1" "$N2" "$M" <<'PY'
import json, sys, datetime
out, hd, n1, n2, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def ts_of(line):
    ts = json.loads(line)["timestamp"]
    t = datetime.datetime.fromtimestamp(ts["epochSecond"], datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts["nano"] // 1000000)
want = {}   # @timestamp -> (transport, file, offset)
for node, transport in (("node1", "imrelp"), ("node2", "imtcp")):
    for name in ("20231114-00000.audit.log", "20231115-00000.audit.log"):
        path = "%s/%s/audit/%s" % (hd, node, name)
        off = 0
        for raw in open(path, "rb"):
            want[ts_of(raw)] = (transport, path, off)
            off += len(raw)
docs = [json.loads(l) for l in open(out)]
got = [d.get("@timestamp") for d in docs]
missing = sorted(set(want) - set(got))
assert not missing, "missing %d: %s" % (len(missing), missing[:5])
# RELP: exactly once, always. Plain TCP: exactly once while the central is up;
# a batch in flight when it went away may be sent again after it is back
# (at least once) -- such a repeat must be the very same document (event.id).
seen = {}
tcp_repeats = 0
for d in docs:
    t = d["@timestamp"]
    if t in seen:
        transport, path, off = want[t]
        assert transport == "imtcp" and path.endswith("20231115-00000.audit.log"), \
            "repeated over %s: %s %s" % (transport, t, path)
        assert d == seen[t], "a repeat differs from the first copy"
        tcp_repeats += 1
    seen[t] = d
assert len(seen) == len(want) == 2 * n1 + 2 * m, (len(seen), len(want))
ids = set()
for d in seen.values():
    ev = d["event"]
    assert ev["kind"] == "event" and len(ev.get("id", "")) == 32, ev
    ids.add(ev["id"])
    transport, path, off = want[d["@timestamp"]]
    assert d["input"]["type"] == transport, (d["input"], transport)
    assert d["log"] == {"file": {"path": path}, "offset": off}, (d["log"], path, off)
    assert d["data_stream"]["dataset"] == "atlassian_confluence.audit"
    assert "metadata" not in d and "rfc5424-sd" not in d, sorted(d)
assert len(ids) == len(seen), "event.id not unique"
print("# central: %d events, %d documents; plain TCP repeated %d after the central's restart (same event.id)"
      % (len(seen), len(docs), tcp_repeats))
PY
}
h_check "every event arrives, mapped, with its file path, offset and transport; RELP exactly once; TCP repeats only across the restart, with the same event.id" check_central
h_done
