#!/bin/bash
# mmconfluence_fit.sh -- in rsyslogd, every document mmconfluence writes is one
# Elasticsearch indexes (contract section 6): an error document carries
# @timestamp = when rsyslog received the message (not the syslog header's
# time, not absent); oversized and misshapen events arrive cut and moved, and
# pass tests/lib/es_mapcheck.py; a namespace Elasticsearch cannot use stops
# `rsyslogd -N1` with an error naming the parameter.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_fit
RB=$CFL_RULEBASES

# 1. namespace checked at start
for ns in "Bad-NS" "a b" "_x"; do
	h_conf "$H_DIR/ns.conf" <<EOF2
module(load="$MMCONFLUENCE_SO")
action(type="mmconfluence" datastream.namespace="$ns"
       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
EOF2
	h_rsyslogd -N1 -f "$H_DIR/ns.conf" >"$H_DIR/ns.out" 2>&1
	rc=$?
	h_check "rsyslogd -N1 refuses datastream.namespace \"$ns\" and names the parameter" \
		bash -c "[ $rc != 0 ] && grep -q 'datastream.namespace.*$ns' '$H_DIR/ns.out'"
done

# 2. error documents and hostile events through rsyslogd
h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imtcp")
input(type="imtcp" port="0" listenPortFileName="$H_DIR/tcp.port" ruleset="r")
template(name="ecs" type="string" string="%\$!%\n")
ruleset(name="r") {
	action(type="mmconfluence" preserveOriginal="on" eventId="on"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/out.jsonl" template="ecs")
}
EOF2
"$PYTHON3" "$top_srcdir/tests/lib/hostile_events.py" "$CFL_FIXTURES" "$top_srcdir/tests/cases/map" 2>/dev/null \
	| awk 'NR % 40 == 1' >"$H_DIR/hostile.jsonl"
N=$(($(grep -c '' "$H_DIR/hostile.jsonl") + 2))
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_file "$H_DIR/tcp.port" 10 || { h_fail "imtcp wrote its port file"; h_done; }
T0=$(date +%s)
"$PYTHON3" - "$(cat "$H_DIR/tcp.port")" "$H_DIR/hostile.jsonl" <<'PY'
import socket, sys
port = int(sys.argv[1])
lines = ["<134>Nov 25 10:00:03 dc-node1 confluence-audit: not an event",
         "<134>Nov 25 10:00:04 dc-node1 confluence-audit: {\"timestamp\": \"yesterday\"}"]
lines += ["<134>Nov 25 10:00:05 dc-node1 confluence-audit: " + l.rstrip("\n") for l in open(sys.argv[2])]
s = socket.create_connection(("127.0.0.1", port))
# octet-counted framing: events of 80 KB do not fit imtcp's line default
s.sendall(b"".join(b"%d %s" % (len(l.encode()), l.encode()) for l in lines))
s.close()
PY
h_wait_lines "$H_DIR/out.jsonl" "$N" 30
h_stop 10
h_check "one document per message ($N)" test "$(grep -c '' "$H_DIR/out.jsonl")" -eq "$N"
h_check "error documents: @timestamp is when rsyslog received them" "$PYTHON3" - "$H_DIR/out.jsonl" "$T0" <<'PY'
import datetime, json, sys, time
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
t0 = int(sys.argv[2])
errs = [d for d in docs if d["event"]["kind"] == "pipeline_error"]
bad = 0
for d in errs:
    ts = datetime.datetime.strptime(d["@timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if not t0 - 2 <= ts <= time.time() + 1:
        print("@timestamp", d["@timestamp"], "is not the receive time")
        bad += 1
sys.exit(1 if bad or len(errs) < 2 else 0)
PY
h_check "every document passes the Elasticsearch mapping check" \
	"$PYTHON3" "$top_srcdir/tests/lib/es_mapcheck.py" --quiet "$H_DIR/out.jsonl"
h_done
