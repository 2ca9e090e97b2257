#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A small, strict Elasticsearch `_bulk` server for the omelasticsearch tests.

It implements just what rsyslog's omelasticsearch talks to, the way
Elasticsearch 8 answers it, and is strict where a real cluster would reject
a request (so a wrong configuration fails the test instead of "working"):

  GET|HEAD /               cluster info (version.number = --version)
  GET  /_cat/health        a one-line health row (omelasticsearch's checkConn
                           probe; it only needs *an* HTTP answer)
  POST|PUT /_bulk, /<target>/_bulk
                           NDJSON bulk: action line + document line pairs.
  /__mock/...              control API (never authenticated, never faulted):
    GET    /__mock/health            {"status":"ok","docs":N,"requests":M}
    GET    /__mock/docs[?format=jsonl]  stored documents, in arrival order
    DELETE /__mock/docs              forget them
    POST   /__mock/faults            queue faults (a list or one object)
    GET|DELETE /__mock/faults        show / clear the queue
    GET|DELETE /__mock/requests      the request log (also --log, JSON lines)
    GET    /__mock/stats             counters: requests by status, items by status

Strictness (what a real Elasticsearch 8 does, unless marked "mock"):
  * Content-Type must be application/json or application/x-ndjson (else 406).
  * The body must end with "\\n" (else 400), and be non-empty (else 400).
  * An action line is one JSON object with exactly one key out of create,
    index, update, delete, and only known metadata keys (a `_type` is refused
    in 8.x); a malformed action line fails the whole request with 400.
  * A missing `_index` (and no <target> in the path) fails the whole request.
  * Per item: an invalid index name -> 400 invalid_index_name_exception; an
    index the mock does not know (--index-regex) -> 404 index_not_found_exception
    (a cluster with action.auto_create_index off); a data stream (every name
    matching --index-regex) accepts only `create` (else 400) and needs
    `@timestamp` (else 400); `create` of an `_id` that exists -> 409
    version_conflict_engine_exception; a document line that is not a JSON
    object -> 400 document_parsing_exception; an empty or over-long `_id` -> 400.
  * The data streams have the field mappings Elastic's integration assets
    install (--mappings, default tests/fixtures/es-mappings/mappings.json;
    checked by tests/lib/es_mapcheck.py, one growing mapping per data stream):
    an item is refused as Elasticsearch 8 refuses it -- an immense term
    (> 32766 bytes) in a keyword or flattened field -> 400
    illegal_argument_exception; a plain value where an object or nested
    field is mapped -> 400 mapper_parsing_exception; an object in a plain
    field, a flattened field given anything but objects or nested too deep,
    an empty field name, a source that is not UTF-8 -> 400
    document_parsing_exception. --mappings off accepts any shape.
  * mock: with --require-id (default on) an item without `_id` is refused
    with 400 mock_missing_id, because our outputs must always send one.
  * update and delete are refused per item (mock: not needed by rsyslog here).
  * --default-pipeline NAME: the data streams behave as with Elastic's
    integration assets installed, whose index template sets
    index.default_pipeline. The pipeline of an item is its action line's
    "pipeline", else the request's ?pipeline=, else NAME. "_none" runs none;
    NAME runs a stand-in for Elastic's pipeline, whose first step parses
    `event.original` as JSON: a document without it is stored marked the way
    that pipeline marks a failure (event.kind "pipeline_error", error.message);
    any other name -> 400 illegal_argument_exception "pipeline with id [..]
    does not exist". Index templates' *final* pipelines are not modelled.

Faults (POST /__mock/faults), each with "count" (default 1); they are taken
by `_bulk` requests in order:
  {"kind":"status","status":429}      whole request answered with that status
                                      and Elasticsearch's JSON error body
                                      (429 es_rejected_execution_exception,
                                      500, 503 cluster_block_exception, ...);
                                      "html": true sends a proxy-style text/html
                                      body instead (e.g. a 502 from a balancer),
                                      "empty": true an empty body
  {"kind":"item_status","status":429} the next `count` items that would have
                                      succeeded get that per-item status
                                      (a bulk rejection: HTTP 200, errors=true);
                                      with "type" (and "reason") that error, e.g.
                                      400 mapper_parsing_exception
  {"kind":"reset"}                    close the connection (RST), no answer
  {"kind":"slow","seconds":S}         answer normally after S seconds

CLI: es_bulk_mock.py --port-file F [--pid-file F] [--bind 127.0.0.1]
     [--index-regex RE] [--require-id on|off] [--user U --password P]
     [--version 8.11.0] [--default-pipeline NAME] [--log FILE] [--mappings FILE|off]
It listens on port 0 and writes the port to --port-file (temp file + rename)
once it accepts connections.  SIGTERM/SIGINT: exit 0.

Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_INDEX_RE = r"^logs-atlassian_confluence\.audit-[a-z0-9_]+$"
ACTIONS = ("create", "index", "update", "delete")
META_KEYS = {"_index", "_id", "routing", "pipeline", "require_alias",
             "require_data_stream", "if_seq_no", "if_primary_term", "version",
             "version_type", "dynamic_templates", "retry_on_conflict",
             "_source", "list_executed_pipelines"}
MAX_BODY = 512 << 20
INVALID_INDEX_CHARS = set('\\/*?"<>| ,#:')


# the data streams' field mappings (--mappings): the same checker the tests use
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import es_mapcheck  # noqa: E402


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def es_error(etype, reason, status, **extra):
    err = {"type": etype, "reason": reason}
    err.update(extra)
    return {"error": {"root_cause": [dict(err)], **err}, "status": status}


def index_name_problem(name):
    """Elasticsearch's index/data stream naming rules; None when valid."""
    if not name:
        return "must not be empty"
    if name != name.lower():
        return "must be lowercase"
    if name in (".", ".."):
        return "must not be '.' or '..'"
    if name[0] in "-_+":
        return "must not start with '_', '-', or '+'"
    bad = sorted(set(name) & INVALID_INDEX_CHARS)
    if bad:
        return "must not contain the following characters %s" % bad
    if len(name.encode()) > 255:
        return "index name is too long, (%d > 255)" % len(name.encode())
    return None


class BulkError(Exception):
    """A whole-request failure: (status, body)."""

    def __init__(self, status, body):
        Exception.__init__(self, body)
        self.status = status
        self.body = body


class State(object):
    def __init__(self, args):
        self.args = args
        self.index_re = re.compile(args.index_regex)
        self.lock = threading.Lock()
        self.docs = {}          # (data stream, _id) -> record
        self.order = []         # records in arrival order
        self.faults = []
        self.requests = []
        self.seq = 0
        self.seq_no = 0
        self.stats = {"requests": {}, "items": {}}
        self.day = time.strftime("%Y.%m.%d", time.gmtime())
        self.logf = open(args.log, "a", buffering=1) if args.log else None
        self.mappings = None if args.mappings == "off" else es_mapcheck.Mappings(args.mappings)
        self.indexes = {}       # data stream -> es_mapcheck.Index (its mapping grows)

    def mapping_for(self, index):
        """The data stream's mapping: logs-<dataset>-<namespace> with a dataset
        the mappings know; None (no check) for any other name."""
        if self.mappings is None:
            return None
        if index not in self.indexes:
            parts = index.split("-")
            ds = "-".join(parts[1:-1]) if len(parts) >= 3 else None
            self.indexes[index] = es_mapcheck.Index(self.mappings, ds) \
                if ds in self.mappings.datasets else None
        return self.indexes[index]

    def take_fault(self):
        """The next whole-request fault, if the queue starts with one."""
        with self.lock:
            if not self.faults or self.faults[0]["kind"] == "item_status":
                return None
            f = self.faults[0]
            f["count"] -= 1
            if f["count"] <= 0:
                self.faults.pop(0)
            return dict(f)

    def take_item_fault(self):
        """Called with the lock held."""
        if self.faults and self.faults[0]["kind"] == "item_status":
            f = self.faults[0]
            f["count"] -= 1
            if f["count"] <= 0:
                self.faults.pop(0)
            return f
        return None

    def bump(self, table, status):
        key = str(status)
        self.stats[table][key] = self.stats[table].get(key, 0) + 1


def check_fault(f):
    kind = f.get("kind")
    if kind not in ("status", "item_status", "reset", "slow"):
        raise ValueError("unknown fault kind %r" % kind)
    count = f.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    out = {"kind": kind, "count": count}
    if kind in ("status", "item_status"):
        st = f.get("status")
        if not isinstance(st, int) or not 400 <= st <= 599:
            raise ValueError("status must be an integer 400..599")
        out["status"] = st
        out["html"] = bool(f.get("html", False))
        out["empty"] = bool(f.get("empty", False))
        if kind == "item_status" and "type" in f:
            # an item refused with this error, e.g. a mapping an operator's
            # @custom template added that our documents do not fit
            out["type"] = str(f["type"])
            out["reason"] = str(f.get("reason", "mock: injected item error"))
    if kind == "slow":
        s = f.get("seconds")
        if not isinstance(s, (int, float)) or s < 0:
            raise ValueError("seconds must be >= 0")
        out["seconds"] = s
    return out


WHOLE_ERRORS = {
    429: ("es_rejected_execution_exception",
          "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
          "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]"),
    500: ("exception", "mock: injected internal server error"),
    502: ("exception", "mock: bad gateway"),
    503: ("cluster_block_exception",
          "blocked by: [SERVICE_UNAVAILABLE/2/no master];"),
    504: ("exception", "mock: gateway timeout"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "es-bulk-mock/1"

    def log_message(self, fmt, *a):
        if self.server.state.args.verbose:
            sys.stderr.write("es_bulk_mock: " + (fmt % a) + "\n")

    @property
    def st(self):
        return self.server.state

    def _send(self, status, body, ctype="application/json", headers=None, head=False):
        if isinstance(body, (dict, list)):
            body = dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-elastic-product", "Elasticsearch")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(n))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise BulkError(413, es_error("illegal_argument_exception", "body too large", 413))
        return self.rfile.read(n) if n else b""

    def _authorized(self):
        a = self.st.args
        if a.user is None:
            return True
        hdr = self.headers.get("Authorization") or ""
        if hdr.startswith("Basic "):
            try:
                u, _, p = base64.b64decode(hdr[6:]).decode().partition(":")
            except Exception:
                return False
            return u == a.user and p == (a.password or "")
        return False

    def _unauthorized(self, head=False):
        self._send(401, es_error("security_exception",
                                 "missing authentication credentials for REST request [%s]" % self.path,
                                 401),
                   headers={"WWW-Authenticate": 'Basic realm="security" charset="UTF-8"'}, head=head)

    # ---- dispatch -------------------------------------------------------
    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path.startswith("/__mock/"):
            return self._control(method, path, urllib.parse.parse_qs(url.query))
        rec = {"seq": None, "time": time.time(), "method": method, "path": path,
               "query": url.query, "content_type": self.headers.get("Content-Type"),
               "user_agent": self.headers.get("User-Agent"), "fault": None,
               "status": None, "items": 0, "created": 0, "conflicts": 0,
               "item_errors": 0}
        with self.st.lock:
            self.st.seq += 1
            rec["seq"] = self.st.seq
            self.st.requests.append(rec)
        try:
            if not self._authorized():
                self._drain(method)
                rec["status"] = 401
                return self._unauthorized(head=(method == "HEAD"))
            parts = [p for p in path.split("/") if p]
            if parts and parts[-1] == "_bulk" and len(parts) <= 2 and method in ("POST", "PUT"):
                qpipe = urllib.parse.parse_qs(url.query).get("pipeline", [None])[-1]
                return self._bulk(rec, urllib.parse.unquote(parts[0]) if len(parts) == 2 else None, qpipe)
            self._drain(method)
            if path == "/" and method in ("GET", "HEAD"):
                rec["status"] = 200
                return self._send(200, self._root(), head=(method == "HEAD"))
            if path == "/_cat/health" and method in ("GET", "HEAD"):
                rec["status"] = 200
                row = "%d %s es-bulk-mock green 1 1 0 0 0 0 0 0 - 100.0%%\n" % (
                    int(time.time()), time.strftime("%H:%M:%S", time.gmtime()))
                return self._send(200, row, ctype="text/plain; charset=UTF-8", head=(method == "HEAD"))
            rec["status"] = 400
            return self._send(400, {"error": "no handler found for uri [%s] and method [%s]" % (path, method)},
                              head=(method == "HEAD"))
        finally:
            with self.st.lock:
                self.st.bump("requests", rec["status"])
            if self.st.logf:
                self.st.logf.write(dumps(rec) + "\n")

    def _drain(self, method):
        if method in ("POST", "PUT", "DELETE"):
            try:
                return len(self._read_body())
            except BulkError:
                return -1
        return 0

    def _root(self):
        v = self.st.args.version
        return {"name": "es-bulk-mock", "cluster_name": "es-bulk-mock",
                "cluster_uuid": "bXVjaC1tb2NrLWNsdXN0ZXI", "version": {
                    "number": v, "build_flavor": "default", "build_type": "docker",
                    "lucene_version": "9.8.0", "minimum_wire_compatibility_version": "7.17.0",
                    "minimum_index_compatibility_version": "7.0.0"},
                "tagline": "You Know, for Search"}

    # ---- _bulk ------------------------------------------------------------
    def _bulk(self, rec, target, qpipe=None):
        st = self.st
        try:
            body = self._read_body()
        except BulkError as e:
            rec["status"] = e.status
            return self._send(e.status, e.body)
        fault = st.take_fault()
        if fault:
            rec["fault"] = fault["kind"]
            if fault["kind"] == "reset":
                rec["status"] = 0
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return None
            if fault["kind"] == "slow":
                time.sleep(fault["seconds"])
            if fault["kind"] == "status":
                status = fault["status"]
                rec["status"] = status
                if fault["empty"]:
                    return self._send(status, b"", ctype="text/plain")
                if fault["html"]:
                    return self._send(status, "<html><head><title>%d</title></head><body>"
                                      "<center><h1>%d</h1></center><hr><center>nginx</center></body></html>\n"
                                      % (status, status), ctype="text/html")
                etype, reason = WHOLE_ERRORS.get(status, ("exception", "mock: injected status %d" % status))
                return self._send(status, es_error(etype, reason, status))
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype not in ("application/json", "application/x-ndjson"):
            rec["status"] = 406
            return self._send(406, {"error": "Content-Type header [%s] is not supported"
                                    % self.headers.get("Content-Type"), "status": 406})
        try:
            items = self._parse_bulk(body, target)
        except BulkError as e:
            rec["status"] = e.status
            return self._send(e.status, e.body)
        t0 = time.time()
        results = []
        with st.lock:
            for op, meta, doc, doc_err in items:
                res = self._apply(op, meta, doc, doc_err, qpipe)
                results.append({op: res})
                rec["items"] += 1
                st.bump("items", res["status"])
                if res["status"] == 201:
                    rec["created"] += 1
                elif res["status"] == 409:
                    rec["conflicts"] += 1
                if res["status"] >= 300:
                    rec["item_errors"] += 1
        rec["status"] = 200
        errors = any(r[next(iter(r))]["status"] >= 300 for r in results)
        return self._send(200, {"took": int((time.time() - t0) * 1000), "errors": errors, "items": results})

    def _parse_bulk(self, body, target):
        if not body:
            raise BulkError(400, es_error("parse_exception", "request body is required", 400))
        if not body.endswith(b"\n"):
            raise BulkError(400, es_error("illegal_argument_exception",
                                          "The bulk request must be terminated by a newline [\\n]", 400))
        # lines are decoded one by one: a document that is not UTF-8 fails as
        # its own item (Elasticsearch parses each source on its own), an
        # action line that is not fails the request
        lines = body.split(b"\n")[:-1]
        items = []
        i = 0
        while i < len(lines):
            ln = i + 1
            line = lines[i]
            if line.strip() == b"":
                i += 1
                continue
            try:
                act = json.loads(line.decode("utf-8"))
            except ValueError as e:
                raise BulkError(400, es_error("x_content_parse_exception",
                                              "[%d:1] Malformed action/metadata line [%d]: %s" % (ln, ln, e), 400))
            if not isinstance(act, dict) or len(act) != 1:
                raise BulkError(400, es_error("illegal_argument_exception",
                                              "Malformed action/metadata line [%d], expected START_OBJECT "
                                              "with exactly one action" % ln, 400))
            op, meta = next(iter(act.items()))
            if op not in ACTIONS:
                raise BulkError(400, es_error("illegal_argument_exception",
                                              "Malformed action/metadata line [%d], expected one of [create, "
                                              "delete, index, update] but found [%s]" % (ln, op), 400))
            if not isinstance(meta, dict):
                raise BulkError(400, es_error("illegal_argument_exception",
                                              "Malformed action/metadata line [%d], expected START_OBJECT" % ln, 400))
            for k in meta:
                if k not in META_KEYS:
                    raise BulkError(400, es_error("illegal_argument_exception",
                                                  "Action/metadata line [%d] contains an unknown parameter [%s]"
                                                  % (ln, k), 400))
            if "_index" not in meta:
                if target is None:
                    raise BulkError(400, es_error("action_request_validation_exception",
                                                  "Validation Failed: 1: index is missing;", 400))
                meta = dict(meta, _index=target)
            doc = None
            doc_err = None
            if op != "delete":
                if i + 1 >= len(lines):
                    raise BulkError(400, es_error("illegal_argument_exception",
                                                  "The bulk request must be terminated by a newline [\\n]", 400))
                raw = lines[i + 1]
                try:
                    doc = json.loads(raw.decode("utf-8"))
                    if not isinstance(doc, dict):
                        doc_err = "source is not a JSON object"
                except UnicodeDecodeError as e:
                    doc_err = "failed to parse: Invalid UTF-8 start byte at byte %d" % e.start
                except ValueError as e:
                    doc_err = "failed to parse: %s" % e
                i += 2
            else:
                i += 1
            items.append((op, meta, doc, doc_err))
        if not items:
            raise BulkError(400, es_error("action_request_validation_exception",
                                          "Validation Failed: 1: no requests added;", 400))
        return items

    def _apply(self, op, meta, doc, doc_err, qpipe=None):
        st = self.st
        index = meta.get("_index")
        _id = meta.get("_id")
        base = {"_index": index}
        if _id is not None:
            base["_id"] = _id

        def fail(status, etype, reason, **extra):
            r = dict(base)
            r["status"] = status
            err = {"type": etype, "reason": reason}
            err.update(extra)
            r["error"] = err
            return r

        problem = index_name_problem(index) if isinstance(index, str) else "must be a string"
        if problem:
            return fail(400, "invalid_index_name_exception", "Invalid index name [%s], %s" % (index, problem),
                        index=index)
        if op in ("update", "delete"):
            return fail(400, "illegal_argument_exception", "mock: only create and index are supported")
        if not st.index_re.search(index):
            return fail(404, "index_not_found_exception", "no such index [%s]" % index,
                        **{"resource.type": "index_expression", "resource.id": index, "index": index})
        backing = ".ds-%s-%s-000001" % (index, st.day)
        if op != "create":
            return fail(400, "illegal_argument_exception",
                        "only write ops with an op_type of create are allowed in data streams")
        if _id is None:
            if st.args.require_id == "on":
                return fail(400, "mock_missing_id", "mock: every item must carry an _id (--require-id on)")
            _id = "mock-%d" % (st.seq_no + 1)
        if not isinstance(_id, str) or _id == "":
            return fail(400, "action_request_validation_exception",
                        "Validation Failed: 1: if _id is specified it must not be empty;")
        if len(_id.encode()) > 512:
            return fail(400, "action_request_validation_exception",
                        "Validation Failed: 1: id [%s...] is too long, must be no longer than 512 bytes but was: %d;"
                        % (_id[:10], len(_id.encode())))
        if doc_err:
            return fail(400, "document_parsing_exception", "[1:1] %s" % doc_err)
        pipeline = meta.get("pipeline") or qpipe or st.args.default_pipeline
        if pipeline and pipeline != "_none":
            if pipeline != st.args.default_pipeline:
                return fail(400, "illegal_argument_exception", "pipeline with id [%s] does not exist" % pipeline)
            doc = default_pipeline_standin(doc)
        if "@timestamp" not in doc:
            return fail(400, "document_parsing_exception",
                        "[1:1] failed to parse: data stream timestamp field [@timestamp] is missing")
        idx = st.mapping_for(index)
        if idx is not None:
            try:
                idx.check(doc)
            except es_mapcheck.Rejected as e:
                return fail(400, e.etype, "[1:1] " + e.reason if e.etype == "document_parsing_exception"
                            else e.reason)
        base["_index"] = backing
        key = (index, _id)
        if key in st.docs:
            r = fail(409, "version_conflict_engine_exception",
                     "[%s]: version conflict, document already exists (current version [1])" % _id,
                     index_uuid="bW9jay1pbmRleC11dWlk", shard="0", index=backing)
            return r
        injected = st.take_item_fault()
        if injected is not None:
            etype, reason = WHOLE_ERRORS.get(injected["status"], ("exception", "mock: injected item status"))
            if "type" in injected:
                etype, reason = injected["type"], injected["reason"]
            return fail(injected["status"], etype, reason)
        st.seq_no += 1
        st.docs[key] = {"arrival": len(st.order) + 1, "index": index, "backing_index": backing,
                        "_id": _id, "op": op, "source": doc}
        st.order.append(st.docs[key])
        r = dict(base)
        r.update({"_version": 1, "result": "created",
                  "_shards": {"total": 2, "successful": 1, "failed": 0},
                  "_seq_no": st.seq_no - 1, "_primary_term": 1, "status": 201})
        return r

    # ---- control API --------------------------------------------------------
    def _control(self, method, path, qs):
        st = self.st
        body = b""
        if method in ("POST", "PUT", "DELETE"):
            try:
                body = self._read_body()
            except BulkError as e:
                return self._send(e.status, e.body)
        if path == "/__mock/health" and method == "GET":
            with st.lock:
                return self._send(200, {"status": "ok", "docs": len(st.order), "requests": len(st.requests)})
        if path == "/__mock/docs":
            if method == "GET":
                with st.lock:
                    docs = list(st.order)
                if qs.get("format", [""])[0] == "jsonl":
                    return self._send(200, "".join(dumps(d) + "\n" for d in docs), ctype="application/x-ndjson")
                return self._send(200, {"docs": docs})
            if method == "DELETE":
                with st.lock:
                    st.docs.clear()
                    del st.order[:]
                return self._send(200, {"deleted": True})
        if path == "/__mock/faults":
            if method == "POST":
                try:
                    items = json.loads(body.decode() or "null")
                    items = items if isinstance(items, list) else [items]
                    faults = [check_fault(f) for f in items]
                except (ValueError, AttributeError, TypeError) as e:
                    return self._send(400, {"error": str(e)})
                with st.lock:
                    st.faults.extend(faults)
                    return self._send(200, {"queued": len(st.faults)})
            if method == "GET":
                with st.lock:
                    return self._send(200, {"faults": list(st.faults)})
            if method == "DELETE":
                with st.lock:
                    del st.faults[:]
                return self._send(200, {"cleared": True})
        if path == "/__mock/requests":
            if method == "GET":
                with st.lock:
                    return self._send(200, {"requests": list(st.requests)})
            if method == "DELETE":
                with st.lock:
                    del st.requests[:]
                return self._send(200, {"cleared": True})
        if path == "/__mock/stats" and method == "GET":
            with st.lock:
                return self._send(200, st.stats)
        return self._send(404, {"error": "no such control endpoint %s %s" % (method, path)})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def default_pipeline_standin(doc):
    """What Elastic's Confluence ingest pipeline does first: parse event.original
    as JSON. Without it, its on_failure handler marks the document."""
    original = (doc.get("event") or {}).get("original") if isinstance(doc.get("event"), dict) else None
    if original is None:
        original = doc.get("event.original")
    if isinstance(original, str):
        try:
            json.loads(original)
            return doc
        except ValueError:
            reason = "mock pipeline: event.original is not JSON"
    else:
        reason = "field [original] not present as part of path [event.original]"
    doc = json.loads(json.dumps(doc))
    if not isinstance(doc.get("event"), dict):
        doc["event"] = {}
    doc["event"]["kind"] = "pipeline_error"
    err = doc.get("error") if isinstance(doc.get("error"), dict) else {}
    msgs = err.get("message")
    msgs = msgs if isinstance(msgs, list) else ([msgs] if msgs else [])
    err["message"] = msgs + [reason]
    doc["error"] = err
    return doc


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--pid-file")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--index-regex", default=DEFAULT_INDEX_RE)
    p.add_argument("--require-id", choices=("on", "off"), default="on")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--version", default="8.11.0")
    p.add_argument("--default-pipeline", default=None,
                   help="the data streams' index.default_pipeline (Elastic's assets installed)")
    p.add_argument("--log")
    p.add_argument("--mappings", default=es_mapcheck.DEFAULT_MAPPINGS,
                   help="the data streams' resolved mappings (tests/fixtures/es-mappings/mappings.json); "
                        "'off': accept any document shape")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.pid_file:
        write_atomic(args.pid_file, "%d\n" % os.getpid())
    srv = Server((args.bind, 0), Handler)
    srv.state = State(args)

    def stop(*_a):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write_atomic(args.port_file, "%d\n" % srv.server_address[1])
    srv.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
