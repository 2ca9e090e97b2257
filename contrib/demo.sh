#!/bin/bash
# contrib/demo.sh: the project's main job on its embedded default.
#
# Builds (contrib/build.sh), starts the bundled mock Confluence
# (tests/mock/confluence_mock.py: Data Center and Cloud APIs over one
# realistic sample history), then runs the real rsyslogd with our modules in
# a private temp dir:
#   - imconfluence polls the mock's Cloud API (API token from a file) and its
#     Data Center API (personal access token from a file);
#   - imfile reads a bundled Data Center audit file (contrib/demo/sample.audit.log);
#   - mmconfluence maps every event to ECS; the documents are printed to
#     stdout, one JSON line each.
# It exits once everything the mock holds and the whole file came through.
# `contrib/demo.sh --follow` keeps running: the mock writes new audit events
# every few seconds and their ECS documents appear as imconfluence polls.
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"
FOLLOW=0
case "${1:-}" in
--follow) FOLLOW=1 ;;
"") ;;
*) die "usage: $0 [--follow]" ;;
esac

# CFL_DEMO_NO_BUILD=1: use the modules as built (the test suite runs the demo)
[ "${CFL_DEMO_NO_BUILD:-0}" = 1 ] || "$ROOT/contrib/build.sh" >&2
RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
MM=${MMCONFLUENCE_SO:-$ROOT/modules/mmconfluence/.libs/mmconfluence.so}
IM=${IMCONFLUENCE_SO:-$ROOT/modules/imconfluence/.libs/imconfluence.so}
SAMPLE=$ROOT/contrib/demo/sample.audit.log
N_HISTORY=${CFL_DEMO_EVENTS:-40}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/cfl-demo.XXXXXX")
PID=""
MOCK=""
cleanup() {
	[ -z "$PID" ] || kill -TERM "$PID" 2>/dev/null || true
	[ -z "$MOCK" ] || kill -TERM "$MOCK" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DIR/work"
cp "$SAMPLE" "$DIR/audit.log"
umask 077
printf 'demo-api-token\n' >"$DIR/cloud.secret"
printf 'demo-personal-access-token\n' >"$DIR/dc.secret"

say "starting the mock Confluence with $N_HISTORY events of history"
python3 "$ROOT/tests/mock/confluence_mock.py" --port-file "$DIR/mock.port" \
	--user demo@example.com --password demo-api-token --token demo-personal-access-token \
	--events "$N_HISTORY" --span 43200 --seed 7 2>"$DIR/mock.log" &
MOCK=$!
for _ in $(seq 1 100); do [ -s "$DIR/mock.port" ] && break; sleep 0.1; done
[ -s "$DIR/mock.port" ] || die "the mock did not start: $(cat "$DIR/mock.log")"
BASE=http://127.0.0.1:$(cat "$DIR/mock.port")

cat >"$DIR/rsyslog.conf" <<CONF
global(workDirectory="$DIR/work" processInternalMessages="on")
module(load="$MM")
module(load="$IM")
module(load="imfile")
if \$syslogtag startswith "rsyslogd" or \$syslogtag startswith "imconfluence" then {
	action(type="omfile" file="$DIR/internal.log")
	stop
}
template(name="ecs" type="string" string="%\$!%\n")
# Confluence Cloud (the mock's Cloud API): e-mail + API token from a file
input(type="imconfluence" url="$BASE" flavor="cloud" username="demo@example.com"
      passwordFile="$DIR/cloud.secret" pollingInterval="3" ruleset="confluence")
# Confluence Data Center: a personal access token from a file; the
# "Audit Log search performed" events our own polling causes are dropped
input(type="imconfluence" url="$BASE" flavor="datacenter" tokenFile="$DIR/dc.secret"
      pollingInterval="3" excludeActions=["atlassian.audit.event.action.audit.search"]
      ruleset="confluence")
# Data Center audit log files
input(type="imfile" file="$DIR/audit.log" tag="confluence-audit" ruleset="confluence" addMetadata="on")
ruleset(name="confluence") {
	action(type="mmconfluence" eventId="on" rulebase="$ROOT/rulebases/confluence-audit.rulebase"
	       categories="$ROOT/rulebases/confluence-categories.json")
	action(type="omfile" file="$DIR/ecs.jsonl" template="ecs")
}
CONF

count() { [ -f "$1" ] && grep -c '' "$1" || echo 0; }
say "running $RSYSLOGD with imconfluence (Cloud + Data Center) and imfile -> mmconfluence"
RSYSLOG_DFLT_LOG_INTERNAL=1 "$RSYSLOGD" -n -f "$DIR/rsyslog.conf" -i "$DIR/rsyslogd.pid" 2>"$DIR/stderr" &
PID=$!
# everything: the file's events, the Cloud history, the DC history without search events
want=$(($(count "$SAMPLE") + 2 * N_HISTORY))
for _ in $(seq 1 300); do
	[ "$(count "$DIR/ecs.jsonl")" -ge "$want" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
if [ "$(count "$DIR/ecs.jsonl")" -lt "$want" ]; then
	cat "$DIR/internal.log" "$DIR/stderr" >&2 2>/dev/null || true
	die "only $(count "$DIR/ecs.jsonl") of $want ECS documents arrived"
fi

if [ "$FOLLOW" = 0 ]; then
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
	cat "$DIR/ecs.jsonl"
	say "$(count "$DIR/ecs.jsonl") ECS documents: $N_HISTORY from the Cloud API, $N_HISTORY from the Data Center API, $(count "$SAMPLE") from the audit file"
	exit 0
fi

say "following: the mock writes 3 new events every 5 s; Ctrl-C to stop"
tail -n +1 -f "$DIR/ecs.jsonl" &
while kill -0 "$PID" 2>/dev/null; do
	sleep 5
	now=$(($(date +%s%3N)))
	curl -fsS -X POST -H 'Content-Type: application/json' \
		-d "{\"count\":3,\"ts_from_ms\":$((now - 1000)),\"ts_to_ms\":$now}" \
		"$BASE/__mock/generate" >/dev/null || true
done
