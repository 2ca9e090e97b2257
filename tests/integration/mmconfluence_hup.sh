#!/bin/bash
# mmconfluence on HUP re-reads its data files under a running rsyslogd: the
# GeoIP database (replaced by rename, as geoipupdate does) and the
# categorization table. A file that no longer loads keeps the old data in
# use and the log says why; nothing is lost meanwhile.
# Pins: before HUP the old data maps, after HUP the new; after a bad file and
# a HUP, the data loaded last still maps and the error names the file.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init mmconfluence_hup
FX=$CFL_FIXTURES/elastic-confluence
RB=$CFL_RULEBASES
GEO=$H_DIR/geo
mkdir -p "$GEO"
cp "$CFL_FIXTURES/geoip/GeoIP2-City-Test.mmdb" "$GEO/city.mmdb"
cp "$RB/confluence-categories.json" "$H_DIR/cats.json"
# the "Space import" event of the fixture, from 81.2.69.143 (London in the test database)
EVENT=$(grep -m1 '"audit.logging.summary.space.import"' "$FX/test-audit-files.log")
[ -n "$EVENT" ] || { h_fail "the fixture has a Space import event"; h_done; }

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="imfile")
template(name="ecs" type="string" string="%\$!%\n")
input(type="imfile" file="$H_DIR/events.audit.log" tag="confluence-audit" ruleset="r")
ruleset(name="r") {
	action(type="mmconfluence" geoip.citydb="$GEO/city.mmdb"
	       rulebase="$RB/confluence-audit.rulebase" categories="$H_DIR/cats.json"
	       orgCategories="$RB/atlassian-cloud-categories.json")
	action(type="omfile" file="$H_DIR/out.jsonl" template="ecs")
}
EOF2
: >"$H_DIR/events.audit.log"
h_start || { h_fail "rsyslogd starts"; h_done; }

# doc N CITY CATEGORY: the N-th document has that city and event.category
doc() {
	"$PYTHON3" - "$H_DIR/out.jsonl" "$1" "$2" "$3" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
d = docs[int(sys.argv[2]) - 1]
city = d.get("source", {}).get("geo", {}).get("city_name")
cat = ",".join(d.get("event", {}).get("category", []))
if (city, cat) != (sys.argv[3], sys.argv[4]):
    sys.exit("document %s: city %r, category %r" % (sys.argv[2], city, cat))
PY
}
# send N: one more event, and wait for its document
send() {
	printf '%s\n' "$EVENT" >>"$H_DIR/events.audit.log"
	h_wait_lines "$H_DIR/out.jsonl" "$1" 20
}

send 1
old_cat=$("$PYTHON3" -c 'import json,sys; print(",".join(json.loads(open(sys.argv[1]).readline())["event"].get("category", [])))' "$H_DIR/out.jsonl")
h_check "before HUP: the shipped data maps (London, category ${old_cat:-none})" doc 1 London "$old_cat"

# --- new data: a database that places the address in Brighton, written
# beside the old one and renamed over it; a table that files Space import
# under iam
"$PYTHON3" "$top_srcdir/tests/lib/mmdb_write.py" "$GEO/city.mmdb.new" GeoIP2-City \
	'81.2.69.0/24={"city":{"names":{"en":"Brighton"}},"country":{"iso_code":"GB","names":{"en":"United Kingdom"}}}' ||
	{ h_fail "the new test database is written"; h_done; }
mv "$GEO/city.mmdb.new" "$GEO/city.mmdb"
"$PYTHON3" - "$H_DIR/cats.json" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))
for r in rules:
    r["actions"] = [a for a in r["actions"] if a not in ("Space import", "audit.logging.summary.space.import")]
rules = [r for r in rules if r["actions"]]
rules.append({"actions": ["Space import", "audit.logging.summary.space.import"], "category": ["iam"], "type": ["change"]})
json.dump(rules, open(sys.argv[1] + ".new", "w"))
PY
mv "$H_DIR/cats.json.new" "$H_DIR/cats.json"
send 2
h_check "without HUP the data loaded at start still maps" doc 2 London "$old_cat"
kill -HUP "$H_PID"
h_check "the HUP is logged" h_wait_internal 'mmconfluence: HUP: rulebase, categories and GeoIP databases re-read' 20
send 3
h_check "after HUP: the new database and table map (Brighton, iam)" doc 3 Brighton iam

# --- a broken database: the last good data stays
echo 'not a MaxMind database' >"$GEO/city.mmdb.new"
mv "$GEO/city.mmdb.new" "$GEO/city.mmdb"
kill -HUP "$H_PID"
h_check "a database that does not load is logged with its name, the old data kept" \
	h_wait_internal "mmconfluence: HUP: .*$GEO/city.mmdb.*stay in use" 20
send 4
h_check "after the failed HUP the data loaded last still maps (Brighton, iam)" doc 4 Brighton iam
# --- a broken table likewise
cp "$CFL_FIXTURES/geoip/GeoIP2-City-Test.mmdb" "$GEO/city.mmdb"
echo '[{"actions": ' >"$H_DIR/cats.json"
kill -HUP "$H_PID"
h_check "a table that does not load is logged with its name, the old data kept" \
	h_wait_internal "mmconfluence: HUP: .*cats.json.*stay in use" 20
send 5
h_check "after that HUP too, the data loaded last maps (Brighton, iam)" doc 5 Brighton iam
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0
h_check "five events, five documents" test "$(grep -c '' "$H_DIR/out.jsonl")" = 5
h_done
