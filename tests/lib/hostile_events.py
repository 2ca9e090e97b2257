#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hostile_events.py -- audit events made to be rejected by Elasticsearch.

Takes real events of every source (Data Center file and API, Cloud, the
organization audit log) and writes, one JSON line each, copies in which one
part at a time is hostile:
  - every string value oversized: 40,000 ASCII bytes, and a multi-byte text
    whose 32,766th byte falls inside a character;
  - every member (leaves and containers alike) given each wrong shape: a
    string, a number, a boolean, a list of plain values, an object, a list of
    objects, a list of lists, objects nested 25 deep, member names
    Elasticsearch cannot map ("", " ", "a.b", ".", a 20,000-byte name);
  - the cases the issue names: a 40 KB Custom HTML change, context as a list
    of plain values, context[].attributes as a string, links as an object
    and as a string, an organization id over 512 bytes.
The mapper must turn each into a document Elasticsearch indexes
(tests/unit/test_map_esmapping.sh checks that with es_mapcheck.py).

usage: hostile_events.py FIXTURES_DIR CASES_DIR > events.jsonl
"""

import json
import os
import sys

BIG_ASCII = "H" * 40000
BIG_UTF8 = "x" + "\u20ac" * 11000          # 33,001 bytes; byte 32,766 is mid-character


def deep(n, leaf="deep"):
    v = leaf
    for i in range(n):
        v = {"d%d" % i: v}
    return v


SHAPES = [
    "x", 7, True, ["x", 1], {"k": "v"}, [{"k": "v"}], [[{"k": "v"}]], deep(25),
    {"": "x", " ": 1, "a.b": "y", ".": 2, "k": {"": "z"}}, {"K" * 20000: "v"},
    [{"big": BIG_ASCII}], {"k": [BIG_UTF8, 1, {"z": BIG_ASCII}]},
]


def paths(v, prefix=()):
    """Every member path of v (objects only; list elements by index)."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield prefix + (k,)
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield prefix + (i,)
            yield from paths(x, prefix + (i,))


def get(v, path):
    for p in path:
        v = v[p]
    return v


def replaced(ev, path, value):
    ev = json.loads(json.dumps(ev))
    parent = get(ev, path[:-1])
    parent[path[-1]] = value
    return ev


def richest(lines):
    evs = [json.loads(l) for l in lines if l.strip()]
    evs = [e for e in evs if isinstance(e, dict)]
    return max(evs, key=lambda e: len(list(paths(e))))


def variants(ev):
    for path in paths(ev):
        cur = get(ev, path)
        if isinstance(cur, str):
            yield replaced(ev, path, BIG_ASCII)
            yield replaced(ev, path, BIG_UTF8)
        for shape in SHAPES:
            yield replaced(ev, path, shape)


def org_specials(ev):
    a = ev["attributes"]

    def with_attr(k, v):
        e = json.loads(json.dumps(ev))
        e["attributes"][k] = v
        return e
    yield with_attr("context", ["x", 1])
    yield with_attr("context", "x")
    yield with_attr("context", {"id": "c", "type": "t", "attributes": {"k": BIG_ASCII}})
    yield with_attr("context", [{"id": "c", "attributes": "s"}])
    yield with_attr("context", [{"id": "c", "links": "https://x"}])
    yield with_attr("context", [{"id": "c", "links": {"self": {"deeper": 1}}}])
    yield with_attr("container", [{"id": "c", "links": {"self": "https://x"}, "other": {"o": 1}}])
    yield with_attr("container", [{"id": "c", "attributes": {"K" * 33000: "v"}}])
    actor = dict(a.get("actor") or {})
    actor["app"] = {"id": "a", "attributes": "scalar"}
    yield with_attr("actor", actor)
    e = json.loads(json.dumps(ev))
    e["id"] = "i" * 1000
    yield e


def cloud_specials(ev):
    e = json.loads(json.dumps(ev))
    e["changedValues"] = [{"name": "Custom HTML", "oldValue": "", "newValue": "<script>" + BIG_ASCII + "</script>"}]
    yield e
    e = json.loads(json.dumps(ev))
    e["associatedObjects"] = ["x", 1, {"name": BIG_UTF8, "objectType": "User"}]
    yield e


def dc_specials(ev):
    e = json.loads(json.dumps(ev))
    e["changedValues"] = [{"key": "custom.html", "i18nKey": "custom.html", "from": "", "to": BIG_ASCII}]
    yield e
    e = json.loads(json.dumps(ev))
    e["affectedObjects"] = ["x", 1]
    yield e
    e = json.loads(json.dumps(ev))
    e["extraAttributes"] = [{"name": "n", "nameI18nKey": "k", "value": deep(30)}]
    yield e


def main():
    fixtures, cases = sys.argv[1], sys.argv[2]
    fx = os.path.join(fixtures, "elastic-confluence")
    bases = []
    for name in ("test-audit-files.log", "test-audit-api.log", "test-audit-cloud.log"):
        with open(os.path.join(fx, name), encoding="utf-8") as f:
            bases.append(richest(f))
    for case in ("org-legacy-id-on-behalf-of", "org-app-actor"):
        with open(os.path.join(cases, case, "input.json"), encoding="utf-8") as f:
            bases.append(json.loads(f.read()))
    out = sys.stdout
    n = 0
    for ev in bases:
        for v in variants(ev):
            out.write(json.dumps(v, separators=(",", ":")) + "\n")
            n += 1
        specials = org_specials if ev.get("type") == "events" else \
            cloud_specials if "creationDate" in ev else dc_specials
        for v in specials(ev):
            out.write(json.dumps(v, separators=(",", ":")) + "\n")
            n += 1
    print("hostile_events: %d events" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
