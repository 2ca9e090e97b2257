#!/bin/bash
# contrib/demo.sh: the project's main job on its embedded default.
#
# Builds (contrib/build.sh), then runs the real rsyslogd with our modules in
# a private temp dir: imfile reads a bundled Confluence Data Center audit
# file (contrib/demo/sample.audit.log) and mmconfluence maps each event to an
# ECS document, printed to stdout as one JSON line per event. Then it exits.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"

"$ROOT/contrib/build.sh" >&2
RSYSLOGD=/usr/sbin/rsyslogd
MM=$ROOT/modules/mmconfluence/.libs/mmconfluence.so
IM=$ROOT/modules/imconfluence/.libs/imconfluence.so
SAMPLE=$ROOT/contrib/demo/sample.audit.log

DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-demo.XXXXXX")
PID=""
cleanup() {
	[ -z "$PID" ] || kill -TERM "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
mkdir -p "$DIR/work"
cp "$SAMPLE" "$DIR/audit.log"

cat >"$DIR/rsyslog.conf" <<CONF
global(workDirectory="$DIR/work" processInternalMessages="on")
module(load="$MM")
module(load="$IM")
module(load="imfile")
if \$syslogtag startswith "rsyslogd" then { action(type="omfile" file="$DIR/internal.log") stop }
template(name="ecs" type="string" string="%\$!%\n")
input(type="imfile" file="$DIR/audit.log" tag="confluence-audit" ruleset="confluence" addMetadata="on")
ruleset(name="confluence") {
	action(type="mmconfluence" rulebase="$ROOT/rulebases/confluence-audit.rulebase"
	       categories="$ROOT/rulebases/confluence-categories.json")
	action(type="omfile" file="$DIR/ecs.jsonl" template="ecs")
}
CONF

say "running $RSYSLOGD with mmconfluence on $(wc -l <"$SAMPLE") sample audit events"
RSYSLOG_DFLT_LOG_INTERNAL=1 "$RSYSLOGD" -n -f "$DIR/rsyslog.conf" -i "$DIR/rsyslogd.pid" 2>"$DIR/stderr" &
PID=$!
want=$(grep -c '' "$SAMPLE")
for _ in $(seq 1 200); do
	[ -f "$DIR/ecs.jsonl" ] && [ "$(grep -c '' "$DIR/ecs.jsonl")" -ge "$want" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
kill -TERM "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
PID=""
if [ ! -s "$DIR/ecs.jsonl" ]; then
	cat "$DIR/internal.log" "$DIR/stderr" >&2 2>/dev/null || true
	die "rsyslogd produced no output"
fi
cat "$DIR/ecs.jsonl"
say "$(grep -c '' "$DIR/ecs.jsonl") ECS documents from $want audit events"
