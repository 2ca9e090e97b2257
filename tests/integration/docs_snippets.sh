#!/bin/bash
# The README's rsyslog.conf example is real: its fenced block goes through
# rsyslogd -N1 (module names -> the built .so, system paths -> temp files),
# and the default rulebase locations it relies on are the installed ones.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init docs_snippets
"$PYTHON3" - "$top_srcdir/README.md" >"$H_DIR/snippet.conf" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sec = text.split("## A minimal `rsyslog.conf`", 1)[1]
print(re.search(r"```\n(.*?)```", sec, re.S).group(1))
PY
h_check "README has a rsyslog.conf example" grep -q 'module(load="mmconfluence")' "$H_DIR/snippet.conf"
echo 'not-a-real-token' >"$H_DIR/token"
sed -e "s|module(load=\"mmconfluence\")|module(load=\"$MMCONFLUENCE_SO\")|" \
    -e "s|module(load=\"imconfluence\")|module(load=\"$IMCONFLUENCE_SO\")|" \
    -e "s|/etc/rsyslog.d/confluence.token|$H_DIR/token|" \
    -e "s|/var/atlassian/application-data/confluence/log/audit|$H_DIR|" \
    -e "s|/var/log/|$H_DIR/|" \
    -e "s|action(type=\"mmconfluence\"|action(type=\"mmconfluence\" rulebase=\"$CFL_RULEBASES/confluence-audit.rulebase\" categories=\"$CFL_RULEBASES/confluence-categories.json\"|" \
    "$H_DIR/snippet.conf" | h_conf
if h_rsyslogd -N1 -f "$H_CONF" >"$H_DIR/n1.out" 2>&1; then
	h_ok "the README's rsyslog.conf example passes rsyslogd -N1"
else
	sed 's/^/# /' "$H_DIR/n1.out"
	h_fail "the README's rsyslog.conf example passes rsyslogd -N1"
fi
h_done
