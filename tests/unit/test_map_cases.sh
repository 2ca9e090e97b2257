#!/bin/bash
# test_map_cases.sh -- the data-driven mapping cases, one TAP line per case.
#
# Each directory tests/cases/map/<name>/ is one behaviour of the contract
# (docs/ecs-mapping.md):
#   input.json          the message, one line, exactly as received
#   options             optional: confluence2ecs options, one argument per line
#                       (@FIXTURES@ stands for the fixtures directory,
#                       @DOCASN@ for the documentation-range ASN database
#                       built below)
#   expected.json       the expected output documents (none: an empty file),
#                       compared as JSON both ways by tests/lib/jsoncmp.py, or
#   expected-error.txt  the expected error.message of a pipeline_error document;
#                       the document must also carry the message as
#                       event.original, an @timestamp (the time it was read)
#                       and only the event-independent fields
#                       (for organization events, observer.* is one of them)
# A pipeline_error document's @timestamp is when confluence2ecs read the
# message: in expected.json it is written "@RECEIVED@", which matches a time
# within this run (contract section 6).
#   README              what the case pins, in one line (required: a case
#                       without one fails)
# The message goes through confluence2ecs on stdin (so no log.* fields).
# Licensed under the Apache License, Version 2.0.
# the harness gives the environment's defaults and a private temp dir
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"
JSONCMP=$top_srcdir/tests/lib/jsoncmp.py
CASES=$top_srcdir/tests/cases/map
h_init map_cases
TMP=$H_DIR
# The ASN database of Elastic's atlassian_cloud cases (org-*): the RFC 5737
# documentation ranges as AS64500-64502 "Documentation ASN".
DOCASN=$TMP/Documentation-ASN-Test.mmdb
"$PYTHON3" "$top_srcdir/tests/lib/mmdb_write.py" --documentation-asn "$DOCASN" || exit 1

T0=$(date +%s)
# received_time OUTPUT: a pipeline_error document's @timestamp within this
# run becomes "@RECEIVED@" (anything else stays, and then differs)
received_time() {
	"$PYTHON3" - "$1" "$T0" <<'PY'
import datetime, json, sys, time
path, t0 = sys.argv[1], int(sys.argv[2])
out = []
for line in open(path, encoding="utf-8"):
    if not line.strip():
        continue
    d = json.loads(line)
    ts = d.get("@timestamp")
    if d.get("event", {}).get("kind") == "pipeline_error" and isinstance(ts, str):
        try:
            t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if t0 - 1 <= t <= time.time() + 1:
                d["@timestamp"] = "@RECEIVED@"
        except ValueError:
            pass
    out.append(json.dumps(d))
open(path, "w", encoding="utf-8").write("".join(l + "\n" for l in out))
PY
}

# check_error EXPECTED_MESSAGE_FILE INPUT OUTPUT: the pipeline_error contract
check_error() {
	"$PYTHON3" - "$1" "$2" "$3" <<'PY'
import json, sys
want = open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
text = open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
docs = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
if len(docs) != 1:
    sys.exit(f"expected 1 document, got {len(docs)}")
d = docs[0]
ev = d.get("event", {})
problems = []
if ev.get("kind") != "pipeline_error":
    problems.append(f"event.kind is {ev.get('kind')!r}")
if d.get("error", {}).get("message") != want:
    problems.append(f"error.message is {d.get('error', {}).get('message')!r}, expected {want!r}")
if ev.get("original") != text:
    problems.append("event.original is not the message")
if d.get("@timestamp") != "@RECEIVED@":
    problems.append(f"@timestamp is {d.get('@timestamp')!r}, not the time it was read")
allowed = {"@timestamp", "ecs", "tags", "event", "error", "data_stream", "input", "log"}
if ev.get("dataset") == "atlassian_cloud.audit":
    allowed.add("observer")  # org events: observer.* is context-free (docs/org-audit-mapping.md)
extra = sorted(set(d) - allowed) + sorted("event." + k for k in set(ev) - {"kind", "original", "dataset", "module"})
if extra:
    problems.append("fields an error document must not have: " + ", ".join(extra))
if problems:
    sys.exit("; ".join(problems))
PY
}

n=0
failed=0
for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	n=$((n + 1))
	h_case_args "$dir" "$DOCASN"
	args=("${H_CASE_ARGS[@]}")
	out=$TMP/$name.out
	"$CONFLUENCE2ECS" --rulebase "$CFL_RULEBASES/confluence-audit.rulebase" \
		--categories "$CFL_RULEBASES/confluence-categories.json" "${args[@]}" \
		<"$dir/input.json" >"$out" 2>"$TMP/$name.err"
	rc=$?
	received_time "$out"
	why=""
	if [ ! -s "$dir/README" ]; then
		why="no README: say in one line what behaviour the case pins"
	elif [ $rc != 0 ]; then
		why="confluence2ecs exited $rc: $(head -c 300 "$TMP/$name.err")"
	elif [ -f "$dir/expected-error.txt" ]; then
		why=$(check_error "$dir/expected-error.txt" "$dir/input.json" "$out" 2>&1)
	elif [ -f "$dir/expected.json" ]; then
		why=$("$PYTHON3" "$JSONCMP" "$dir/expected.json" "$out" 2>&1)
	else
		why="no expected.json or expected-error.txt"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "$why" | head -n 5 | sed 's/^/# /'
		failed=1
	fi
done
echo "1..$n"
exit $failed
