#!/bin/bash
# The Elasticsearch password of output-elasticsearch.conf, set up the way its
# comment says: pwd=`cat <file>` with the file written by printf '%s' (no
# trailing newline). rsyslog's `cat` keeps a trailing newline as part of the
# value, which is why the comment insists on printf.
# Pins: the comment's own commands give a working login (documents stored
# by a _bulk mock that requires that user and password); a file ending in a
# newline (echo) makes rsyslog refuse the action -- the mistake the comment
# prevents.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_es_password
es_too_old_todo
N=5
PW='s3cret-$(x)`y`-pass'

if ! compgen -G "/usr/lib/*/rsyslog/omelasticsearch.so" >/dev/null; then
	h_fail "omelasticsearch is installed (Debian package rsyslog-elasticsearch; contrib/check.sh installs it)"
	h_done
fi
e2e_mock_es es --user rsyslog-confluence --password "$PW" || { h_fail "the Elasticsearch mock starts"; h_done; }
ES=http://127.0.0.1:$E2E_ES_PORT

C=$H_DIR/conf
e2e_configs "$C"
e2e_dispatch "$C/atlassian-00-common.conf" elasticsearch
# what a user does: the server, and the credentials line uncommented
sed -i -e "s|https://elasticsearch.example.com:9200|$ES|" \
	-e 's|^\(\s*\)# \(uid="rsyslog-confluence" pwd=`cat .*`\)$|\1\2|' "$C/output-elasticsearch.conf"
h_check "the credentials line of output-elasticsearch.conf is in use" \
	grep -q '^\s*uid="rsyslog-confluence" pwd=`cat '"$H_DIR"'/secrets/es.password`' "$C/output-elasticsearch.conf"
# ... and the comment's command that writes the password file
cmd=$(sed -n "s|^\s*#\s*\(printf '%s' 'THE-PASSWORD' > \)/etc/rsyslog.d/secrets/\(es.password\)$|\1\2|p" \
	"$top_srcdir/contrib/rsyslog.d/output-elasticsearch.conf")
h_check "the comment says how to write the password file ($cmd)" test -n "$cmd"
(cd "$H_DIR/secrets" && eval "${cmd/THE-PASSWORD/$PW}")
e2e_audit_events "$N" "$H_DIR/audit/20231114-00000.audit.log"
e2e_combine atlassian-00-common.conf atlassian-01-imfile.conf confluence-datacenter-files.conf \
	output-elasticsearch.conf

h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "with the password file written as the comment says: $N documents stored" \
	e2e_wait_url "$ES/__mock/health" "d['docs'] >= $N" 30
h_stop 20

# the same file with a trailing newline (echo): rsyslog keeps the newline in
# the value and refuses the whole action
echo "$PW" >"$H_DIR/secrets/es.password"
h_check "with a trailing newline in the file: rsyslogd -N1 refuses the password" \
	bash -c '! "$@" >"$0" 2>&1 && grep -q "parameter .pwd. contains whitespace" "$0"' \
	"$H_DIR/n1.out" "${H_SAN[@]}" "$RSYSLOGD" -N1 -f "$H_CONF"
h_done
