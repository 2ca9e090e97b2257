#!/bin/bash
# mmconfluence through the real rsyslogd on organization audit events
# (docs/org-audit-mapping.md), mixed with a Confluence event in one file:
# imfile -> mmconfluence -> omfile. Pins: Elastic's seven atlassian_cloud
# cases reproduced (tests/cases/map/org-elastic-*/expected.json, as JSON)
# inside rsyslogd with the documentation-range ASN database; the shipped
# Elasticsearch output's index and _id templates (taken from
# contrib/rsyslog.d/output-elasticsearch.conf as shipped) route org events to
# logs-atlassian_cloud.audit-<ns> with _id = the event's id and the Confluence
# event to logs-atlassian_confluence.audit-<ns>; a broken org event is
# $parsesuccess FAIL in the org data stream; an empty org page maps nothing;
# the message time is the event's attributes.time.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_org
RB=$CFL_RULEBASES
CASES=$top_srcdir/tests/cases/map
ES_CONF=$top_srcdir/contrib/rsyslog.d/output-elasticsearch.conf
DOCASN=$H_DIR/Documentation-ASN-Test.mmdb
"$PYTHON3" "$top_srcdir/tests/lib/mmdb_write.py" --documentation-asn "$DOCASN" || h_fail "the ASN test database is built"

ORG=(api-token-created confluence-permission-added marketplace-app-installed org-policy-update
	organization-users-viewed user-invitation user-login)
{
	for c in "${ORG[@]}"; do cat "$CASES/org-elastic-$c/input.json"; done
	cat "$CASES/org-broken-json/input.json"
	cat "$CASES/org-page-empty/input.json"
	cat "$CASES/source-asn/input.json"
} >"$H_DIR/mixed.log"
n_in=$(grep -c '' "$H_DIR/mixed.log")

# the shipped output's routing templates, and the key ruleset of the common
# file they use, unchanged
grep -A1 -E '^template\(name="confluence_es_(index|id)"' "$ES_CONF" | grep -v '^--$' >"$H_DIR/es-templates.conf"
sed -n '/^ruleset(name="confluence_doc_key")/,/^}/p' "$top_srcdir/contrib/rsyslog.d/atlassian-00-common.conf" \
	>>"$H_DIR/es-templates.conf"
h_check "the shipped output routes by data_stream.dataset (index template found)" \
	grep -q 'logs-%\$!data_stream!dataset%-%\$!data_stream!namespace%' "$H_DIR/es-templates.conf"

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imfile")
module(load="fmhash")
include(file="$H_DIR/es-templates.conf")
template(name="ecs" type="string" string="%\$!%\n")
template(name="meta" type="string"
	string="%parsesuccess%|%timereported:::date-rfc3339%|%\$.index%|%\$.id%|%\$!event!kind%\n")
input(type="imfile" file="$H_DIR/mixed.log" tag="org-audit" ruleset="org")
ruleset(name="org") {
	action(type="mmconfluence" preserveOriginal="on" tags=["forwarded", "atlassian_cloud-audit"]
	       geoip.asndb="$DOCASN" datastream.namespace="prod"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json"
	       orgCategories="$RB/atlassian-cloud-categories.json")
	call confluence_doc_key
	set \$.index = exec_template("confluence_es_index");
	set \$.id = exec_template("confluence_es_id");
	action(type="omfile" file="$H_DIR/out.meta" template="meta")
	action(type="omfile" file="$H_DIR/out.jsonl" template="ecs")
}
EOF2
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_lines "$H_DIR/out.meta" "$n_in" 30
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0
h_check "one result per message ($n_in)" test "$(grep -c '' "$H_DIR/out.meta")" -eq "$n_in"

# expected: each case's document, with the namespace of this configuration
for c in "${ORG[@]}"; do
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["data_stream"]["namespace"]="prod"; print(json.dumps(d))' \
		"$CASES/org-elastic-$c/expected.json"
done >"$H_DIR/expected.jsonl"
head -n ${#ORG[@]} "$H_DIR/out.jsonl" |
	"$PYTHON3" -c 'import json,sys
for l in sys.stdin:
    d=json.loads(l); assert d.pop("input") == {"type": "imfile"}; assert d.pop("log")["file"]["path"].endswith("/mixed.log")
    print(json.dumps(d))' >"$H_DIR/org.jsonl"
h_check "Elastic's seven atlassian_cloud cases reproduced exactly (as JSON) through rsyslogd" \
	"$PYTHON3" "$top_srcdir/tests/lib/jsoncmp.py" "$H_DIR/expected.jsonl" "$H_DIR/org.jsonl"

mapfile -t META <"$H_DIR/out.meta"
h_check "org events: \$parsesuccess OK, index logs-atlassian_cloud.audit-prod, _id = the event's id, message time = attributes.time" \
	"$PYTHON3" - "$H_DIR/out.meta" "${ORG[@]/#/$CASES/org-elastic-}" <<'PY'
import json, sys
meta = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
for m, case in zip(meta, sys.argv[2:]):
    ev = json.loads(open(case + "/input.json").read())
    ok, t, index, _id, kind = m
    assert ok == "OK" and kind == "event", m
    assert index == "logs-atlassian_cloud.audit-prod", m
    assert _id == ev["id"], (m, ev["id"])
    assert t.replace("+00:00", "Z") == ev["attributes"]["time"], (t, ev["attributes"]["time"])
PY
h_check "broken org event: \$parsesuccess FAIL, pipeline_error in logs-atlassian_cloud.audit-prod, keyed pipeline-error-<hash>" \
	bash -c "[[ '${META[7]}' == FAIL\|*\|logs-atlassian_cloud.audit-prod\|pipeline-error-*\|pipeline_error ]]"
h_check "empty org page: \$parsesuccess FAIL and nothing mapped" \
	bash -c "[[ '${META[8]}' == FAIL\|*\|logs--\|\| ]]"
h_check "the Confluence event beside them: logs-atlassian_confluence.audit-prod" \
	bash -c "[[ '${META[9]}' == OK\|*\|logs-atlassian_confluence.audit-prod\|*\|event ]]"
h_done
