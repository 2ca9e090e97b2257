#!/bin/bash
# contrib/build.sh: from a fresh clone on Debian 12 to built modules, idempotently.
#
#  1. installs the Debian build dependencies that are missing (needs root);
#  2. finds the installed rsyslogd's version and fetches the matching rsyslog
#     source with `apt-get source` (adding a deb-src entry when there is none),
#     configured the way Debian builds it (--disable-debug: it changes struct
#     layouts), cached under .cache/ so the second run costs seconds;
#  3. configures (once) and makes this project against that tree.
#
# A source tree whose upstream version differs from the installed daemon's is
# a hard error: a module built from it would fail to load or crash rsyslogd.
#
# Environment:
#   CFL_CACHE_DIR        cache folder (default: <repo>/.cache)
#   CFL_RSYSLOG_SRC      use this configured rsyslog tree instead of fetching one
#   CFL_CONFIGURE_FLAGS  extra ./configure flags (e.g. --enable-sanitizers)
#   CFL_NO_APT=1         never call apt-get (dependencies must already be there)
# Licensed under the Apache License, Version 2.0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"

# Add the deb-src entries this release's own archive lacks (contrib/debsrc.py:
# one-line entries go to a .list file, deb822 stanzas to a .sources file).
ensure_deb_src() {
	local codename tmp f changed=0 d=/etc/apt/sources.list.d
	codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	tmp=$(mktemp -d "$CACHE/debsrc.XXXXXX")
	python3 "$ROOT/contrib/debsrc.py" --codename "$codename" --out-dir "$tmp" \
		/etc/apt/sources.list $(ls "$d"/*.list "$d"/*.sources 2>/dev/null) >/dev/null ||
		{ rm -rf "$tmp"; die "cannot add deb-src entries: add one for this release by hand or pass CFL_RSYSLOG_SRC"; }
	for f in rsyslog-confluence-src.list rsyslog-confluence-src.sources; do
		if [ -f "$tmp/$f" ]; then
			cmp -s "$tmp/$f" "$d/$f" && continue
		else
			[ -e "$d/$f" ] || continue
		fi
		changed=1
	done
	if [ $changed = 1 ]; then
		[ "$(id -u)" = 0 ] || { rm -rf "$tmp"; die "no deb-src entry for this release in /etc/apt: add one or pass CFL_RSYSLOG_SRC"; }
		say "adding deb-src entries for this release's archive ($(ls "$tmp" | tr '\n' ' '))"
		rm -f "$d/rsyslog-confluence-src.list" "$d/rsyslog-confluence-src.sources"
		cp "$tmp"/rsyslog-confluence-src.* "$d/" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	# entries present but never fetched (an interrupted earlier run)
	[ $changed = 1 ] || [ "$(id -u)" != 0 ] || apt-cache showsrc rsyslog 2>/dev/null | grep -q '^Package:' || changed=1
	[ $changed = 1 ] || return 0
	apt-get update -q >"$CACHE/apt-update.log" 2>&1 || { tail -n 5 "$CACHE/apt-update.log" >&2; die "apt-get update failed"; }
}

# Fetch and configure the rsyslog source matching the installed daemon.
prepare_rsyslog_src() {
	local inst_ver upstream daemon_ver dir stamp tmp v got=""
	inst_ver=$(dpkg-query -W -f='${Version}' rsyslog)
	upstream=${inst_ver#*:}
	upstream=${upstream%%-*}
	daemon_ver=$(/usr/sbin/rsyslogd -v 2>/dev/null | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	[ "$daemon_ver" = "$upstream" ] ||
		die "installed rsyslogd says $daemon_ver but package rsyslog is $inst_ver"
	dir=$CACHE/rsyslog-$upstream
	stamp=$dir/.rsyslog-confluence-configured
	if [ -f "$stamp" ]; then
		RSYSLOG_SRC=$dir/src
		return 0
	fi
	say "fetching rsyslog $inst_ver source (installed daemon: $daemon_ver)"
	ensure_deb_src
	rm -rf "$dir"
	tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
	# The exact Debian revision first; else any revision of the same upstream
	# version (security updates are often not on the source mirror).
	for v in "$inst_ver" $(apt-cache showsrc rsyslog 2>/dev/null | sed -n 's/^Version: //p' | sort -rV | uniq); do
		[ "${v#*:}" = "$upstream" ] || [ "$(echo "${v#*:}" | sed 's/-.*//')" = "$upstream" ] || continue
		if (cd "$tmp" && apt-get source -q --only-source "rsyslog=$v" >"$CACHE/apt-source.log" 2>&1); then
			got=$v
			break
		fi
	done
	[ -n "$got" ] || { tail -n 5 "$CACHE/apt-source.log" >&2; die "could not download the rsyslog $upstream source with apt-get source"; }
	if [ "$got" != "$inst_ver" ]; then
		echo "build.sh: warning: rsyslog source $inst_ver is not downloadable; using Debian revision $got of the same upstream version $upstream" >&2
	fi
	mkdir -p "$dir"
	mv "$tmp"/rsyslog-"$upstream" "$dir/src"
	rm -rf "$tmp"
	local srcver
	srcver=$(sed -n 's/^AC_INIT(\[rsyslog\],\[\([0-9.]*\)\].*/\1/p' "$dir/src/configure.ac" | head -n1)
	[ -z "$srcver" ] || [ "$srcver" = "$upstream" ] ||
		die "fetched rsyslog source is $srcver but the installed rsyslogd is $upstream"
	say "configuring rsyslog $upstream the way Debian does (takes ~15 s, once)"
	# The flags that shape the headers a module sees are Debian's: release
	# build (NDEBUG), regexp and inet on. Optional libraries are off; they add
	# no header fields.
	(cd "$dir/src" && ./configure --disable-debug --disable-libgcrypt --disable-uuid \
		--disable-libsystemd --disable-generate-man-pages >"$dir/configure.log" 2>&1) ||
		{ tail -n 20 "$dir/configure.log" >&2; die "configuring the rsyslog source failed (log: $dir/configure.log)"; }
	grep -q '^#define NDEBUG 1' "$dir/src/config.h" || die "rsyslog config.h lacks NDEBUG"
	echo "$got" >"$stamp"
	RSYSLOG_SRC=$dir/src
}

main() {
	local autoreconf_pid=""
	mkdir -p "$CACHE"
	apt_install "${BUILD_PKGS[@]}"
	cd "$ROOT"
	# autoreconf needs nothing of rsyslog's: it runs while rsyslog's source
	# is fetched and configured (half a minute on one core, on a fresh clone)
	if [ ! -x configure ]; then
		say "autoreconf"
		autoreconf -fi >"$CACHE/autoreconf.log" 2>&1 &
		autoreconf_pid=$!
	fi
	if [ -n "${CFL_RSYSLOG_SRC:-}" ]; then
		RSYSLOG_SRC=$CFL_RSYSLOG_SRC
	else
		prepare_rsyslog_src
	fi
	if [ -n "$autoreconf_pid" ] && ! wait "$autoreconf_pid"; then
		cat "$CACHE/autoreconf.log" >&2
		die "autoreconf failed"
	fi
	local multiarch args
	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
	args="--prefix=/usr --libdir=/usr/lib/$multiarch --with-rsyslog-src=$RSYSLOG_SRC ${CFL_CONFIGURE_FLAGS:-}"
	if [ ! -f config.status ] || [ "$(cat "$CACHE/configure.args" 2>/dev/null)" != "$args" ]; then
		say "configure $args"
		# shellcheck disable=SC2086
		./configure $args >"$CACHE/configure.log" 2>&1 || { tail -n 30 "$CACHE/configure.log" >&2; die "configure failed (log: $CACHE/configure.log)"; }
		# objects built with other flags (e.g. without sanitizers) must go
		[ ! -f "$CACHE/configure.args" ] || make clean >/dev/null 2>&1 || true
		echo "$args" >"$CACHE/configure.args"
	fi
	say "make"
	make -j"$JOBS" >"$CACHE/make.log" 2>&1 || { tail -n 40 "$CACHE/make.log" >&2; die "make failed (log: $CACHE/make.log)"; }
	say "built modules/mmconfluence/.libs/mmconfluence.so and modules/imconfluence/.libs/imconfluence.so against rsyslog $(sed -n 's/^#define VERSION "\(.*\)"$/\1/p' "$RSYSLOG_SRC/config.h")"
}

main "$@"
