#!/bin/bash
# test_debsrc.sh -- contrib/debsrc.py, the deb-src entries build.sh adds before
# `apt-get source rsyslog`, on sample apt source lists of each format:
# debootstrap's one-line sources.list, Debian 12's and Ubuntu 24.04's deb822
# .sources (no "debian" in Ubuntu's URIs), Ubuntu 22.04's one-line list,
# both formats mixed with third-party repositories, existing deb-src entries,
# and the broken file earlier versions wrote (one-line entries in a .sources
# file). The result is compared with tests/fixtures/apt-expected/ and then
# read by the real apt (apt-cache policy on the sample directory), which
# refuses a malformed file as it would on the machine.
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/harness.sh"
h_init debsrc
SAMPLES=$top_srcdir/tests/fixtures/apt
EXPECT=$top_srcdir/tests/fixtures/apt-expected
DEBSRC=$top_srcdir/contrib/debsrc.py

# apt_reads DIR: the real apt parses DIR as /etc/apt (sources.list + parts)
apt_reads() {
	mkdir -p "$H_DIR/lists/partial" "$H_DIR/cache"
	apt-cache -o Dir::Etc::SourceList="$1/sources.list" -o Dir::Etc::SourceParts="$1" \
		-o Dir::State::Lists="$H_DIR/lists" -o Dir::Cache="$H_DIR/cache" -o Debug::NoLocking=1 \
		policy >/dev/null 2>"$H_DIR/apt.err" && ! grep -q '^E:' "$H_DIR/apt.err"
}

# the check below can fail: apt refuses the file earlier versions wrote
if apt_reads "$SAMPLES/stale-own"; then
	h_fail "apt accepts one-line entries in a .sources file: the apt checks below prove nothing"
else
	h_ok "apt refuses one-line entries in a .sources file (the file build.sh used to write)"
fi

for sample in "$SAMPLES"/*/; do
	name=$(basename "$sample")
	d=$H_DIR/$name
	rm -rf "$d"
	cp -r "$sample" "$d"
	codename=$(cat "$EXPECT/$name.codename")
	"$PYTHON3" "$DEBSRC" --codename "$codename" --out-dir "$d" "$d"/* >"$H_DIR/out" 2>"$H_DIR/err"
	rc=$?
	if [ "$name" = thirdparty-only ]; then
		[ $rc = 2 ] && grep -q "no 'deb' entry of this release" "$H_DIR/err" &&
			h_ok "$name: no entry of the release, exit 2 with a message, nothing written" ||
			h_fail "$name: exit $rc, $(cat "$H_DIR/err")"
		continue
	fi
	[ $rc = 0 ] || { h_fail "$name: debsrc.py exit $rc: $(cat "$H_DIR/err")"; continue; }
	for fmt in list sources; do
		got=$d/rsyslog-confluence-src.$fmt
		if [ -f "$EXPECT/$name.$fmt" ]; then
			h_check "$name: the .$fmt file mirrors the release's '$fmt'-format deb entries as deb-src" \
				diff -u "$EXPECT/$name.$fmt" "$got"
		else
			h_check "$name: no .$fmt file written" test ! -e "$got"
		fi
	done
	h_check "$name: the real apt reads the result without error" apt_reads "$d" ||
		sed 's/^/# /' "$H_DIR/apt.err"
done
h_check "debian12-with-src: existing deb-src entries (both formats) are not duplicated" \
	test ! -e "$H_DIR/debian12-with-src/rsyslog-confluence-src.list" -a ! -e "$H_DIR/debian12-with-src/rsyslog-confluence-src.sources"
h_check "ubuntu2404: Ubuntu's archive and security URIs are mirrored" \
	grep -q 'URIs: http://security.ubuntu.com/ubuntu/' "$H_DIR/ubuntu2404/rsyslog-confluence-src.sources"
h_check "mixed: third-party repositories and disabled stanzas are left alone" \
	bash -c "! grep -qE 'nodesource|google|backports' $H_DIR/mixed/rsyslog-confluence-src.*"
h_check "stale-own: the broken .sources file is replaced by a .list file" \
	test ! -e "$H_DIR/stale-own/rsyslog-confluence-src.sources" -a -e "$H_DIR/stale-own/rsyslog-confluence-src.list"
h_done
