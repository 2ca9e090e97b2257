#!/bin/bash
# Every ready configuration in contrib/rsyslog.d/ passes `rsyslogd -N1`, the
# way a user combines them: a Debian-like rsyslog.conf (workDirectory, then
# the drop-ins), module paths and system paths rewritten to this build and
# temp dir (tests/integration/e2e_lib.sh), everything else as shipped --
# including the global(maxMessageSize) lines.
# Combinations: everything at once (all inputs, all outputs); the shipped
# default (common + one input + output-files, dispatcher untouched) for each
# input; each output alone; the shipper alone. Also pins the conventions the
# files document: every file is covered here, each input ends in
# `call confluence_output`, each output defines confluence_output_<name>,
# every file carries its licence line, and a dispatcher call to an output
# that is not installed is a configuration error.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
h_init e2e_configs

E2E_KEEP_GLOBALS=1
export E2E_KEEP_GLOBALS
INPUTS="confluence-cloud confluence-datacenter-api confluence-datacenter-files confluence-relay-central atlassian-organization
	jira-cloud jira-datacenter-api jira-datacenter-files bitbucket-datacenter-api bitbucket-datacenter-files"
OUTPUTS="elasticsearch kafka syslog files"
declare -A COVERED

# n1_run NAME FILE... : a fresh copy of the configs in $H_DIR/NAME, a main
# config including FILE... (as /etc/rsyslog.d/*.conf); returns rsyslogd -N1's status
# (its output in $H_DIR/NAME/n1.out); the files are read in the order of
# their names, as from /etc/rsyslog.d. $DISPATCH: the outputs confluence_output
# calls (empty: the shipped default).
n1_run() {
	local name=$1 d=$H_DIR/$1 f
	shift
	rm -rf "$d"
	mkdir -p "$d/work"
	e2e_configs "$d/conf" || return 99
	# the secret files the drop-ins name exist, as docs/operations.md has
	# users create them (-N1 reads them); NO_SECRETS=1 leaves them out
	rm -f "$H_DIR"/secrets/*.token "$H_DIR"/secrets/*.key
	if [ -z "${NO_SECRETS:-}" ]; then
		for f in $(sed -n 's/.*\(passwordFile\|tokenFile\)="\([^"]*\)".*/\2/p' "$d"/conf/*.conf); do
			install -m 0600 /dev/null "$f"
			printf '%s' 'THE-TOKEN' >"$f"
		done
	fi
	if [ -n "${DISPATCH:-}" ]; then
		# shellcheck disable=SC2086
		e2e_dispatch "$d/conf/atlassian-00-common.conf" $DISPATCH || return 99
	fi
	{
		echo "# like Debian's /etc/rsyslog.conf: work directory, then the drop-ins"
		echo "global(workDirectory=\"$d/work\")"
		e2e_dropins "$d/conf" "$d/rsyslog.d" "${@/%/.conf}"
	} >"$d/rsyslog.conf"
	"$RSYSLOGD" -N1 -f "$d/rsyslog.conf" >"$d/n1.out" 2>&1
}

# n1 NAME DESCRIPTION FILE... : n1_run that must pass
n1() {
	local name=$1 desc=$2 f
	shift 2
	for f in "$@"; do COVERED[$f]=1; done
	if es_too_old && [[ " $* " == *" output-elasticsearch "* ]]; then
		H_N=$((H_N + 1))
		if n1_run "$name" "$@"; then
			echo "ok $H_N - $desc # TODO $ES_TOO_OLD_WHY"
		else
			echo "not ok $H_N - $desc # TODO $ES_TOO_OLD_WHY"
		fi
		return 0
	fi
	if n1_run "$name" "$@"; then
		h_ok "$desc"
	else
		h_fail "$desc"
		sed 's/^/#   /' "$H_DIR/$name/n1.out" >&2
	fi
}

# --- a secret file not created yet: -N1 fails and names the file and the statement
if NO_SECRETS=1 n1_run nosecret atlassian-00-common confluence-cloud output-files; then
	h_fail "-N1 fails while confluence-cloud.conf's passwordFile does not exist"
else
	h_check "-N1 fails while confluence-cloud.conf's passwordFile does not exist, naming it and the input()" \
		grep -q "input() at $H_DIR/nosecret/rsyslog.d/[^:]*confluence-cloud.conf:[0-9]*: cannot read passwordFile \"$H_DIR/secrets/confluence-cloud.token\"" \
		"$H_DIR/nosecret/n1.out"
fi

# --- everything at once: all inputs feeding all outputs
all_in=""
for i in $INPUTS; do all_in="$all_in $i"; done
all_out=""
for o in $OUTPUTS; do all_out="$all_out output-$o"; done
DISPATCH=$OUTPUTS n1 all "all inputs + all outputs on one host" \
	atlassian-00-common atlassian-01-imfile $all_in $all_out

# --- the shipped default dispatcher (files only), one input at a time
DISPATCH= n1 cloud "confluence-cloud + output-files (shipped defaults)" \
	atlassian-00-common confluence-cloud output-files
DISPATCH= n1 dcapi "confluence-datacenter-api + output-files (shipped defaults)" \
	atlassian-00-common confluence-datacenter-api output-files
DISPATCH= n1 dcfiles "confluence-datacenter-files + output-files (shipped defaults)" \
	atlassian-00-common atlassian-01-imfile confluence-datacenter-files output-files
DISPATCH= n1 central "confluence-relay-central + output-files (shipped defaults)" \
	atlassian-00-common confluence-relay-central output-files
DISPATCH= n1 orgaudit "atlassian-organization + output-files (shipped defaults)" \
	atlassian-00-common atlassian-organization output-files
for i in jira-cloud jira-datacenter-api bitbucket-datacenter-api; do
	DISPATCH= n1 "$i" "$i + output-files (shipped defaults)" atlassian-00-common "$i" output-files
done
for i in jira-datacenter-files bitbucket-datacenter-files; do
	DISPATCH= n1 "$i" "$i + output-files (shipped defaults)" \
		atlassian-00-common atlassian-01-imfile "$i" output-files
done

# --- each output alone behind one input
for o in elasticsearch kafka syslog; do
	extra=""
	[ "$o" = elasticsearch ] && extra=atlassian-01-imfile
	DISPATCH=$o n1 "out-$o" "confluence-cloud + output-$o alone" \
		atlassian-00-common $extra confluence-cloud "output-$o"
done

# --- the shipper stands alone
DISPATCH= n1 shipper "confluence-relay-shipper alone" confluence-relay-shipper

# --- every file of contrib/rsyslog.d was part of a combination above
for f in "$E2E_CONFDIR"/*.conf; do
	b=$(basename "$f" .conf)
	h_check "$b.conf is validated by a combination" test -n "${COVERED[$b]:-}"
done

# --- conventions the files document
for i in $INPUTS; do
	h_check "$i.conf hands its events on with call confluence_output" \
		grep -Eq '^[[:space:]]*call confluence_output$' "$E2E_CONFDIR/$i.conf"
	h_check "$i.conf maps with mmconfluence eventId=\"on\"" \
		grep -q 'action(type="mmconfluence" eventId="on"' "$E2E_CONFDIR/$i.conf"
done
for o in $OUTPUTS; do
	h_check "output-$o.conf defines ruleset confluence_output_$o" \
		grep -q "ruleset(name=\"confluence_output_$o\"" "$E2E_CONFDIR/output-$o.conf"
done
for f in "$E2E_CONFDIR"/*.conf; do
	h_check "$(basename "$f") carries the licence line" grep -q 'Licensed under the Apache License, Version 2.0' "$f"
done

# --- no queue discards when full: every queue the files declare (other than
# Direct ones and the in-memory replay queue, which imfile feeds with flow
# control) waits for room instead (docs/operations.md, "Back-pressure")
queues_wait() {
	"$PYTHON3" - "$E2E_CONFDIR"/*.conf <<'PY'
import re, sys
bad = []
for path in sys.argv[1:]:
    text = re.sub(r"#[^\n]*", "", open(path).read())
    for m in re.finditer(r"\b(ruleset|action)\(([^)]*)\)", text):
        params = m.group(2)
        qt = re.search(r'queue\.type="([^"]*)"', params)
        if not qt or qt.group(1).lower() == "direct":
            continue
        name = re.search(r'name="([^"]*)"', params).group(1)
        if qt.group(1).lower() == "linkedlist" and "saveOnShutdown" in params and name == "confluence_es_replay":
            continue
        if 'queue.timeoutEnqueue="2147483647"' not in params or "queue.size=" not in params:
            bad.append("%s: %s %s" % (path.split("/")[-1], m.group(1), name))
if bad:
    sys.exit("queues that discard when full: " + ", ".join(bad))
PY
}
h_check "every disk queue of the ready files waits when full (timeoutEnqueue, size set)" queues_wait
# port 6514 is syslog over TLS (RFC 5425): plain TCP there is refused by
# receivers or, worse, read as garbage
plain_6514() {
	! grep -h -v '^\s*#' "$E2E_CONFDIR"/*.conf | tr '\n' ' ' | grep -Eo 'action\(type="omfwd"[^)]*\)' |
		grep 'port="6514"' | grep -vq 'StreamDriverMode="1"'
}
h_check "no omfwd sends plain TCP to port 6514" plain_6514

# --- a dispatcher that calls an output which is not installed is refused
if ! DISPATCH="files kafka" n1_run missing atlassian-00-common confluence-cloud output-files &&
	grep -q "confluence_output_kafka" "$H_DIR/missing/n1.out"; then
	h_ok "calling an output ruleset that is not installed is a configuration error naming it"
else
	h_fail "calling an output ruleset that is not installed is a configuration error naming it"
	sed 's/^/#   /' "$H_DIR/missing/n1.out" >&2
fi
h_done
