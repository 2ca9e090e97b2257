#!/bin/bash
# End to end under Debian's own /etc/rsyslog.conf: the drop-ins are put in an
# rsyslog.d folder under the names the docs give them, and rsyslogd starts
# from the stock rsyslog.conf of the installed rsyslog package, which reads
# them with `$IncludeConfig /etc/rsyslog.d/*.conf` in alphabetical order
# (where atlassian-organization.conf once came before the file that loads
# imconfluence). Every source the docs show feeds the shipped default output
# (output-files.conf): Cloud and Data Center API (mocks), Data Center audit
# files (imfile) and the organization audit log (mock).
#
# The stock file is used as the package ships it (its md5 must be the one
# dpkg recorded for the conffile), with only what binds it to this machine
# moved into the test's temp dir: the include folder, the work directory and
# /var/log; and without imuxsock, imklog and :omusrmsg:, which would take
# over the system's log socket, read the kernel log and write to terminals.
# The drop-ins get e2e_configs' usual rewrites (the build's modules and
# rulebases, paths) plus the mocks' URLs; their global() lines are kept, as
# a user installs them.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_stock_conf
N=${E2E_STOCK_EVENTS:-50}

STOCK=/etc/rsyslog.conf
want_md5=$(dpkg-query -W -f='${Conffiles}\n' rsyslog | awk '$1 == "/etc/rsyslog.conf" { print $2 }')
if [ -z "$want_md5" ] || [ "$(md5sum <"$STOCK" | cut -d' ' -f1)" != "$want_md5" ]; then
	h_fail "$STOCK is the rsyslog package's own file (dpkg's md5 ${want_md5:-unknown}); restore it with apt-get install --reinstall -o Dpkg::Options::=--force-confask rsyslog"
	h_done
fi
h_ok "$STOCK is the package's stock file (md5 $want_md5)"

# --- the sources: two API mocks, an organization mock, an audit file
CLOUD_USER=siem-reader@example.com
CLOUD_TOKEN=cloud-api-token-$$
DC_TOKEN=dc-personal-access-token-$$
KEY=org-api-key-$$
ORG=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
m_start cl --flavor cloud --events 0 --user "$CLOUD_USER" --password "$CLOUD_TOKEN" || { h_fail "Cloud mock starts"; h_done; }
m_start dc --flavor datacenter --events 0 --token "$DC_TOKEN" || { h_fail "DC mock starts"; h_done; }
org_start org --org-id "$ORG" --token "$KEY" || { h_fail "organization mock starts"; h_done; }
now_ms=$(($(date +%s) * 1000))
gen='{"count":'$N',"ts_from_ms":'$((now_ms - 7200000))',"ts_to_ms":'$((now_ms - 120000))'}'
m_ctl cl POST /__mock/generate "$gen" >/dev/null
m_ctl dc POST /__mock/generate "$gen" >/dev/null
org_gen org "$N" 7200 120

C=$H_DIR/conf
E2E_KEEP_GLOBALS=1 e2e_configs "$C"
e2e_audit_events "$N" "$H_DIR/audit/20260101-00000.audit.log"
umask 077
printf '%s\n' "$CLOUD_TOKEN" >"$H_DIR/secrets/confluence-cloud.token"
printf '%s' "$DC_TOKEN" >"$H_DIR/secrets/confluence-dc.token"
printf '%s\n' "$KEY" >"$H_DIR/secrets/atlassian-organization.key"
umask 022
sed -i -e "s|url=\"https://example.atlassian.net\"|url=\"$M_URL_cl\"|" -e 's|flavor="auto"|flavor="cloud"|' \
	"$C/confluence-cloud.conf"
sed -i -e "s|url=\"https://confluence.example.com\"|url=\"$M_URL_dc\"|" "$C/confluence-datacenter-api.conf"
sed -i -e "s|url=\"https://api.atlassian.com\"|url=\"$M_URL_org\"|" \
	-e "s|orgId=\"00000000-0000-0000-0000-000000000000\"|orgId=\"$ORG\"|" "$C/atlassian-organization.conf"

# --- /etc/rsyslog.d and /etc/rsyslog.conf, sandboxed
ETC=$H_DIR/etc
mkdir -p "$ETC/rsyslog.d" "$H_DIR/var/log" "$H_DIR/var/spool/rsyslog"
# every shipped file but the relay's (a host of its own) and the outputs that
# need a server (e2e_configs checks those under -N1 in the same glob order)
for f in "$C"/*.conf; do
	case $(basename "$f") in
	confluence-relay-*.conf | output-elasticsearch.conf | output-kafka.conf | output-syslog.conf) ;;
	*) cp "$f" "$ETC/rsyslog.d/" ;;
	esac
done
sed -e '/^module(load="imuxsock")/d' -e '/^module(load="imklog")/d' -e '/:omusrmsg:/d' \
	-e "s|^\\\$WorkDirectory /var/spool/rsyslog|\$WorkDirectory $H_DIR/var/spool/rsyslog|" \
	-e "s|^\\\$IncludeConfig /etc/rsyslog.d/\\*.conf|\$IncludeConfig $ETC/rsyslog.d/*.conf|" \
	-e "s|/var/log/|$H_DIR/var/log/|g" "$STOCK" >"$ETC/rsyslog.conf"
h_check "the sandboxed stock file still includes rsyslog.d by the glob" \
	grep -qx "\\\$IncludeConfig $ETC/rsyslog.d/\\*.conf" "$ETC/rsyslog.conf"
h_check "rsyslogd -N1 accepts the stock rsyslog.conf with the drop-ins in rsyslog.d" \
	h_rsyslogd -N1 -f "$ETC/rsyslog.conf"

OUT=$H_DIR/out/audit.ecs.jsonl
h_start "$ETC/rsyslog.conf" || { h_fail "rsyslogd starts"; h_done; }
h_check "$((4 * N)) documents written (Cloud, Data Center API, audit file, organization)" \
	h_wait_lines "$OUT" $((4 * N)) 60
poll_done cl && poll_done dc && poll_done org
h_stop 10
h_check "rsyslogd stops cleanly" test $? -eq 0
h_check "every source delivered $N mapped documents, none an error" "$PYTHON3" - "$OUT" "$N" <<'PY'
import collections, json, sys
n = int(sys.argv[2])
by = collections.Counter()
for line in open(sys.argv[1]):
    d = json.loads(line)
    ev = d["event"]
    assert ev["kind"] == "event", ev
    ds = d["data_stream"]["dataset"]
    src = d.get("input", {}).get("type")
    if ds == "atlassian_cloud.audit":
        by["organization"] += 1
    elif src == "imfile":
        by["audit file"] += 1
    elif "actionI18nKey" in d["confluence"]["audit"].get("type", {}):
        by["Data Center API"] += 1
    else:
        by["Cloud"] += 1
want = {k: n for k in ("organization", "audit file", "Data Center API", "Cloud")}
assert dict(by) == want, dict(by)
print("# per source:", dict(by))
PY
h_check "rsyslog's own messages went where the stock file sends them (the sandboxed syslog)" \
	grep -q "rsyslogd" "$H_DIR/var/log/syslog"
h_done
