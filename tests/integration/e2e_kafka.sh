#!/bin/bash
# End to end, Kafka: Data Center audit files -> imfile -> mmconfluence ->
# omkafka (Debian's rsyslog-kafka) -> a Kafka cluster of 3 brokers, librdkafka's
# own mock cluster (tests/mock/kafka_mock_cluster.c, built here against
# librdkafka-dev's rdkafka_mock.h: the Kafka protocol on real sockets), read
# back by a consumer. The shipped atlassian-00-common, atlassian-01-imfile,
# confluence-datacenter-files and output-kafka configurations run unchanged
# but for paths and the broker list (and, for the outage, a smaller queue so
# that the outage outlasts it, as the other outage tests do).
# Pins: every event arrives once, with key = event.id; through an outage of
# every broker longer than the queue holds (nothing lost, no duplicate); and
# after a kill -9 of rsyslogd during an outage, no duplicate, and nothing lost
# but what omkafka had already handed to librdkafka's memory -- a TAP TODO
# pins that known loss (5 of 300 events when first measured: the ones handed
# over before omkafka noticed the brokers were down), so it turns into an
# unexpected pass the day omkafka keeps them (docs in output-kafka.conf).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_kafka
N=${E2E_KAFKA_EVENTS:-200}
K=300

if ! compgen -G "/usr/lib/*/rsyslog/omkafka.so" >/dev/null; then
	h_fail "omkafka is installed (Debian package rsyslog-kafka; contrib/check.sh installs it)"
	h_done
fi
e2e_kafka_cluster
BOOT=$E2E_KAFKA_BOOT
kmc() { e2e_kmc "$@"; }
# consumed N [T]: the topic holds at least N records (read back within T s)
consumed() {
	local want=$1 t=${2:-60} i got
	for i in $(seq 1 "$t"); do
		got=$(kmc "consume $H_DIR/topic.jsonl" | sed -n 's/^consumed //p')
		[ "${got:--1}" -ge "$want" ] && return 0
		sleep 1
	done
	echo "# the topic holds ${got:-?} records, expected $want"
	return 1
}
# check_topic [--allow-missing N] FILE...: every event of the audit files
# exactly once (or, with N, at most once and at most N missing), key = event.id
check_topic() {
	local allow=0
	[ "$1" = --allow-missing ] && { allow=$2; shift 2; }
	"$PYTHON3" - "$top_srcdir/tests/lib" "$allow" "$H_DIR/topic.jsonl" "$@" <<'PY'
import json, sys, collections
sys.path.insert(0, sys.argv.pop(1))
allow = int(sys.argv.pop(1))
from audit_times import want_timestamps
recs = [json.loads(l) for l in open(sys.argv[1])]
want = want_timestamps(sys.argv[2:])
docs = [json.loads(r["value"]) for r in recs]
got = collections.Counter(d["@timestamp"] for d in docs)
dups = [k for k, v in got.items() if v > 1]
missing = sorted(want - set(got))
for r, d in zip(recs, docs):
    assert r["key"] == d["event"]["id"] and len(r["key"]) == 32, (r["key"], d["event"].get("id"))
    assert d["event"]["kind"] == "event" and d["data_stream"]["dataset"] == "atlassian_confluence.audit", d
print("# %d records, %d events expected, %d missing, %d duplicated" % (len(recs), len(want), len(missing), len(dups)))
if missing:
    print("# missing (first): %s" % missing[:3])
open(sys.argv[1] + ".missing", "w").write("%d\n" % len(missing))
sys.exit(1 if len(missing) > allow or dups or len(recs) != len(want) - len(missing) else 0)
PY
}

C=$H_DIR/conf
e2e_configs "$C"
e2e_dispatch "$C/atlassian-00-common.conf" kafka
brokers=$(echo "$BOOT" | sed 's/,/", "/g')
sed -i "s|broker=\\[\"kafka1.example.com:9092\", \"kafka2.example.com:9092\"\\]|broker=[\"$brokers\"]|" \
	"$C/output-kafka.conf"
h_check "only the broker list was changed in output-kafka.conf" grep -q "broker=\[\"$brokers\"\]" "$C/output-kafka.conf"
e2e_audit_events $((N + 2 * K)) "$H_DIR/all.log"
head -n "$N" "$H_DIR/all.log" >"$H_DIR/audit/20231114-00000.audit.log"
e2e_combine atlassian-00-common.conf atlassian-01-imfile.conf confluence-datacenter-files.conf output-kafka.conf
e2e_impstats kafka >>"$H_CONF"

# --- 1. plain delivery
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "all $N events reach the topic" consumed "$N" 60
h_check "each event once, key = event.id" check_topic "$H_DIR"/audit/*.audit.log

# --- 2. every broker down for longer than the queue holds
h_stop 30
e2e_queue_budget "$C/output-kafka.conf" confluence_output_kafka 50
h_check "rsyslogd -N1 accepts the smaller queue" h_rsyslogd -N1 -f "$H_CONF"
kmc down >/dev/null
: >"$H_DIR/kafka.stats" # the queue's reports of this run only
h_start || { h_fail "rsyslogd restarts"; h_done; }
sed -n "$((N + 1)),$((N + K))p" "$H_DIR/all.log" >"$H_DIR/audit/20231115-00000.audit.log"
# the outage outlasts the queue: it fills, then impstats shows it full for
# E2E_OUTAGE_DEFAULT_S more (rsyslog's timeoutEnqueue three times over)
queue_full() { [ "$(e2e_queue_stat kafka confluence_output_kafka size last)" -ge 45 ] 2>/dev/null; }
h_check "during the outage of all brokers the queue (50) fills up" h_until 60 queue_full
h_check "... and stays full for ${E2E_OUTAGE_DEFAULT_S}s more" \
	e2e_wait_queue_full_for kafka confluence_output_kafka 45 "$E2E_OUTAGE_DEFAULT_S"
kmc up >/dev/null
h_check "after an outage of all brokers longer than the queue holds, with $K events: all arrive" consumed $((N + K)) 120
h_check "after the outage: each event once, key = event.id" check_topic "$H_DIR"/audit/*.audit.log
h_stop 30

# --- 3. kill -9 of rsyslogd while the brokers are down
kmc down >/dev/null
h_start || { h_fail "rsyslogd restarts"; h_done; }
sed -n "$((N + K + 1)),$((N + 2 * K))p" "$H_DIR/all.log" >"$H_DIR/audit/20231116-00000.audit.log"
# the queue (50) fills up while the brokers are down; the input then waits
h_check "during the outage the queue fills up with the new events" h_until 60 queue_full
sleep 3
cp "$H_DIR/kafka.stats" "$H_DIR/kafka.before-kill.stats"
h_kill9
kmc up >/dev/null
h_start || { h_fail "rsyslogd restarts after kill -9"; h_done; }
consumed $((N + 2 * K)) 30
# what the killed rsyslogd had handed to librdkafka and not seen acknowledged
inflight=$("$PYTHON3" -c '
import json, sys
last = None
for line in open(sys.argv[1]):
    d = json.loads(line[line.find("{"):]) if "{" in line else {}
    if d.get("name") == "omkafka":
        last = d
print(last["submitted"] - last["acked"] if last else 0)' "$H_DIR/kafka.before-kill.stats")
h_check "after kill -9 during the outage: no duplicate, nothing lost beyond librdkafka's $inflight in-flight messages" \
	check_topic --allow-missing "$inflight" "$H_DIR"/audit/*.audit.log
lost=$(cat "$H_DIR/topic.jsonl.missing" 2>/dev/null || echo "?")
H_N=$((H_N + 1))
if [ "$lost" = 0 ]; then
	echo "ok $H_N - after kill -9 during the outage: none lost # TODO omkafka $(h_rsyslog_version) hands messages to librdkafka's memory, a kill -9 loses what it holds"
else
	echo "not ok $H_N - after kill -9 during the outage: none lost # TODO omkafka $(h_rsyslog_version) hands messages to librdkafka's memory, a kill -9 loses what it holds ($lost of $K lost)"
fi
h_stop 30
echo quit >&7
h_done
