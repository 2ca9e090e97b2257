#!/usr/bin/env python3
"""jsoncmp.py -- compare two files of JSON documents, as JSON.

usage: jsoncmp.py [--drop PATH]... EXPECTED ACTUAL

Each file holds a sequence of JSON values: JSON lines, or pretty-printed
documents one after the other (an empty file holds none). The files are equal
when they hold the same number of documents and each pair is equal as JSON:
objects compare member by member in both directions (key order is free),
arrays element by element, numbers by value (1 == 1.0; true is not 1),
strings exactly.

--drop PATH removes a dotted member path (e.g. event.dataset, data_stream)
from every document of both files before comparing: for fields that depend on
how the event arrived rather than on what it says.

Exit status: 0 equal; 1 different, with the first difference printed as
"doc N: $.path: what"; 2 usage or a file that is not JSON.
"""
import json
import sys


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    dec = json.JSONDecoder()
    docs, pos = [], 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            return docs
        try:
            doc, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not JSON: {e}") from None
        docs.append(doc)


def drop(doc, path):
    parts = path.split(".")
    for p in parts[:-1]:
        if not isinstance(doc, dict) or p not in doc:
            return
        doc = doc[p]
    if isinstance(doc, dict):
        doc.pop(parts[-1], None)


def show(v):
    s = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return s if len(s) <= 200 else s[:197] + "..."


def kind(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}[type(v)]


def diff(exp, act, path):
    """First difference between exp and act as 'path: what', or None."""
    if kind(exp) != kind(act):
        return f"{path}: expected {kind(exp)} {show(exp)}, got {kind(act)} {show(act)}"
    if isinstance(exp, dict):
        for k in exp:
            if k not in act:
                return f"{path}.{k}: missing in actual (expected {show(exp[k])})"
        for k in act:
            if k not in exp:
                return f"{path}.{k}: unexpected in actual ({show(act[k])})"
        for k in exp:
            d = diff(exp[k], act[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(exp, list):
        for i, (e, a) in enumerate(zip(exp, act)):
            d = diff(e, a, f"{path}[{i}]")
            if d:
                return d
        if len(exp) != len(act):
            return f"{path}: expected {len(exp)} elements, got {len(act)}"
        return None
    if exp != act:
        return f"{path}: expected {show(exp)}, got {show(act)}"
    return None


def main(argv):
    drops, files = [], []
    it = iter(argv)
    for a in it:
        if a == "--drop":
            drops.append(next(it, None) or "")
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            files.append(a)
    if len(files) != 2 or "" in drops:
        print("usage: jsoncmp.py [--drop PATH]... EXPECTED ACTUAL", file=sys.stderr)
        return 2
    try:
        exp, act = load_docs(files[0]), load_docs(files[1])
    except (OSError, ValueError) as e:
        print(f"jsoncmp: {e}", file=sys.stderr)
        return 2
    for d in exp + act:
        for p in drops:
            drop(d, p)
    for i, (e, a) in enumerate(zip(exp, act), 1):
        d = diff(e, a, "$")
        if d:
            print(f"doc {i}: {d}")
            return 1
    if len(exp) != len(act):
        print(f"expected {len(exp)} documents, got {len(act)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
