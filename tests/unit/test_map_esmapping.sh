#!/bin/bash
# test_map_esmapping.sh -- would Elasticsearch index every document we write?
# Every document is checked against the mappings Elastic's integration assets
# give the two data streams (tests/fixtures/es-mappings/, by
# tests/lib/es_mapcheck.py: immense terms, shapes, @timestamp, dynamic
# mappings across documents):
#   1. the golden files of tests/fixtures/elastic-confluence/, and what
#      confluence2ecs makes of the Jira and Bitbucket fixtures;
#   2. every mapping case: its expected.json and what confluence2ecs makes of
#      its input.json with its options;
#   3. a generated set of hostile events of all four sources
#      (tests/lib/hostile_events.py: oversized values in every string, every
#      wrong shape in every member), with and without preserve-original and
#      event ids. Nothing may be lost on the way: one document per event,
#      and the contract's marks (section 6) where a value was cut or moved.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"
CHECK=$top_srcdir/tests/lib/es_mapcheck.py
CASES=$top_srcdir/tests/cases/map
h_init map_esmapping
TMP=$H_DIR
MAP=(--rulebase "$CFL_RULEBASES/confluence-audit.rulebase" --categories "$CFL_RULEBASES/confluence-categories.json")

# 1. golden files (written without data_stream: the dataset is given)
h_check "golden files: every document indexed" "$PYTHON3" "$CHECK" --quiet \
	--dataset atlassian_confluence.audit "$CFL_FIXTURES"/elastic-confluence/*.expected.jsonl

# as_confluence FILE: Jira and Bitbucket documents rewritten in place as
# Confluence's (see below), with a note of how many
as_confluence() {
	"$PYTHON3" - "$1" <<'PY'
import json, sys
path, n, out = sys.argv[1], 0, []
for line in open(path, encoding="utf-8"):
    if not line.strip():
        continue
    d = json.loads(line)
    for product in ("jira", "bitbucket"):
        ds = "atlassian_%s.audit" % product
        if d.get("data_stream", {}).get("dataset") == ds:
            n += 1
            d["data_stream"]["dataset"] = d["event"]["dataset"] = "atlassian_confluence.audit"
            d["event"]["module"] = "atlassian_confluence"
            if product in d:
                d["confluence"] = d.pop(product)
    out.append(json.dumps(d))
open(path, "w", encoding="utf-8").write("".join(l + "\n" for l in out))
if n:
    print("# %s: %d Jira/Bitbucket documents checked against the Confluence stream's mappings "
          "(tests/fixtures/es-mappings has none of their own)" % (path.rsplit("/", 1)[-1], n))
PY
}

# ... and the Jira and Bitbucket fixtures, mapped
for product in jira bitbucket; do
	"$CONFLUENCE2ECS" "${MAP[@]}" --product $product --preserve-original \
		"$CFL_FIXTURES"/elastic-$product/test-audit-*.log >>"$TMP/products.jsonl"
done
as_confluence "$TMP/products.jsonl"
h_check "Jira and Bitbucket fixtures: $(grep -c '' "$TMP/products.jsonl") documents, every one indexed" \
	"$PYTHON3" "$CHECK" --quiet "$TMP/products.jsonl"

# 2. cases: expected and actual
DOCASN=$TMP/Documentation-ASN-Test.mmdb
"$PYTHON3" "$top_srcdir/tests/lib/mmdb_write.py" --documentation-asn "$DOCASN" || exit 1
: >"$TMP/cases-expected.jsonl"
: >"$TMP/cases-actual.jsonl"
expected=()
for dir in "$CASES"/*/; do
	h_case_args "$dir" "$DOCASN"
	args=("${H_CASE_ARGS[@]}")
	"$CONFLUENCE2ECS" "${MAP[@]}" "${args[@]}" <"$dir/input.json" >>"$TMP/cases-actual.jsonl" 2>/dev/null
	[ -f "$dir/expected.json" ] && expected+=("$dir/expected.json")
done
# every expected.json as JSON lines, in one Python process; "@RECEIVED@"
# stands for the time an error document was read
"$PYTHON3" - "$top_srcdir/tests/lib" "${expected[@]}" >>"$TMP/cases-expected.jsonl" <<'PY' || exit 1
import json, sys
sys.path.insert(0, sys.argv[1])
from es_mapcheck import read_docs
for path in sys.argv[2:]:
    for _, d in read_docs(path):
        if d.get("@timestamp") == "@RECEIVED@":
            d["@timestamp"] = "2026-01-01T00:00:00.000Z"
        print(json.dumps(d))
PY
# tests/fixtures/es-mappings/ has no mappings for atlassian_jira.audit and
# atlassian_bitbucket.audit. Their packages map the same ECS 8.11 fields and
# their own jira.audit / bitbucket.audit the way Confluence's package maps
# confluence.audit (affected_objects, changed_values, extra_attributes
# flattened, the rest keyword; jira.audit.additional_source_ips is an ip,
# and only IPs are written there): until the fixture has them, their
# documents are checked as Confluence's, root and dataset renamed, and the
# count is said.
as_confluence "$TMP/cases-expected.jsonl"
as_confluence "$TMP/cases-actual.jsonl"
h_check "mapping cases, expected.json: every document indexed" "$PYTHON3" "$CHECK" --quiet "$TMP/cases-expected.jsonl"
h_check "mapping cases, confluence2ecs output: every document indexed" "$PYTHON3" "$CHECK" --quiet "$TMP/cases-actual.jsonl"

# 3. hostile events
"$PYTHON3" "$top_srcdir/tests/lib/hostile_events.py" "$CFL_FIXTURES" "$CASES" >"$TMP/hostile.jsonl" 2>"$TMP/hostile.err" || exit 1
sed 's/^/# /' "$TMP/hostile.err"
"$CONFLUENCE2ECS" "${MAP[@]}" --preserve-original --event-id --tag hostile --namespace hostile \
	<"$TMP/hostile.jsonl" >"$TMP/hostile-p.jsonl"
"$CONFLUENCE2ECS" "${MAP[@]}" <"$TMP/hostile.jsonl" >"$TMP/hostile-n.jsonl"
h_check "hostile events (preserve-original, event ids): every document indexed" \
	"$PYTHON3" "$CHECK" --quiet "$TMP/hostile-p.jsonl"
h_check "hostile events (no options): every document indexed" "$PYTHON3" "$CHECK" --quiet "$TMP/hostile-n.jsonl"
# the same events as Jira's (Jira's split source, user.name, jira.audit root)
"$CONFLUENCE2ECS" "${MAP[@]}" --product jira --preserve-original <"$TMP/hostile.jsonl" >"$TMP/hostile-j-p.jsonl"
as_confluence "$TMP/hostile-j-p.jsonl"
h_check "hostile events as Jira's (preserve-original): every document indexed" \
	"$PYTHON3" "$CHECK" --quiet "$TMP/hostile-j-p.jsonl"

# nothing lost, and marked where changed
h_check "hostile events: one document per event, each marked where it was changed" "$PYTHON3" - \
	"$TMP/hostile.jsonl" "$TMP/hostile-p.jsonl" "$TMP/hostile-n.jsonl" "$TMP/hostile-j-p.jsonl" <<'PY'
import json, sys
events = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
bad = []
for path in sys.argv[2:]:
    docs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    if len(docs) != len(events):
        bad.append("%s: %d documents for %d events" % (path, len(docs), len(events)))
        continue
    preserve = path.endswith("-p.jsonl")  # hostile-p, hostile-j-p
    for i, (ev, d) in enumerate(zip(events, docs), 1):
        root = d.get("atlassian_cloud" if d["data_stream"]["dataset"] == "atlassian_cloud.audit"
                     else "confluence", {}).get("audit", {})
        tags = d.get("tags", [])
        for key, tag in (("truncated_fields", "value_truncated"), ("moved", "value_moved")):
            if (key in root) != (tag in tags):
                bad.append("%s:%d: %s without tag %s or the reverse" % (path, i, key, tag))
        if "moved" in root:
            for m in root["moved"]:
                if set(m) != {"field", "value"} or not m["field"]:
                    bad.append("%s:%d: a moved record is not {field, value}: %r" % (path, i, m)[:200])
        if preserve and d["event"].get("original") is None:
            bad.append("%s:%d: no event.original" % (path, i))
        elif preserve and len(d["event"]["original"]) < len(ev.rstrip("\n")) - 2:
            bad.append("%s:%d: event.original was cut" % (path, i))
        if d.get("event", {}).get("kind") == "pipeline_error" and "@timestamp" not in d:
            bad.append("%s:%d: error document without @timestamp" % (path, i))
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
PY

# the issue's example, exactly: 40 KB of Custom HTML in a Cloud changedValues
h_check "a 40 KB changed value: cut on a character boundary to the keyed-term limit, marked, original whole" \
	"$PYTHON3" - "$CONFLUENCE2ECS" "${MAP[@]}" <<'PY'
import json, subprocess, sys
html = "<script>" + "\u20ac" * 14000 + "</script>"
ev = {"creationDate": 1643097111962, "summary": "Custom HTML updated", "remoteAddress": "192.0.2.1",
      "author": {"displayName": "Mallory " + "\u00e9" * 20000, "accountId": "x"},
      "changedValues": [{"name": "Custom HTML", "oldValue": "", "newValue": html}]}
text = json.dumps(ev, ensure_ascii=False)
out = subprocess.run(sys.argv[1:] + ["--preserve-original"], input=text.encode(), capture_output=True, check=True).stdout
d = json.loads(out)
cv = d["confluence"]["audit"]["changed_values"][0]
to = cv["to"]
ok = True
def fail(why):
    global ok
    ok = False
    print(why)
# the keyed term "to\0<value>" must fit: 32766 - len("to") - 1 bytes, cut before a whole euro sign
if len(("to\0" + to).encode()) > 32766:
    fail("changed_values.to still immense: %d bytes" % len(to.encode()))
if not html.startswith(to) or len(("to\0" + to).encode()) < 32766 - 3:
    fail("changed_values.to is not the longest prefix that fits (%d bytes)" % len(to.encode()))
fn = d["user"]["full_name"]
if len(fn.encode()) > 32766 or not ("Mallory " + "\u00e9" * 20000).startswith(fn) or len(fn.encode()) < 32766 - 1:
    fail("user.full_name not cut right: %d bytes" % len(fn.encode()))
if sorted(d["confluence"]["audit"].get("truncated_fields", [])) != ["confluence.audit.changed_values.to", "user.full_name"]:
    fail("truncated_fields: %r" % d["confluence"]["audit"].get("truncated_fields"))
if "value_truncated" not in d.get("tags", []):
    fail("no value_truncated tag")
if d["event"]["original"] != text:
    fail("event.original is not the whole event")
sys.exit(0 if ok else 1)
PY
h_done
