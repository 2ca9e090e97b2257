#!/usr/bin/env python3
"""contrib/debsrc.py: the deb-src entries apt lacks for this release's own archive.

Used by contrib/build.sh before `apt-get source rsyslog`; tested on sample
source lists (tests/unit/test_debsrc.sh). Reads apt source files in both
formats -- one-line ("deb [opts] URI SUITE COMP...", in sources.list and
*.list) and deb822 stanzas (*.sources) -- and, for every "deb" entry of this
release (suite = the codename or codename-updates/-security/...) that has no
matching "deb-src", writes one in the same format as the entry it mirrors:
one-line entries into OUT_DIR/rsyslog-confluence-src.list, deb822 stanzas
(keeping their Signed-By and other fields) into
OUT_DIR/rsyslog-confluence-src.sources. apt refuses a one-line entry in a
.sources file, so the two formats never share a file.

Third-party repositories (their suites are not this release's) are left
alone: many publish no sources, and `apt-get update` would then fail.

    debsrc.py --codename CODENAME --out-dir DIR FILE...
Prints the files written (one per line); exit 0 also when nothing is missing,
2 when there is no entry of this release at all.
Licensed under the Apache License, Version 2.0.
"""
import argparse
import os
import re
import sys

OWN = "rsyslog-confluence-src"
# Suite names that are this machine's release whatever its codename says.
ALIASES = {"stable", "testing", "unstable", "sid", "oldstable", "experimental"}


def release_suite(suite, codename):
    base = suite.split("/")[0].split("-")[0]
    return (codename and base == codename) or base in ALIASES


def one_line_entries(text):
    """(type, options, uri, suite, components, line) of each active one-line entry."""
    for line in text.splitlines():
        s = line.split("#", 1)[0].strip()
        m = re.match(r"^(deb|deb-src)\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$", s)
        if m:
            yield m.group(1), (m.group(2) or "").strip(), m.group(3), m.group(4), m.group(5).split(), line


def stanzas(text):
    """Each deb822 stanza as (ordered [(field, value-with-continuations)], dict)."""
    for block in re.split(r"\n[ \t]*\n", text):
        fields = []
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and fields:
                fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + line)
                continue
            m = re.match(r"^([A-Za-z0-9-]+):[ \t]*(.*)$", line)
            if m:
                fields.append((m.group(1), m.group(2)))
        if fields:
            yield fields, {k.lower(): v for k, v in fields}


def norm(uri):
    return uri.rstrip("/")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--codename", default="")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    have_src = set()   # (uri, suite) with a deb-src already
    wanted = []        # ("list", line) or ("sources", fields, suites)
    for path in a.files:
        if os.path.basename(path).startswith(OWN):
            continue  # ours, from an earlier run: rewritten below
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        if path.endswith(".sources"):
            for fields, d in stanzas(text):
                if d.get("enabled", "yes").strip().lower() == "no":
                    continue
                types = d.get("types", "").split()
                uris = d.get("uris", "").split()
                suites = d.get("suites", "").split()
                for u in uris:
                    for s in suites:
                        if "deb-src" in types:
                            have_src.add((norm(u), s))
                if "deb" in types and "main" in d.get("components", "").split():
                    mine = [s for s in suites if release_suite(s, a.codename)]
                    if mine:
                        wanted.append(("sources", fields, uris, mine))
        else:
            for typ, opts, uri, suite, comps, line in one_line_entries(text):
                if typ == "deb-src":
                    have_src.add((norm(uri), suite))
                elif "main" in comps and release_suite(suite, a.codename):
                    wanted.append(("list", opts, uri, suite, comps))

    if not wanted:
        print("debsrc.py: no 'deb' entry of this release (%s) found to mirror as deb-src"
              % (a.codename or "unknown codename"), file=sys.stderr)
        sys.exit(2)
    lines, blocks = [], []
    for w in wanted:
        if w[0] == "list":
            _, opts, uri, suite, comps = w
            if (norm(uri), suite) in have_src:
                continue
            entry = " ".join(["deb-src"] + ([opts] if opts else []) + [uri, suite] + comps)
            if entry not in lines:
                lines.append(entry)
        else:
            _, fields, uris, suites = w
            missing = [s for s in suites if any((norm(u), s) not in have_src for u in uris)]
            if not missing:
                continue
            out = []
            for k, v in fields:
                if k.lower() == "types":
                    v = "deb-src"
                elif k.lower() == "suites":
                    v = " ".join(missing)
                out.append("%s: %s" % (k, v))
            blocks.append("\n".join(out))
    written = []
    for name, body in (("list", "\n".join(lines)), ("sources", "\n\n".join(blocks))):
        path = os.path.join(a.out_dir, "%s.%s" % (OWN, name))
        if body:
            with open(path + ".tmp", "w") as f:
                f.write("# written by rsyslog-confluence's contrib/build.sh for `apt-get source rsyslog`\n"
                        + body + "\n")
            os.replace(path + ".tmp", path)
            written.append(path)
        elif os.path.exists(path):
            os.unlink(path)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
