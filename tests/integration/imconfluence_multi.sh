#!/bin/bash
# Several inputs in one rsyslogd, each with its own state: two Data Center
# sites and a Cloud site behind the API gateway base
# (.../ex/confluence/<cloudId>), plus one whose server is down, which does
# not hold up the others. After a restart each resumes from its own state.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_multi

CLOUDID=a436116f-02ce-4520-8fbb-7301462a1674
m_start dc1 --flavor datacenter --events 0 || exit 1
m_start dc2 --flavor datacenter --events 0 || exit 1
m_start gw --flavor cloud --events 0 --context "/ex/confluence/$CLOUDID/wiki" || exit 1
m_gen dc1 300 3000 60
m_gen dc2 200 3000 60
m_gen gw 250 3000 60
# a port nobody listens on
dead=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

common='pollingInterval="1" initialLookback="3600" overlap="5" pageSize="50" excludeActions=["atlassian.audit.event.action.audit.search"]'
icf_conf <<EOF
input(type="imconfluence" url="$M_URL_dc1" ruleset="r1" $common)
input(type="imconfluence" url="$M_URL_dc2" ruleset="r2" $common)
input(type="imconfluence" url="$M_URL_gw/ex/confluence/$CLOUDID" flavor="cloud" ruleset="r3" $common)
input(type="imconfluence" url="http://127.0.0.1:$dead/" ruleset="r4" timeout="1" $common)
ruleset(name="r1") { action(type="omfile" file="$H_DIR/out1.log" template="msgonly") }
ruleset(name="r2") { action(type="omfile" file="$H_DIR/out2.log" template="msgonly") }
ruleset(name="r3") { action(type="omfile" file="$H_DIR/out3.log" template="msgonly") }
ruleset(name="r4") { action(type="omfile" file="$H_DIR/out4.log" template="msgonly") }
EOF
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "site 1: 300 events" h_wait_lines "$H_DIR/out1.log" 300 20
h_check "site 2: 200 events" h_wait_lines "$H_DIR/out2.log" 200 20
h_check "Cloud via the gateway base: 250 events" h_wait_lines "$H_DIR/out3.log" 250 20
h_check "the gateway path was requested" \
	test "$(m_requests gw | jq -r '[.[].path] | unique | join(",")')" = "/ex/confluence/$CLOUDID/wiki/rest/api/audit"
# our words, not libcurl's (which change between versions)
h_check "the down site logged a connection error" h_wait_grep "$H_INTERNAL" "imconfluence\\(127.0.0.1\\)-4: request failed: cannot connect \\(connection refused\\): " 10
h_stop 10
h_check "a state file per input that got data (the down one has none yet)" \
	test "$(ls "$H_DIR"/work/imconfluence-*.state | wc -l)" = 3
h_check "one stats object per input" \
	test "$(grep -o '"name": "imconfluence(127.0.0.1)[^"]*"' "$H_DIR/stats.log" | sort -u | wc -l)" = 4
# new events, written while rsyslogd was down
m_gen dc1 10 3 1
m_gen dc2 20 3 1
m_gen gw 30 3 1
h_start || { h_fail "rsyslogd restarts"; h_done; }
h_check "after a restart, site 1 resumes" h_wait_lines "$H_DIR/out1.log" 310 20
h_check "site 2 resumes" h_wait_lines "$H_DIR/out2.log" 220 20
h_check "Cloud resumes" h_wait_lines "$H_DIR/out3.log" 280 20
more_polls dc1 dc2 gw # nothing more may come
h_stop 10
for i in 1 2 3; do
	case $i in 1) m=dc1 f=datacenter ;; 2) m=dc2 f=datacenter ;; 3) m=gw f=cloud ;; esac
	m_oracle $m $f exclude_search=1 >"$H_DIR/oracle$i.jsonl"
	h_check "input $i: exactly its own site's events, once each" cmp "$H_DIR/oracle$i.jsonl" "$H_DIR/out$i.log"
done

# two inputs cannot share a state file
h_conf "$H_DIR/bad.conf" <<EOF
module(load="$IMCONFLUENCE_SO")
input(type="imconfluence" url="$M_URL_dc1" stateFile="shared")
input(type="imconfluence" url="$M_URL_dc2" stateFile="shared")
EOF
h_rsyslogd -N1 -f "$H_DIR/bad.conf" >"$H_DIR/bad.out" 2>&1
h_check "a shared stateFile is a configuration error" grep -q "two inputs use the same state file" "$H_DIR/bad.out"
h_done
