#!/bin/bash
# Rate-limit citizenship, through rsyslogd against the mock:
#  - maxRequestsPerMinute/requestBurst space the requests: the request log's
#    arrival times never show more than burst + elapsed/interval requests;
#  - a 429's Retry-After, and a Retry-After on 200 answers, are waited out;
#  - a server that reports X-RateLimit-Remaining/Reset/NearLimit (a bucket
#    of 5 requests per 4 s) is never driven into a 429: the input slows
#    down before it, and every event still arrives once;
#  - the counters ratelimit.throttled, ratelimit.waits, ratelimit.nearlimit
#    and http.429 show each in impstats.
# The spacing checks are lower bounds on gaps the client must keep (minus
# 50 ms for the mock's clock); nothing asserts that something is fast.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
. "$top_srcdir/tests/integration/imconfluence_lib.sh"
h_init imconfluence_ratelimit

m_start lim --flavor cloud --events 0 || exit 1
m_start ra --flavor cloud --events 0 || exit 1
m_start ra2 --flavor cloud --events 0 || exit 1
m_start near --flavor cloud --events 0 || exit 1
m_gen lim 40 3000 60
m_gen ra 10 3000 60
m_gen ra2 10 3000 60
m_gen near 60 3000 60
m_ctl ra POST /__mock/faults '[{"kind":"retry_after","status":429,"value":"2"}]' >/dev/null
m_ctl ra2 POST /__mock/ratelimit '{"headers":{"Retry-After":"2"}}' >/dev/null
m_ctl near POST /__mock/ratelimit '{"limit":5,"window":4,"near":2}' >/dev/null
for m in lim ra ra2 near; do m_oracle $m cloud >"$H_DIR/oracle-$m.jsonl"; done

common='flavor="cloud" pollingInterval="1" initialLookback="3600" overlap="5" maxBackoff="30"'
icf_conf <<EOF
input(type="imconfluence" name="lim" url="$M_URL_lim" $common pageSize="4" maxRequestsPerMinute="120"
      requestBurst="2" ruleset="lim")
input(type="imconfluence" name="ra" url="$M_URL_ra" $common pageSize="5" ruleset="ra")
input(type="imconfluence" name="ra2" url="$M_URL_ra2" $common pageSize="5" ruleset="ra2")
input(type="imconfluence" name="near" url="$M_URL_near" $common pageSize="5" ruleset="near")
EOF
for r in lim ra ra2 near; do
	echo "ruleset(name=\"$r\") { action(type=\"omfile\" file=\"$H_DIR/out-$r.log\" template=\"msgonly\") }" >>"$H_CONF"
done
h_check "rsyslogd -N1 accepts the configuration" h_rsyslogd -N1 -f "$H_CONF"
h_start || { h_fail "rsyslogd starts"; h_done; }
h_check "limited input: 40 events arrive" h_wait_lines "$H_DIR/out-lim.log" 40 60
h_check "Retry-After on a 429: 10 events arrive" h_wait_lines "$H_DIR/out-ra.log" 10 30
h_check "Retry-After on 200s: 10 events arrive" h_wait_lines "$H_DIR/out-ra2.log" 10 30
h_check "near-limit server: 60 events arrive" h_wait_lines "$H_DIR/out-near.log" 60 90
wait_requests ra2 4 30
wait_requests near 16 60
for m in lim ra ra2 near; do m_requests $m >"$H_DIR/req-$m.json"; done

# gaps.py FILE BURST INTERVAL_MS: for all i < j, request j arrived no
# earlier than (j - i + 1 - burst) intervals after request i
cat >"$H_DIR/gaps.py" <<'PY'
import json, sys
reqs = json.load(open(sys.argv[1]))
burst, ivl = int(sys.argv[2]), float(sys.argv[3]) / 1000
t = [r["time"] for r in reqs]
bad = [(i, j, round(t[j] - t[i], 3)) for i in range(len(t)) for j in range(i + 1, len(t))
       if t[j] - t[i] < (j - i + 1 - burst) * ivl - 0.05]
print("# %d requests, violations: %s" % (len(t), bad[:5]))
sys.exit(1 if bad or len(t) < burst + 3 else 0)
PY
h_check "maxRequestsPerMinute=120, requestBurst=2: no more than 2 + elapsed/500 ms requests" \
	"$PYTHON3" "$H_DIR/gaps.py" "$H_DIR/req-lim.json" 2 500
h_check "Retry-After: 2 on a 429: the next request came >= 2 s later" \
	"$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
i = [k for k, x in enumerate(r) if x["status"] == 429][0]
gap = r[i + 1]["time"] - r[i]["time"]
print("# gap after the 429: %.3f s" % gap)
sys.exit(0 if gap >= 1.95 else 1)' "$H_DIR/req-ra.json"
h_check "Retry-After: 2 on every 200: requests >= 2 s apart" "$PYTHON3" "$H_DIR/gaps.py" "$H_DIR/req-ra2.json" 1 2000
h_check "near-limit server: no request was answered 429" \
	test "$(jq '[.[] | select(.status == 429)] | length' "$H_DIR/req-near.json")" = 0
for m in lim ra ra2 near; do
	h_check "$m: every event once" test "$(missing "$H_DIR/out-$m.log" "$H_DIR/oracle-$m.jsonl")" = 0 -a \
		"$(dup_count "$H_DIR/out-$m.log")" = 0
done
stats_again
S=$H_DIR/stats.log
h_check "impstats: ratelimit.throttled > 0 for the limited input" \
	test "$(icf_stats "$S" ratelimit.throttled 'imconfluence(lim)')" -gt 0
h_check "impstats: http.429 = 1 and ratelimit.waits >= 1 after the 429" \
	test "$(icf_stats "$S" http.429 'imconfluence(ra)')" = 1 -a "$(icf_stats "$S" ratelimit.waits 'imconfluence(ra)')" -ge 1
h_check "impstats: ratelimit.waits counts Retry-After on 200s" \
	test "$(icf_stats "$S" ratelimit.waits 'imconfluence(ra2)')" -ge 3
h_check "impstats: ratelimit.nearlimit > 0, http.429 = 0 for the near-limit server" \
	test "$(icf_stats "$S" ratelimit.nearlimit 'imconfluence(near)')" -gt 0 -a "$(icf_stats "$S" http.429 'imconfluence(near)')" = 0
h_check "impstats: an input without limits throttled nothing" \
	test "$(icf_stats "$S" ratelimit.throttled 'imconfluence(near)')" = 0
h_check "the slow-down was logged with the server's reason" \
	grep -q "imconfluence(near): the server asks to slow down (near its rate limit.*reason jira-burst-based" "$H_INTERNAL"
h_stop 10
h_check "rsyslogd stops cleanly" test $? = 0
h_done
