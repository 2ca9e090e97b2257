# e2e_stock_lib.sh: helpers for the tests that run Debian's stock
# /etc/rsyslog.conf with the drop-ins installed in an rsyslog.d folder under
# the names the docs give them (tests/integration/e2e_stock_*.sh,
# e2e_deb.sh). Sourced after tests/lib/harness.sh; it sources what it uses
# (imconfluence_lib.sh, imconfluence_org_lib.sh, e2e_lib.sh). Not a test.
#
#   stock_is_packaged        one check: /etc/rsyslog.conf is the rsyslog
#                            package's own file (the md5 dpkg recorded for the
#                            conffile); else the test fails and ends
#   stock_root ROOT          ROOT/etc/rsyslog.conf: the stock file, sandboxed
#                            into ROOT (below); its drop-ins go to
#                            ROOT/etc/rsyslog.d/, which it reads by the glob
#   stock_install C ROOT FILE...
#                            copy FILE... of C (the test's rewritten drop-ins)
#                            into ROOT/etc/rsyslog.d/
#   stock_sources C N        every source the docs show but the relay, N
#                            events each: the API mocks (Confluence Cloud and
#                            DC, Jira Cloud and DC, Bitbucket DC, the
#                            organization), an audit file per product, the
#                            secrets where the drop-ins read them, and the
#                            mocks' URLs in the drop-ins of C
#   STOCK_SOURCES            the names stock_count gives those sources
#   stock_check_counts LABEL FILE N [SOURCE...]
#                            one check: stock_count of STOCK_SOURCES (and
#                            SOURCE...) in FILE
#   stock_polls_done         every API mock served its last page
#   stock_count FILE N SOURCE...
#                            FILE (one ECS document a line) holds exactly N
#                            documents of each SOURCE and nothing else, each
#                            mapped into its product's data stream (SOURCE:error:
#                            N pipeline_error documents of SOURCE, known by
#                            its drop-in's tags); prints the counts
#
# The stock file is used as the package ships it, with only what binds it to
# the machine moved into ROOT: the include folder, the work directory and
# /var/log; and without imuxsock, imklog and :omusrmsg:, which would take
# over the system's log socket, read the kernel log and write to terminals.
# Licensed under the Apache License, Version 2.0.

. "$top_srcdir/tests/integration/imconfluence_lib.sh"
. "$top_srcdir/tests/integration/imconfluence_org_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"

STOCK=/etc/rsyslog.conf

stock_is_packaged() {
	local want
	want=$(dpkg-query -W -f='${Conffiles}\n' rsyslog | awk '$1 == "/etc/rsyslog.conf" { print $2 }')
	if [ -z "$want" ] || [ "$(md5sum <"$STOCK" | cut -d' ' -f1)" != "$want" ]; then
		h_fail "$STOCK is the rsyslog package's own file (dpkg's md5 ${want:-unknown}); restore it with apt-get install --reinstall -o Dpkg::Options::=--force-confask rsyslog"
		h_done
	fi
	h_ok "$STOCK is the package's stock file (md5 $want)"
}

stock_root() {
	local root=$1
	mkdir -p "$root/etc/rsyslog.d" "$root/var/log" "$root/var/spool/rsyslog"
	sed -e '/^module(load="imuxsock")/d' -e '/^module(load="imklog")/d' -e '/:omusrmsg:/d' \
		-e "s|^\\\$WorkDirectory /var/spool/rsyslog|\$WorkDirectory $root/var/spool/rsyslog|" \
		-e "s|^\\\$IncludeConfig /etc/rsyslog.d/\\*.conf|\$IncludeConfig $root/etc/rsyslog.d/*.conf|" \
		-e "s|/var/log/|$root/var/log/|g" "$STOCK" >"$root/etc/rsyslog.conf"
	grep -qx "\\\$IncludeConfig $root/etc/rsyslog.d/\\*.conf" "$root/etc/rsyslog.conf"
}

stock_install() {
	local c=$1 root=$2 f
	shift 2
	for f in "$@"; do
		cp "$c/$f" "$root/etc/rsyslog.d/$f" || return 1
	done
}

STOCK_SOURCES="confluence_cloud confluence_dc_api confluence_dc_files organization jira_cloud jira_dc_api jira_dc_files bitbucket_dc_api bitbucket_dc_files"
# Jira Cloud's records arrive, but mmconfluence does not map them yet
STOCK_API="cl dc org jc jdc bdc"

stock_sources() {
	local c=$1 n=$2 now_ms gen p
	m_start cl --flavor cloud --events 0 --user siem-reader@example.com --password "cloud-token-$$" &&
		m_start dc --flavor datacenter --events 0 --token "dc-token-$$" &&
		org_start org --org-id 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 --token "org-key-$$" &&
		m_start jc --flavor jira-cloud --events 0 --user siem-reader@example.com --password "jira-token-$$" &&
		m_start jdc --flavor datacenter --product jira --events 0 --token "jira-dc-token-$$" &&
		m_start bdc --flavor datacenter --product bitbucket --events 0 --token "bitbucket-dc-token-$$" || return 1
	now_ms=$(($(date +%s) * 1000))
	gen='{"count":'$n',"ts_from_ms":'$((now_ms - 7200000))',"ts_to_ms":'$((now_ms - 120000))'}'
	for p in cl dc jc jdc bdc; do
		m_ctl "$p" POST /__mock/generate "$gen" >/dev/null || return 1
	done
	org_gen org "$n" 7200 120
	# one audit file per product, where the files drop-ins read them
	e2e_audit_events "$n" "$H_DIR/audit/20260101-00000.audit.log" confluence &&
		e2e_audit_events "$n" "$H_DIR/audit-jira/20260101-00000.audit.log" jira &&
		e2e_audit_events "$n" "$H_DIR/audit-bitbucket/20260101-00000.audit.log" bitbucket || return 1
	# the secrets, as the drop-ins' comments tell users to write them
	(
		umask 077
		printf '%s\n' "cloud-token-$$" >"$H_DIR/secrets/confluence-cloud.token"
		printf '%s' "dc-token-$$" >"$H_DIR/secrets/confluence-dc.token"
		printf '%s\n' "org-key-$$" >"$H_DIR/secrets/atlassian-organization.key"
		printf '%s' "jira-token-$$" >"$H_DIR/secrets/jira-cloud.token"
		printf '%s' "jira-dc-token-$$" >"$H_DIR/secrets/jira-dc.token"
		printf '%s' "bitbucket-dc-token-$$" >"$H_DIR/secrets/bitbucket-dc.token"
	)
	# the mocks' URLs (a Cloud URL on 127.0.0.1 is not *.atlassian.net, so
	# flavor="auto" becomes the flavor it would pick there)
	sed -i -e "s|url=\"https://example.atlassian.net\"|url=\"$M_URL_cl\"|" -e 's|flavor="auto"|flavor="cloud"|' \
		"$c/confluence-cloud.conf" &&
		sed -i -e "s|url=\"https://example.atlassian.net\"|url=\"$M_URL_jc\"|" -e 's|flavor="auto"|flavor="cloud"|' \
			"$c/jira-cloud.conf" &&
		sed -i "s|url=\"https://confluence.example.com\"|url=\"$M_URL_dc\"|" "$c/confluence-datacenter-api.conf" &&
		sed -i "s|url=\"https://jira.example.com\"|url=\"$M_URL_jdc\"|" "$c/jira-datacenter-api.conf" &&
		sed -i "s|url=\"https://bitbucket.example.com\"|url=\"$M_URL_bdc\"|" "$c/bitbucket-datacenter-api.conf" &&
		sed -i -e "s|url=\"https://api.atlassian.com\"|url=\"$M_URL_org\"|" \
			-e "s|orgId=\"00000000-0000-0000-0000-000000000000\"|orgId=\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"|" \
			"$c/atlassian-organization.conf" || return 1
	# every URL was found: no drop-in still points at an example host
	! grep -l 'url="https://[a-z.]*example\.\|url="https://api.atlassian.com"' \
		"$c"/confluence-cloud.conf "$c"/confluence-datacenter-api.conf "$c"/atlassian-organization.conf \
		"$c"/jira-*.conf "$c"/bitbucket-*.conf
}

stock_polls_done() {
	local p
	for p in $STOCK_API; do
		poll_done "$p" || return 1
	done
}

stock_count() {
	"$PYTHON3" - "$@" <<'PY'
import collections, json, sys
path, n, want = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
TAGS = {"confluence-audit": "confluence", "jira-audit": "jira", "bitbucket-audit": "bitbucket",
        "atlassian_cloud-audit": "cloud"}
by = collections.Counter()
for line in open(path):
    d = json.loads(line)
    ev = d["event"]
    it = d.get("input", {}).get("type")
    if ev.get("kind") == "event" and "error" not in d:
        product = d["data_stream"]["dataset"].split(".")[0].replace("atlassian_", "")
        audit = d.get(product, {}).get("audit", {})
        suffix = ""
    else:
        # a pipeline_error: its product by the tags its drop-in gives it
        product = [TAGS[t] for t in d.get("tags", []) if t in TAGS][0]
        audit = {"type": {"actionI18nKey": 1}} if "auditType" in json.loads(ev["original"]) else {}
        suffix = ":error"
    if product == "cloud":
        src = "organization"
    elif it == "imfile":
        src = product + "_dc_files"
    elif it in ("imrelp", "imtcp"):
        src = product + "_relay_" + it[2:]
    elif it == "imconfluence":
        # a Data Center event's type has an i18n key (auditType); a Cloud record's has none
        src = product + ("_dc_api" if "actionI18nKey" in audit.get("type", {}) else "_cloud")
    else:
        src = "unknown:%s" % it
    by[src + suffix] += 1
print("# per source: " + ", ".join("%s=%d" % kv for kv in sorted(by.items())))
assert dict(by) == {s: n for s in want}, "expected %d of each of %s" % (n, want)
PY
}

stock_check_counts() {
	local label=$1 file=$2 n=$3
	shift 3
	# shellcheck disable=SC2086
	h_check "$label: $n documents of each source, each in its product's data stream, none an error" \
		stock_count "$file" "$n" $STOCK_SOURCES "$@"
}
