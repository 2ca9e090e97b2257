#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""es_mapcheck.py -- would Elasticsearch index these documents?

Checks documents against the field mappings Elastic's integration assets give
the data streams logs-atlassian_confluence.audit-* and
logs-atlassian_cloud.audit-* (tests/fixtures/es-mappings/mappings.json, a copy
of the resolved map; its README lists the rules). Written from those rules,
independently of the mapper's C code, so it can catch the mapper out.

A field is mapped the way Elasticsearch would map it: a field the package
template installs keeps that mapping; any other is mapped on first sight by
the ecs@mappings dynamic templates, in order, else by the JSON type of its
value; that dynamic mapping then holds for every later document of the same
data stream (one Index per dataset), so a field that is an object in one
document and a string in the next is caught, as a real index would.

What rejects a document (error types as Elasticsearch 8 answers a bulk item):
  document_parsing_exception  missing/unparseable @timestamp, an object in a
                              plain field, a flattened field given anything but
                              objects, one nested deeper than its depth_limit,
                              an empty field name, a constant_keyword value
                              other than its constant
  mapper_parsing_exception    a plain value where an object (or nested) field is
  illegal_argument_exception  an immense term (> 32766 UTF-8 bytes) in a keyword
                              or a flattened field; object depth over 20
  invalid_index_name_exception  (index_name_problem) a name Elasticsearch refuses
What it keeps (not an error): malformed dates, IPs and numbers
(index.mapping.ignore_malformed), keywords longer than ignore_above, fields
beyond total_fields.limit (ignore_dynamic_beyond_limit).

CLI: es_mapcheck.py [--mappings FILE] [--dataset NAME] FILE...
  FILE: JSON lines, or one JSON document or array (pretty-printed is fine).
  The dataset of a document is its data_stream.dataset, else --dataset.
  Prints one line per rejected document and exits 1 if any; 0 otherwise.
Python 3 standard library only.
"""

import argparse
import fnmatch
import json
import os
import re
import sys

TERM_MAX = 32766
DEPTH_LIMIT = 20
FLAT_DEPTH_LIMIT = 20
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MAPPINGS = os.path.join(HERE, "..", "fixtures", "es-mappings", "mappings.json")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$")


class Rejected(Exception):
    def __init__(self, etype, reason):
        super().__init__(reason)
        self.etype = etype
        self.reason = reason


def index_name_problem(name):
    """Why Elasticsearch refuses a data stream / index name, or None."""
    if not name:
        return "must not be empty"
    if name != name.lower():
        return "must be lowercase"
    for c in '\\/*?"<>| ,#:':
        if c in name:
            return "must not contain '%s'" % c
    if name[0] in "-_+":
        return "must not start with '_', '-', or '+'"
    if name in (".", ".."):
        return "must not be '.' or '..'"
    if len(name.encode("utf-8")) > 255:
        return "index name is too long, (%d > 255)" % len(name.encode("utf-8"))
    return None


def namespace_problem(ns):
    """Fleet's rules for a data stream's namespace part (on top of the above)."""
    if not ns:
        return "must not be empty"
    if "-" in ns:
        return "must not contain '-' (it separates type-dataset-namespace)"
    if len(ns.encode("utf-8")) > 100:
        return "must be at most 100 bytes"
    return index_name_problem(ns)


def json_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "object"
    return None


def _globs(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


class Mappings:
    def __init__(self, path=DEFAULT_MAPPINGS):
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        self.datasets = m["datasets"]
        self.templates = [next(iter(t.items())) for t in m["dynamic_templates"]]


class Index:
    """One data stream's mapping, growing with dynamic fields as documents come."""

    def __init__(self, mappings, dataset):
        self.m = mappings
        self.dataset = dataset
        ds = mappings.datasets.get(dataset)
        if ds is None:
            raise KeyError("no mappings for dataset %r" % dataset)
        self.fields = {k: v for k, v in ds["fields"].items() if v.get("installed")}
        # every prefix of an installed field is an object
        self.objects = set()
        for k in self.fields:
            parts = k.split(".")
            for i in range(1, len(parts)):
                self.objects.add(".".join(parts[:i]))
        self.dynamic = {}
        self.constants = {}

    def _template(self, path, value):
        name = path.rsplit(".", 1)[-1]
        jt = json_type(value)
        for tname, t in self.m.templates:
            if "match_mapping_type" in t and jt not in _globs(t["match_mapping_type"]):
                continue
            if "unmatch_mapping_type" in t and jt in _globs(t["unmatch_mapping_type"]):
                continue
            if "match" in t and not any(fnmatch.fnmatchcase(name, g) for g in _globs(t["match"])):
                continue
            if "path_match" in t and not any(fnmatch.fnmatchcase(path, g) for g in _globs(t["path_match"])):
                continue
            if "path_unmatch" in t and any(fnmatch.fnmatchcase(path, g) for g in _globs(t["path_unmatch"])):
                continue
            return dict(t["mapping"])
        return None

    def mapping(self, path, value):
        """The field's mapping, creating a dynamic one on first sight."""
        if path in self.fields:
            return self.fields[path]
        if path in self.objects:
            return {"type": "object"}
        if path in self.dynamic:
            return self.dynamic[path]
        probe = value
        while isinstance(probe, list):
            probe = next((x for x in probe if x is not None), None)
        if probe is None:
            return None
        m = self._template(path, probe)
        if m is None:
            m = {"type": {"object": "object", "string": "keyword", "long": "long",
                          "double": "float", "boolean": "boolean"}[json_type(probe)]}
        self.dynamic[path] = m
        return m

    # ---------------------------------------------------------------- checks
    def check(self, doc):
        """Raises Rejected like Elasticsearch would; returns None if indexed.
        A rejected document leaves no dynamic mappings behind (as in ES, the
        mapping update of a failed document is not applied)."""
        if not isinstance(doc, dict):
            raise Rejected("document_parsing_exception", "the document is not a JSON object")
        saved = (dict(self.dynamic), dict(self.constants))
        try:
            ts = doc.get("@timestamp")
            if ts is None:
                raise Rejected("document_parsing_exception",
                               "data stream timestamp field [@timestamp] is missing")
            if not isinstance(ts, str) or not ISO.match(ts):
                raise Rejected("document_parsing_exception",
                               "failed to parse field [@timestamp] of type [date]")
            ev = doc.get("event")
            eid = ev.get("id") if isinstance(ev, dict) else None
            # the shipped outputs send event.id as the _id
            if isinstance(eid, str) and len(eid.encode("utf-8", "surrogatepass")) > 512:
                raise Rejected("illegal_argument_exception",
                               "id [%s...] is too long, must be no longer than 512 bytes but was: %d"
                               % (eid[:20], len(eid.encode("utf-8", "surrogatepass"))))
            self._object(doc, "", 0)
        except Rejected:
            self.dynamic, self.constants = saved
            raise

    def _object(self, obj, prefix, depth):
        if depth > DEPTH_LIMIT:
            raise Rejected("illegal_argument_exception",
                           "Limit of mapping depth [%d] has been exceeded due to object field [%s]"
                           % (DEPTH_LIMIT, prefix.rstrip(".")))
        for key, v in obj.items():
            if key == "" or key.strip(" \t\r\n.") == "" or key.startswith(".") or key.endswith(".") or ".." in key:
                raise Rejected("document_parsing_exception",
                               "field name cannot be an empty string or contain only dots/whitespace: %r in [%s]"
                               % (key[:60], prefix.rstrip(".")))
            # dots in a name are object paths to Elasticsearch
            parts = key.split(".")
            path = prefix + key
            if len(parts) > 1:
                nested = v
                for p in reversed(parts[1:]):
                    nested = {p: nested}
                path = prefix + parts[0]
                v = nested
            self._value(path, v, depth)

    def _value(self, path, v, depth):
        if v is None:
            return
        if isinstance(v, list):
            for e in v:
                self._value(path, e, depth)
            return
        m = self.mapping(path, v)
        if m is None:
            return
        t = m["type"]
        if t in ("object", "nested"):
            if not isinstance(v, dict):
                raise Rejected("mapper_parsing_exception",
                               "object mapping for [%s] tried to parse field [%s] as object, "
                               "but found a concrete value" % (path, path.rsplit(".", 1)[-1]))
            self._object(v, path + ".", depth + 1)
            return
        if t == "flattened":
            if not isinstance(v, dict):
                raise Rejected("document_parsing_exception",
                               "failed to parse field [%s] of type [flattened]: expected an object "
                               "but found a %s" % (path, json_type(v)))
            self._flat(path, v, "", 1)
            return
        if isinstance(v, dict) and t != "geo_point":
            raise Rejected("document_parsing_exception",
                           "failed to parse field [%s] of type [%s]: found an object" % (path, t))
        if t == "constant_keyword":
            s = self._text(v)
            want = m.get("value", self.constants.get(path))
            if want is not None and s != want:
                raise Rejected("document_parsing_exception",
                               "[constant_keyword] field [%s] only accepts values that are equal to "
                               "the value defined in the mappings [%s], but got [%s]" % (path, want, s))
            self.constants[path] = s
            return
        if t == "keyword":
            if m.get("index") is False and m.get("doc_values") is False:
                return
            s = self._text(v)
            if "ignore_above" in m and len(s) > m["ignore_above"]:
                return
            if len(s.encode("utf-8", "surrogatepass")) > TERM_MAX:
                raise self._immense(path, s)
            return
        if t == "boolean" and not (isinstance(v, bool) or v in ("true", "false", "")):
            raise Rejected("document_parsing_exception",
                           "failed to parse field [%s] of type [boolean]: %r" % (path, str(v)[:40]))
        # date, long, ip, float, ...: ignore_malformed keeps the document;
        # text types index tokens, not the whole value

    @staticmethod
    def _text(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return v if isinstance(v, str) else json.dumps(v)

    @staticmethod
    def _immense(field, s):
        return Rejected("illegal_argument_exception",
                        "Document contains at least one immense term in field=\"%s\" (whose UTF8 "
                        "encoding is longer than the max length %d), all of which were skipped. "
                        "Please correct the analyzer to not produce such terms. The prefix of the "
                        "first immense term is: '%r...', original message: bytes can be at most "
                        "%d in length; got %d" % (field, TERM_MAX, s[:10], TERM_MAX,
                                                 len(s.encode("utf-8", "surrogatepass"))))

    def _flat(self, field, obj, rel, depth):
        if depth > FLAT_DEPTH_LIMIT:
            raise Rejected("document_parsing_exception",
                           "the provided [flattened] field [%s] exceeds the maximum depth limit of [%d]"
                           % (field, FLAT_DEPTH_LIMIT))
        for key, v in obj.items():
            self._flat_value(field, rel + key if not rel else rel + "." + key, v, depth)

    def _flat_value(self, field, rel, v, depth):
        if v is None:
            return
        if isinstance(v, list):
            for e in v:
                self._flat_value(field, rel, e, depth)
            return
        if isinstance(v, dict):
            self._flat(field, v, rel, depth + 1)
            return
        s = self._text(v)
        keyed = rel + "\0" + s
        if len(keyed.encode("utf-8", "surrogatepass")) > TERM_MAX:
            raise self._immense(field + "._keyed", keyed)


class Checker:
    """One Index per dataset, as one cluster holds one data stream each."""

    def __init__(self, mappings_path=DEFAULT_MAPPINGS):
        self.m = Mappings(mappings_path)
        self.indexes = {}

    def check(self, doc, dataset=None):
        ds = doc.get("data_stream", {}).get("dataset") if isinstance(doc, dict) and \
            isinstance(doc.get("data_stream"), dict) else None
        ds = ds or dataset
        if ds not in self.m.datasets:
            raise Rejected("illegal_argument_exception", "no mappings for dataset %r" % ds)
        ns = doc.get("data_stream", {}).get("namespace") if isinstance(doc.get("data_stream"), dict) else None
        key = (ds, ns)  # one data stream per dataset and namespace
        if key not in self.indexes:
            self.indexes[key] = Index(self.m, ds)
        self.indexes[key].check(doc)


class BadText:
    """A document line Elasticsearch's JSON parser refuses (invalid UTF-8, not JSON)."""

    def __init__(self, why):
        self.why = why


def _whole(f):
    """The file as one JSON text (a document, or an array of them)."""
    f.seek(0)
    v = json.loads(f.read().decode("utf-8"))
    return [(1, d) for d in v] if isinstance(v, list) else [(1, v)]


def read_docs(path):
    """JSON lines, one document each; or one JSON text (a pretty-printed
    document, an array), found when the first line is not a document. Line by
    line, not the file split in memory: the hostile sets are 100 MB files."""
    docs = []
    with open(path, "rb") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line.decode("utf-8"))
                if not docs and not isinstance(d, dict):
                    return _whole(f)
                docs.append((i, d))
            except UnicodeDecodeError as e:
                docs.append((i, BadText("Invalid UTF-8 in the document at byte %d" % e.start)))
            except ValueError as e:
                if not docs:
                    try:
                        return _whole(f)
                    except ValueError:
                        pass
                docs.append((i, BadText("not JSON: %s" % e)))
    return docs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mappings", default=DEFAULT_MAPPINGS)
    ap.add_argument("--dataset")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args(argv)
    c = Checker(a.mappings)
    bad = total = 0
    for path in a.files:
        for line, doc in read_docs(path):
            total += 1
            try:
                if isinstance(doc, BadText):
                    raise Rejected("document_parsing_exception", doc.why)
                c.check(doc, a.dataset)
            except Rejected as e:
                bad += 1
                print("%s:%d: %s: %s" % (path, line, e.etype, e.reason[:300]))
    if not a.quiet:
        print("es_mapcheck: %d of %d documents rejected" % (bad, total), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
