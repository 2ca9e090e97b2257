#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Mock of the Atlassian organization audit log's polling API for imconfluence tests.

Serves   GET /admin/v1/orgs/{orgId}/events-stream
         ?from=<ms>&to=<ms>&limit=<n>&sortOrder=asc   or   ?cursor=<opaque>&limit=<n>
         -> {"data": [...oldest processed first...], "links": {...}, "meta": {"next": ...}}
in the shapes of Elastic's API mock (config-audit*.yml), with every answer the
open API questions allow switchable, so the collector is tested against each:

  --last-page null     the last page with events has "next": null (Elastic's mock)
  --last-page empty    it has a cursor; the page after it is empty with "next": null
                       (Elastic's config-audit-empty-last-page.yml)
  --last-page cursor   every page carries a cursor, empty ones too ("can be used when
                       the last page is reached to poll for new events")
  --filter processedAt|time   what from/to are compared with (default processedAt)
  --from-exclusive     `from` is exclusive (default inclusive)
  --cursor-keeps-to    a cursor keeps the first request's `to` (default: it does not)
  --max-limit N        larger limits are clamped (default 500); --default-limit (200)

Control API (plain HTTP, same port), JSON in and out:
  POST /__mock/generate  {"count", "ts_from_ms", "ts_to_ms", "lag_ms"?, "processed_ms"?,
                          "visible_in_s"?}   synthetic events; processedAt = time + lag_ms
                          (default 1000), or processed_ms for all (late-processed events);
                          visible_in_s hides them from the API for that long
  POST /__mock/events    [event, ...] or {"events": [...]}: add events as given
  GET  /__mock/events    the served events (compact JSON, processing order), one per line
  POST /__mock/faults    {"kind": "status", "status": 429|401|403|500|400, "count": n,
                          "retry_after"?: "2", "body"?: "...", "only"?: "cursor"|"fresh"}
                          {"kind": "slow", "seconds": s, "count": n}
                          {"kind": "expire_cursors"}: every cursor issued so far answers 400
                          hostile servers (imconfluence_hostile_org.sh):
                          {"kind": "inject", "events": ["raw JSON", ...], "count": n}: added to
                          the page's data whatever the window
                          {"kind": "amplify", "n": N, "count": n}: a page of N distinct ids
  DELETE /__mock/faults  clear faults; POST /__mock/clear: no events
  GET  /__mock/requests  the API request log: [{seq, path, params, status, count, auth_ok,
                          accept, cursor}]

Python 3 standard library only.
"""

import argparse
import base64
import calendar
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORG_PREFIX = "/admin/v1/orgs/"
ORG_SUFFIX = "/events-stream"
ACTIONS = ["user_login", "user_logout", "api_token_created", "org_settings_update",
           "confluence_added_space_permission", "user_invitation_sent", "group_member_added",
           "marketplace_app_installed", "user_login_failed", "authentication_policy_update"]


def now_ms():
    return int(time.time() * 1000)


def iso_ms(ms):
    sec, milli = divmod(int(ms), 1000)
    t = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, milli)


def parse_iso_ms(s):
    """'2026-05-19T10:02:01.000Z' -> epoch ms (UTC only, as the API writes it)."""
    s = s.rstrip("Zz")
    frac = 0
    if "." in s:
        s, f = s.split(".", 1)
        frac = int((f + "000")[:3])
    t = time.strptime(s, "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(t) * 1000 + frac


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Event:
    __slots__ = ("id", "time_ms", "processed_ms", "visible_ms", "text")

    def __init__(self, obj, visible_ms=0):
        self.id = str(obj.get("id", ""))
        attrs = obj.get("attributes") or {}
        self.time_ms = parse_iso_ms(attrs["time"]) if attrs.get("time") else 0
        self.processed_ms = (parse_iso_ms(attrs["processedAt"]) if attrs.get("processedAt")
                             else self.time_ms)
        self.visible_ms = visible_ms
        self.text = dumps(obj)

    def key(self):
        return (self.processed_ms, self.id)


def synth(rng, t, p):
    """One event in the shape of Elastic's mock and sample_event.json."""
    n = rng.randrange(1, 1000)
    action = ACTIONS[rng.randrange(len(ACTIONS))]
    ev = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "type": "events",
        "attributes": {
            "time": iso_ms(t),
            "processedAt": iso_ms(p),
            "action": action,
            "actor": {
                "id": "712020:%08x-aaaa-4aaa-8aaa-%012x" % (n, n),
                "name": "User %d" % n,
                "email": "user%d@example.com" % n,
                "auth": {"authType": "session"},
            },
            "context": [],
            "container": [],
            "location": {"ip": "203.0.113.%d" % (n % 250 + 1), "geo": "EU",
                         "countryName": "Example Country", "city": "Example City"},
        },
        "links": {"self": "https://api.atlassian.com/admin/v1/orgs/x/events/%d" % n},
        "message": {"content": "User %d: %s" % (n, action), "format": "simple"},
    }
    return ev


class Mock:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.events = []          # sorted by key()
        self.requests = []
        self.faults = []
        self.seq = 0
        self.rng = random.Random(args.seed)
        self.cursor_gen_min = 0   # cursors of a lower generation are expired
        self.cursor_gen = 0
        self.nonce = "%08x" % random.Random().getrandbits(32)
        self.logf = open(args.log, "a") if args.log else None

    # ---- events ----
    def add(self, evs):
        with self.lock:
            self.events.extend(evs)
            self.events.sort(key=Event.key)

    def served(self):
        t = now_ms()
        return [e for e in self.events if e.visible_ms <= t]

    # ---- cursors: opaque to the client, base64url of a JSON position ----
    def make_cursor(self, after, frm, to):
        self.cursor_gen += 1
        raw = dumps({"a": list(after) if after else None, "f": frm, "t": to,
                     "g": self.cursor_gen, "n": self.nonce})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def read_cursor(self, c):
        try:
            raw = base64.urlsafe_b64decode(c + "=" * (-len(c) % 4))
            d = json.loads(raw)
            if d.get("n") != self.nonce or d["g"] < self.cursor_gen_min:
                return None
            return d
        except Exception:
            return None

    def take_fault(self, is_cursor):
        with self.lock:
            for f in self.faults:
                only = f.get("only")
                if only == "cursor" and not is_cursor or only == "fresh" and is_cursor:
                    continue
                if f.get("count", 1) <= 0:
                    continue
                f["count"] = f.get("count", 1) - 1
                return dict(f)
        return None

    def page(self, frm, to, after, limit):
        """Events after `after` (processing order) within [from, to] on the filter field."""
        a = self.args
        out = []
        for e in self.served():
            k = e.processed_ms if a.filter == "processedAt" else e.time_ms
            if frm is not None and (k < frm or (a.from_exclusive and k == frm)):
                continue
            if to is not None and k > to:
                continue
            if after is not None and e.key() <= tuple(after):
                continue
            out.append(e)
            if len(out) > limit:
                break
        return out[:limit], len(out) > limit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if self.server.mock.args.verbose:
            sys.stderr.write("mock: " + (fmt % a) + "\n")

    @property
    def mock(self):
        return self.server.mock

    def _send(self, status, body, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null") if n else None

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        try:
            if u.path.startswith("/__mock/"):
                return self._control(method, u.path, u.query)
            if method == "GET" and u.path.startswith(ORG_PREFIX) and u.path.endswith(ORG_SUFFIX):
                return self._stream(u)
            self._send(404, dumps({"code": 404, "message": "Not Found"}))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream(self, u):
        m, a = self.mock, self.mock.args
        params = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        org = u.path[len(ORG_PREFIX):-len(ORG_SUFFIX)]
        with m.lock:
            m.seq += 1
            rec = {"seq": m.seq, "path": u.path, "params": params, "status": None, "count": None,
                   "auth_ok": self.headers.get("Authorization") == "Bearer " + a.token,
                   "accept": self.headers.get("Accept"), "cursor": "cursor" in params,
                   "ms": now_ms()}
            m.requests.append(rec)
        status, body, headers = self._answer(org, params, rec)
        rec["status"] = status
        if m.logf:
            m.logf.write(dumps(rec) + "\n")
            m.logf.flush()
        self._send(status, body, headers)

    def _answer(self, org, params, rec):
        m, a = self.mock, self.mock.args
        if not rec["auth_ok"]:
            return 401, dumps({"code": 401, "message": "Unauthorized"}), None
        if org != a.org_id:
            return 404, dumps({"code": 404, "message": "Organization not found"}), None
        f = m.take_fault("cursor" in params)
        if f and f.get("kind") == "slow":
            time.sleep(float(f.get("seconds", 1)))
        elif f and f.get("kind") == "status":
            st = int(f["status"])
            hdr = {"Retry-After": str(f["retry_after"])} if f.get("retry_after") is not None else None
            return st, f.get("body", dumps({"errors": [{"status": str(st), "title": "mock fault"}]})), hdr
        try:
            limit = int(params.get("limit", a.default_limit))
        except ValueError:
            return 400, dumps({"errors": [{"status": "400", "title": "limit is not a number"}]}), None
        limit = max(1, min(limit, a.max_limit))
        if "cursor" in params:
            d = m.read_cursor(params["cursor"])
            if d is None:
                return 400, dumps({"errors": [{"status": "400", "title": "Invalid or expired cursor"}]}), None
            frm, to, after = d["f"], d["t"] if a.cursor_keeps_to else None, d["a"]
        else:
            if params.get("sortOrder", "asc") != "asc":
                return 400, dumps({"errors": [{"status": "400", "title": "the mock serves sortOrder=asc only"}]}), None
            try:
                frm = int(params["from"]) if "from" in params else None
                to = int(params["to"]) if "to" in params else None
            except ValueError:
                return 400, dumps({"errors": [{"status": "400", "title": "from/to are epoch ms"}]}), None
            after = None
        with m.lock:
            evs, more = m.page(frm, to, after, limit)
            last = evs[-1].key() if evs else after
            if more:
                nxt = m.make_cursor(last, frm, to)
            elif a.last_page == "cursor":
                nxt = m.make_cursor(last, frm, to)
            elif a.last_page == "empty" and evs:
                nxt = m.make_cursor(last, frm, to)
            else:
                nxt = None
        rec["count"] = len(evs)
        items = [e.text for e in evs]
        if f and f.get("kind") == "inject":
            items += [str(x) for x in f.get("events", [])]
        elif f and f.get("kind") == "amplify":
            t = iso_ms(now_ms() - 1000)
            items = ['{"id":"amp-%d","type":"events","attributes":{"time":"%s","processedAt":"%s",'
                     '"action":"user_login"}}' % (i, t, t) for i in range(int(f.get("n", 100000)))]
        rec["count"] = len(items)
        data = "[" + ",".join(items) + "]"
        base = "https://api.atlassian.com%s%s%s" % (ORG_PREFIX, org, ORG_SUFFIX)
        if nxt is not None:
            links = {"self": base, "next": base + "?cursor=" + nxt}
            meta = {"next": nxt, "page_size": limit}
        else:
            links = {}
            meta = {"attributes": None, "next": None, "prev": None, "current": None, "page_size": limit,
                    "start_index": 1, "end_index": len(evs), "total": len(evs)}
        body = '{"data":%s,"links":%s,"meta":%s}' % (data, dumps(links), dumps(meta))
        return 200, body, None

    # ---- control API ----
    def _control(self, method, path, query):
        m = self.mock
        if path == "/__mock/generate" and method == "POST":
            b = self._body() or {}
            n = int(b.get("count", 1))
            lo, hi = int(b.get("ts_from_ms", now_ms() - 3600000)), int(b.get("ts_to_ms", now_ms()))
            vis = now_ms() + int(float(b.get("visible_in_s", 0)) * 1000) if b.get("visible_in_s") else 0
            evs = []
            with m.lock:
                times = sorted(m.rng.randint(lo, hi) for _ in range(n))
                for t in times:
                    p = int(b["processed_ms"]) if "processed_ms" in b else t + int(b.get("lag_ms", 1000))
                    evs.append(Event(synth(m.rng, t, p), vis))
            m.add(evs)
            return self._send(200, dumps({"added": n, "ids": [e.id for e in evs]}))
        if path == "/__mock/events" and method == "POST":
            b = self._body()
            items = b.get("events", []) if isinstance(b, dict) else (b or [])
            m.add([Event(o) for o in items])
            return self._send(200, dumps({"added": len(items)}))
        if path == "/__mock/events" and method == "GET":
            with m.lock:
                lines = "".join(e.text + "\n" for e in m.events)
            return self._send(200, lines)
        if path == "/__mock/clear" and method == "POST":
            with m.lock:
                m.events = []
            return self._send(200, "{}")
        if path == "/__mock/faults" and method == "POST":
            b = self._body() or {}
            if b.get("kind") == "expire_cursors":
                with m.lock:
                    m.cursor_gen_min = m.cursor_gen + 1
                return self._send(200, "{}")
            b.setdefault("count", 1)
            with m.lock:
                m.faults.append(b)
            return self._send(200, "{}")
        if path == "/__mock/faults" and method == "DELETE":
            with m.lock:
                m.faults = []
            return self._send(200, "{}")
        if path == "/__mock/requests" and method == "GET":
            with m.lock:
                body = dumps(m.requests)
            return self._send(200, body)
        self._send(404, dumps({"error": "unknown control path"}))


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mock Atlassian organization events-stream")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--pid-file")
    ap.add_argument("--log")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--org-id", default="00000000-0000-0000-0000-000000000000")
    ap.add_argument("--token", default="test-api-key")
    ap.add_argument("--last-page", choices=["null", "empty", "cursor"], default="null")
    ap.add_argument("--filter", choices=["processedAt", "time"], default="processedAt")
    ap.add_argument("--from-exclusive", action="store_true")
    ap.add_argument("--cursor-keeps-to", action="store_true")
    ap.add_argument("--max-limit", type=int, default=500)
    ap.add_argument("--default-limit", type=int, default=200)
    ap.add_argument("--events-file", help="JSON lines (or one JSON array) of events to serve")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    mock = Mock(args)
    if args.events_file:
        with open(args.events_file) as f:
            text = f.read().strip()
        items = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
        mock.add([Event(o) for o in items])
    srv = ThreadingHTTPServer((args.bind, args.port), Handler)
    srv.daemon_threads = True
    srv.mock = mock
    if args.pid_file:
        write_atomic(args.pid_file, "%d\n" % os.getpid())
    write_atomic(args.port_file, "%d\n" % srv.server_address[1])
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
