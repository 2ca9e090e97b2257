#!/bin/bash
# End to end, relay outage longer than the shippers' queues hold: two Data
# Center "nodes", each an rsyslogd running the shipped
# confluence-relay-shipper.conf -- node1 over RELP, node2 over plain TCP --
# and a central rsyslogd running atlassian-00-common +
# confluence-relay-central + output-files. The files are rewritten only for
# what a user edits: the central's host and ports, paths, and the disk budget
# (queue.size 300 instead of 500000, so the test needs thousands of events,
# not millions). action.resumeInterval stays as shipped (10 s).
# Pins:
#  - the central is down while each node's audit file gets more than 3x the
#    queue's size: the queue fills up to its size and no further, imfile stops
#    before the end of the file (its saved position) and waits, nothing is
#    discarded (impstats discarded.full/discarded.nf stay 0) however long the
#    outage lasts; once the central is up, every event of each node arrives
#    exactly once (input.type tells the nodes apart);
#  - the same for node1 with a kill -9 of its rsyslogd while its queue is full:
#    every event arrives; a line is repeated at most once (see below).
# Before the shipped configs put the disk queue on the shippers' rulesets and
# set queue.timeoutEnqueue, this test lost events (E2E_CONFDIR pointing at the
# older files shows it).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_outage_relay
Q=${E2E_OUTAGE_QUEUE:-300}
N=${E2E_OUTAGE_EVENTS:-$((3 * Q + 100))}	# per node, first outage
M=${E2E_OUTAGE_KILL_EVENTS:-$((3 * Q + 100))}	# node1, kill -9 run
OUTAGE=${E2E_OUTAGE_SECONDS:-$E2E_OUTAGE_DEFAULT_S}	# down this much longer once the queues are full
DRAIN=${E2E_OUTAGE_DRAIN_SECONDS:-120}

# --- central: the harness's rsyslogd (down at first)
e2e_relay_central
OUT=$H_DIR/out/audit.ecs.jsonl

# --- two shippers, each with its own work and audit folders and impstats
e2e_make_shipper node1 confluence_ship_relp "$Q" || h_fail "node1's shipper file takes the disk budget"
e2e_make_shipper node2 confluence_ship_tcp "$Q" || h_fail "node2's shipper file takes the disk budget"
h_check "rsyslogd -N1 accepts the RELP shipper (queue.size $Q)" "$RSYSLOGD" -N1 -f "$H_DIR/node1/rsyslog.conf"
h_check "rsyslogd -N1 accepts the TCP shipper (queue.size $Q)" "$RSYSLOGD" -N1 -f "$H_DIR/node2/rsyslog.conf"

# Events: node1 and node2 get different, distinct events (the @timestamp
# tells them apart); node1 gets M more for the kill -9 run.
F1=$H_DIR/node1/audit/20231114-00000.audit.log
F2=$H_DIR/node2/audit/20231114-00000.audit.log
F1K=$H_DIR/node1/audit/20231115-00000.audit.log
e2e_audit_events $((2 * N + M)) "$H_DIR/all.audit.log"
sed -n "1,${N}p" "$H_DIR/all.audit.log" >"$F1"
sed -n "$((N + 1)),$((2 * N))p" "$H_DIR/all.audit.log" >"$F2"

# The shipper's disk queue in impstats: a ruleset queue is named after its
# ruleset; an older file's action queue is "<action name> queue".
qstat() { e2e_queue_stat "$@"; }            # NODE QUEUE COUNTER: the largest value reached
qnow() { e2e_queue_stat "$1" "$2" "$3" last; } # NODE QUEUE COUNTER: the latest value reported
# the queue has held (nearly) its size: FULL_DELAY inputs such as imfile
# stop at 97% of it (queue.fullDelaymark), so "full" need not be counted
queue_filled() { # NODE QUEUE
	local v
	v=$(qnow "$1" "$2" size)
	[ -n "$v" ] && [ "$v" -ge $((Q * 9 / 10)) ]
}
queue_bounded() { # NODE QUEUE
	local v
	v=$(qstat "$1" "$2" maxqsize)
	echo "# $1 $2: maxqsize=${v:-?} full=$(qstat "$1" "$2" full) (queue.size $Q)"
	[ -n "$v" ] && [ "$v" -le "$Q" ]
}
no_discards() { e2e_no_discards "$@"; } # NODE QUEUE
# imfile's saved position for FILE (0 when it has saved none)
imfile_pos() { # NODE FILE
	"$PYTHON3" - "$H_DIR/$1/work" "$2" <<'PY'
import glob, json, sys
work, f = sys.argv[1:3]
pos = 0
for p in glob.glob(work + "/imfile-state:*"):
    try:
        st = json.load(open(p))
    except (OSError, ValueError):
        continue
    if st.get("filename") == f:
        pos = st.get("curr_offs", 0)
print(pos)
PY
}
imfile_waits() { # NODE FILE: imfile has not saved the end of FILE as read
	local pos size
	pos=$(imfile_pos "$1" "$2")
	size=$(stat -c %s "$2")
	echo "# $1: imfile's saved position in $(basename "$2"): $pos of $size bytes"
	[ "$pos" -lt "$size" ]
}

# The central's documents per node (input.type: imrelp = node1, imtcp = node2)
# against the events of that node's files.
#   central MODE SPEC...   SPEC = node:transport:maxrepeats:file[,file..]
#   MODE wait: exit 0 once every event is there; check: also assert at most
#   maxrepeats repeats, each repeat the same document, event.id unique.
cat >"$H_DIR/central.py" <<'PY'
import json, sys, datetime
mode, out = sys.argv[1], sys.argv[2]
def ts_of(line):
    ts = json.loads(line)["timestamp"]
    t = datetime.datetime.fromtimestamp(ts["epochSecond"], datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts["nano"] // 1000000)
docs = []
try:
    for l in open(out):
        if l.endswith("\n"):
            docs.append(json.loads(l))
except OSError:
    pass
ok = True
for spec in sys.argv[3:]:
    node, transport, maxrep, files = spec.split(":", 3)
    want = set()
    for f in files.split(","):
        want.update(ts_of(raw) for raw in open(f, "rb"))
    mine = [d for d in docs if d.get("input", {}).get("type") == transport]
    seen = {}
    repeats = 0
    for d in mine:
        t = d.get("@timestamp")
        if t in seen:
            repeats += 1
            if mode == "check" and d != seen[t]:
                diff = sorted(k for k in set(d) | set(seen[t]) if d.get(k) != seen[t].get(k))
                print("# %s: a repeat differs from the first copy: %s %s: %s / %s" % (node, t, diff,
                      json.dumps({k: seen[t].get(k) for k in diff})[:300], json.dumps({k: d.get(k) for k in diff})[:300]))
                ok = False
            continue
        seen[t] = d
    missing = want - set(seen)
    unexpected = set(seen) - want
    if mode == "wait":
        ok = ok and not missing
        continue
    print("# %s (%s): %d events written, %d arrived, %d missing, %d unexpected, %d documents (%d repeats)"
          % (node, transport, len(want), len(want & set(seen)), len(missing), len(unexpected), len(mine), repeats))
    ids = {d.get("event", {}).get("id") for d in seen.values()}
    ok = ok and not missing and not unexpected and repeats <= int(maxrep) and len(ids) == len(seen) \
        and all(d["event"]["kind"] == "event" for d in seen.values())
sys.exit(0 if ok else 1)
PY
central() { "$PYTHON3" "$H_DIR/central.py" "$1" "$OUT" "${@:2}"; }
# wait (bounded: T s) until the central has WANT documents and every event;
# give up early once the file has not grown for 30 s (3 resume intervals:
# nothing more is on its way)
wait_all() { # T WANT SPEC...
	local want=$2 n last=-1 changed=$SECONDS end=$((SECONDS + $1))
	shift 2
	while [ "$SECONDS" -lt "$end" ]; do
		n=$( [ -f "$OUT" ] && wc -l <"$OUT" || echo 0)
		[ "$n" -ge "$want" ] && central wait "$@" && return 0
		if [ "$n" != "$last" ]; then last=$n changed=$SECONDS; fi
		[ $((SECONDS - changed)) -ge 30 ] && break
		h_nap 0.5
	done
	echo "# gave up: $n documents, none new for the last $((SECONDS - changed)) s" >&2
	return 1
}

# --- 1. the central is down; each node's queue fills with 3x its size ------
e2e_start_rsyslogd node1 "$H_DIR/node1/rsyslog.conf" || { h_fail "RELP shipper starts"; h_done; }
P1=$E2E_PID
e2e_start_rsyslogd node2 "$H_DIR/node2/rsyslog.conf" || { h_fail "TCP shipper starts"; h_done; }
P2=$E2E_PID
h_check "node1 (RELP): the queue fills while the central is down" h_until 60 queue_filled node1 confluence_ship_relp
h_check "node2 (TCP): the queue fills while the central is down" h_until 60 queue_filled node2 confluence_ship_tcp
t_full=$(date +%s)
# the outage goes on well past rsyslog's default queue.timeoutEnqueue (2 s):
# until impstats has shown each queue full for OUTAGE more seconds
h_check "node1: the queue stays full for ${OUTAGE}s more" \
	e2e_wait_queue_full_for node1 confluence_ship_relp $((Q * 9 / 10)) "$OUTAGE"
h_check "node2: the queue stays full for ${OUTAGE}s more" \
	e2e_wait_queue_full_for node2 confluence_ship_tcp $((Q * 9 / 10)) "$OUTAGE"
h_check "node1: the queue held no more than its size after ${OUTAGE}s more" queue_bounded node1 confluence_ship_relp
h_check "node2: the queue held no more than its size after ${OUTAGE}s more" queue_bounded node2 confluence_ship_tcp
h_check "node1: imfile waits before the end of its file (back-pressure)" imfile_waits node1 "$F1"
h_check "node2: imfile waits before the end of its file (back-pressure)" imfile_waits node2 "$F2"
h_check "node1: nothing discarded during the outage" no_discards node1 confluence_ship_relp
h_check "node2: nothing discarded during the outage" no_discards node2 confluence_ship_tcp

# --- 2. the central starts: everything arrives, once ----------------------
h_start || { h_fail "central rsyslogd starts"; h_done; }
t_up=$(date +%s)
h_check "central up: all $((2 * N)) events of both nodes arrive" \
	wait_all "$DRAIN" $((2 * N)) "node1:imrelp:0:$F1" "node2:imtcp:0:$F2"
echo "# outage: $((t_up - t_full))s with the queues full; drained in $(($(date +%s) - t_up))s (resumeInterval 10)"
h_check "every event of each node arrived exactly once, mapped, event.id unique" \
	central check "node1:imrelp:0:$F1" "node2:imtcp:0:$F2"
h_check "node1: no message discarded by its queue" no_discards node1 confluence_ship_relp
h_check "node2: no message discarded by its queue" no_discards node2 confluence_ship_tcp

# --- 3. node1 gets kill -9 while its queue is full -------------------------
h_stop 20
h_check "central stops cleanly" test $? -eq 0
sed -n "$((2 * N + 1)),$((2 * N + M))p" "$H_DIR/all.audit.log" >"$F1K"
h_check "node1: the queue fills again (kill -9 run)" h_until 60 queue_filled node1 confluence_ship_relp
h_check "node1: imfile waits before the end of the new file" imfile_waits node1 "$F1K"
echo "# node1: kill -9 with $(qnow node1 confluence_ship_relp size) messages in its queue"
kill -KILL "$P1" 2>/dev/null
wait "$P1" 2>/dev/null
e2e_start_rsyslogd node1 "$H_DIR/node1/rsyslog.conf" || h_fail "RELP shipper restarts after kill -9"
P1=$E2E_PID
h_start || { h_fail "central rsyslogd restarts"; h_done; }
t_up=$(date +%s)
h_check "after kill -9 of node1 and restarts: all $M more events arrive" \
	wait_all "$DRAIN" $((2 * N + M)) "node1:imrelp:1:$F1,$F1K" "node2:imtcp:0:$F2"
echo "# kill -9 run: drained in $(($(date +%s) - t_up))s"
# At most one repeat: imfile hands each line over alone and saves its position
# right after (MaxSubmitAtOnce 1, persistStateInterval 1), and the disk queue
# records each message (checkpointInterval 1), so a kill -9 can only fall
# between the line entering the queue and imfile saving its position past
# it; nothing had left the queue (the central was down).
h_check "after kill -9: every event arrived, node1 repeats at most 1, node2 none" \
	central check "node1:imrelp:1:$F1,$F1K" "node2:imtcp:0:$F2"
h_check "node1: no message discarded by its queue (kill -9 run)" no_discards node1 confluence_ship_relp

# --- 4. clean stops
e2e_relay_stop "$P1" "$P2"
h_done
