#!/bin/bash
# End to end, API inputs: the shipped confluence-cloud.conf and
# confluence-datacenter-api.conf (with atlassian-00-common.conf and
# output-files.conf, the shipped default dispatcher) run in one rsyslogd
# against two mock Confluence sites (tests/mock/confluence_mock.py): Cloud with
# e-mail + API token from passwordFile, Data Center with a personal access
# token from tokenFile. Rewritten only for paths, the sites' URLs and (the
# mock's address is not *.atlassian.net) flavor="cloud".
# Pins: every served event arrives once as an ECS document, mapped
# (event.kind event, event.id, input.type imconfluence) and the Data Center
# poller's own "Audit Log search performed" events are excluded as the file
# says; the credentials came from the secret files (auth seen by the mocks).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_api
N=${E2E_API_EVENTS:-200}

CLOUD_USER=siem-reader@example.com
CLOUD_TOKEN=cloud-api-token-$$
DC_TOKEN=dc-personal-access-token-$$
m_start cl --flavor cloud --events 0 --user "$CLOUD_USER" --password "$CLOUD_TOKEN" || { h_fail "Cloud mock starts"; h_done; }
m_start dc --flavor datacenter --events 0 --token "$DC_TOKEN" || { h_fail "DC mock starts"; h_done; }
now_ms=$(($(date +%s) * 1000))
gen='{"count":'$N',"ts_from_ms":'$((now_ms - 7200000))',"ts_to_ms":'$((now_ms - 120000))'}'
m_ctl cl POST /__mock/generate "$gen" >/dev/null
m_ctl dc POST /__mock/generate "$gen" >/dev/null

C=$H_DIR/conf
e2e_configs "$C"
umask 077
printf '%s\n' "$CLOUD_TOKEN" >"$H_DIR/secrets/confluence-cloud.token"
printf '%s' "$DC_TOKEN" >"$H_DIR/secrets/confluence-dc.token"
umask 022
sed -i -e "s|url=\"https://example.atlassian.net\"|url=\"$M_URL_cl\"|" -e 's|flavor="auto"|flavor="cloud"|' \
	"$C/confluence-cloud.conf"
sed -i -e "s|url=\"https://confluence.example.com\"|url=\"$M_URL_dc\"|" "$C/confluence-datacenter-api.conf"
e2e_combine atlassian-00-common.conf confluence-cloud.conf confluence-datacenter-api.conf output-files.conf

OUT=$H_DIR/out/audit.ecs.jsonl
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "$((2 * N)) documents written" h_wait_lines "$OUT" $((2 * N)) 40
# the poll is over (the shipped pollingInterval is 60 s): each mock's last
# request was answered with a short page, so nothing more may come
poll_done cl && poll_done dc
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0

m_oracle cl cloud >"$H_DIR/oracle-cl.jsonl"
m_oracle dc datacenter exclude_search=1 >"$H_DIR/oracle-dc.jsonl"
h_check "every served event became one ECS document, mapped, from imconfluence" \
	"$PYTHON3" - "$OUT" "$H_DIR/oracle-cl.jsonl" "$H_DIR/oracle-dc.jsonl" <<'PY'
import json, sys, datetime
docs = [json.loads(l) for l in open(sys.argv[1])]
def ms(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
want = {}
for line in open(sys.argv[2]):
    ev = json.loads(line)
    want[("cloud", ev["creationDate"], ev["summary"])] = want.get(("cloud", ev["creationDate"], ev["summary"]), 0) + 1
for line in open(sys.argv[3]):
    ev = json.loads(line)
    k = ("dc", ms(ev["timestamp"]), ev["type"]["actionI18nKey"])
    want[k] = want.get(k, 0) + 1
got = {}
for d in docs:
    ev = d["event"]
    assert ev["kind"] == "event", ev
    assert len(ev.get("id", "")) == 32, ev
    assert d["input"] == {"type": "imconfluence"}, d.get("input")
    assert "atlassian.audit.event.action.audit.search" != ev.get("action"), "search event not excluded"
    flavor = "cloud" if "actionI18nKey" not in d["confluence"]["audit"]["type"] else "dc"
    k = (flavor, ms(d["@timestamp"]), ev["action"])
    got[k] = got.get(k, 0) + 1
assert got == want, ("missing", sorted(set(want) - set(got))[:3], "extra", sorted(set(got) - set(want))[:3],
                     "counts", [(k, want.get(k), got.get(k)) for k in want if want.get(k) != got.get(k)][:3])
ids = [d["event"]["id"] for d in docs]
assert len(set(ids)) == len(ids), "repeated event.id"
print("# %d documents: %d Cloud + %d Data Center" % (len(docs), sum(v for k, v in want.items() if k[0] == "cloud"),
      sum(v for k, v in want.items() if k[0] == "dc")))
PY
h_check "Cloud requests used basic auth with the account from the file" \
	test "$(m_requests cl | "$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); d=d["requests"] if isinstance(d,dict) else d; print(",".join(sorted({r["auth"] for r in d})))')" = "basic:$CLOUD_USER"
h_check "Data Center requests used the token from tokenFile" \
	test "$(m_requests dc | "$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); d=d["requests"] if isinstance(d,dict) else d; print(",".join(sorted({r["auth"] for r in d})))')" = "bearer"
h_done
