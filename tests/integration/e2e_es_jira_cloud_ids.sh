#!/bin/bash
# End to end, Elasticsearch: Jira Cloud record ids are unique per site only
# (docs/jira-bitbucket-mapping.md, decision 5). The shipped chain
# (atlassian-00-common, output-elasticsearch, unchanged but for paths and the
# URL) fed by a test input that stands for imconfluence: syslog over TCP,
# the sending host name naming the site ($!metadata!site, as imconfluence
# attaches it), mapped by mmconfluence (eventId="on"), then
# `call confluence_output`. Pins:
#   - the same record (id 11938, the very same text) from two sites is two
#     documents, both stored: _id = hash64(site)-11938, one per site;
#   - that record from the first site again (a re-read) is refused as a
#     duplicate (409) and stored once;
#   - a Jira Cloud record without a site keeps _id = its id; a Confluence
#     Data Center event keeps _id = event.id (a 32-digit hash).
# Without the site in the key, the second site's record is the 409.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_es_jira_cloud_ids
es_too_old_todo "Jira Cloud records of two sites both reach Elasticsearch"
if ! compgen -G "/usr/lib/*/rsyslog/omelasticsearch.so" >/dev/null; then
	h_fail "omelasticsearch is installed (Debian package rsyslog-elasticsearch; contrib/check.sh installs it)"
	h_done
fi
e2e_mock_es es --index-regex '^logs-atlassian_(confluence|jira)\.audit-[a-z0-9_]+$' ||
	{ h_fail "the Elasticsearch mock starts"; h_done; }
ES=http://127.0.0.1:$E2E_ES_PORT

C=$H_DIR/conf
e2e_configs "$C"
e2e_dispatch "$C/atlassian-00-common.conf" elasticsearch
sed -i -e "s|https://elasticsearch.example.com:9200|$ES|" "$C/output-elasticsearch.conf"
# the test's input: what imconfluence would hand over for each site
cat >"$C/jira-cloud-test.conf" <<EOF2
module(load="imtcp")
input(type="imtcp" port="0" listenPortFileName="$H_DIR/tcp.port" ruleset="jira_cloud_test")
ruleset(name="jira_cloud_test") {
	if \$hostname != "nosite" then
		set \$!metadata!site = "https://" & \$hostname & ".atlassian.net";
	action(type="mmconfluence" eventId="on" rulebase="$CFL_RULEBASES/confluence-audit.rulebase"
	       categories="$CFL_RULEBASES/confluence-categories.json")
	call confluence_output
}
EOF2
e2e_combine atlassian-00-common.conf atlassian-01-imfile.conf jira-cloud-test.conf output-elasticsearch.conf
e2e_impstats es >>"$H_CONF"

REC='{"id":11938,"summary":"Project created","created":"2022-01-24T08:48:05.645+0000","category":"projects","objectItem":{"id":"10001","name":"Apollo","typeName":"PROJECT"}}'
REC2='{"id":11939,"summary":"Project created","created":"2022-01-24T08:49:05.645+0000","category":"projects"}'
DC=$(sed -n 1p "$CFL_FIXTURES/elastic-confluence/test-audit-files.log")
h_start || { h_fail "rsyslogd starts"; h_done; }
h_wait_file "$H_DIR/tcp.port" 10 || { h_fail "imtcp wrote its port file"; h_done; }
"$PYTHON3" - "$(cat "$H_DIR/tcp.port")" "$REC" "$REC2" "$DC" <<'PY'
import socket, sys
port, rec, rec2, dc = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port))
for host, ev in (("site-a", rec), ("site-b", rec), ("site-a", rec), ("nosite", rec2), ("nosite", dc)):
    s.sendall(("<134>Nov 25 10:00:00 %s jira-audit: %s\n" % (host, ev)).encode())
s.close()
PY
h_check "four documents stored" e2e_wait_url "$ES/__mock/health" "d['docs'] >= 4" 30
h_check "the re-read record answered 409 (a duplicate), nothing else refused" \
	e2e_wait_url "$ES/__mock/stats" "d['items'].get('409', 0) == 1 and all(not k.startswith('4') or k == '409' for k in d['items'])" 30
e2e_queue_drained es confluence_es 30
h_stop 30
h_check "rsyslogd stops cleanly" test $? -eq 0
curl -sf "$ES/__mock/docs" >"$H_DIR/docs.json"
h_check "record 11938 of two sites: two documents, _id = hash64(site)-11938, one per site; no site: _id = the id; Confluence: _id = event.id" \
	"$PYTHON3" - "$H_DIR/docs.json" <<'PY'
import collections, json, re, sys
docs = json.load(open(sys.argv[1]))["docs"]
assert len(docs) == 4, [d["_id"] for d in docs]
jira = [d for d in docs if d["index"] == "logs-atlassian_jira.audit-default"]
assert len(jira) == 3, [(d["index"], d["_id"]) for d in docs]
by_id = collections.defaultdict(list)
for d in jira:
    by_id[d["source"]["event"]["id"]].append(d)
pair = by_id["11938"]
sites = sorted(d["source"]["service"]["address"] for d in pair)
assert sites == ["https://site-a.atlassian.net", "https://site-b.atlassian.net"], sites
ids = [d["_id"] for d in pair]
assert len(set(ids)) == 2 and all(re.fullmatch(r"-?[0-9]+-11938", i) for i in ids), ids
[nosite] = by_id["11939"]
assert "service" not in nosite["source"] and nosite["_id"] == "11939", nosite["_id"]
[conf] = [d for d in docs if d["index"] == "logs-atlassian_confluence.audit-default"]
assert conf["_id"] == conf["source"]["event"]["id"] and len(conf["_id"]) == 32, conf["_id"]
print("# _ids: %s" % ", ".join(sorted(d["_id"] for d in docs)))
PY
h_done
