#!/bin/bash
# contrib/build-deb.sh: build a Debian package of rsyslog-confluence for the
# rsyslog installed on this machine.
#
#   contrib/build-deb.sh [--output DIR]     (as root on Debian 12, or with the
#                                            build dependencies installed)
#
# 1. contrib/build.sh: build dependencies and the configured rsyslog source
#    tree matching the installed rsyslogd (cached in .cache/);
# 2. debhelper and dpkg-dev, if missing;
# 3. a scratch copy of the source tree (in a git checkout: the files git
#    knows plus untracked, non-ignored ones; otherwise the whole tree), with
#    contrib/debian/ as debian/ and a changelog entry whose version names the
#    rsyslog it is built for: <version>-1+rsyslog<rsyslog version>;
# 4. dpkg-buildpackage -b -uc -us there.
# The .deb goes to DIR (default .cache/deb/); its last line of output is the
# path. The package depends on the installed rsyslog's upstream version, any
# Debian revision (`rsyslog (>= 8.2302.0), rsyslog (<< 8.2302.1~)`), and holds
# both modules, confluence2ecs, the rulebases and the ready configurations.
# After an rsyslog upgrade, run this again (docs/operations.md).
#
# Environment: CFL_RSYSLOG_SRC (use this configured rsyslog tree instead of
# build.sh's), CFL_DEB_CHECK=1 (run `make check` during the build),
# CFL_DEB_KEEP=1 (keep the scratch copy).
# Licensed under the Apache License, Version 2.0.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"

OUT=$CACHE/deb
while [ $# -gt 0 ]; do
	case $1 in
	--output) OUT=$2; shift 2 ;;
	--output=*) OUT=${1#--output=}; shift ;;
	-h | --help) sed -n '2,26p' "$0"; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "${CFL_RSYSLOG_SRC:-}" ]; then
	"$ROOT/contrib/build.sh" >&2 || die "contrib/build.sh failed"
	CFL_RSYSLOG_SRC=$(ls -d "$CACHE"/rsyslog-*/src 2>/dev/null | head -n1)
fi
[ -f "${CFL_RSYSLOG_SRC:-}/config.h" ] || die "no configured rsyslog source tree (CFL_RSYSLOG_SRC=${CFL_RSYSLOG_SRC:-})"
export CFL_RSYSLOG_SRC
apt_install debhelper dpkg-dev

rsyslog_version=$(dpkg-query -W -f='${Version}' rsyslog) || die "rsyslog is not installed"
upstream=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$ROOT/configure.ac")
[ -n "$upstream" ] || die "cannot read the version from configure.ac"
# Debian version characters only: the rsyslog version's '-' and ':' become '.'
deb_version="$upstream-1+rsyslog$(echo "$rsyslog_version" | tr -- '-:' '..')"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cfl-deb.XXXXXX")
cleanup() { [ "${CFL_DEB_KEEP:-0}" = 1 ] && say "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
SRC=$WORK/rsyslog-confluence-$upstream
mkdir -p "$SRC"
if [ "$(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null)" = "$ROOT" ]; then
	(cd "$ROOT" && git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
	# e.g. an unpacked release tarball (or make distcheck's tree, hence _build
	# and _inst)
	tar -C "$ROOT" --exclude=./.cache --exclude=./debian --exclude=./_build --exclude=./_inst \
		-cf - . | tar -xf - -C "$SRC"
fi
rm -rf "$SRC/debian"
cp -a "$ROOT/contrib/debian" "$SRC/debian"
{
	echo "rsyslog-confluence ($deb_version) unstable; urgency=medium"
	echo
	echo "  * Built by contrib/build-deb.sh for rsyslog $rsyslog_version."
	echo
	echo " -- rsyslog-confluence maintainers <rsyslog-confluence@localhost>  $(date -R)"
	echo
	cat "$ROOT/contrib/debian/changelog"
} >"$SRC/debian/changelog"

say "building rsyslog-confluence $deb_version for rsyslog $rsyslog_version (log: $WORK/build.log)"
if ! (cd "$SRC" && dpkg-buildpackage -b -uc -us) >"$WORK/build.log" 2>&1; then
	tail -n 40 "$WORK/build.log" >&2
	cp "$WORK/build.log" "$OUT/build.log" 2>/dev/null || true
	die "dpkg-buildpackage failed (log: $OUT/build.log)"
fi
cp "$WORK/build.log" "$OUT/build.log"
deb=$(ls "$WORK"/rsyslog-confluence_"$deb_version"_*.deb)
cp "$WORK"/*.deb "$WORK"/*.buildinfo "$WORK"/*.changes "$OUT/" 2>/dev/null || true
cp "$WORK"/*.ddeb "$OUT/" 2>/dev/null || true
echo "$OUT/$(basename "$deb")"
