#!/bin/bash
# contrib/demo.sh is the project's main job: it must print ECS documents
# from both the API path (imconfluence, Cloud and Data Center) and the files
# path (imfile), produced by real rsyslogd, and exit on its own.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init demo_run
CFL_DEMO_NO_BUILD=1 timeout 120 bash "$top_srcdir/contrib/demo.sh" >"$H_DIR/out.jsonl" 2>"$H_DIR/err.log"
rc=$?
h_check "contrib/demo.sh exits 0 on its own (got $rc)" test $rc -eq 0
[ $rc = 0 ] || sed 's/^/# /' "$H_DIR/err.log" | tail -n 20
"$PYTHON3" - "$H_DIR/out.jsonl" >"$H_DIR/check" 2>&1 <<'PY'
import json, sys, collections
docs = [json.loads(l) for l in open(sys.argv[1])]
by = collections.Counter(d.get("input", {}).get("type") for d in docs)
assert by["imconfluence"] >= 80 and by["imfile"] == 65, by
assert all(d["event"]["kind"] == "event" and d["ecs"]["version"] == "8.11.0" for d in docs)
assert all(d["event"].get("id") for d in docs), "the demo maps with eventId on"
print("ok", dict(by))
PY
h_check "ECS documents from the API and the files path ($(cat "$H_DIR/check" | tail -n1))" grep -q '^ok' "$H_DIR/check"
h_done
