#!/bin/bash
# mmconfluence_ids.sh -- distinct events, distinct ids; one event sent twice,
# one id (contract section 2, event.id):
#   1. imconfluence's $!metadata!copy (here set by the configuration, as
#      imconfluence would): absent/0 keeps today's id (the hash of the text,
#      what confluence2ecs --event-id gives); copy 1 and 2 give two other
#      ids; copy 1 delivered again gives copy 1's id; $!metadata is consumed.
#   2. imfile (addMetadata="on"): two identical lines of an audit file are
#      two ids (the offset is taken in); reading the file again from the
#      start (a lost imfile state) gives the very same ids, and so does the
#      file renamed by a rotation (the offset, not the name, is taken in).
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_ids
FX=$CFL_FIXTURES/elastic-confluence
RB=$CFL_RULEBASES
EV=$(sed -n 2p "$FX/test-audit-files.log")
EV2=$(sed -n 3p "$FX/test-audit-files.log")
mkdir -p "$H_DIR/audit"
printf '%s\n%s\n%s\n' "$EV" "$EV" "$EV2" >"$H_DIR/audit/a.audit.log"

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imtcp")
module(load="imfile")
input(type="imtcp" port="0" listenPortFileName="$H_DIR/tcp.port" ruleset="tcp")
input(type="imfile" file="$H_DIR/audit/*.audit.log" tag="confluence-audit" ruleset="file" addMetadata="on")
template(name="ecs" type="string" string="%hostname% %\$!%\n")
# the syslog host name stands for imconfluence's copy number
ruleset(name="tcp") {
	if \$hostname != "c0" then
		set \$!metadata!copy = cnum(substring(\$hostname, 1, 9));
	action(type="mmconfluence" eventId="on"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/tcp.out" template="ecs")
}
ruleset(name="file") {
	action(type="mmconfluence" eventId="on"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/file.out" template="ecs")
}
EOF2
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_file "$H_DIR/tcp.port" 10 || { h_fail "imtcp wrote its port file"; h_done; }
"$PYTHON3" - "$(cat "$H_DIR/tcp.port")" "$EV" <<'PY'
import socket, sys
port, ev = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
for host in ("c0", "c1", "c2", "c1"):
    s.sendall(("<134>Nov 25 10:00:00 %s confluence-audit: %s\n" % (host, ev)).encode())
s.close()
PY
h_wait_lines "$H_DIR/tcp.out" 4 20
h_wait_lines "$H_DIR/file.out" 3 20
h_stop 10
expected=$(printf '%s\n' "$EV" | "$CONFLUENCE2ECS" --rulebase "$RB/confluence-audit.rulebase" \
	--categories "$RB/confluence-categories.json" --event-id |
	"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["event"]["id"])')
h_check "copies: none = today's id, 1 and 2 two others, copy 1 again = copy 1" "$PYTHON3" - "$H_DIR/tcp.out" "$expected" <<'PY'
import json, sys
rows = [l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines()]
ids = {}
for host, doc in rows:
    d = json.loads(doc)
    assert "metadata" not in d, "the metadata is consumed"
    ids.setdefault(host, set()).add(d["event"]["id"])
assert ids["c0"] == {sys.argv[2]}, (ids["c0"], sys.argv[2])
assert len(ids["c1"]) == 1 and len(ids["c2"]) == 1, ids
assert len(ids["c0"] | ids["c1"] | ids["c2"]) == 3, ids
PY
file_ids() { sed 's/^[^ ]* //' "$1" | "$PYTHON3" -c 'import json,sys; print(" ".join(json.loads(l)["event"]["id"] for l in sys.stdin))'; }
first=$(file_ids "$H_DIR/file.out")
h_check "a file with two identical events: three lines, three ids ($first)" \
	"$PYTHON3" -c 'import sys; ids = sys.argv[1].split(); assert len(ids) == 3 == len(set(ids)), ids' "$first"

# read again from the start (state lost), and then as a rotated file
rm -f "$H_DIR"/work/imfile-state:*
: >"$H_DIR/file.out"
h_start || { h_fail "rsyslogd restarts"; h_done; }
h_wait_lines "$H_DIR/file.out" 3 20
h_stop 10
h_check "read again from the start: the same ids" test "$(file_ids "$H_DIR/file.out")" = "$first"
rm -f "$H_DIR"/work/imfile-state:*
mv "$H_DIR/audit/a.audit.log" "$H_DIR/audit/a-rotated.audit.log"
: >"$H_DIR/file.out"
h_start || { h_fail "rsyslogd restarts"; h_done; }
h_wait_lines "$H_DIR/file.out" 3 20
h_stop 10
h_check "the same file under another name: the same ids" test "$(file_ids "$H_DIR/file.out")" = "$first"
h_done
