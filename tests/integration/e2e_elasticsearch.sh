#!/bin/bash
# End to end, Elasticsearch: Data Center audit files -> imfile -> mmconfluence
# (eventId) -> omelasticsearch (Debian's rsyslog-elasticsearch) -> a strict
# local _bulk server (tests/mock/es_bulk_mock.py), using the shipped
# atlassian-00-common, atlassian-01-imfile, confluence-datacenter-files and
# output-elasticsearch configurations unchanged except for paths and the
# server URL.
# Pins: every event stored exactly once, in data stream
# logs-atlassian_confluence.audit-default, with _id = event.id, op create;
# also after the server answered whole requests with 429, 503, 500 and a
# proxy's HTML 502, refused single items with 429, and reset a connection;
# re-reading all files from the start (a lost imfile state) adds nothing
# (409 absorbed); no document rejected for good; a kill -9 while
# Elasticsearch is unreachable loses nothing (the disk queue). A TAP TODO pins the one
# failure omelasticsearch 8.2302 loses silently (an empty-body error reply).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_elasticsearch
es_too_old_todo
N=${E2E_ES_EVENTS:-400}

if ! compgen -G "/usr/lib/*/rsyslog/omelasticsearch.so" >/dev/null; then
	h_fail "omelasticsearch is installed (Debian package rsyslog-elasticsearch; contrib/check.sh installs it)"
	h_done
fi

e2e_mock_es es || { h_fail "the Elasticsearch mock starts"; h_done; }
ES=http://127.0.0.1:$E2E_ES_PORT
# Faults, taken in this order by the _bulk requests: whole-request errors as
# Elasticsearch sends them (JSON body), a proxy's HTML 502, per-item bulk
# rejections, a reset connection. The first request is answered after 5 s, so
# the queue holds all the events by then and the faults meet batches of 64: a
# non-JSON reply reaches action.errorfile only through rsyslog's one-by-one
# retry of a batch of several messages (the second HTML 502 answers one of
# them); a batch of one is simply retried. (CI once saw the 502 meet a batch
# of one, the input having been slower than the queue's worker.)
curl -sf -XPOST "$ES/__mock/faults" -d '[
 {"kind":"slow","seconds":5},
 {"kind":"status","status":429,"count":2},
 {"kind":"item_status","status":429,"count":7},
 {"kind":"status","status":503},
 {"kind":"status","status":502,"html":true,"count":2},
 {"kind":"reset"},
 {"kind":"status","status":500}]' >/dev/null || h_fail "faults accepted by the mock"

C=$H_DIR/conf
e2e_configs "$C"
e2e_dispatch "$C/atlassian-00-common.conf" elasticsearch
sed -i -e "s|https://elasticsearch.example.com:9200|$ES|" \
	-e 's|action.resumeInterval="10"|action.resumeInterval="1"|' \
	-e 's|queue.dequeueSlowdown="2000000"|queue.dequeueSlowdown="500000"|' \
	-e 's|queue.dequeueSlowdown="1000000"|queue.dequeueSlowdown="200000"|' \
	-e 's|queue.dequeueBatchSize="512"|queue.dequeueBatchSize="64"|' \
	"$C/output-elasticsearch.conf"
e2e_audit_events "$N" "$H_DIR/audit/20231114-00000.audit.log"

e2e_combine atlassian-00-common.conf atlassian-01-imfile.conf confluence-datacenter-files.conf \
	output-elasticsearch.conf
e2e_impstats es >>"$H_CONF"

h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "all $N events stored (despite 429/503/502/500 answers, item rejections, a reset)" \
	e2e_wait_url "$ES/__mock/health" "d['docs'] >= $N" 90
h_check "every fault was consumed" e2e_wait_url "$ES/__mock/faults" "d['faults'] == []" 5
# what is still queued or put aside for a replay has had its chance (a repeat
# would show in check_docs): the queues are reported empty after this point
for q in confluence_es confluence_es_retry confluence_es_replay; do
	e2e_queue_drained es "$q" 30
done
h_stop 30
h_check "rsyslogd stops cleanly" test $? -eq 0

check_docs() {
	curl -sf "$ES/__mock/docs" >"$H_DIR/docs.json" &&
		"$PYTHON3" - "$H_DIR/docs.json" "$H_DIR"/audit/*.audit.log <<'PY'
import json, sys, datetime
docs = json.load(open(sys.argv[1]))["docs"]
want = set()
for path in sys.argv[2:]:
    for line in open(path):
        ts = json.loads(line)["timestamp"]
        t = datetime.datetime.fromtimestamp(ts["epochSecond"], datetime.timezone.utc)
        want.add(t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts["nano"] // 1000000))
n = len(want)
assert len(docs) == n, "stored %d documents, expected %d" % (len(docs), n)
got = [d["source"]["@timestamp"] for d in docs]
assert len(set(got)) == n, "duplicate events stored"
assert set(got) == want, "missing: %s" % sorted(want - set(got))[:5]
for d in docs:
    src = d["source"]
    assert d["index"] == "logs-atlassian_confluence.audit-default", d["index"]
    assert d["op"] == "create", d["op"]
    assert d["_id"] == src["event"]["id"] and len(d["_id"]) == 32, (d["_id"], src["event"].get("id"))
    assert src["event"]["kind"] == "event", src["event"]
    assert src["data_stream"] == {"type": "logs", "dataset": "atlassian_confluence.audit", "namespace": "default"}
    assert src["log"]["file"]["path"] in sys.argv[2:], src["log"]
    assert src["tags"] == ["confluence-audit"], ("the tag Elastic gives file events", src.get("tags"))
print("# %d documents ok" % n)
PY
}
h_check "each event stored once: right data stream, op create, _id = event.id, mapped" check_docs

curl -sf "$ES/__mock/stats" >"$H_DIR/stats1.json"
h_check "the mock saw the injected answers (429, 503, 502, 500 requests; 429 items)" \
	"$PYTHON3" -c 'import json,sys; s=json.load(open(sys.argv[1])); r=s["requests"]; i=s["items"]
assert all(r.get(k,0)>=1 for k in ("429","503","502","500")), r
assert i.get("429",0)==7, i' "$H_DIR/stats1.json"
h_check "no document was rejected for good" test ! -s "$H_DIR/work/confluence_es.rejected.jsonl"
h_check "whole-request failures went through the errorfile replay" \
	test -s "$H_DIR/work/confluence_es.errors.json" -a -s "$H_DIR/work/confluence_es.replay.jsonl"
h_check "the HTML 502 (not JSON) went through action.errorfile" \
	test -s "$H_DIR/work/confluence_es.action-errors.json"

# --- the audit input's imfile state is lost: everything is read and sent
# again; the 409 conflicts absorb it
rm -f $(grep -l '20231114-00000\.audit\.log' "$H_DIR"/work/imfile-state:*)
n409=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"].get("409",0))' "$H_DIR/stats1.json")
h_start || { h_fail "rsyslogd restarts"; h_done; }
h_check "re-sent events come back as 409 conflicts" \
	e2e_wait_url "$ES/__mock/stats" "d['items'].get('409', 0) >= $N + $n409" 60
h_stop 30
h_check "rsyslogd stops cleanly after the re-send" test $? -eq 0
h_check "after re-sending everything: still each event exactly once" check_docs
h_check "no document was rejected for good after the re-send" test ! -s "$H_DIR/work/confluence_es.rejected.jsonl"

# --- kill -9 while Elasticsearch is unreachable (every bulk request reset):
# the disk queue keeps what the input had handed over. 200 new events, so
# imfile's saved position (every 100 lines) reaches the end of the file
# before the kill: nothing is read again, all must come from the queue.
K=200
curl -sf -XPOST "$ES/__mock/faults" -d '{"kind":"reset","count":100000}' >/dev/null
e2e_audit_events $((N + 5 + K)) "$H_DIR/more.log"
tail -n $K "$H_DIR/more.log" >"$H_DIR/audit/20231115-00000.audit.log"
size=$(stat -c %s "$H_DIR/audit/20231115-00000.audit.log")
h_start || { h_fail "rsyslogd restarts"; h_done; }
state_at_end() {
	grep -l '20231115-00000\.audit\.log' "$H_DIR"/work/imfile-state:* 2>/dev/null |
		xargs -r grep -q "\"curr_offs\": $size,"
}
h_check "imfile read the $K new events and saved its position at the end" h_until 60 state_at_end
h_check "Elasticsearch was unreachable meanwhile" e2e_wait_url "$ES/__mock/faults" "d['faults'][0]['count'] <= 99998" 10
h_kill9
h_check "nothing of them reached Elasticsearch before the kill" e2e_wait_url "$ES/__mock/health" "d['docs'] == $N" 2
curl -sf -XDELETE "$ES/__mock/faults" >/dev/null
h_start || { h_fail "rsyslogd restarts after kill -9"; h_done; }
h_check "after kill -9 and restart: all $K events stored" e2e_wait_url "$ES/__mock/health" "d['docs'] >= $N + $K" 30
h_stop 30
h_check "rsyslogd stops cleanly" test $? -eq 0
h_check "after kill -9: each event exactly once" check_docs

# --- known limitation of omelasticsearch 8.2302 (docs/operations.md): a whole
# request answered with an EMPTY body counts as success, so its batch is lost
# without a trace. Reported as a TAP TODO: it turns into an unexpected pass
# (which contrib/check.sh counts as a failure) the day rsyslog fixes it, so the
# documentation gets updated.
curl -sf -XPOST "$ES/__mock/faults" -d '{"kind":"status","status":503,"empty":true}' >/dev/null
head -n $((N + 5)) "$H_DIR/more.log" | tail -n 5 >>"$H_DIR/audit/20231114-00000.audit.log"
h_start || { h_fail "rsyslogd restarts"; h_done; }
e2e_wait_url "$ES/__mock/faults" "d['faults'] == []" 20
e2e_wait_url "$ES/__mock/health" "d['docs'] >= $N + $K + 5" 3 2>/dev/null
h_stop 30
stored=$(curl -sf "$ES/__mock/health" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["docs"])')
H_N=$((H_N + 1))
if [ "$stored" -ge $((N + K + 5)) ]; then
	echo "ok $H_N - a batch answered 503 with an empty body is delivered # TODO omelasticsearch $(h_rsyslog_version) treats an empty error reply as success"
else
	echo "not ok $H_N - a batch answered 503 with an empty body is delivered # TODO omelasticsearch $(h_rsyslog_version) treats an empty error reply as success ($stored of $((N + K + 5)) stored)"
fi
h_done
