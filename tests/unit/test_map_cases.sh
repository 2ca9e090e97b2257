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
# Every case's message through confluence2ecs first (one process each: the
# options differ per case); its exit status into $TMP/<name>.rc.
for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	h_case_args "$dir" "$DOCASN"
	"$CONFLUENCE2ECS" --rulebase "$CFL_RULEBASES/confluence-audit.rulebase" \
		--categories "$CFL_RULEBASES/confluence-categories.json" "${H_CASE_ARGS[@]}" \
		<"$dir/input.json" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
done

# Then one Python process judges them all, one TAP line per case, in the
# order of the directories: a pipeline_error document's @timestamp within
# this run becomes "@RECEIVED@" (anything else stays, and then differs);
# expected-error.txt cases get the pipeline_error contract, the others
# tests/lib/jsoncmp.py's comparison with expected.json.
"$PYTHON3" - "$CASES" "$TMP" "$T0" "$top_srcdir/tests/lib" <<'PY'
import contextlib, datetime, io, json, os, sys, time
cases, tmp, t0, lib = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, lib)
import jsoncmp


def received_time(path):
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


def check_error(want_path, input_path, out_path):
    """the pipeline_error contract: "" when kept, else what is wrong"""
    want = open(want_path, encoding="utf-8").read().rstrip("\n")
    text = open(input_path, encoding="utf-8").read().rstrip("\n")
    docs = [json.loads(l) for l in open(out_path, encoding="utf-8") if l.strip()]
    if len(docs) != 1:
        return f"expected 1 document, got {len(docs)}"
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
    return "; ".join(problems)


def jsoncmp_says(expected, out):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        rc = jsoncmp.main([expected, out])
    return "" if rc == 0 else buf.getvalue().strip() or f"jsoncmp exited {rc}"


names = sorted(n for n in os.listdir(cases) if os.path.isdir(os.path.join(cases, n)))
failed = 0
for n, name in enumerate(names, 1):
    case, out = os.path.join(cases, name), os.path.join(tmp, name + ".out")
    rc = open(os.path.join(tmp, name + ".rc")).read().strip()
    why = ""
    try:
        if not os.path.isfile(os.path.join(case, "README")) or os.path.getsize(os.path.join(case, "README")) == 0:
            why = "no README: say in one line what behaviour the case pins"
        elif rc != "0":
            why = f"confluence2ecs exited {rc}: " + open(os.path.join(tmp, name + ".err"), errors="replace").read(300)
        else:
            received_time(out)
            if os.path.isfile(os.path.join(case, "expected-error.txt")):
                why = check_error(os.path.join(case, "expected-error.txt"), os.path.join(case, "input.json"), out)
            elif os.path.isfile(os.path.join(case, "expected.json")):
                why = jsoncmp_says(os.path.join(case, "expected.json"), out)
            else:
                why = "no expected.json or expected-error.txt"
    except (OSError, ValueError) as e:
        why = f"{type(e).__name__}: {e}"
    if not why:
        print(f"ok {n} - {name}")
    else:
        print(f"not ok {n} - {name}")
        for line in why.splitlines()[:5]:
            print("# " + line)
        failed = 1
print(f"1..{len(names)}")
sys.exit(failed)
PY
