#!/bin/bash
# mmconfluence through the real rsyslogd: imfile reads Data Center audit
# files, mmconfluence maps each line, omfile writes %$!% as JSON lines.
# Pins: the golden fixture reproduced exactly (as JSON) inside rsyslogd,
# imfile metadata consumed into log.file.path/log.offset, input.type,
# $parsesuccess, pipeline_error for broken lines (nothing lost), empty
# envelopes, container/source/setTimestamp/eventId parameters, and a clear
# configuration error for a broken categories file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_imfile
FX=$CFL_FIXTURES/elastic-confluence
GEO=$CFL_FIXTURES/geoip
RB=$CFL_RULEBASES

# imfile emits a line once its LF is there; the fixture's last line has none
sed -e '$a\' "$FX/test-audit-files.log" >"$H_DIR/files.audit.log"
{
	echo 'this is not json at all'
	echo '{"auditType":{"action":"x"},"author":{"id":"1"}}'
	cat "$FX/test-audit-api-empty.log"
	echo
	# two identical events (two lines): two documents, so two ids (the
	# offset is taken in, contract section 2), and both differ from the next
	sed -n 2p "$FX/test-audit-files.log"
	sed -n 2p "$FX/test-audit-files.log"
	sed -n 3p "$FX/test-audit-files.log"
} >"$H_DIR/mixed.audit.log"
n_files=$(grep -c '' "$H_DIR/files.audit.log")

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imfile")
template(name="ecs" type="string" string="%\$!%\n")
template(name="meta" type="string"
	string="%parsesuccess%|%timereported:::date-rfc3339%|%\$!ecs!event!id%|%\$!ecs!event!kind%|%\$!raw%|%\$!metadata%\n")
input(type="imfile" file="$H_DIR/files.audit.log" tag="confluence-audit" ruleset="golden" addMetadata="on")
input(type="imfile" file="$H_DIR/mixed.audit.log" tag="confluence-audit" ruleset="mixed" addMetadata="on")
ruleset(name="golden") {
	action(type="mmconfluence" preserveOriginal="on" tags=["preserve_original_event"]
	       geoip.citydb="$GEO/GeoIP2-City-Test.mmdb" geoip.asndb="$GEO/GeoLite2-ASN-Test.mmdb"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/golden.jsonl" template="ecs")
}
ruleset(name="mixed") {
	set \$!raw = \$msg;
	action(type="mmconfluence" source="\$!raw" container="\$!ecs" eventId="on"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/mixed.meta" template="meta")
	action(type="omfile" file="$H_DIR/mixed.jsonl" template="ecs")
}
EOF2
h_check "rsyslogd -N1 accepts the mmconfluence configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_lines "$H_DIR/golden.jsonl" "$n_files" 30
h_wait_lines "$H_DIR/mixed.meta" 6 30
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0

# --- golden: contract fields only (the expected file omits the fields that
# depend on how the event arrived), compared as JSON
"$PYTHON3" - "$H_DIR/golden.jsonl" "$H_DIR/golden.stripped.jsonl" "$H_DIR/golden.arrival" <<'PY'
import json, sys
src, dst, arrival = sys.argv[1:4]
with open(src) as f, open(dst, "w") as out, open(arrival, "w") as arr:
    for line in f:
        d = json.loads(line)
        ev = d.get("event", {})
        arr.write(json.dumps([d.get("input"), d.get("log"), ev.pop("dataset", None), ev.pop("module", None), d.pop("data_stream", None)]) + "\n")
        d.pop("input", None); d.pop("log", None)
        out.write(json.dumps(d) + "\n")
PY
h_check "all $n_files fixture events came out of rsyslogd" test "$(grep -c '' "$H_DIR/golden.jsonl")" -eq "$n_files"
h_check "test-audit-files.expected.jsonl reproduced exactly (as JSON) through rsyslogd" \
	"$PYTHON3" "$top_srcdir/tests/lib/jsoncmp.py" "$FX/test-audit-files.expected.jsonl" "$H_DIR/golden.stripped.jsonl"
h_check "imfile metadata becomes input.type, log.file.path and log.offset; data_stream and event.dataset set" \
	"$PYTHON3" - "$H_DIR/golden.arrival" "$H_DIR/files.audit.log" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
offsets = []
for inp, log, dataset, module, ds in rows:
    assert inp == {"type": "imfile"}, inp
    assert log["file"]["path"] == sys.argv[2], log
    offsets.append(log["offset"])
    assert dataset == "atlassian_confluence.audit" and module == "atlassian_confluence", (dataset, module)
    assert ds == {"type": "logs", "dataset": "atlassian_confluence.audit", "namespace": "default"}, ds
# imfile's fileoffset is where each line starts
starts, pos = [], 0
for line in open(sys.argv[2], "rb"):
    starts.append(pos); pos += len(line)
assert offsets == starts, (offsets[:5], starts[:5])
PY
h_check "\$! holds the ECS document only (no imfile metadata left)" \
	bash -c "! grep -q '\"metadata\"' '$H_DIR/golden.jsonl'"

# --- the mixed file: failure paths and parameters
mapfile -t META <"$H_DIR/mixed.meta"
h_check "non-JSON line: \$parsesuccess FAIL, event.kind pipeline_error" \
	bash -c "[[ '${META[0]}' == FAIL\|*\|*\|pipeline_error\|* ]]"
h_check "event without a timestamp: \$parsesuccess FAIL, pipeline_error" \
	bash -c "[[ '${META[1]}' == FAIL\|*\|*\|pipeline_error\|* ]]"
h_check "empty envelope: \$parsesuccess FAIL and nothing mapped" \
	bash -c "[[ '${META[2]}' == FAIL\|*\|\|\|* ]]"
h_check "a mapped event: \$parsesuccess OK" bash -c "[[ '${META[3]}' == OK\|* ]]"
"$PYTHON3" - "$H_DIR/mixed.jsonl" "$H_DIR/mixed.meta" "$H_DIR/mixed.audit.log" >"$H_DIR/mixed.check" 2>&1 <<'PY'
import json, sys, datetime
docs = [json.loads(l) for l in open(sys.argv[1])]
meta = [l.rstrip("\n").split("|") for l in open(sys.argv[2])]
raw = open(sys.argv[3]).read().splitlines()
bad = docs[0]["ecs"]
assert bad["event"]["kind"] == "pipeline_error"
assert bad["event"]["original"] == raw[0], bad
assert bad["error"]["message"], bad
assert set(bad) <= {"@timestamp", "ecs", "event", "error", "tags", "data_stream", "input", "log"}, sorted(bad)
assert bad["@timestamp"], "an error document has the time rsyslog received it"
assert docs[0]["raw"] == raw[0], "source property must be left in place"
assert "metadata" not in docs[0], "imfile metadata must be consumed"
assert docs[1]["ecs"]["event"]["kind"] == "pipeline_error"
# empty envelope: the container was not touched
assert "ecs" not in docs[2], docs[2]
ids = [m[2] for m in meta[3:6]]
assert ids[0] and ids[0] != ids[1] and ids[1] != ids[2] and ids[0] != ids[2], ids
ev = docs[3]["ecs"]
assert ev["event"]["id"] == ids[0]
# setTimestamp (default on): timereported is the event's @timestamp
ts = datetime.datetime.fromisoformat(ev["@timestamp"].replace("Z", "+00:00"))
rep = datetime.datetime.fromisoformat(meta[3][1])
assert abs((rep - ts).total_seconds()) < 0.001, (meta[3][1], ev["@timestamp"])
print("mixed ok")
PY
h_check "pipeline_error keeps the original text; eventId deterministic; setTimestamp; container and source" \
	grep -q 'mixed ok' "$H_DIR/mixed.check" || sed 's/^/# /' "$H_DIR/mixed.check"

# --- a broken categories file is a configuration error naming file and line
printf '{\n  "rules": [\n    {"actions": ["x"],, }\n' >"$H_DIR/broken-categories.json"
h_conf "$H_DIR/broken.conf" <<EOF2
module(load="$MMCONFLUENCE_SO")
action(type="mmconfluence" rulebase="$RB/confluence-audit.rulebase" categories="$H_DIR/broken-categories.json")
EOF2
h_rsyslogd -N1 -f "$H_DIR/broken.conf" >"$H_DIR/broken.out" 2>&1
rc=$?
h_check "broken categories file: -N1 fails (exit $rc)" test $rc -ne 0
h_check "broken categories file: the error names the file and line" \
	grep -Eq 'broken-categories\.json.*(line|:)[ ]?[0-9]+' "$H_DIR/broken.out"
h_done
