#!/bin/bash
# End to end, relay: two Data Center "nodes", each an rsyslogd running the
# shipped confluence-relay-shipper.conf over its own audit folder -- node1
# forwards over RELP (Debian's rsyslog-relp), node2 over plain TCP -- to a
# central rsyslogd running atlassian-00-common + confluence-relay-central +
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

# --- central: the harness's rsyslogd
e2e_relay_central

# --- two shippers, each with its own work and audit folders (retrying every
# second instead of 10, to keep the test short)
for node in "node1 confluence_ship_relp" "node2 confluence_ship_tcp"; do
	set -- $node
	e2e_make_shipper "$1" "$2" || h_fail "shipper $1 is set up"
	sed -i 's|action.resumeInterval="10"|action.resumeInterval="1"|' "$H_DIR/$1/conf/confluence-relay-shipper.conf"
done
h_check "rsyslogd -N1 accepts the RELP shipper" "$RSYSLOGD" -N1 -f "$H_DIR/node1/rsyslog.conf"
h_check "rsyslogd -N1 accepts the TCP shipper" "$RSYSLOGD" -N1 -f "$H_DIR/node2/rsyslog.conf"

# Events: node1 and node2 get different, distinct events (the @timestamp
# tells them apart); a second batch of each is written later.
e2e_audit_events $((2 * N1 + 2 * M)) "$H_DIR/all.audit.log"
sed -n "1,${N1}p" "$H_DIR/all.audit.log" >"$H_DIR/node1/audit/20231114-00000.audit.log"
sed -n "$((N1 + 1)),$((N1 + N2))p" "$H_DIR/all.audit.log" >"$H_DIR/node2/audit/20231114-00000.audit.log"
# one event of 300 KB over plain TCP: larger than imtcp's default frame limit
# (200000), within maxMessageSize (1m) -- the central's maxFrameSize must take it
"$PYTHON3" - "$H_DIR/node2/audit/20231114-00000.audit.log" <<'PY'
import json, sys
path = sys.argv[1]
lines = open(path).read().splitlines()
ev = json.loads(lines[0])
ev["changedValues"] = [{"i18nKey": "atlassian.audit.event.change.big", "key": "big", "from": "",
                        "to": "A" * 300000}]
lines[0] = json.dumps(ev, separators=(",", ":"))
open(path, "w").write("\n".join(lines) + "\n")
PY
BIG_TS=$(head -n 1 "$H_DIR/node2/audit/20231114-00000.audit.log" | "$PYTHON3" -c 'import json,sys,datetime
ts = json.load(sys.stdin)["timestamp"]
t = datetime.datetime.fromtimestamp(ts["epochSecond"], datetime.timezone.utc)
print(t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts["nano"] // 1000000))')

OUT=$H_DIR/out/audit.ecs.jsonl
h_start || { h_fail "central rsyslogd starts"; h_done; }
e2e_start_rsyslogd node1 "$H_DIR/node1/rsyslog.conf" || h_fail "RELP shipper starts"
P1=$E2E_PID
e2e_start_rsyslogd node2 "$H_DIR/node2/rsyslog.conf" || h_fail "TCP shipper starts"
P2=$E2E_PID
h_check "central received $((N1 + N2)) documents" h_wait_lines "$OUT" $((N1 + N2)) 30
big_whole() {
	"$PYTHON3" - "$OUT" "$BIG_TS" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("@timestamp") == sys.argv[2]:
        # mapped, so its JSON arrived whole (a cut frame is not JSON: a
        # pipeline_error); the value itself is then cut to the index's term
        # limit, "to\0<value>" <= 32766 bytes (docs/ecs-mapping.md section 6)
        assert d["event"]["kind"] == "event", d["event"]
        vals = [c for c in d["confluence"]["audit"]["changed_values"] if c.get("key") == "big"]
        assert vals and vals[0]["to"] == "A" * (32766 - 3), "the 300 KB value did not arrive"
        assert "confluence.audit.changed_values.to" in d["confluence"]["audit"]["truncated_fields"]
        sys.exit(0)
sys.exit("the 300 KB event is missing")
PY
}
h_check "a 300 KB event crosses plain TCP whole (imtcp maxFrameSize)" big_whole

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
e2e_relay_stop "$P1" "$P2"

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
