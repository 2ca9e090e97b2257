#!/bin/bash
# Packaging: contrib/build-deb.sh builds a .deb (dpkg-buildpackage with
# contrib/debian in a scratch copy of this source tree) that depends on
# the installed rsyslog's upstream version (any Debian revision) and holds both modules, the
# rulebases, confluence2ecs and the ready configurations; the packaged
# modules load into the installed rsyslogd with the packaged configurations
# (checked from the extracted package, so the machine's rsyslog stays as it
# is). Then installed as users do: the packaged examples
# (/usr/share/doc/rsyslog-confluence/examples/rsyslog.d/) copied under their
# names into the rsyslog.d of a root whose rsyslog.conf is Debian's stock
# file, and every source but the relay (mocks, audit files) delivers through
# output-files with the packaged modules, rulebase and categories.
# About 60 s: a full autoreconf + configure + build, then the run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_stock_lib.sh"
h_init e2e_deb

# The configured rsyslog tree this build uses (so build-deb.sh does not run
# contrib/build.sh, i.e. make, inside `make check`).
src=$(sed -n 's/^RSYSLOG_SRC = //p' "$top_builddir/Makefile" 2>/dev/null)
[ -n "$src" ] || src=$(ls -d "$top_srcdir"/.cache/rsyslog-*/src 2>/dev/null | head -n1)
if [ ! -f "$src/config.h" ]; then
	h_fail "a configured rsyslog source tree is known (RSYSLOG_SRC in $top_builddir/Makefile)"
	h_done
fi

start=$(date +%s)
if CFL_RSYSLOG_SRC=$src CFL_CACHE_DIR=$H_DIR/cache TMPDIR=$H_DIR "$top_srcdir/contrib/build-deb.sh" --output "$H_DIR/deb" \
	>"$H_DIR/build-deb.out" 2>"$H_DIR/build-deb.err"; then
	h_ok "contrib/build-deb.sh builds the package ($(($(date +%s) - start)) s)"
else
	h_fail "contrib/build-deb.sh builds the package"
	sed 's/^/#   /' "$H_DIR/build-deb.err" | tail -n 40 >&2
	h_done
fi
deb=$(tail -n 1 "$H_DIR/build-deb.out")
h_check "the package file exists ($(basename "$deb"))" test -f "$deb"

want=$(dpkg-query -W -f='${Version}' rsyslog)
up=${want#*:}
up=${up%-*}
next=$(echo "$up" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')~
dpkg-deb -I "$deb" >"$H_DIR/info"
dep=$(sed -n 's/^ Depends: //p' "$H_DIR/info")
h_check "dpkg-deb -I: Depends: rsyslog (>= $up), rsyslog (<< $next)" \
	grep -Fq "rsyslog (>= $up), rsyslog (<< $next)" <<<"$dep"
# the range, as dpkg reads it: this revision and others of $up, not the next upstream
h_check "the range holds the installed $want and another revision of $up" \
	bash -c "dpkg --compare-versions '$want' ge '$up' && dpkg --compare-versions '$want' lt '$next' &&
		dpkg --compare-versions '$up-9+deb99u9' lt '$next' && dpkg --compare-versions '$up-0' ge '$up'"
h_check "the range excludes the next upstream version and an earlier one" \
	bash -c "dpkg --compare-versions '${next%\~}-1' ge '$next' && dpkg --compare-versions '$up~rc1-1' lt '$up'"
h_check "the package version names the rsyslog it was built for" \
	grep -Eq "^ Version: .*\+rsyslog$(printf '%s' "$want" | tr -- '-:' '..' | sed 's/[.+]/\\&/g')$" "$H_DIR/info"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$H_DIR/contents"
moddir=$(dirname "$(ls /usr/lib/*/rsyslog/imfile.so | head -n1)")
for f in "$moddir/mmconfluence.so" "$moddir/imconfluence.so" \
	/usr/share/rsyslog-confluence/confluence-audit.rulebase \
	/usr/share/rsyslog-confluence/confluence-categories.json \
	/usr/bin/confluence2ecs /usr/share/man/man1/confluence2ecs.1.gz \
	/usr/share/doc/rsyslog-confluence/examples/rsyslog.d/atlassian-00-common.conf \
	/usr/share/doc/rsyslog-confluence/examples/rsyslog.d/output-elasticsearch.conf; do
	h_check "the package holds $f" grep -qx "$f" "$H_DIR/contents"
done

# The packaged modules and configurations, extracted, pass -N1 in the installed rsyslogd.
X=$H_DIR/x
dpkg-deb -x "$deb" "$X"
EX=$X/usr/share/doc/rsyslog-confluence/examples/rsyslog.d
mkdir -p "$H_DIR/conf" "$H_DIR/work"
for f in atlassian-00-common atlassian-01-imfile confluence-datacenter-files output-files; do
	sed -e "s|module(load=\"mmconfluence\")|module(load=\"$X$moddir/mmconfluence.so\")|" \
		-e "s|module(load=\"imconfluence\")|module(load=\"$X$moddir/imconfluence.so\")|" \
		-e "s|action(type=\"mmconfluence\"|action(type=\"mmconfluence\" rulebase=\"$X/usr/share/rsyslog-confluence/confluence-audit.rulebase\" categories=\"$X/usr/share/rsyslog-confluence/confluence-categories.json\"|" \
		"$EX/$f.conf" >"$H_DIR/conf/$f.conf"
done
cat >"$H_DIR/pkg.conf" <<EOF2
global(workDirectory="$H_DIR/work")
include(file="$H_DIR/conf/atlassian-00-common.conf")
include(file="$H_DIR/conf/atlassian-01-imfile.conf")
include(file="$H_DIR/conf/confluence-datacenter-files.conf")
include(file="$H_DIR/conf/output-files.conf")
EOF2
h_check "the packaged modules and configurations pass rsyslogd -N1" "$RSYSLOGD" -N1 -f "$H_DIR/pkg.conf"

# --- the packaged examples in the rsyslog.d of a stock rsyslog.conf: only
# what binds them to this machine rewritten (e2e_configs: the extracted
# package's modules, rulebase and categories, paths), plus the mocks' URLs
N=${E2E_STOCK_EVENTS:-20}
stock_is_packaged
MMCONFLUENCE_SO=$X$moddir/mmconfluence.so
IMCONFLUENCE_SO=$X$moddir/imconfluence.so
CFL_RULEBASES=$X/usr/share/rsyslog-confluence
C=$H_DIR/examples
E2E_CONFDIR=$EX E2E_KEEP_GLOBALS=1 e2e_configs "$C"
h_check "every source has its mock, audit file, secret and URL" stock_sources "$C" "$N" || h_done
R=$H_DIR/root
stock_root "$R" || h_fail "the sandboxed stock file includes its rsyslog.d by the glob"
files=()
for f in "$C"/*.conf; do
	case $(basename "$f") in
	confluence-relay-*.conf | output-elasticsearch.conf | output-kafka.conf | output-syslog.conf) ;;
	*) files+=("$(basename "$f")") ;;
	esac
done
stock_install "$C" "$R" "${files[@]}"
h_check "the installed examples load the packaged modules" \
	grep -q "module(load=\"$IMCONFLUENCE_SO\")" "$R/etc/rsyslog.d/atlassian-00-common.conf"
h_check "rsyslogd -N1 accepts the stock rsyslog.conf with ${#files[@]} packaged examples in rsyslog.d" \
	h_rsyslogd -N1 -f "$R/etc/rsyslog.conf"
h_start "$R/etc/rsyslog.conf" || { h_fail "rsyslogd starts"; h_done; }
want=$((N * $(echo $STOCK_SOURCES | wc -w)))
h_check "$want documents written" h_wait_lines "$H_DIR/out/audit.ecs.jsonl" "$want" 90
h_check "every API mock served its last page" stock_polls_done
h_stop 20
h_check "rsyslogd stops cleanly" test $? -eq 0
stock_check_counts "packaged examples" "$H_DIR/out/audit.ecs.jsonl" "$N"
h_done
