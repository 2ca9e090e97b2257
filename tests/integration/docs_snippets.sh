#!/bin/bash
# The README's rsyslog.conf example is real: its fenced block goes through
# rsyslogd -N1 (module names -> the built .so, system paths -> temp files),
# and the default rulebase locations it relies on are the installed ones.
# The docs' audit-file pattern is the ready files' and matches real names.
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

# Every imfile pattern for Data Center's audit files, in the docs and the
# ready files, is the same one, and it matches the names Confluence gives
# them (<local-home>/log/audit/YYYYMMDD-NNNNN.audit.log) but not the other
# logs of that folder's parent.
audit_patterns() {
	grep -rhoE '/var/atlassian/application-data/confluence/log/audit/[^"` ]*' \
		"$top_srcdir/README.md" "$top_srcdir/docs" "$top_srcdir/contrib/rsyslog.d" | sort | uniq -c
}
audit_patterns | sed 's/^/# /'
h_check "the docs and ready files use one audit-file pattern" test "$(audit_patterns | wc -l)" = 1
pattern_matches() {
	local pat
	pat=$(audit_patterns | awk '{ print $2 }')
	# shellcheck disable=SC2254
	case /var/atlassian/application-data/confluence/log/audit/20261207-00003.audit.log in $pat) ;; *) return 1 ;; esac
	# shellcheck disable=SC2254
	case /var/atlassian/application-data/confluence/log/audit/20261207-00003.audit.log.1 in $pat) return 1 ;; esac
}
h_check "that pattern matches Confluence's audit file names (YYYYMMDD-NNNNN.audit.log)" pattern_matches
h_done
