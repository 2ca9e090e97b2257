#!/bin/bash
# End to end under Debian's own /etc/rsyslog.conf, every output at once: the
# drop-ins of every source the docs show but the relay (e2e_stock_conf.sh
# runs that one) and all four outputs -- output-files, output-elasticsearch,
# output-kafka and output-syslog -- in a sandboxed rsyslog.d under the names
# the docs give them, read by the stock `$IncludeConfig .../rsyslog.d/*.conf`
# in alphabetical order, with atlassian-00-common.conf's confluence_output
# calling the four (as its comment tells users to do). The servers: the
# Elasticsearch _bulk mock (tests/mock/es_bulk_mock.py), librdkafka's mock
# cluster (tests/mock/kafka_mock_cluster.c, 3 brokers) and a second rsyslogd
# with imtcp as the syslog receiver.
# Pins: each output received every document, N of each source, each mapped
# into its product's data stream; Elasticsearch stored each once in
# logs-<dataset>-default with _id = event.id, Kafka's key is event.id (a Jira
# Cloud record from a site: the site's hash joined to its id).
# The drop-ins get e2e_configs' usual rewrites plus the mocks' URLs, the
# broker list and the syslog receiver's address; nothing else.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_stock_lib.sh"
h_init e2e_stock_outputs
N=${E2E_STOCK_EVENTS:-20}
start=$(date +%s)

stock_is_packaged
es_too_old_todo "the four outputs under the stock rsyslog.conf"
for m in omelasticsearch:rsyslog-elasticsearch omkafka:rsyslog-kafka; do
	if ! compgen -G "/usr/lib/*/rsyslog/${m%%:*}.so" >/dev/null; then
		h_fail "${m%%:*} is installed (Debian package ${m#*:}; contrib/check.sh installs it)"
		h_done
	fi
done

# --- the servers
e2e_mock_es es --index-regex '^logs-atlassian_(confluence|jira|bitbucket|cloud)\.audit-default$' ||
	{ h_fail "the Elasticsearch mock starts"; h_done; }
ES=http://127.0.0.1:$E2E_ES_PORT
e2e_kafka_cluster
# consumed N: the topic holds at least N records (read back into topic.jsonl)
consumed() {
	local got
	got=$(e2e_kmc "consume $H_DIR/topic.jsonl" | sed -n 's/^consumed //p')
	[ "${got:--1}" -ge "$1" ]
}
SYSLOG_PORT=$(e2e_free_port)
RECV=$H_DIR/receiver
mkdir -p "$RECV/work"
cat >"$RECV/rsyslog.conf" <<EOF2
global(workDirectory="$RECV/work" processInternalMessages="on" maxMessageSize="1m")
module(load="imtcp")
template(name="msgline" type="string" string="%msg%\\n")
input(type="imtcp" port="$SYSLOG_PORT" ruleset="received")
ruleset(name="received") {
	action(type="omfile" file="$RECV/received.log" template="msgline")
}
action(type="omfile" file="$RECV/internal.log")
EOF2
e2e_start_rsyslogd receiver "$RECV/rsyslog.conf" || { h_fail "the syslog receiver starts"; h_done; }
RPID=$E2E_PID

# --- the drop-ins: every source but the relay, every output
C=$H_DIR/conf
E2E_KEEP_GLOBALS=1 e2e_configs "$C"
h_check "every source has its mock, audit file, secret and URL" stock_sources "$C" "$N" || h_done
e2e_dispatch "$C/atlassian-00-common.conf" files elasticsearch kafka syslog
sed -i "s|https://elasticsearch.example.com:9200|$ES|" "$C/output-elasticsearch.conf"
sed -i "s|broker=\\[\"kafka1.example.com:9092\", \"kafka2.example.com:9092\"\\]|broker=[\"$(echo "$E2E_KAFKA_BOOT" | sed 's/,/", "/g')\"]|" \
	"$C/output-kafka.conf"
sed -i "s|target=\"siem.example.com\" port=\"514\"|target=\"127.0.0.1\" port=\"$SYSLOG_PORT\"|" "$C/output-syslog.conf"
addresses_set() {
	grep -q "server=\[\"$ES\"\]" "$C/output-elasticsearch.conf" &&
		grep -q "broker=\[\"127.0.0.1:" "$C/output-kafka.conf" &&
		grep -q "target=\"127.0.0.1\" port=\"$SYSLOG_PORT\"" "$C/output-syslog.conf"
}
h_check "the servers' addresses are in the output files" addresses_set
R=$H_DIR/root
stock_root "$R" || h_fail "the sandboxed stock file still includes its rsyslog.d by the glob"
files=()
for f in "$C"/*.conf; do
	case $(basename "$f") in
	confluence-relay-*.conf) ;;
	*) files+=("$(basename "$f")") ;;
	esac
done
stock_install "$C" "$R" "${files[@]}"
h_check "rsyslogd -N1 accepts the stock rsyslog.conf with ${#files[@]} drop-ins, four outputs called" \
	h_rsyslogd -N1 -f "$R/etc/rsyslog.conf"

# --- run
want=$((N * $(echo $STOCK_SOURCES | wc -w)))
h_start "$R/etc/rsyslog.conf" || { h_fail "rsyslogd starts"; h_done; }
h_check "files: $want documents written" h_wait_lines "$H_DIR/out/audit.ecs.jsonl" "$want" 90
h_check "Elasticsearch: $want documents stored" e2e_wait_url "$ES/__mock/health" "d['docs'] >= $want" 60
h_check "Kafka: $want records in the topic" h_until 60 consumed "$want"
h_check "syslog: $want messages received" h_wait_lines "$RECV/received.log" "$want" 60
h_check "every API mock served its last page" stock_polls_done
h_stop 30
h_check "rsyslogd stops cleanly" test $? -eq 0
e2e_stop_pid "$RPID"
h_check "the receiver stops cleanly" test $? -eq 0

# --- what each output holds, per source
stock_check_counts files "$H_DIR/out/audit.ecs.jsonl" "$N"
curl -sf "$ES/__mock/docs" >"$H_DIR/es.json"
# the document key both outputs' checks expect (atlassian-00-common.conf's
# confluence_doc_key: event.id, but a Jira Cloud record from a site is keyed
# <hash64 of the site>-<id>, decision 5)
cat >"$H_DIR/stock_keys.py" <<'PY'
import re
def key_ok(key, d):
    eid = d["event"]["id"]
    if (d["data_stream"]["dataset"] == "atlassian_jira.audit" and d.get("service", {}).get("address")
            and re.fullmatch(r"[0-9]+", eid)):
        return re.fullmatch(r"-?[0-9]+-" + eid, key) is not None
    return key == eid
PY
es_docs() {
	"$PYTHON3" - "$H_DIR/es.json" "$H_DIR/es.jsonl" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[2]))
from stock_keys import key_ok
docs = json.load(open(sys.argv[1]))["docs"]
with open(sys.argv[2], "w") as out:
    for d in docs:
        src = d["source"]
        assert d["index"] == "logs-%s-default" % src["data_stream"]["dataset"], d["index"]
        assert d["op"] == "create" and key_ok(d["_id"], src), (d["op"], d["_id"])
        out.write(json.dumps(src) + "\n")
assert len({d["_id"] for d in docs}) == len(docs), "an _id stored twice"
PY
}
h_check "Elasticsearch: each in logs-<dataset>-default, op create, _id = event.id (Jira Cloud: site hash and id), once" es_docs
stock_check_counts Elasticsearch "$H_DIR/es.jsonl" "$N"
# kafka_docs: the records' values to kafka.jsonl; key = event.id on each
# mapped one; the pipeline_error ones (no event.id) counted in kafka.nokey
kafka_docs() {
	"$PYTHON3" - "$H_DIR/topic.jsonl" "$H_DIR/kafka.jsonl" "$H_DIR/kafka.nokey" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[2]))
from stock_keys import key_ok
nokey = 0
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        d = json.loads(r["value"])
        if d["event"]["kind"] == "pipeline_error" and "id" not in d["event"]:
            nokey += not r["key"].startswith("pipeline-error-")
        else:
            assert key_ok(r["key"], d), (r["key"], d["event"].get("id"))
        out.write(r["value"] + "\n")
open(sys.argv[3], "w").write("%d\n" % nokey)
PY
}
h_check "Kafka: key = event.id (Jira Cloud: site hash and id) on every mapped record" kafka_docs
nokey=$(cat "$H_DIR/kafka.nokey" 2>/dev/null || echo "?")
H_N=$((H_N + 1))
if [ "$nokey" = 0 ]; then
	echo "ok $H_N - Kafka: pipeline_error records (if any) are keyed pipeline-error-<hash of their text>"
else
	echo "not ok $H_N - Kafka: pipeline_error records are keyed pipeline-error-<hash> ($nokey without)"
fi
stock_check_counts Kafka "$H_DIR/kafka.jsonl" "$N"
sed 's/^[^{]*//' "$RECV/received.log" >"$H_DIR/syslog.jsonl"
stock_check_counts syslog "$H_DIR/syslog.jsonl" "$N"
echo "quit" >&7
echo "# run time: $(($(date +%s) - start)) s"
h_done
