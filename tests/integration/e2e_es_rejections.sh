#!/bin/bash
# End to end, Elasticsearch, hostile events: nothing lost to rejections.
# The _bulk mock has the data streams' mappings (tests/fixtures/es-mappings/,
# checked by tests/lib/es_mapcheck.py) and refuses what Elasticsearch 8 would.
#   1. The mock itself: missing @timestamp, an immense term, an object where a
#      plain field is and the reverse, a bad index name, a source that is not
#      UTF-8 -- each refused with Elasticsearch's error type.
#   2. The shipped chain (atlassian-00-common, -01-imfile,
#      confluence-datacenter-files, output-elasticsearch, unchanged but for paths
#      and the URL) fed a file of hostile events of all four sources
#      (tests/lib/hostile_events.py: oversized values, every wrong shape,
#      invalid UTF-8): every event is stored, none rejected.
#   3. A document that is still refused (here: a mapping an operator's @custom
#      template added, injected as a 400 mapper_parsing_exception) is in
#      confluence_es.rejected.jsonl with the reason and its whole document,
#      and counted by omelasticsearch's response.badargument counter.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_es_rejections
es_too_old_todo

if ! compgen -G "/usr/lib/*/rsyslog/omelasticsearch.so" >/dev/null; then
	h_fail "omelasticsearch is installed (Debian package rsyslog-elasticsearch; contrib/check.sh installs it)"
	h_done
fi
e2e_mock_es es --index-regex '^logs-atlassian_(confluence|cloud)\.audit-[a-z0-9_]+$' ||
	{ h_fail "the Elasticsearch mock starts"; h_done; }
ES=http://127.0.0.1:$E2E_ES_PORT

# 1. the mock refuses what Elasticsearch refuses
h_check "the mock refuses each rejection class with Elasticsearch's error type" "$PYTHON3" - "$ES" <<'PY'
import json, sys, urllib.request
es = sys.argv[1]
ok = {"@timestamp": "2026-01-01T00:00:00.000Z", "data_stream": {"type": "logs",
      "dataset": "atlassian_confluence.audit", "namespace": "default"}}
cases = [
    ("missing @timestamp", "logs-atlassian_confluence.audit-default", {"event": {"kind": "pipeline_error"}},
     "document_parsing_exception"),
    ("immense term", "logs-atlassian_confluence.audit-default", dict(ok, user={"full_name": "x" * 40000}),
     "illegal_argument_exception"),
    ("immense flattened leaf", "logs-atlassian_confluence.audit-default",
     dict(ok, confluence={"audit": {"changed_values": [{"to": "x" * 32766}]}}), "illegal_argument_exception"),
    ("plain value in a flattened field", "logs-atlassian_confluence.audit-default",
     dict(ok, confluence={"audit": {"affected_objects": ["x", 1]}}), "document_parsing_exception"),
    ("object in a keyword field", "logs-atlassian_confluence.audit-default",
     dict(ok, confluence={"audit": {"type": {"action": {"x": 1}}}}), "document_parsing_exception"),
    ("plain value in an object field", "logs-atlassian_confluence.audit-default",
     dict(ok, confluence={"audit": "x"}), "mapper_parsing_exception"),
    ("plain values in a nested field", "logs-atlassian_cloud.audit-default",
     dict(ok, data_stream={"type": "logs", "dataset": "atlassian_cloud.audit", "namespace": "default"},
          atlassian_cloud={"audit": {"context": ["x", 1]}}), "mapper_parsing_exception"),
    ("bad index name", "logs-atlassian_confluence.audit-Bad-NS", ok, "invalid_index_name_exception"),
]
body = b""
for i, (_, index, doc, _) in enumerate(cases):
    body += json.dumps({"create": {"_index": index, "_id": "r%d" % i}}).encode() + b"\n"
    body += json.dumps(doc).encode() + b"\n"
body += b'{"create":{"_index":"logs-atlassian_confluence.audit-default","_id":"utf8"}}\n'
body += b'{"@timestamp":"2026-01-01T00:00:00.000Z","user":{"name":"a\xffb"}}\n'
cases.append(("source not UTF-8", "", None, "document_parsing_exception"))
req = urllib.request.Request(es + "/_bulk", data=body, headers={"Content-Type": "application/x-ndjson"})
items = json.load(urllib.request.urlopen(req))["items"]
bad = 0
for (name, _, _, want), item in zip(cases, items):
    r = item["create"]
    got = r.get("error", {}).get("type")
    print("# %-34s -> %s %s" % (name, r["status"], got))
    if r["status"] != 400 or got != want:
        print("# expected 400 %s" % want)
        bad += 1
sys.exit(1 if bad or len(items) != len(cases) else 0)
PY
curl -sf -XDELETE "$ES/__mock/docs" >/dev/null

# 2. hostile events through the shipped chain
C=$H_DIR/conf
e2e_configs "$C"
e2e_dispatch "$C/atlassian-00-common.conf" elasticsearch
sed -i -e "s|https://elasticsearch.example.com:9200|$ES|" "$C/output-elasticsearch.conf"
# every 8th hostile event (all classes, all sources), each line once; an
# organization event's own id is its _id, so the variants of one event get
# ids of their own (real events have distinct ids); plus raw invalid UTF-8
"$PYTHON3" "$top_srcdir/tests/lib/hostile_events.py" "$CFL_FIXTURES" "$top_srcdir/tests/cases/map" 2>/dev/null |
	"$PYTHON3" -c '
import json, sys
seen = set()
out = sys.stdout.buffer
for n, line in enumerate(sys.stdin):
    if n % 8 or line in seen:
        continue
    seen.add(line)
    ev = json.loads(line)
    if ev.get("type") == "events" and isinstance(ev.get("id"), str):
        ev["id"] += "-%d" % n
    out.write(json.dumps(ev, separators=(",", ":")).encode() + b"\n")
out.write(b"{\"timestamp\":{\"epochSecond\":1700000000,\"nano\":0},\"author\":{\"name\":\"a\xff\xfe\"},\"source\":\"x\xc3\"}\n")
' >"$H_DIR/audit/20231114-00000.audit.log"
N=$(grep -c '' "$H_DIR/audit/20231114-00000.audit.log")
e2e_combine atlassian-00-common.conf atlassian-01-imfile.conf confluence-datacenter-files.conf \
	output-elasticsearch.conf
e2e_impstats es >>"$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "all $N hostile events stored" e2e_wait_url "$ES/__mock/health" "d['docs'] >= $N" 120
for q in confluence_es confluence_es_retry; do
	e2e_queue_drained es "$q" 30
done
h_check "none rejected: no item answered 4xx (but the 9 of part 1), no two events on one _id (409)" \
	e2e_wait_url "$ES/__mock/stats" \
	"all(not k.startswith('4') or k == '400' and v == 9 for k, v in d['items'].items())" 2
h_check "confluence_es.rejected.jsonl stays empty" test ! -s "$H_DIR/work/confluence_es.rejected.jsonl"
curl -sf "$ES/__mock/docs" >"$H_DIR/docs.json"
h_check "the stored documents carry their marks (cut, moved, repaired)" "$PYTHON3" -c '
import json, sys
docs = [d["source"] for d in json.load(open(sys.argv[1]))["docs"]]
tags = {t for d in docs for t in d.get("tags", [])}
need = {"value_truncated", "value_moved", "invalid_utf8_replaced"}
assert need <= tags, need - tags
assert any(d["data_stream"]["dataset"] == "atlassian_cloud.audit" for d in docs)
assert any(d["event"]["kind"] == "pipeline_error" for d in docs)
' "$H_DIR/docs.json"

# 3. a document still refused: in the error file with its reason, counted
curl -sf -XPOST "$ES/__mock/faults" -d '{"kind":"item_status","status":400,"type":"mapper_parsing_exception",
 "reason":"failed to parse field [user.name] of type [long] in document"}' >/dev/null
e2e_audit_events 1 "$H_DIR/audit/20231115-00000.audit.log"
h_check "the refused document is in confluence_es.rejected.jsonl" \
	h_wait_file "$H_DIR/work/confluence_es.rejected.jsonl" 30
h_check "... with status 400, the error type and reason, and the whole document" "$PYTHON3" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(rows) == 1, rows
r = rows[0]
assert r["result"]["status"] == 400, r["result"]
assert r["result"]["error"]["type"] == "mapper_parsing_exception", r["result"]
assert "user.name" in r["result"]["error"]["reason"], r["result"]
assert r["document"]["event"]["id"] and r["document"]["@timestamp"], r["document"]
' "$H_DIR/work/confluence_es.rejected.jsonl"
# counted_bad: impstats has reported omelasticsearch's response.badargument
# (waited for: the next report is up to an interval away)
counted_bad() {
	"$PYTHON3" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        s = json.loads(line[line.find("{"):])
    except ValueError:
        continue
    if s.get("name") == "omelasticsearch":
        n = max(n, s.get("response.badargument", 0))
assert n >= 1, n
' "$H_DIR/es.stats" 2>/dev/null
}
h_check "... and counted (omelasticsearch response.badargument)" h_until 30 counted_bad
h_stop 30
h_done
