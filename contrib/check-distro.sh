#!/bin/bash
# contrib/check-distro.sh: the README's two commands on another Debian release.
#
#   contrib/check-distro.sh [--smoke | --prepare] SUITE
#       SUITE: bullseye | bookworm | trixie | forky
#
# Makes (once, then reuses) a Debian root of SUITE with debootstrap from
# Debian's own archive, puts a clean clone of this repository's HEAD in it and
# runs there, unchanged, `contrib/demo.sh` and `contrib/check.sh` -- so the
# release's own rsyslogd, its `apt-get source rsyslog` and its own libraries
# and compiler are what is tested; whatever the root lacks, build.sh and
# check.sh install, as they would on a user's machine.
#   --smoke    demo.sh, then `contrib/check.sh --smoke` (build, unit tests,
#              mapping cases, module load, one poll, imfile, Elasticsearch)
#   --prepare  only make the root (CI warms the cache with it)
# Ends with `N passed, M failed` (check.sh's counts; a demo that fails, or a
# root that cannot be made, is one more failure), and writes the release's
# row of the README's "Tested on" table to contrib/tested-on/SUITE.tsv
# (`contrib/tested-on.sh table` turns those rows into the table).
#
# Roots are cached in CFL_ROOTS_DIR (default /var/cache/rsyslog-confluence/
# roots), outside the repository: the first run of a suite costs a few
# minutes of debootstrap, later ones reuse the root. Its /proc, /sys, /dev and
# /dev/pts are mounted in a private mount namespace for the run only, so no
# mount outlives it, even when the run is killed; policy-rc.d keeps package
# scripts from starting the root's rsyslog. Needs root and debootstrap.
# Licensed under the Apache License, Version 2.0.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=contrib/lib.sh
. "$ROOT/contrib/lib.sh"

MODE=full
case "${1:-}" in
--smoke) MODE=smoke; shift ;;
--prepare) MODE=prepare; shift ;;
esac
SUITE=${1:-}
case "$SUITE" in
bullseye | bookworm | trixie | forky) ;;
*) die "usage: $0 [--smoke|--prepare] bullseye|bookworm|trixie|forky" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
MIRROR=${CFL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTS=${CFL_ROOTS_DIR:-/var/cache/rsyslog-confluence/roots}
R=$ROOTS/$SUITE
START=$(date +%s)

# make_root: debootstrap once; a root is only used once it is complete.
make_root() {
	local script=""
	[ -f "$R/.cfl-root-ready" ] && return 0
	apt_install debootstrap
	# Debian 12's debootstrap knows no forky yet; testing is made like sid
	[ -e "/usr/share/debootstrap/scripts/$SUITE" ] || script=/usr/share/debootstrap/scripts/sid
	rm -rf "$R"
	mkdir -p "$ROOTS"
	say "making the $SUITE root in $R (debootstrap, a few minutes, once)"
	# shellcheck disable=SC2086
	nice -n 10 debootstrap --variant=minbase --include=git,ca-certificates "$SUITE" "$R" "$MIRROR" $script \
		>"$ROOTS/$SUITE.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$ROOTS/$SUITE.debootstrap.log" >&2; return 1; }
	# the classic one-line sources.list debootstrap writes stays as it is:
	# build.sh must cope with it, as on many upgraded machines
	printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod +x "$R/usr/sbin/policy-rc.d"
	touch "$R/.cfl-root-ready"
}

# root_hosts: bullseye's debootstrap writes no /etc/hosts (later ones do, as
# the installer does on every real system); without it "localhost" does not
# resolve there, for curl 7.74 and Python alike.
root_hosts() {
	[ -s "$R/etc/hosts" ] && return 0
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
}

# root_apt_config: testing's Release file is valid for a week only; a mirror
# or snapshot older than that (as on a machine that reaches a frozen copy of
# deb.debian.org) would stop apt-get update in the root. Signatures are still
# checked.
root_apt_config() {
	printf '%s\n' '// written by rsyslog-confluence contrib/check-distro.sh (see there)' \
		'Acquire::Check-Valid-Until "false";' >"$R/etc/apt/apt.conf.d/99rsyslog-confluence-valid-until"
}

# in_root CMD: CMD in the root, with /proc, /sys, /dev, /dev/pts mounted in
# a mount namespace of its own (they vanish with it).
in_root() {
	cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
	unshare --mount --propagation private -- /bin/bash -c '
		R=$1; shift
		mount -t proc proc "$R/proc" && mount -t sysfs sysfs "$R/sys" &&
			mount --bind /dev "$R/dev" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts" &&
			mount -t tmpfs tmpfs "$R/dev/shm" || exit 1
		chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM=dumb /bin/bash -c "$1"
		rc=$?
		umount "$R/dev/shm" "$R/dev/pts" "$R/dev" "$R/sys" "$R/proc"
		exit $rc' in_root "$R" "$1"
}

finish() {
	local p=$1 f=$2
	echo "check-distro $SUITE ($MODE): wall time $(($(date +%s) - START)) s"
	echo "$p passed, $f failed"
	[ "$f" = 0 ] && [ "$p" -gt 0 ]
	exit $?
}

# the whole run is one function, read before it starts: editing this file
# during a run (it takes minutes) cannot change what the run does
main() {
make_root || { echo "not ok - making the $SUITE root (log: $ROOTS/$SUITE.debootstrap.log)"; finish 0 1; }
root_hosts
root_apt_config
[ "$MODE" = prepare ] && { say "$SUITE root ready in $R"; exit 0; }

# A clean clone of HEAD (what is committed is what is tested).
W=/build/rsyslog-confluence
rm -rf "$R/build"
mkdir -p "$R/build"
git clone -q --no-hardlinks "$ROOT" "$R$W" || die "git clone into the root failed"
git -C "$R$W" checkout -q --detach "$(git -C "$ROOT" rev-parse HEAD)" || die "checkout of HEAD failed"
say "$SUITE: $(git -C "$R$W" log -1 --format='%h %s' | cut -c1-70)"
# The configured rsyslog tree of an earlier run (build.sh's cache; its first
# run in a root fetched it with apt-get source): minutes saved per run.
mkdir -p "$R/var/cache/rsyslog-confluence" "$R$W/.cache"
cp -a "$R"/var/cache/rsyslog-confluence/rsyslog-* "$R$W/.cache/" 2>/dev/null || true

LOG=$ROOTS/$SUITE.$MODE.log
check_args=""
[ "$MODE" = smoke ] && check_args=--smoke
extra_fail=0
# The README's commands, unchanged, one after the other.
in_root "cd $W && contrib/demo.sh >/tmp/demo.out 2>/tmp/demo.err; rc=\$?
	n=\$(grep -c '^{' /tmp/demo.out); echo \"demo.sh: exit \$rc, \$n ECS documents\"
	[ \$rc = 0 ] && [ \$n -gt 0 ] || { tail -n 30 /tmp/demo.err; echo 'not ok - contrib/demo.sh'; }
	contrib/check.sh $check_args" 2>&1 | tee "$LOG"
grep -q '^not ok - contrib/demo.sh$' "$LOG" && extra_fail=1
for d in "$R$W"/.cache/rsyslog-*; do
	[ -f "$d/.rsyslog-confluence-configured" ] || continue
	rm -rf "$R/var/cache/rsyslog-confluence/$(basename "$d")"
	cp -a "$d" "$R/var/cache/rsyslog-confluence/"
done
counts=$(tail -n 5 "$LOG" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n1)
[ -n "$counts" ] || { echo "not ok - check.sh in the $SUITE root ended without its summary line"; counts="0 1"; }
set -- $counts
p=$1
f=$(($2 + extra_fail))

# Upgrade safety: this machine's modules (built for its rsyslog) loaded
# into the root's rsyslogd of another release must be refused with one line
# naming both versions (modules/glue/cfl_rsversion.h), never load or crash.
# Into an older release the dynamic loader may refuse them first (symbols of
# a newer glibc); that is a refusal too, and named as such.
foreign_load() {
	local hostv rootv m out
	hostv=$(/usr/sbin/rsyslogd -v 2>/dev/null | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	rootv=$(chroot "$R" /usr/sbin/rsyslogd -v 2>/dev/null | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	if [ -z "$hostv" ] || [ "$hostv" = "$rootv" ]; then
		say "foreign module load: this machine runs rsyslog ${hostv:-none}, as the root: nothing to cross"
		return 0
	fi
	[ -f "$ROOT/modules/mmconfluence/.libs/mmconfluence.so" ] || "$ROOT/contrib/build.sh" >&2 || return 1
	mkdir -p "$R/build/foreign"
	for m in mmconfluence imconfluence; do
		cp "$ROOT/modules/$m/.libs/$m.so" "$R/build/foreign/"
		printf 'module(load="/build/foreign/%s.so")\n' "$m" >"$R/build/foreign/$m.conf"
		out=$(in_root "rsyslogd -N1 -f /build/foreign/$m.conf 2>&1; echo \"exit \$?\"")
		if echo "$out" | grep -q "^exit 0$"; then
			echo "not ok - $m built for rsyslog $hostv loads into rsyslogd $rootv"
		elif echo "$out" | grep -q "$m: not loaded: built for rsyslog $hostv, but this rsyslogd is $rootv"; then
			echo "ok - $m built for rsyslog $hostv is refused by rsyslogd $rootv with one line naming both"
		elif echo "$out" | grep -q "GLIBC_[0-9.]*' not found"; then
			echo "ok - $m built for rsyslog $hostv is refused by rsyslogd $rootv's dynamic loader (a newer glibc) before modInit"
		else
			echo "not ok - $m built for rsyslog $hostv in rsyslogd $rootv: neither loaded nor refused as documented"
		fi
		echo "$out" | grep -v '^exit' | sed 's/^/# /' | head -n 5
	done
}
# full mode: the .deb, built and installed in the root (apt resolves its
# Depends against this release's rsyslog), its modules loaded by name
deb_install() {
	in_root "cd $W && deb=\$(contrib/build-deb.sh 2>/tmp/build-deb.err | tail -n 1) &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \"\$deb\" >/tmp/deb-install.log 2>&1 &&
		printf '%s\n' 'module(load=\"imconfluence\")' 'module(load=\"mmconfluence\")' \
			'action(type=\"mmconfluence\")' >/tmp/deb.conf && rsyslogd -N1 -f /tmp/deb.conf >/tmp/deb-n1.log 2>&1" &&
		echo "ok - the .deb builds, installs against $SUITE's rsyslog ($(chroot "$R" dpkg-query -W -f='${Version}' rsyslog)) and its modules load by name" ||
		{ echo "not ok - the .deb in $SUITE (build, install, rsyslogd -N1)"; tail -n 5 "$R"/tmp/build-deb.err "$R"/tmp/deb-install.log "$R"/tmp/deb-n1.log 2>/dev/null | sed 's/^/# /'; }
	# the cached root stays as debootstrap and the README's commands left it
	in_root "dpkg --purge rsyslog-confluence >/dev/null 2>&1 || true"
}
[ "$MODE" = full ] && deb_install 2>&1 | tee -a "$LOG"
p=$((p + $(grep -c '^ok - the .deb builds' "$LOG")))
f=$((f + $(grep -c '^not ok - the .deb in' "$LOG")))
foreign_load 2>&1 | tee -a "$LOG"
fl=$(grep -c '^ok - .* is refused' "$LOG")
fn=$(grep -c '^not ok - .*\(loads into\|neither loaded\)' "$LOG")
p=$((p + fl))
f=$((f + fn))

# The README's "Tested on" row, read from the root itself.
mkdir -p "$ROOT/contrib/tested-on"
in_root "cd $W && contrib/tested-on.sh row '$MODE: $p passed, $f failed in $(($(date +%s) - START)) s'" >"$ROOT/contrib/tested-on/$SUITE.tsv"
finish "$p" "$f"
}
main "$@"
