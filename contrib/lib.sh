# contrib/lib.sh: shell helpers shared by build.sh, check.sh, demo.sh and the bench*.sh.
# Sourced, not run. Expects $ROOT (the repository root).
# Licensed under the Apache License, Version 2.0.
CACHE=${CFL_CACHE_DIR:-$ROOT/.cache}
JOBS=$(nproc 2>/dev/null || echo 2)
CFL_SELF=$(basename "$0")
mkdir -p "$CACHE"

say() { echo "$CFL_SELF: $*" >&2; }
die() { echo "$CFL_SELF: error: $*" >&2; exit 1; }

# configure scripts (rsyslog's, ours) and the libtool and make recipes they
# write run under dash where there is one (Debian and Ubuntu: /bin/sh):
# autoconf otherwise re-runs them under bash, and on the 2-core VMs the suite
# runs on a bash fork costs several times a dash one (measured with 8.2302:
# rsyslog's configure 56 s under bash, 34 s under dash, config.h compared
# equal; our make -j2 30 s, 15 s). CONFIG_SHELL set by the caller wins.
if [ -z "${CONFIG_SHELL:-}" ] && [ -x /bin/dash ]; then
	export CONFIG_SHELL=/bin/dash
fi

BUILD_PKGS=(rsyslog build-essential pkg-config dpkg-dev autoconf automake libtool
	libestr-dev libfastjson-dev zlib1g-dev liblognorm-dev libcurl4-openssl-dev
	libmaxminddb-dev libxxhash-dev libcmocka-dev python3 openssl clang-format)

# clang_rt_pkg: the package with clang's sanitizer and libFuzzer runtimes on
# this release. Its name moves: libclang-rt-dev (bookworm and later, the
# version-neutral name), libclang-rt-N-dev, libclang-common-N-dev (bullseye,
# where the runtimes still ship with clang's headers); the first one apt offers.
clang_rt_pkg() {
	local v p out
	# outputs captured, not piped into grep -q: under pipefail (check.sh) an
	# apt-cache killed by SIGPIPE would fail the test at random
	out=$(apt-cache depends clang 2>/dev/null)
	v=$(printf '%s\n' "$out" | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p')
	v=${v%%$'\n'*}
	for p in libclang-rt-dev ${v:+libclang-rt-$v-dev libclang-common-$v-dev}; do
		out=$(apt-cache policy "$p" 2>/dev/null)
		if [[ $out =~ Candidate:\ [0-9] ]]; then
			echo "$p"
			return 0
		fi
	done
	echo libclang-rt-dev
}

# missing_packages PKG...: those not installed, in one dpkg-query (a query
# per package cost two processes each, twice a run)
missing_packages() {
	local installed
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '/ install ok installed$/ { print $1 }')
	printf '%s\n' "$@" | grep -vxF -f <(printf '%s\n' "$installed") || true
}

# apt_install PKG...: install what is missing. Package maintainer scripts may
# not start services (rsyslog's would start the system logger): policy-rc.d.
apt_install() {
	local missing policy=/usr/sbin/policy-rc.d created=0
	missing=$(missing_packages "$@" | tr '\n' ' ')
	[ -n "${missing// /}" ] || return 0
	[ "${CFL_NO_APT:-0}" != 1 ] || die "missing Debian packages: $missing (CFL_NO_APT=1 forbids installing them)"
	[ "$(id -u)" = 0 ] || die "missing Debian packages: $missing; run as root or install them: apt-get install $missing"
	say "installing $missing"
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -y -q --no-install-recommends $missing >"$CACHE/apt.log" 2>&1; then
		apt-get update -q >>"$CACHE/apt.log" 2>&1 || true
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >>"$CACHE/apt.log" 2>&1 ||
			{ [ $created = 1 ] && rm -f "$policy"; tail -n 20 "$CACHE/apt.log" >&2; die "apt-get install failed"; }
	fi
	[ $created = 1 ] && rm -f "$policy"
	return 0
}


# bench_events N FILE: the benchmarks' input, N lines cycling through every
# fixture event (Data Center files and API, Cloud), the same for each contender.
bench_events() {
	local fx=$ROOT/tests/fixtures/elastic-confluence
	awk -v n="$1" 'NF { l[c++] = $0 } END { for (i = 0; i < n; i++) print l[i % c] }' \
		"$fx/test-audit-files.log" "$fx/test-audit-api.log" "$fx/test-audit-cloud.log" >"$2"
}

# The two actions the rsyslogd benchmarks compare: mmconfluence with its
# defaults (the shipped rulebase and categories) and mmjsonparse, the baseline.
BENCH_MMC_ACTION="action(type=\"mmconfluence\" rulebase=\"$ROOT/rulebases/confluence-audit.rulebase\" categories=\"$ROOT/rulebases/confluence-categories.json\")"
BENCH_MMJ_ACTION='action(type="mmjsonparse" cookie="")'

# bench_rsyslog_conf DIR EVENTS ACTION QUEUES MMCONFLUENCE_SO: writes DIR/rsyslog.conf for
# the benchmark pipeline imfile(EVENTS) -> ACTION -> omfile(DIR/out.jsonl, "%$!%").
# QUEUES is "default" (no queue parameter at all) or "tuned" (direct main queue,
# fixedArray ruleset queue of 20000, batches of 1024). Used by bench.sh and bench-alloc.sh.
bench_rsyslog_conf() {
	local d=$1 events=$2 action=$3 queues=$4 mm=$5 rq="" mq=""
	if [ "$queues" = tuned ]; then
		mq='main_queue(queue.type="direct")'
		rq='queue.type="fixedArray" queue.size="20000" queue.dequeueBatchSize="1024"'
	fi
	mkdir -p "$d/work"
	cat >"$d/rsyslog.conf" <<CONF
global(workDirectory="$d/work" processInternalMessages="on" maxMessageSize="256k")
module(load="imfile")
module(load="mmjsonparse")
module(load="$mm")
if \$syslogtag startswith "rsyslogd" then { action(type="omfile" file="$d/internal.log") stop }
template(name="json" type="string" string="%\$!%\n")
$mq
input(type="imfile" file="$events" tag="confluence-audit" ruleset="r")
ruleset(name="r" $rq) {
	$action
	action(type="omfile" file="$d/out.jsonl" template="json" asyncWriting="on" ioBufferSize="1m" flushOnTXEnd="off")
}
CONF
}
