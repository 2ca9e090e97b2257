#!/bin/bash
# End to end, the organization audit log: the shipped
# atlassian-organization.conf (with atlassian-00-common.conf and
# output-files.conf, the shipped default dispatcher) runs against the
# events-stream mock (tests/mock/org_audit_mock.py), rewritten only for
# paths, the mock's url and the orgId; the API key comes from the secret
# file. Pins: every served event becomes exactly one document in
# output-files' file, in processing order, mapped by mmconfluence as an
# atlassian_cloud.audit event with the event's id as event.id (none is a
# pipeline_error); the key was sent as Bearer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_org_audit
N=${E2E_ORG_EVENTS:-1234}
KEY=org-api-key-$$
ORG=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0

org_start org --org-id "$ORG" --token "$KEY" || { h_fail "mock starts"; h_done; }
org_gen org "$N" 7200 120

C=$H_DIR/conf
e2e_configs "$C"
umask 077
printf '%s\n' "$KEY" >"$H_DIR/secrets/atlassian-organization.key"
umask 022
sed -i -e "s|url=\"https://api.atlassian.com\"|url=\"$M_URL_org\"|" \
	-e "s|orgId=\"00000000-0000-0000-0000-000000000000\"|orgId=\"$ORG\"|" "$C/atlassian-organization.conf"
e2e_combine atlassian-00-common.conf atlassian-organization.conf output-files.conf

OUT=$H_DIR/out/audit.ecs.jsonl
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "$N documents written" h_wait_lines "$OUT" "$N" 60
# the walk is over (the shipped pollingInterval is 60 s): the last request
# was answered with a short page, so nothing more may come
poll_done org
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0
m_ctl org GET /__mock/events >"$H_DIR/oracle.jsonl"
h_check "every served event is one mapped atlassian_cloud.audit document, in processing order" \
	"$PYTHON3" - "$OUT" "$H_DIR/oracle.jsonl" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l)["id"] for l in open(sys.argv[2])]
got, mapped = [], 0
for d in docs:
    ev = d.get("event", {})
    assert ev.get("kind") == "event" and d.get("data_stream", {}).get("dataset") == "atlassian_cloud.audit", d
    mapped += 1
    got.append(ev["id"])
assert got == want, ("first difference at", next(i for i, (a, b) in enumerate(zip(got + [None] * len(want), want)) if a != b))
print("# %d documents, %d mapped as atlassian_cloud.audit" % (len(docs), mapped))
PY
m_requests org >"$H_DIR/req.json"
h_check "every request authenticated (Bearer from tokenFile), limit 500" \
	jq -e 'length >= 3 and all(.auth_ok) and (.[0].params.limit == "500")' "$H_DIR/req.json"
h_done
