#!/bin/bash
# mmconfluence for Jira and Bitbucket Data Center through the real rsyslogd
# (docs/jira-bitbucket-mapping.md): imfile reads Elastic's Jira and
# Bitbucket audit-file fixtures. Pins: product="jira" maps every line as
# confluence2ecs --product jira does (whose output test_map_golden.sh holds
# to Elastic's); $!metadata!product beats the configured product and is
# consumed; Jira lines sent to a Confluence action stay Confluence's but
# count in product.mismatch (impstats), and only there; an unknown product
# and a Jira table naming the login rule are configuration errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_products
RB=$CFL_RULEBASES
MAPARGS="rulebase=\"$RB/confluence-audit.rulebase\" categories=\"$RB/confluence-categories.json\""

# imfile emits a line once its LF is there
sed -e '$a\' "$CFL_FIXTURES/elastic-jira/test-audit-files.log" >"$H_DIR/jira.audit.log"
sed -e '$a\' "$CFL_FIXTURES/elastic-bitbucket/test-audit-files.log" >"$H_DIR/bitbucket.audit.log"
cp "$H_DIR/jira.audit.log" "$H_DIR/misrouted.audit.log"
n_jira=$(grep -c '' "$H_DIR/jira.audit.log")
n_bb=$(grep -c '' "$H_DIR/bitbucket.audit.log")

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imfile")
module(load="impstats" interval="1" format="json" resetCounters="off" log.syslog="off"
       log.file="$H_DIR/stats.json")
template(name="ecs" type="string" string="%\$!%\n")
input(type="imfile" file="$H_DIR/jira.audit.log" tag="jira-audit" ruleset="jira")
input(type="imfile" file="$H_DIR/bitbucket.audit.log" tag="bitbucket-audit" ruleset="bitbucket")
input(type="imfile" file="$H_DIR/misrouted.audit.log" tag="jira-audit" ruleset="misrouted")
ruleset(name="jira") {
	action(type="mmconfluence" product="jira" $MAPARGS)
	action(type="omfile" file="$H_DIR/jira.jsonl" template="ecs")
}
ruleset(name="bitbucket") {
	set \$!metadata!product = "bitbucket";
	action(type="mmconfluence" $MAPARGS)
	action(type="omfile" file="$H_DIR/bitbucket.jsonl" template="ecs")
}
ruleset(name="misrouted") {
	action(type="mmconfluence" $MAPARGS)
	action(type="omfile" file="$H_DIR/misrouted.jsonl" template="ecs")
}
EOF2
h_check "rsyslogd -N1 accepts product=\"jira\"" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_lines "$H_DIR/jira.jsonl" "$n_jira" 30
h_wait_lines "$H_DIR/bitbucket.jsonl" "$n_bb" 30
h_wait_lines "$H_DIR/misrouted.jsonl" "$n_jira" 30
h_wait_grep "$H_DIR/stats.json" '"product.mismatch": ?[1-9]' 10
sleep 1.5  # one more stats interval: the counters are final
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0

# the CLI twin's documents for the same lines (input/log differ by design)
"$CONFLUENCE2ECS" --product jira --rulebase "$RB/confluence-audit.rulebase" \
	--categories "$RB/confluence-categories.json" <"$H_DIR/jira.audit.log" >"$H_DIR/jira.cli.jsonl"
"$CONFLUENCE2ECS" --product bitbucket --rulebase "$RB/confluence-audit.rulebase" \
	--categories "$RB/confluence-categories.json" <"$H_DIR/bitbucket.audit.log" >"$H_DIR/bitbucket.cli.jsonl"
"$CONFLUENCE2ECS" --rulebase "$RB/confluence-audit.rulebase" \
	--categories "$RB/confluence-categories.json" <"$H_DIR/jira.audit.log" >"$H_DIR/misrouted.cli.jsonl"
for f in jira bitbucket misrouted; do
	h_check "$f: rsyslogd's documents are confluence2ecs's" "$PYTHON3" "$top_srcdir/tests/lib/jsoncmp.py" \
		--drop input --drop log "$H_DIR/$f.cli.jsonl" "$H_DIR/$f.jsonl"
done
h_check "product=\"jira\": every document is atlassian_jira.audit, user.name from the author, under jira.audit" \
	"$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert d["data_stream"]["dataset"] == d["event"]["dataset"] == "atlassian_jira.audit", d["data_stream"]
    assert "jira" in d and "confluence" not in d and "full_name" not in d.get("user", {}), d
    assert d["user"]["name"], d' "$H_DIR/jira.jsonl"
h_check "\$!metadata!product=\"bitbucket\" beats the configured product, and is consumed" \
	"$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert d["data_stream"]["dataset"] == "atlassian_bitbucket.audit" and "bitbucket" in d, d
    assert "metadata" not in d, d' "$H_DIR/bitbucket.jsonl"
h_check "misrouted Jira lines stay under the configured product (Confluence)" \
	"$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    assert json.loads(l)["data_stream"]["dataset"] == "atlassian_confluence.audit"' "$H_DIR/misrouted.jsonl"
# stats objects in configuration order: mmconfluence, -2 (bitbucket), -3 (misrouted)
h_check "product.mismatch: $n_jira for the misrouted action, 0 for the others" "$PYTHON3" -c '
import json, sys
last = {}
for l in open(sys.argv[1]):
    l = l[l.find("{"):]
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if d.get("origin") == "mmconfluence":
        last[d["name"]] = d["product.mismatch"]
want = {"mmconfluence": 0, "mmconfluence-2": 0, "mmconfluence-3": int(sys.argv[2])}
sys.exit(0 if last == want else "counters %r, expected %r" % (last, want))' "$H_DIR/stats.json" "$n_jira"

# --- configuration errors
h_conf "$H_DIR/badproduct.conf" <<EOF2
module(load="$MMCONFLUENCE_SO")
action(type="mmconfluence" product="confluence-cloud" $MAPARGS)
EOF2
h_rsyslogd -N1 -f "$H_DIR/badproduct.conf" >"$H_DIR/badproduct.out" 2>&1
rc=$?
h_check "product=\"confluence-cloud\": -N1 fails (exit $rc) naming the allowed products" \
	bash -c "[ $rc -ne 0 ] && grep -q 'confluence, jira, bitbucket' '$H_DIR/badproduct.out'"
printf '[\n{"actions": ["jira.auditing.user.created"], "category": ["iam"]},\n{"actions": ["x"], "user_fields": ["login"]}\n]\n' \
	>"$H_DIR/jira-login.json"
h_conf "$H_DIR/login.conf" <<EOF2
module(load="$MMCONFLUENCE_SO")
action(type="mmconfluence" product="jira" jiraCategories="$H_DIR/jira-login.json" $MAPARGS)
EOF2
h_rsyslogd -N1 -f "$H_DIR/login.conf" >"$H_DIR/login.out" 2>&1
rc=$?
h_check "a Jira table naming the login rule: -N1 fails (exit $rc) naming file and line 3" \
	bash -c "[ $rc -ne 0 ] && grep -q 'jira-login.json:3: .*login' '$H_DIR/login.out'"
h_done
