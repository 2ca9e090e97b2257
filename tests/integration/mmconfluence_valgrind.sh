#!/bin/bash
# mmconfluence inside rsyslogd under valgrind: every fixture event, the
# organization audit cases (tests/cases/map/org-*), plus hostile lines (deep nesting, huge values, invalid UTF-8, absurd numbers,
# wrong types) with every option on. Pins: no invalid access, no definite
# leak, no crash, and every line still comes out (nothing lost).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_valgrind
FX=$CFL_FIXTURES/elastic-confluence
GEO=$CFL_FIXTURES/geoip
RB=$CFL_RULEBASES
command -v valgrind >/dev/null || { h_fail "valgrind is installed"; h_done; }

{
	cat "$FX/test-audit-files.log" "$FX/test-audit-api.log" "$FX/test-audit-cloud.log"
	echo
	cat "$FX/test-audit-api-empty.log"; echo
	cat "$FX/test-audit-cloud-empty.log"; echo
	cat "$top_srcdir"/tests/cases/map/org-*/input.json   # organization events, pages, a broken one
	"$PYTHON3" - <<'PY'
import json
print("[" * 5000 + "]" * 5000)
print('{"a":' * 3000 + '1' + '}' * 3000)
print(json.dumps({"timestamp": {"epochSecond": 1e300, "nano": -5}, "auditType": {"actionI18nKey": 7}}))
print(json.dumps({"creationDate": "yesterday", "remoteAddress": ["x"], "author": "nobody", "summary": None}))
print(json.dumps({"creationDate": 1643097111962, "remoteAddress": "fe80::1%eth0", "summary": "User created",
  "category": "Users and groups", "affectedObject": {"name": "x" * 100000, "objectType": "User"},
  "changedValues": [{"name": "Username", "oldValue": "", "newValue": "\u00e9\u4e2d\U0001F600"}] * 2000}))
print('{"timestamp":"2021-11-23T00:44:36.398+02:00","type":{"actionI18nKey":"audit.logging.summary.user.renamed","categoryI18nKey":"audit.logging.category.user.management"},"changedValues":[{"i18nKey":"audit.logging.changed.value.username","from":"a","to":"b"}],"source":"confluence.example.com"}')
print('@cee: {"timestamp":"2021-13-45T99:99:99Z"}')
org = {"type": "events", "id": "x" * 70000, "attributes": {"time": "2026-05-19T10:00:00Z", "action": "a" * 5000,
  "actor": {"id": 1e300, "name": ["n"], "email": "@", "app": {"attributes": {"k": [[[]]] * 3000}},
  "onBehalfOf": "nobody", "auth": None},
  "context": [{"id": 1, "attributes": {"v": 12345678901234567890123456789, "w": -0.0e-400}}] * 2000,
  "container": {"not": "an array"}, "location": {"ip": "256.1.1.1", "city": 7}}, "message": "plain"}
print(json.dumps(org))
print('{"type":"events","id":"1","attributes":{"time":' + '[' * 60 + ']' * 60 + ',"action":"x"}}')
print('{"data":[' + ','.join(['{"type":"events"}'] * 3000) + '],"meta":{}}')
print('confluence-audit: {"timestamp":{"epochSecond":1637624567,"nano":54000000},"auditType":{}}')
PY
	printf '{"summary":"bad \xff\xfe utf8","creationDate":1643097111962}\n'
	printf '{"creationDate":1643097111962,"summary":"truncated\n'
} >"$H_DIR/in.log"
want=$(grep -c '' "$H_DIR/in.log")

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imfile")
template(name="ecs" type="string" string="%parsesuccess% %\$!%\n")
input(type="imfile" file="$H_DIR/in.log" tag="confluence-audit" ruleset="r" addMetadata="on")
ruleset(name="r" queue.type="linkedList" queue.workerThreads="2") {
	action(type="mmconfluence" preserveOriginal="on" eventId="on" tags=["a", "b", "a"]
	       geoip.citydb="$GEO/GeoIP2-City-Test.mmdb" geoip.asndb="$GEO/GeoLite2-ASN-Test.mmdb"
	       rulebase="$RB/confluence-audit.rulebase" categories="$RB/confluence-categories.json")
	action(type="omfile" file="$H_DIR/out.jsonl" template="ecs")
}
EOF2
H_VALGRIND=1 H_START_TIMEOUT=600 h_start || { h_fail "rsyslogd starts under valgrind"; h_done; }
h_check "all $want lines came out of rsyslogd under valgrind" h_wait_lines "$H_DIR/out.jsonl" "$want" 180
h_stop 60
h_valgrind_verdict $?
h_check "hostile lines are emitted as pipeline_error, not dropped" \
	test "$(grep -c '"kind": *"pipeline_error"' "$H_DIR/out.jsonl")" -ge 5
h_done
