#!/bin/bash
# The modules load into the installed rsyslogd: -N1 accepts a config that
# loads both by absolute path, a foreground run loads them and processes a
# message, and each .so exports modInit and nothing else (a generic symbol
# name would otherwise bind to rsyslogd's own, see README).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init foundation_load

for so in "$MMCONFLUENCE_SO" "$IMCONFLUENCE_SO"; do
	exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TtWi]$/ {print $3}' | sort | tr '\n' ' ')
	h_check "$(basename "$so") exports only modInit (got: $exported)" test "$exported" = "modInit "
done

h_conf <<EOF2
module(load="$MMCONFLUENCE_SO")
module(load="$IMCONFLUENCE_SO")
module(load="imfile")
input(type="imfile" file="$H_DIR/in.log" tag="confluence-audit" ruleset="r")
template(name="out" type="string" string="%msg%|%parsesuccess%\n")
ruleset(name="r") {
	action(type="mmconfluence" rulebase="$CFL_RULEBASES/confluence-audit.rulebase" categories="$CFL_RULEBASES/confluence-categories.json")
	action(type="omfile" file="$H_DIR/out.log" template="out")
}
EOF2
h_check "rsyslogd -N1 accepts a config loading both modules by absolute path" \
	h_rsyslogd -N1 -f "$H_CONF"

# mmconfluence's start-up (debug) line names our version next to rsyslog's
RSYSLOG_DEBUG="debug nostdout" RSYSLOG_DEBUGLOG="$H_DIR/debug.log" h_rsyslogd -N1 -f "$H_CONF" >/dev/null 2>&1
h_check "mmconfluence's start-up line names rsyslog-confluence $CFL_PACKAGE_VERSION" \
	grep -aq "mmconfluence (rsyslog-confluence $CFL_PACKAGE_VERSION): built against rsyslog" "$H_DIR/debug.log"

# A config naming a parameter the module does not have must be rejected.
h_conf "$H_DIR/bad.conf" <<EOF2
module(load="$MMCONFLUENCE_SO")
action(type="mmconfluence" noSuchParameter="1" rulebase="$CFL_RULEBASES/confluence-audit.rulebase" categories="$CFL_RULEBASES/confluence-categories.json")
EOF2
if h_rsyslogd -N1 -f "$H_DIR/bad.conf" >"$H_DIR/bad.out" 2>&1; then
	h_fail "rsyslogd -N1 rejects an unknown mmconfluence parameter"
else
	h_check "rsyslogd -N1 rejects an unknown mmconfluence parameter" grep -qi 'nosuchparameter' "$H_DIR/bad.out"
fi

echo '{"not":"yet mapped"}' >"$H_DIR/in.log"
if h_start; then
	h_ok "foreground rsyslogd starts with both modules loaded"
	h_check "a message flows through mmconfluence to omfile" h_wait_lines "$H_DIR/out.log" 1 20
	h_stop 10
	h_check "rsyslogd stops cleanly on SIGTERM" test $? -eq 0
	h_check "no module load error was logged" bash -c "! grep -Ei 'could not load|error -20' '$H_INTERNAL' 2>/dev/null"
else
	h_fail "foreground rsyslogd starts with both modules loaded"
fi
h_done
