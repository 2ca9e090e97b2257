#!/bin/bash
# Audit events relayed over syslog (imtcp): the JSON sits behind a syslog
# header, an "@cee:" cookie or a tag-like prefix. mmconfluence finds it via
# the rulebase; event.original is the event's JSON, not the prefix.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_syslog
FX=$CFL_FIXTURES/elastic-confluence
RB=$CFL_RULEBASES
EV=$(sed -n 5p "$FX/test-audit-files.log")
CLOUD=$(sed -n 3p "$FX/test-audit-cloud.log")

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imtcp")
input(type="imtcp" port="0" listenPortFileName="$H_DIR/tcp.port" ruleset="r")
template(name="ecs" type="string" string="%parsesuccess% %\$!%\n")
ruleset(name="r") {
	action(type="mmconfluence" preserveOriginal="on"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/out.jsonl" template="ecs")
}
EOF2
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_file "$H_DIR/tcp.port" 10 || { h_fail "imtcp wrote its port file"; h_done; }
"$PYTHON3" - "$(cat "$H_DIR/tcp.port")" "$EV" "$CLOUD" <<'PY'
import socket, sys
port, ev, cloud = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lines = [
    f"<134>Nov 25 10:00:00 dc-node1 confluence-audit: {ev}",        # tag prefix
    f"<134>Nov 25 10:00:01 dc-node1 confluence: @cee: {ev}",        # cee cookie
    f"<134>1 2026-11-25T10:00:02Z dc-node1 confluence - - - {cloud}", # RFC 5424, bare JSON
    "<134>Nov 25 10:00:03 dc-node1 confluence-audit: not an event",
]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("\n".join(lines) + "\n").encode())
s.close()
PY
h_wait_lines "$H_DIR/out.jsonl" 4 20
h_stop 10
"$PYTHON3" - "$H_DIR/out.jsonl" "$EV" "$CLOUD" >"$H_DIR/check.out" 2>&1 <<'PY'
import json, sys
rows = [l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines()]
ev, cloud = json.loads(sys.argv[2]), json.loads(sys.argv[3])
ok = lambda c, m: print(("ok " if c else "FAIL ") + m)
for i, name in ((0, "tag prefix"), (1, "@cee: cookie")):
    st, doc = rows[i][0], json.loads(rows[i][1])
    ok(st == "OK" and doc["event"]["kind"] == "event", name + " maps")
    ok(json.loads(doc["event"]["original"]) == ev, name + ": event.original is the event JSON only")
    ok(doc["event"]["action"] == ev["auditType"]["actionI18nKey"], name + ": event.action")
st, doc = rows[2][0], json.loads(rows[2][1])
ok(st == "OK" and doc["event"]["action"] == cloud["summary"], "RFC 5424 message with a Cloud event maps")
st, doc = rows[3][0], json.loads(rows[3][1])
ok(st == "FAIL" and doc["event"]["kind"] == "pipeline_error", "a prefixed non-event is a pipeline_error")
ok("not an event" in doc["event"]["original"], "the pipeline_error keeps the text")
PY
while read -r st msg; do
	if [ "$st" = ok ]; then h_ok "$msg"; else h_fail "$msg"; fi
done <"$H_DIR/check.out"
h_check "the relay checks ran ($(grep -c '' "$H_DIR/check.out") results)" test "$(grep -c '^ok\|^FAIL' "$H_DIR/check.out")" -eq 9
h_done
