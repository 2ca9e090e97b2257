#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# selftest.sh -- TAP self test of tests/mock/confluence_mock.py.
# Starts the mock on port 0 over HTTP and HTTPS (with client certificates) and
# checks paging, bounds, auth, faults, control API, TLS and speed with curl and
# python3.  Exit status is non-zero when any check fails.
#   SELFTEST_PERF_EVENTS  events for the paging check (default 5000: that
#                         paging through many pages works, with no page
#                         slower than 1 s; contrib/bench-mock.sh runs it with
#                         100000 as a speed benchmark)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
MOCK="$HERE/confluence_mock.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/confmock-selftest.XXXXXX")
PERF_EVENTS=${SELFTEST_PERF_EVENTS:-5000}
PY3=${PYTHON3:-python3} # make check's (configure's) Python
PIDS=()
N=0
FAILS=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $1"; }
diag() { sed 's/^/# /'; }

# check "description" command...  (the command's output is shown on failure)
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
		[ -n "$out" ] && [ -n "${VERBOSE:-}" ] && printf '%s\n' "$out" | diag
	else
		notok "$desc"
		printf '%s\n' "$out" | head -30 | diag
	fi
	return 0
}

# start_mock NAME ARGS...: start in the background, wait for its port file
start_mock() {
	local name=$1 i
	shift
	"$PY3" "$MOCK" --port-file "$WORK/$name.port" --pid-file "$WORK/$name.pid" \
		--log "$WORK/$name.log" "$@" 2>"$WORK/$name.err" &
	PIDS+=($!)
	eval "PID_$name=$!"
	for ((i = 0; i < 200; i++)); do
		[ -s "$WORK/$name.port" ] && break
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
	done
	if [ -s "$WORK/$name.port" ]; then
		eval "PORT_$name=$(cat "$WORK/$name.port")"
		return 0
	fi
	cat "$WORK/$name.err" | diag
	return 1
}

py() { "$PY3" "$WORK/t.py" "$@"; }

# --------------------------------------------------------------------------
cat >"$WORK/t.py" <<'PYEOF'
import base64, http.client, json, os, socket, ssl, sys, threading, time, urllib.parse

E = os.environ
A = "http://127.0.0.1:%s" % E.get("PORT_A", "0")
ANCHOR = int(E.get("ANCHOR", "0"))
SPAN_MS = 3600 * 1000
AUTH = {"Authorization": "Basic " + base64.b64encode(b"alice:s3cr=t:x").decode()}
BEARER = {"Authorization": "Bearer TOK-123"}
DC = "/rest/auditing/1.0/events"
CL = "/wiki/rest/api/audit"


def iso(ms):
    s, m = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % m


def req(url, method="GET", body=None, headers=None, timeout=10):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    path = u.path + ("?" + u.query if u.query else "")
    h = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def jget(url, headers=AUTH, status=200):
    st, h, b = req(url, headers=headers)
    assert st == status, "%s -> %d %r" % (url, st, b[:300])
    return json.loads(b)


def q(**kw):
    return urllib.parse.urlencode(kw)


def oracle(flavor, **kw):
    kw.update(flavor=flavor)
    return jget(A + "/__mock/events?" + q(**kw), headers={})


def raw_entities(body, key):
    """split the entity list out of a page, keeping each entity's exact bytes"""
    d = json.loads(body)
    return [json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() for e in d[key]], d


def window_kw():
    return dict(from_ms=ANCHOR - SPAN_MS, to_ms=ANCHOR)


def dc_walk(limit, base=A, headers=AUTH, extra=None, max_pages=100000):
    params = {"from": iso(ANCHOR - SPAN_MS), "to": iso(ANCHOR), "limit": limit}
    params.update(extra or {})
    out, pages, cursor = [], 0, None
    while pages < max_pages:
        p = dict(params)
        if cursor:
            p["pageCursor"] = cursor
        st, h, b = req(base + DC + "?" + q(**p), headers=headers)
        assert st == 200, (st, b[:200])
        d = json.loads(b)
        pages += 1
        out.extend(d["entities"])
        pi = d["pagingInfo"]
        assert pi["size"] == len(d["entities"])
        if pi["lastPage"]:
            assert "nextPageCursor" not in pi and "nextPageLink" not in pi, pi
            return out, pages
        cursor = pi["nextPageCursor"]
    return out, pages


def t_auth():
    for path in (DC, CL):
        st, h, b = req(A + path)
        assert st == 401, st
        assert "message" in b.decode() or "errors" in b.decode(), b
        json.loads(b)
        bad = {"Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode()}
        assert req(A + path, headers=bad)[0] == 401
        assert req(A + path, headers={"Authorization": "Bearer nope"})[0] == 401
        assert req(A + path, headers={"Authorization": "Basic %%%"})[0] == 401
        assert req(A + path, headers=AUTH)[0] == 200
        assert req(A + path, headers=BEARER)[0] == 200


def t_reqlog():
    reqs = jget(A + "/__mock/requests", headers={})
    labels = set(r["auth"] for r in reqs)
    for want in ("none", "basic:alice", "bearer"):
        assert want in labels, labels
    r = reqs[-1]
    for k in ("method", "path", "query", "auth", "host", "time", "status"):
        assert k in r, (k, r)
    assert r["host"] == "127.0.0.1:%s" % E["PORT_A"], r["host"]
    assert all(not x["path"].startswith("/__mock") for x in reqs)
    blob = json.dumps(reqs) + open(E["WORK"] + "/A.log").read()
    for secret in ("s3cr=t:x", "TOK-123", base64.b64encode(b"alice:s3cr=t:x").decode()):
        assert secret not in blob, "secret %r leaked into the request log" % secret


def t_dc_walk():
    want = oracle("datacenter", exclude_search=1, **window_kw())
    assert len(want) == 2000, len(want)
    got, pages = dc_walk(7)
    assert pages == (2000 + 6) // 7, pages
    assert got == list(reversed(want)), "walk differs from oracle"
    meta = jget(A + "/__mock/events?" + q(flavor="datacenter", format="meta", exclude_search=1,
                                          **window_kw()), headers={})
    ts = [m["ts"] for m in meta]
    ties = len(ts) - len(set(ts))
    assert ties >= 100, "only %d ties" % ties
    keys = [(m["ts"], m["id"]) for m in meta]
    assert keys == sorted(keys)
    # a page boundary must fall inside a tie group at least once with limit 7
    bnd = [i for i in range(7, len(ts), 7) if ts[-i] == ts[-i - 1]]
    assert bnd, "no page boundary inside a tie"


def t_dc_order():
    d = jget(A + DC + "?" + q(limit=50, **{"from": iso(ANCHOR - SPAN_MS), "to": iso(ANCHOR)}))
    t = [e["timestamp"] for e in d["entities"]]
    assert t == sorted(t, reverse=True), t
    assert t[0] == iso(ANCHOR), (t[0], iso(ANCHOR))


def tie_ms():
    meta = jget(A + "/__mock/events?" + q(flavor="datacenter", format="meta", exclude_search=1,
                                          **window_kw()), headers={})
    from collections import Counter
    c = Counter(m["ts"] for m in meta)
    ms, n = max(sorted(c.items()), key=lambda x: x[1])
    assert n >= 2
    return ms, n


def t_dc_bounds():
    ms, n = tie_ms()
    d = jget(A + DC + "?" + q(**{"from": iso(ms), "to": iso(ms), "limit": 100}))
    assert len(d["entities"]) == n, (len(d["entities"]), n)
    assert all(e["timestamp"] == iso(ms) for e in d["entities"])
    # microsecond precision: 0.5 ms after the tie excludes it, before includes it
    us_after = iso(ms)[:-1] + "500Z"
    d = jget(A + DC + "?" + q(**{"from": us_after, "to": iso(ms + 5000), "limit": 1000}))
    assert all(e["timestamp"] != iso(ms) for e in d["entities"])
    d = jget(A + DC + "?" + q(**{"from": iso(ms - 1), "to": iso(ms), "limit": 1000}))
    assert sum(e["timestamp"] == iso(ms) for e in d["entities"]) == n
    # offsets are accepted
    d = jget(A + DC + "?" + q(**{"from": iso(ms), "to": iso(ms) [:-1] + "+00:00"}))
    assert len(d["entities"]) == n


def t_dc_links():
    p = {"from": iso(ANCHOR - SPAN_MS), "to": iso(ANCHOR), "limit": 3}
    d = jget(A + DC + "?" + q(**p))
    pi = d["pagingInfo"]
    assert pi["lastPage"] is False and pi["limit"] == 3 and pi["size"] == 3
    assert pi["nextPageOffset"] == 0
    ts, eid = pi["nextPageCursor"].split(",")
    assert int(ts) <= ANCHOR
    link = urllib.parse.urlsplit(pi["nextPageLink"])
    assert link.netloc == "127.0.0.1:%s" % E["PORT_A"], link
    lq = dict(urllib.parse.parse_qsl(link.query))
    assert lq["pageCursor"] == pi["nextPageCursor"] and lq["from"] == p["from"], lq
    # following the link gives the same as using the cursor
    d2 = jget(pi["nextPageLink"])
    d3 = jget(A + DC + "?" + q(pageCursor=pi["nextPageCursor"], **p))
    assert d2["entities"] == d3["entities"] and len(d2["entities"]) == 3
    # offset skips within the window
    d4 = jget(A + DC + "?" + q(offset=3, **p))
    assert d4["entities"] == d3["entities"]


def t_dc_search_event():
    t0 = int(time.time() * 1000)
    d = jget(A + DC + "?" + q(limit=5, **{"from": iso(ANCHOR - SPAN_MS), "to": iso(ANCHOR)}))
    t1 = int(time.time() * 1000)
    evs = oracle("datacenter", from_ms=t0 - 1, to_ms=t1 + 1)
    ss = [e for e in evs if e["type"]["actionI18nKey"] == "atlassian.audit.event.action.audit.search"]
    assert ss, "no search event logged"
    e = ss[-1]
    attrs = {a["name"]: a["value"] for a in e["extraAttributes"]}
    assert attrs["Results returned"] == "5", attrs
    assert attrs["Query"].startswith("From : "), attrs
    assert e["author"]["name"] == "alice"
    # it is visible to the next DC search (not the one that created it)
    d = jget(A + DC + "?" + q(limit=1000, **{"from": iso(t0 - 1)}))
    assert any(x["type"]["action"] == "Audit Log search performed" for x in d["entities"])


def cloud_walk(limit, base=A + "/wiki", headers=AUTH, sd=None, ed=None, max_pages=100000):
    sd = ANCHOR - SPAN_MS if sd is None else sd
    ed = ANCHOR if ed is None else ed
    url = base + "/rest/api/audit?" + q(startDate=sd, endDate=ed, limit=limit)
    out, pages = [], 0
    while url and pages < max_pages:
        st, h, b = req(url, headers=headers)
        assert st == 200, (st, b[:300])
        d = json.loads(b)
        pages += 1
        assert d["size"] == len(d["results"]) and d["limit"] == limit
        out.extend(d["results"])
        nxt = d["_links"].get("next")
        url = (d["_links"]["base"] + nxt) if nxt else None
        if not nxt:
            assert d["start"] + d["size"] >= 0
    return out, pages, d


def t_cloud_walk():
    want = oracle("cloud", exclude_search=1, **window_kw())
    got, pages, last = cloud_walk(9)
    assert pages == (2000 + 8) // 9, pages
    assert got == list(reversed(want)), "cloud walk differs from oracle"
    l = last["_links"]
    assert l["base"] == A + "/wiki" and l["context"] == "/wiki", l
    assert "next" not in l
    c = [r["creationDate"] for r in got]
    assert c == sorted(c, reverse=True)
    d = jget(A + CL + "?" + q(startDate=ANCHOR - SPAN_MS, endDate=ANCHOR, limit=4))
    nxt = d["_links"]["next"]
    assert nxt.startswith("/rest/api/audit?"), nxt
    assert dict(urllib.parse.parse_qsl(nxt.split("?", 1)[1]))["start"] == "4"


def t_cloud_bounds():
    ms, n = tie_ms()
    d = jget(A + CL + "?" + q(startDate=ms, endDate=ms))
    assert len(d["results"]) == n and all(r["creationDate"] == ms for r in d["results"])
    d = jget(A + CL + "?" + q(startDate=ms + 1, endDate=ms + 1000))
    assert all(r["creationDate"] != ms for r in d["results"])


def t_shapes():
    d = jget(A + DC + "?" + q(limit=200, to=iso(ANCHOR)))
    kinds, v6, uni = set(), False, False
    for e in d["entities"]:
        assert list(e)[:2] == ["timestamp", "author"], list(e)
        for k in ("action", "actionI18nKey", "category", "categoryI18nKey"):
            assert k in e["type"]
        kinds.add(e["type"]["category"])
        v6 |= ":" in e.get("source", "")
        uni |= any(ord(ch) > 127 for ch in json.dumps(e, ensure_ascii=False))
    assert len(kinds) >= 5 and v6 and uni, (kinds, v6, uni)
    c = jget(A + CL + "?" + q(limit=200, endDate=ANCHOR))
    for r in c["results"]:
        for k in ("author", "remoteAddress", "creationDate", "summary", "category",
                  "affectedObject", "associatedObjects", "changedValues", "description", "sysAdmin"):
            assert k in r, k
        assert isinstance(r["creationDate"], int)
        for cv in r["changedValues"]:
            assert set(("name", "oldValue", "newValue")) <= set(cv)


def t_bytes_stable():
    p = {"from": iso(ANCHOR - SPAN_MS), "to": iso(ANCHOR)}
    b1 = req(A + DC + "?" + q(limit=10, **p), headers=AUTH)[2]
    b2 = req(A + DC + "?" + q(limit=10, **p), headers=AUTH)[2]
    assert b1 == b2
    # the same event has the same bytes regardless of the page it is on
    st, h, b3 = req(A + DC + "?" + q(limit=7, **p), headers=AUTH)
    e10 = b1.split(b'"entities":[', 1)[1]
    e7 = b3.split(b'"entities":[', 1)[1]
    first7 = json.loads(b3)["entities"]
    n = len(json.dumps(first7[0], ensure_ascii=False, separators=(",", ":")).encode())
    assert e10[:n] == e7[:n]
    c1 = req(A + CL + "?" + q(limit=10, startDate=0, endDate=ANCHOR), headers=AUTH)[2]
    c2 = req(A + CL + "?" + q(limit=10, startDate=0, endDate=ANCHOR), headers=AUTH)[2]
    assert c1 == c2


def t_max_limit():
    d = jget(A + CL + "?" + q(limit=5000, startDate=0, endDate=ANCHOR))
    assert d["limit"] == 500 and len(d["results"]) == 500, (d["limit"], len(d["results"]))
    d = jget(A + DC + "?" + q(limit=5000, to=iso(ANCHOR)))
    assert d["pagingInfo"]["limit"] == 500 and len(d["entities"]) == 500


def t_bad_params():
    bad = [DC + "?from=yesterday", DC + "?from=2021-11-23T00:44:36.398+01:00",
           DC + "?limit=abc", DC + "?limit=0", DC + "?pageCursor=xyz",
           DC + "?pageCursor=123", DC + "?to=", DC + "?offset=-1",
           CL + "?startDate=2021-01-01T00:00:00Z", CL + "?limit=-1", CL + "?start=x",
           CL + "?endDate=", CL + "?startDate=1.5e12"]
    for u in bad:
        st, h, b = req(A + u, headers=AUTH)
        assert st == 400, (u, st, b[:200])
        assert h["content-type"].startswith("application/json"), h
        json.loads(b)


def fault(*fs):
    st, h, b = req(A + "/__mock/faults", "POST", list(fs))
    assert st == 200, b


def t_fault_status():
    req(A + "/__mock/faults", "DELETE")
    fault({"kind": "status", "status": 500, "count": 2})
    s = [req(A + DC, headers=AUTH)[0] for _ in range(3)]
    assert s == [500, 500, 200], s
    fault({"kind": "status", "status": 503, "flavor": "cloud"})
    assert req(A + DC, headers=AUTH)[0] == 200
    st, h, b = req(A + CL, headers=AUTH)
    assert st == 503 and json.loads(b)["statusCode"] == 503
    fault({"kind": "status", "status": 403}, {"kind": "status", "status": 401},
          {"kind": "status", "status": 502, "body": "<html>bad gateway</html>",
           "content_type": "text/html"})
    st, h, b = req(A + CL, headers=AUTH)
    assert st == 403 and b"Free edition" in b, (st, b)
    assert req(A + DC, headers=AUTH)[0] == 401
    st, h, b = req(A + DC, headers=AUTH)
    assert st == 502 and b == b"<html>bad gateway</html>"


def t_fault_retry_after():
    fault({"kind": "retry_after", "status": 429, "value": "9223372036854775807"},
          {"kind": "retry_after", "status": 503, "value": "1"})
    st, h, b = req(A + CL, headers=AUTH)
    assert st == 429 and h["retry-after"] == "9223372036854775807", (st, h)
    assert h.get("x-ratelimit-limit") == "0"
    st, h, b = req(A + DC, headers=AUTH)
    assert st == 503 and h["retry-after"] == "1"
    assert req(A + DC, headers=AUTH)[0] == 200


def t_fault_slow():
    fault({"kind": "slow", "seconds": 1.5})
    res = {}
    def slow():
        t = time.time()
        res["st"] = req(A + DC + "?limit=1", headers=AUTH)[0]
        res["dt"] = time.time() - t
    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.2)
    t = time.time()
    assert req(A + "/__mock/health")[0] == 200
    assert req(A + CL + "?limit=1", headers=AUTH)[0] == 200
    fast = time.time() - t
    th.join()
    assert res["st"] == 200 and res["dt"] >= 1.4, res
    assert fast < 0.5, "other requests blocked %.2fs" % fast


def t_control_no_consume():
    fault({"kind": "status", "status": 418})
    for _ in range(3):
        assert req(A + "/__mock/health")[0] == 200
        req(A + "/__mock/requests")
        req(A + "/__mock/events?flavor=cloud&from_ms=0&to_ms=1")
    assert jget(A + "/__mock/faults", headers={})["queue"][0]["kind"] == "status"
    assert req(A + CL, headers=AUTH)[0] == 418
    fault({"kind": "status", "status": 500, "count": 5})
    req(A + "/__mock/faults", "DELETE")
    assert req(A + CL, headers=AUTH)[0] == 200
    for badf in ({"kind": "slow", "seconds": "abc"}, {"kind": "status", "status": 99},
                 {"kind": "nope"}, {"kind": "status", "flavor": "jira"}, "x"):
        assert req(A + "/__mock/faults", "POST", [badf])[0] == 400, badf
    assert jget(A + "/__mock/faults", headers={})["queue"] == []


def t_fault_nonjson():
    fault({"kind": "nonjson"})
    st, h, b = req(A + CL, headers=AUTH)
    assert st == 200 and h["content-type"].startswith("text/html") and b.startswith(b"<!DOCTYPE")


def t_fault_endless():
    for flavor in ("datacenter", "cloud"):
        req(A + "/__mock/faults", "DELETE")
        fault({"kind": "endless", "flavor": flavor})
        if flavor == "datacenter":
            got, pages = dc_walk(500, max_pages=12)
        else:
            got, pages, _ = cloud_walk(500, max_pages=12)
        assert pages == 12, "%s: stopped after %d pages" % (flavor, pages)
        req(A + "/__mock/faults", "DELETE")
        if flavor == "datacenter":
            got, pages = dc_walk(500, max_pages=12)
        else:
            got, pages, _ = cloud_walk(500, max_pages=12)
        assert pages == 4, (flavor, pages)


def t_fault_foreign_next():
    fault({"kind": "foreign_next", "host": "evil.example:9", "flavor": "cloud"},
          {"kind": "foreign_next", "flavor": "datacenter"})
    d = jget(A + CL + "?limit=5")
    assert d["_links"]["next"].startswith("http://evil.example:9/wiki/rest/api/audit?"), d["_links"]
    d = jget(A + DC + "?limit=5")
    assert d["pagingInfo"]["nextPageLink"].startswith("http://evil.example:9/rest/auditing/"), d
    fault({"kind": "shuffle_links_host", "flavor": "cloud"})
    d = jget(A + CL + "?limit=5")
    assert d["_links"]["base"] == "https://example.atlassian.net/wiki", d["_links"]
    assert d["_links"]["next"].startswith("/rest/api/audit?")


def t_late_events():
    ts = int(time.time() * 1000) - 600000
    ev = {"timestamp": iso(ts), "author": {"name": "late writer", "type": "user", "id": "L1"},
          "type": {"categoryI18nKey": "c", "category": "Users and groups",
                   "actionI18nKey": "a", "action": "User created"},
          "affectedObjects": [], "changedValues": [], "source": "192.0.2.1",
          "system": "", "method": "Browser", "extraAttributes": []}
    st, h, b = req(A + "/__mock/events", "POST", [{"event": ev, "visible_after": 1.0}])
    assert st == 200 and json.loads(b)["pending"] == 1, b
    def seen():
        d = jget(A + DC + "?" + q(**{"from": iso(ts), "to": iso(ts), "limit": 10}))
        return [e for e in d["entities"] if e["author"]["name"] == "late writer"]
    assert not seen(), "late event visible too early"
    assert not [e for e in oracle("datacenter", from_ms=ts, to_ms=ts)]
    time.sleep(1.1)
    s = seen()
    assert len(s) == 1 and s[0]["timestamp"] == iso(ts), s
    o = oracle("datacenter", from_ms=ts, to_ms=ts)
    assert len(o) == 1 and o[0] == ev, o


def t_post_shapes():
    ts = ANCHOR + 5000
    dc = {"timestamp": iso(ts), "author": {"name": "Zoë", "type": "user", "id": "u9"},
          "type": {"categoryI18nKey": "k", "category": "Spaces", "actionI18nKey": "k2",
                   "action": "Space created"},
          "affectedObjects": [{"name": "Ops 🚀", "type": "Space"}], "changedValues": [],
          "source": "2001:db8::7", "system": "", "method": "Browser", "extraAttributes": []}
    cl = {"author": {"type": "user", "displayName": "李雷", "accountId": "abc"},
          "remoteAddress": "198.51.100.7", "creationDate": ts + 1, "summary": "Group created",
          "description": "", "category": "Users and groups", "sysAdmin": False,
          "superAdmin": False, "affectedObject": {"name": "g1", "objectType": "Group"},
          "changedValues": [{"name": "Name", "oldValue": "", "newValue": "g1"}],
          "associatedObjects": []}
    fl = json.loads(open(E["FIXTURES"] + "/test-audit-files.log").readline())
    fl["timestamp"] = {"epochSecond": (ts + 2) // 1000, "nano": ((ts + 2) % 1000) * 1000000}
    st, h, b = req(A + "/__mock/events", "POST", [dc, cl, fl])
    assert st == 200 and json.loads(b)["added"] == 3, b
    od = oracle("datacenter", from_ms=ts, to_ms=ts + 2)
    oc = oracle("cloud", from_ms=ts, to_ms=ts + 2)
    assert len(od) == 3 and len(oc) == 3
    assert od[0] == dc and oc[1] == cl
    # DC passthrough is byte-identical to the compact input
    st, h, b = req(A + DC + "?" + q(**{"from": iso(ts), "to": iso(ts)}), headers=AUTH)
    assert json.dumps(dc, ensure_ascii=False, separators=(",", ":")).encode() in b
    assert od[1]["type"]["action"] == "Group created" and od[1]["source"] == "198.51.100.7"
    assert od[2]["timestamp"] == iso(ts + 2) and od[2]["type"]["area"] == fl["auditType"]["area"]
    assert oc[0]["summary"] == "Space created" and oc[0]["creationDate"] == ts
    st, h, b = req(A + "/__mock/events", "POST", b"{not json")
    assert st == 400
    st, h, b = req(A + "/__mock/events", "POST", [{"timestamp": "garbage"}])
    assert st == 400


def t_generate():
    t0 = ANCHOR + 100000
    st, h, b = req(A + "/__mock/generate", "POST", {"count": 50, "ts_from_ms": t0, "ts_to_ms": t0 + 999})
    assert st == 200, b
    o = oracle("cloud", from_ms=t0, to_ms=t0 + 999)
    assert len(o) == 50, len(o)
    d = jget(A + DC + "?" + q(**{"from": iso(t0), "to": iso(t0 + 999), "limit": 100}))
    assert len(d["entities"]) == 50
    assert req(A + "/__mock/generate", "POST", {"count": "x"})[0] == 400


def t_robust():
    host, port = "127.0.0.1", int(E["PORT_A"])
    for junk in (b"\x16\x03\x01\x00\xff garbage\r\n\r\n", b"GET\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n",
                 b"POST /__mock/events HTTP/1.1\r\nContent-Length: 99999\r\n\r\n[1,",
                 b"GET /rest/auditing/1.0/events?limit=%ZZ&from=%ff HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"BREW /wiki/rest/api/audit HTTP/1.1\r\n\r\n"):
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(junk)
        s.shutdown(socket.SHUT_WR)
        try:
            s.recv(65536)
        except OSError:
            pass
        s.close()
    # disconnect mid-response on a big page
    s = socket.create_connection((host, port), timeout=3)
    s.sendall(b"GET /wiki/rest/api/audit?limit=500 HTTP/1.1\r\nHost: x\r\nAuthorization: " +
              AUTH["Authorization"].encode() + b"\r\n\r\n")
    s.recv(100)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
    assert req(A + "/__mock/health")[0] == 200
    assert req(A + CL + "?limit=1", headers=AUTH)[0] == 200
    assert req(A + "/nope")[0] == 404
    assert req(A + CL, "POST", b"", headers=AUTH)[0] == 405


def t_determinism():
    d = "http://127.0.0.1:%s" % E["PORT_D"]
    for fl in ("datacenter", "cloud"):
        a = req(A + "/__mock/events?" + q(flavor=fl, exclude_search=1, format="jsonl", **window_kw()))[2]
        b = req(d + "/__mock/events?" + q(flavor=fl, exclude_search=1, format="jsonl", **window_kw()))[2]
        assert a == b and a.count(b"\n") == 2000


def perf():
    port = E["PORT_C"]
    res = []
    for fl in ("datacenter", "cloud", "datacenter", "cloud"):
        c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
        got, cursor, start, worst, t0, nb = 0, None, 0, 0.0, time.time(), 0
        while True:
            if fl == "datacenter":
                path = DC + "?limit=1000" + ("&pageCursor=" + cursor if cursor else "")
            else:
                path = CL + "?limit=1000&start=%d" % start
            t = time.time()
            c.request("GET", path)
            r = c.getresponse()
            b = r.read()
            worst = max(worst, time.time() - t)
            assert r.status == 200
            nb += len(b)
            d = json.loads(b)
            if fl == "datacenter":
                got += len(d["entities"])
                cursor = d["pagingInfo"].get("nextPageCursor")
                if not cursor:
                    break
            else:
                got += len(d["results"])
                if "next" not in d["_links"]:
                    break
                start += 1000
        el = time.time() - t0
        res.append("%s %s: %d events, %d pages in %.2fs (%.0f events/s, %.1f MB, slowest page %.0f ms)" % (
            fl, "cold" if len(res) < 2 else "warm", got, (got + 999) // 1000, el, got / el, nb / 1e6, worst * 1000))
        assert got == int(E["PERF_EVENTS"]), got
        assert worst < 1.0, res[-1]
    print("\n".join(res))


def t_tls():
    port = E["PORT_B"]
    pki = E["PKI"]
    ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
    ctx.load_cert_chain(pki + "/client.pem", pki + "/client.key")
    for host in ("localhost", "127.0.0.1"):
        c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=5)
        c.request("GET", "/ex/confluence/abc123/wiki/rest/api/audit?limit=3",
                  headers={"Authorization": "Bearer TLS-TOK"})
        r = c.getresponse()
        d = json.loads(r.read())
        assert r.status == 200 and len(d["results"]) == 3, r.status
        assert d["_links"]["base"] == "https://%s:%s/ex/confluence/abc123/wiki" % (host, port), d["_links"]
        assert d["_links"]["context"] == "/ex/confluence/abc123/wiki"
        c.request("GET", "/rest/auditing/1.0/events", headers={"Authorization": "Bearer TLS-TOK"})
        r = c.getresponse(); r.read()
        assert r.status == 404, "DC path must not exist with --flavor cloud"
        c.close()
    reqs = json.loads(req("http://127.0.0.1:%s/__mock/requests" % E["CPORT_B"])[2])
    assert reqs and reqs[0]["tls"] is True and reqs[0]["client_cert"] == "imconfluence-client", reqs[0]
    assert reqs[0]["auth"] == "bearer"

JR = "/rest/api/3/auditing/record"
J = "http://127.0.0.1:%s" % E.get("PORT_J", "0")


def jiso(ms):
    return iso(ms)[:-1] + "+0000"


def jira_walk(limit, base=A, frm=None, to=None, max_pages=100000):
    """offset/limit walk, offset += records received, until an empty page or total"""
    out, offset, pages = [], 0, 0
    while pages < max_pages:
        kw = {"offset": offset, "limit": limit}
        if frm is not None:
            kw["from"] = jiso(frm)
        if to is not None:
            kw["to"] = jiso(to)
        d = jget(base + JR + "?" + q(**kw))
        pages += 1
        assert d["offset"] == offset and isinstance(d["total"], int), d
        out += d["records"]
        offset += len(d["records"])
        if not d["records"] or offset >= d["total"]:
            return out, pages, d
    raise AssertionError("no end after %d pages" % pages)


def t_jira_walk():
    recs, pages, _ = jira_walk(7, frm=ANCHOR - SPAN_MS, to=ANCHOR)
    want = oracle("jira-cloud", **window_kw())
    assert pages > 100, pages
    assert [r["id"] for r in recs] == [r["id"] for r in reversed(want)], "walk != oracle, newest first"
    assert recs == list(reversed(want))
    for r in recs[:50]:
        assert isinstance(r["id"], int) and r["created"].endswith("+0000"), r
    # from/to are inclusive, to the millisecond, and take the +0000 form
    t = recs[3]["created"]
    ms = int(time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone) * 1000 + int(t[20:23])
    got, _, _ = jira_walk(1000, frm=ms, to=ms)
    assert recs[3] in got and all(g["created"] == t for g in got), (t, got)


def t_jira_quirks():
    # total overstated by 5: the page past the real end is empty
    d = jget(J + JR + "?" + q(offset=0, limit=1000))
    n = len(d["records"])
    assert d["total"] == n + 5 and n == 40, (d["total"], n)
    e = jget(J + JR + "?" + q(offset=n, limit=10))
    assert e["records"] == [] and e["total"] == n + 5, e
    # limit above 1000 is answered with 1000
    assert jget(J + JR + "?" + q(limit=5000))["limit"] == 1000
    # a 429 with Retry-After, Jira's error body
    st, h, b = req(J + "/__mock/faults", "POST", {"kind": "retry_after", "flavor": "jira-cloud", "value": "3"})
    assert st == 200, b
    st, h, b = req(J + JR, headers=AUTH)
    assert st == 429 and h.get("retry-after") == "3" and json.loads(b)["errorMessages"], (st, h, b)
    assert jget(J + JR + "?" + q(limit=1))["records"]
    st, h, b = req(J + JR + "?from=yesterday", headers=AUTH)
    assert st == 400 and json.loads(b)["errorMessages"], (st, b)
    # a posted Jira Cloud record is served as posted
    rec = {"id": 11938, "summary": "User created", "created": "2022-01-24T08:48:05.645+0000",
           "category": "user management", "objectItem": {"id": "x", "name": "x", "typeName": "USER"}}
    st, h, b = req(J + "/__mock/events", "POST", [rec])
    assert st == 200, b
    got, _, _ = jira_walk(1000, base=J, frm=1643014085645, to=1643014085645)
    assert got == [rec], got


def t_product_shapes():
    ents = jget(J + DC + "?" + q(limit=40))["entities"]
    assert len(ents) == 40, len(ents)
    assert {e["system"] for e in ents} == {"http://bitbucket.internal:7990"}, ents[0]
    assert all(e["type"]["actionI18nKey"].startswith("bitbucket.") for e in ents), ents[0]
    assert len({json.dumps(e, sort_keys=True) for e in ents}) == 40, "events not distinct"


if __name__ == "__main__":
    globals()[sys.argv[1]]()
PYEOF
# --------------------------------------------------------------------------

PKI="$WORK/pki"
FIXTURES="$HERE/../fixtures/elastic-confluence"
NOW_MS=$("$PY3" -c 'import time; print(int(time.time()*1000))')
ANCHOR=$((NOW_MS - 7200000))
export WORK PKI FIXTURES ANCHOR PERF_EVENTS

pki_idempotent() {
	local before
	before=$(cat "$PKI"/*.pem | md5sum)
	bash "$HERE/make_test_ca.sh" "$PKI" || return 1
	[ "$before" = "$(cat "$PKI"/*.pem | md5sum)" ] || { echo "regenerated"; return 1; }
	openssl verify -CAfile "$PKI/ca.pem" "$PKI/server.pem" "$PKI/client.pem" "$PKI/wronghost.pem" &&
		openssl verify -CAfile "$PKI/rogue-ca.pem" "$PKI/rogue-server.pem" "$PKI/rogue-client.pem" &&
		! openssl verify -CAfile "$PKI/ca.pem" "$PKI/rogue-server.pem" >/dev/null 2>&1 &&
		openssl x509 -in "$PKI/server.pem" -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1'
}
files_ok() {
	grep -qxE '[0-9]+' "$WORK/A.port" || { echo "port file: $(cat "$WORK/A.port")"; return 1; }
	[ "$(cat "$WORK/A.pid")" = "$PID_A" ] || { echo "pid file: $(cat "$WORK/A.pid") != $PID_A"; return 1; }
	! ls -a "$WORK" | grep -F '.tmp.'
}
check "make_test_ca.sh creates the test PKI" bash "$HERE/make_test_ca.sh" "$PKI"
check "make_test_ca.sh is idempotent and leaves verifiable certs" pki_idempotent

COMMON=(--events 2000 --span 3600 --anchor-ms "$ANCHOR" --seed 7)
if start_mock A "${COMMON[@]}" --user alice --password 's3cr=t:x' --token TOK-123 --max-limit 500; then
	ok "HTTP mock starts on port 0 and writes its port file"
else
	notok "HTTP mock starts on port 0 and writes its port file"
	echo "Bail out! mock did not start"
	exit 1
fi
export PORT_A
check "port file holds only the port; pid file names the server; no temp files left" files_ok
check "GET /__mock/health is 200" curl -fsS -o /dev/null "http://127.0.0.1:$PORT_A/__mock/health"

check "auth: none/wrong -> 401 JSON, Basic and Bearer accepted (DC and Cloud)" py t_auth
check "request log records method/path/query/host and auth scheme+user, never secrets" py t_reqlog
check "DC: cursor walk at limit 7 equals the oracle exactly (ties across page boundaries)" py t_dc_walk
check "DC: newest first" py t_dc_order
check "DC: from/to are inclusive, to the microsecond" py t_dc_bounds
check "DC: pagingInfo cursor, absolute nextPageLink, offset" py t_dc_links
check "DC: each search logs an 'Audit Log search performed' event" py t_dc_search_event
check "Cloud: start/limit walk via _links.next equals the oracle exactly" py t_cloud_walk
check "Cloud: startDate/endDate are inclusive" py t_cloud_bounds
check "event shapes: DC entities and Cloud results, varied, IPv6, unicode" py t_shapes
check "the same event is served byte-identically" py t_bytes_stable
check "--max-limit caps limit and the response reports the cap" py t_max_limit
check "invalid parameters -> 400 with a JSON body" py t_bad_params
check "fault status: count, flavor targeting, 401/403/502 bodies" py t_fault_status
check "fault retry_after: absurd Retry-After passed through, 503 too" py t_fault_retry_after
check "fault slow does not block other requests" py t_fault_slow
check "control endpoints never consume faults; DELETE clears" py t_control_no_consume

tls_refused() {  # curl args...: the TLS handshake must fail (35; 55/56 when TLS 1.3 reports it late)
	local rc
	curl -sS -o /dev/null "$@" 2>/dev/null
	rc=$?
	case $rc in 35 | 55 | 56) return 0 ;; *) echo "curl exit $rc"; return 1 ;; esac
}
curl_rc() {  # expected-rc curl args...
	local want=$1 rc
	shift
	curl -sS -o /dev/null "$@" 2>/dev/null
	rc=$?
	[ "$rc" = "$want" ] || { echo "curl exit $rc, want $want"; return 1; }
}
AU=(-u 'alice:s3cr=t:x')
BASE_A="http://127.0.0.1:$PORT_A"
add_fault() { curl -fsS -X POST -d "$1" "$BASE_A/__mock/faults" >/dev/null; }
f_reset() { add_fault '[{"kind":"reset"}]' && curl_rc 56 "${AU[@]}" "$BASE_A/wiki/rest/api/audit"; }
f_truncate() {
	add_fault '[{"kind":"truncate","flavor":"datacenter"}]' &&
		curl_rc 18 "${AU[@]}" "$BASE_A/rest/auditing/1.0/events?limit=50"
}
f_stall() {
	add_fault '[{"kind":"stall_body","seconds":30}]' &&
		curl_rc 28 --max-time 1 "${AU[@]}" "$BASE_A/wiki/rest/api/audit?limit=100" &&
		curl -fsS -o /dev/null --max-time 2 "$BASE_A/__mock/health" &&
		curl -fsS --max-time 2 "$BASE_A/__mock/requests" | grep -q '"fault":"stall_body"'
}
check "fault reset: connection reset (curl 56)" f_reset
check "fault truncate: short body (curl 18)" f_truncate
check "fault stall_body: headers then stall (curl 28 after 1 s), logged at once, server keeps serving" f_stall
check "fault nonjson: 200 with an HTML body" py t_fault_nonjson
check "fault endless: next page forever (DC and Cloud) until DELETE /__mock/faults" py t_fault_endless
check "fault foreign_next and shuffle_links_host" py t_fault_foreign_next
check "late-written event: old timestamp, visible only after visible_after" py t_late_events
check "POST /__mock/events: DC, Cloud and DC-file shapes, rendered both ways" py t_post_shapes
check "POST /__mock/generate adds synthetic events in a range" py t_generate
check "garbage requests and mid-response disconnects do not hurt the server" py t_robust

check "Jira Cloud: offset walk at limit 7 equals the oracle, newest first; from/to inclusive, +0000" py t_jira_walk
if start_mock J --flavor both --product bitbucket --jira-total-extra 5 --events 40 --dc-search-events off; then
	export PORT_J
	check "Jira Cloud quirks: total overstated (empty page past the end), limit 1000, 429 Retry-After, 400" py t_jira_quirks
	check "--product bitbucket: Data Center events in Bitbucket's shape, distinct" py t_product_shapes
else
	notok "Jira/Bitbucket mock starts"
fi

if start_mock D "${COMMON[@]}" --dc-search-events off; then
	export PORT_D
	check "same --seed/--anchor-ms/--events give byte-identical events" py t_determinism
else
	notok "second instance starts"
fi

# ---- HTTPS with client certificates (Cloud flavor behind a gateway-like context)
if start_mock B --flavor cloud --context /ex/confluence/abc123/wiki --events 50 --token TLS-TOK \
	--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key" --client-ca "$PKI/ca.pem" \
	--control-port-file "$WORK/B.cport"; then
	ok "HTTPS mock (client certs required) starts"
	CPORT_B=$(cat "$WORK/B.cport")
	export PORT_B CPORT_B
	U="https://localhost:$PORT_B/ex/confluence/abc123/wiki/rest/api/audit"
	CC=(--cert "$PKI/client.pem" --key "$PKI/client.key")
	check "HTTPS: trusted CA + client cert -> 200 (curl)" curl -fsS -o /dev/null --cacert "$PKI/ca.pem" "${CC[@]}" -H 'Authorization: Bearer TLS-TOK' "$U"
	check "HTTPS: Cloud under a gateway context, 127.0.0.1 SAN, client cert logged" py t_tls
	check "HTTPS: rogue CA -> verification failure (curl 60)" curl_rc 60 --cacert "$PKI/rogue-ca.pem" "${CC[@]}" "$U"
	check "HTTPS: no client cert -> handshake refused" tls_refused --cacert "$PKI/ca.pem" "$U"
	check "HTTPS: client cert from the rogue CA -> refused" tls_refused --cacert "$PKI/ca.pem" \
		--cert "$PKI/rogue-client.pem" --key "$PKI/rogue-client.key" "$U"
	check "HTTPS: still serving after failed handshakes" curl -fsS -o /dev/null --cacert "$PKI/ca.pem" "${CC[@]}" "https://127.0.0.1:$PORT_B/__mock/health"
else
	notok "HTTPS mock (client certs required) starts"
fi
if start_mock W --tls-cert "$PKI/wronghost.pem" --tls-key "$PKI/wronghost.key" --events 5; then
	check "HTTPS: cert for another host name -> verification failure (curl 60)" \
		curl_rc 60 --cacert "$PKI/ca.pem" "https://localhost:$PORT_W/__mock/health"
	check "HTTPS: same cert accepted when only the chain is checked (-k control)" \
		curl -fsS -o /dev/null -k "https://localhost:$PORT_W/__mock/health"
else
	notok "wrong-host HTTPS mock starts"
fi

# ---- paging throughput
if start_mock C --events "$PERF_EVENTS" --dc-search-events off; then
	export PORT_C
	if out=$(py perf 2>&1); then
		ok "paging $PERF_EVENTS events at limit 1000 (DC cursor and Cloud offset)"
		printf '%s\n' "$out" | diag
	else
		notok "paging $PERF_EVENTS events at limit 1000"
		printf '%s\n' "$out" | diag
	fi
else
	notok "perf mock starts"
fi

# ---- clean shutdown
kill -TERM "$PID_A"
rc=0
for ((i = 0; i < 100; i++)); do
	kill -0 "$PID_A" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$PID_A" 2>/dev/null; then
	notok "SIGTERM stops the server"
else
	wait "$PID_A"
	rc=$?
	if [ "$rc" = 0 ]; then ok "SIGTERM: clean exit with status 0"; else notok "SIGTERM: exit status $rc"; fi
fi
check "no tracebacks on the servers' stderr" bash -c "! grep -l Traceback '$WORK'/*.err"

echo "1..$N"
if [ "$FAILS" -gt 0 ]; then
	echo "# $FAILS of $N checks failed"
	exit 1
fi
echo "# $N passed"
exit 0
