#!/bin/bash
# test_map_golden.sh -- every event of Elastic's pipeline-test fixtures
# (tests/fixtures/elastic-confluence/test-audit-*.log) through confluence2ecs,
# compared as JSON, both ways, with the expected output next to each log:
#   test-audit-files.expected.jsonl  Elastic's own expected output (with the
#                                    contract's fixes), to be reproduced exactly
#   test-audit-api.expected.jsonl    written from the contract by hand and
#   test-audit-cloud.expected.jsonl  cross-checked with an independent model
#   *-empty.log                      empty API pages: no output at all
# The configuration is the one test-audit-files.expected.jsonl was made with:
# original-preserving on (so tags ["preserve_original_event"]), the City and
# ASN test databases; the fields that depend on how an event arrived
# (event.dataset, event.module, data_stream, input, log) are not compared.
# One TAP line per fixture file. Licensed under the Apache License, Version 2.0.
# the harness gives the environment's defaults and a private temp dir
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"
FX=$CFL_FIXTURES/elastic-confluence
h_init map_golden
TMP=$H_DIR

n=0
failed=0
for name in files api cloud api-empty cloud-empty; do
	n=$((n + 1))
	log=$FX/test-audit-$name.log
	expected=$FX/test-audit-$name.expected.jsonl
	[ -f "$expected" ] || expected=/dev/null   # the empty pages: nothing expected
	out=$TMP/$name.jsonl
	if ! "$CONFLUENCE2ECS" --rulebase "$CFL_RULEBASES/confluence-audit.rulebase" \
		--categories "$CFL_RULEBASES/confluence-categories.json" \
		--geoip-city "$CFL_FIXTURES/geoip/GeoIP2-City-Test.mmdb" \
		--geoip-asn "$CFL_FIXTURES/geoip/GeoLite2-ASN-Test.mmdb" \
		--preserve-original "$log" >"$out" 2>"$TMP/$name.err"; then
		echo "not ok $n - test-audit-$name.log: confluence2ecs failed"
		sed 's/^/# /' "$TMP/$name.err" | head -n 5
		failed=1
		continue
	fi
	if why=$("$PYTHON3" "$top_srcdir/tests/lib/jsoncmp.py" --drop event.dataset --drop event.module \
		--drop data_stream --drop input --drop log "$expected" "$out" 2>&1); then
		echo "ok $n - test-audit-$name.log: $(grep -c '' "$out") documents as expected"
	else
		echo "not ok $n - test-audit-$name.log"
		echo "$why" | sed 's/^/# /'
		failed=1
	fi
done
echo "1..$n"
exit $failed
