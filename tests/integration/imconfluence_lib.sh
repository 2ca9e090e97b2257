# imconfluence_lib.sh: helpers shared by the tests/integration/imconfluence_*.sh
# scripts (sourced after tests/lib/harness.sh; not a test itself).
#
#   m_start NAME [mock args]  start tests/mock/confluence_mock.py on port 0;
#                             sets M_PORT_<NAME>, M_URL_<NAME> (and M_PORT/M_URL
#                             for the first one); stopped at exit
#   m_ctl NAME METHOD PATH [JSON]   the mock's control API (/__mock/...)
#   m_oracle NAME FLAVOR [QUERY]    the served events, oldest first, one per line
#   m_requests NAME                 the API request log (JSON)
#   icf_conf BODY                   h_conf with module loads and an output ruleset
#   icf_stats FILE COUNTER          last value of an impstats counter (json format)
#   dup_count FILE / missing FILE ORACLE   repeats, and oracle lines never output
#
# Licensed under the Apache License, Version 2.0.

# never let a proxy from the environment see the test traffic
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

m_start() {
	local name=$1 i port
	shift
	"$PYTHON3" "$CFL_MOCK" --port-file "$H_DIR/mock-$name.port" --pid-file "$H_DIR/mock-$name.pid" \
		--log "$H_DIR/mock-$name.log" "$@" 2>"$H_DIR/mock-$name.err" &
	h_bg $!
	for i in $(seq 1 200); do
		[ -s "$H_DIR/mock-$name.port" ] && break
		if ! kill -0 $! 2>/dev/null; then
			echo "# mock $name exited:" >&2
			sed 's/^/#   /' "$H_DIR/mock-$name.err" >&2
			return 1
		fi
		h_nap 0.05
	done
	port=$(cat "$H_DIR/mock-$name.port")
	[ -n "$port" ] || return 1
	eval "M_PORT_$name=$port"
	eval "M_URL_$name=http://127.0.0.1:$port"
	# a TLS mock started with --control-port-file "$H_DIR/mock-NAME.ctl"
	# keeps its control API on plain HTTP there
	if [ -s "$H_DIR/mock-$name.ctl" ]; then
		eval "M_CTLPORT_$name=$(cat "$H_DIR/mock-$name.ctl")"
		eval "M_URL_$name=https://127.0.0.1:$port"
	fi
	if [ -z "${M_PORT:-}" ]; then
		M_PORT=$port
		M_URL=http://127.0.0.1:$port
	fi
}

# m_ctl NAME METHOD PATH [JSON]: the control API, over plain HTTP.
m_ctl() {
	local name=$1 method=$2 path=$3 data=${4:-} port
	eval "port=\${M_CTLPORT_$name:-\$M_PORT_$name}"
	if [ -n "$data" ]; then
		curl -sS --noproxy '*' -X "$method" -H 'Content-Type: application/json' --data-binary "$data" \
			"http://127.0.0.1:$port$path"
	else
		curl -sS --noproxy '*' -X "$method" "http://127.0.0.1:$port$path"
	fi
}

m_oracle() {
	m_ctl "$1" GET "/__mock/events?flavor=$2&format=jsonl${3:+&$3}"
}

m_requests() {
	m_ctl "$1" GET /__mock/requests
}

# icf_conf: h_conf with imconfluence and impstats loaded; the test's body
# follows. Output file template: the message text only.
icf_conf() {
	h_conf "$@" <<EOF2
module(load="impstats" interval="1" format="json" resetCounters="off" log.syslog="off"
       log.file="$H_DIR/stats.log")
module(load="$IMCONFLUENCE_SO")
template(name="msgonly" type="string" string="%msg%\n")
template(name="props" type="string" string="%timereported:::date-rfc3339% %hostname% %syslogtag% %inputname% %syslogfacility-text%.%syslogseverity-text% %msg%\n")
template(name="gen" type="string" string="%timegenerated:::date-unixtimestamp%\n")
$(cat)
EOF2
}

# icf_stats FILE COUNTER [ORIGIN_NAME]: the last value of a counter.
icf_stats() {
	local f=$1 c=$2 n=${3:-imconfluence}
	grep "\"name\": \"$n" "$f" 2>/dev/null | tail -n 1 | sed -n "s/.*\"$c\": \([0-9]*\).*/\1/p"
}

# dup_count FILE: number of repeated lines.
dup_count() {
	sort "$1" | uniq -d -c | awk '{s += $1 - 1} END {print s + 0}'
}

# untear FILE ORACLE: rewrites FILE so that lines torn by kill -9 are whole
# again, and prints "TORN OTHER". kill -9 can stop omfile between two write()s
# of one line (its buffer flushes when full, not at line ends); the next start
# then appends a whole event to that fragment. A torn line is a prefix of an
# oracle event followed by a whole oracle event; it is replaced by that whole
# event (the fragment's event is repeated whole after the restart, as its chunk
# was not committed). TORN counts those; OTHER counts lines that are neither an
# oracle event nor torn (each is printed to stderr), and they are kept.
untear() {
	"$PYTHON3" - "$1" "$2" <<'PY'
import sys
oracle = set(open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read().splitlines())
torn = other = 0
out = []
for line in open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read().splitlines():
    if line not in oracle:
        cut = next((i for i in range(1, len(line)) if line[i] == "{" and line[i:] in oracle), None)
        if cut is not None and any(o.startswith(line[:cut]) for o in oracle):
            torn += 1
            line = line[cut:]
        else:
            other += 1
            print("# not an oracle event: " + line[:300], file=sys.stderr)
    out.append(line + "\n")
open(sys.argv[1], "w", encoding="utf-8", errors="surrogateescape").write("".join(out))
print(torn, other)
PY
}

# check_untorn FILE ORACLE KILLS: untear FILE, then check that it held
# nothing but oracle events, with at most one torn line per kill -9.
check_untorn() {
	local torn other
	read -r torn other < <(untear "$1" "$2")
	h_check "nothing but oracle events was output ($torn line(s) torn by kill -9 in omfile's write, at most 1 per kill)" \
		test "$other" = 0 -a "$torn" -le "$3"
}

# missing FILE ORACLE: oracle lines that never appear in FILE.
missing() {
	sort -u "$1" >"$1.sorted"
	sort -u "$2" >"$2.sorted"
	comm -13 "$1.sorted" "$2.sorted" | grep -c '' || true
}

# m_gen NAME COUNT FROM_S_AGO TO_S_AGO: synthetic events in that range.
m_gen() {
	local now
	now=$(($(date +%s) * 1000))
	m_ctl "$1" POST /__mock/generate '{"count":'"$2"',"ts_from_ms":'$((now - $3 * 1000))',"ts_to_ms":'$((now - $4 * 1000))'}' >/dev/null
}

# wait_requests NAME N [T] [SELECT]: until the mock has served >= N API
# requests (those matching the jq condition SELECT, e.g. '.params.limit == "104"').
_served_at_least() { [ "$(m_requests "$1" | jq "[.[] | select($3)] | length")" -ge "$2" ]; }
wait_requests() {
	h_until "${3:-20}" _served_at_least "$1" "$2" "${4:-true}" && return 0
	echo "# timeout: mock $1 served fewer than $2 requests matching ${4:-true}" >&2
	return 1
}

# more_polls NAME... : until each mock has served 2 more API requests than
# now -- proof that the input completed at least one more poll since (what
# "nothing more happened" checks wait for instead of a fixed sleep).
more_polls() {
	local name n
	for name in "$@"; do
		n=$(m_requests "$name" | jq length)
		wait_requests "$name" $((n + 2)) 20 || return 1
	done
}

# poll_done NAME [T]: until the mock's last API request was answered with a
# page shorter than its limit (the end of the window: the poll is over) and
# no request followed it for two looks 0.5 s apart.
poll_done() {
	local i last prev=""
	for i in $(seq 1 $((${2:-20} * 2))); do
		last=$(m_requests "$1" | jq -c 'last | select(.count != null and .params.limit != null
			and .count < (.params.limit | tonumber)) | .seq')
		[ -n "$last" ] && [ "$last" = "$prev" ] && return 0
		prev=$last
		h_nap 0.5
	done
	echo "# timeout: mock $1 is still serving full pages" >&2
	return 1
}

# stats_again [N]: until impstats has written N (default 1) more complete
# reports of every imconfluence input (counted by the first input's line).
stats_again() {
	local k=${1:-1} n
	n=$(grep -c '"name": "imconfluence([^)]*)"' "$H_DIR/stats.log" 2>/dev/null)
	h_wait_grep_count "$H_DIR/stats.log" '"name": "imconfluence\([^)]*\)"' $((n + k + 1))
}
