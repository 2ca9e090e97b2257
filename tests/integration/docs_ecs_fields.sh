#!/bin/bash
# The ECS field reference (docs/ecs-fields.md) cannot drift from the mapping:
# confluence2ecs runs with every option on (original preserved, event id,
# tags, both GeoIP test databases, input type, file path and offset) over all
# Elastic fixtures (Jira's and Bitbucket's with --product) and every
# tests/cases/map input (with the case's own
# options), and the leaf fields of its output are compared with the doc's
# field tables both ways:
#   - every emitted field has a row (arrays of objects flattened as
#     confluence.audit.affected_objects.name; a geo_point row covers .lat/.lon;
#     a flattened row covers whatever members it holds);
#   - every row is emitted by at least one input (a flattened row: some member);
#   - the emitted values fit the documented types;
#   - pipeline_error documents carry exactly the fields the doc lists for them;
#   - the "set in" links are true: each row links existing source files, and
#     each linked file names the field's constant (modules/core/map/
#     cfl_fields.h; or the constant of the object holding it, when the field
#     is copied from the event inside that object); every file that writes the
#     field's own constant (CFL_LEAF or cfl_json_set_path) is linked; and
#     every constant of cfl_fields.h is documented (a row, a member of one, or
#     a path the prose names).
# ECS_FIELDS_DOC=FILE checks another copy of the doc (to try the test).
# Licensed under the Apache License, Version 2.0.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/harness.sh"
h_init docs_ecs_fields

DOC=${ECS_FIELDS_DOC:-$top_srcdir/docs/ecs-fields.md}
CASES=$top_srcdir/tests/cases/map
OUT=$H_DIR/out.jsonl
ALL=(--rulebase "$CFL_RULEBASES/confluence-audit.rulebase"
	--categories "$CFL_RULEBASES/confluence-categories.json"
	--geoip-city "$CFL_FIXTURES/geoip/GeoIP2-City-Test.mmdb"
	--geoip-asn "$CFL_FIXTURES/geoip/GeoLite2-ASN-Test.mmdb"
	--preserve-original --event-id --tag docs-ecs-fields --input-type imfile)

# the ASN database the organization cases name as @DOCASN@ (see test_map_cases.sh)
DOCASN=$H_DIR/Documentation-ASN-Test.mmdb
"$PYTHON3" "$top_srcdir/tests/lib/mmdb_write.py" --documentation-asn "$DOCASN" || exit 1

if [ ! -f "$DOC" ]; then
	h_fail "docs/ecs-fields.md exists"
	h_done
fi

# --- what the mapping emits: file arguments, so log.file.path/log.offset too
runs=0
bad=""
: >"$OUT"
for f in "$CFL_FIXTURES"/elastic-confluence/*.log; do
	runs=$((runs + 1))
	"$CONFLUENCE2ECS" "${ALL[@]}" "$f" >>"$OUT" 2>"$H_DIR/err" || bad="$bad $(basename "$f")"
done
for product in jira bitbucket; do
	for f in "$CFL_FIXTURES"/elastic-$product/*.log; do
		runs=$((runs + 1))
		"$CONFLUENCE2ECS" "${ALL[@]}" --product $product "$f" >>"$OUT" 2>"$H_DIR/err" ||
			bad="$bad $product/$(basename "$f")"
	done
done
for dir in "$CASES"/*/; do
	h_case_args "$dir" "$DOCASN"
	args=("${H_CASE_ARGS[@]}")
	runs=$((runs + 1))
	"$CONFLUENCE2ECS" "${ALL[@]}" "${args[@]}" "$dir/input.json" >>"$OUT" 2>"$H_DIR/err" ||
		bad="$bad $(basename "$dir")"
done
ndocs=$(grep -c '' "$OUT")
h_check "confluence2ecs mapped $runs inputs into $ndocs documents (failed:${bad:- none})" \
	test -z "$bad" -a "$ndocs" -gt 0

# --- compare with the doc
cmp_failed=0
"$PYTHON3" - "$DOC" "$OUT" "$H_DIR" "$top_srcdir" <<'PY' || cmp_failed=1
import glob, ipaddress, json, os, re, sys

doc_path, out_path, d, top = sys.argv[1:5]
HEADER = re.compile(r"^\|\s*field\s*\|\s*type\s*\|\s*description\s*\|\s*defined by\s*\|\s*set in\s*\|\s*$")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
TYPES = {"keyword", "constant_keyword", "match_only_text", "date", "ip", "long",
         "boolean", "geo_point", "flattened"}
BY = {"ECS", "integration", "Elastic Agent"}

rows, malformed, err_doc = {}, [], []
set_in = {}         # field -> linked paths, relative to the doc
section, in_table = "", False
for n, line in enumerate(open(doc_path, encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if line.startswith("## "):
        section, in_table = line[3:].strip(), False
        continue
    if HEADER.match(line):
        in_table = True
        continue
    if section.startswith("On a pipeline_error document"):
        m = re.match(r"^- `([^`]+)`", line)
        if m:
            err_doc.append(m.group(1))
        continue
    if not in_table:
        continue
    if not line.startswith("|"):
        in_table = False
        continue
    if re.match(r"^\|[-| :]+\|$", line):
        continue
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    m = re.fullmatch(r"`([^`\s]+)`", cells[0])
    if len(cells) != 5 or not m:
        malformed.append(f"line {n}: not a `field` | type | description | defined by | set in row")
        continue
    path, typ, by = m.group(1), cells[1], cells[3]
    set_in[path] = [t for _, t in LINK.findall(cells[4])]
    if path in rows:
        malformed.append(f"line {n}: {path} listed twice")
    if typ not in TYPES:
        malformed.append(f"line {n}: {path}: unknown type {typ!r}")
    if by not in BY:
        malformed.append(f"line {n}: {path}: 'defined by' {by!r} is none of {sorted(BY)}")
    elif path.startswith(("confluence.", "atlassian_cloud.", "jira.", "bitbucket.")) != (by == "integration"):
        malformed.append(f"line {n}: {path}: only confluence.*, jira.*, bitbucket.* and "
                         "atlassian_cloud.* fields are the integrations' own")
    rows[path] = typ

geo = {p for p, t in rows.items() if t == "geo_point"}
flat = {p for p, t in rows.items() if t == "flattened"}

def field_of(path):
    head, _, last = path.rpartition(".")
    return head if last in ("lat", "lon") and head in geo else path

emitted = {}        # field -> list of (leaf path, value)
err_fields = set()
nerr = 0

def walk(v, path, into):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + [k], into)
    elif isinstance(v, list):
        for x in v:
            walk(x, path, into)
    else:
        into.append((".".join(path), v))

for line in open(out_path, encoding="utf-8"):
    if not line.strip():
        continue
    doc = json.loads(line)
    leaves = []
    walk(doc, [], leaves)
    is_err = doc.get("event", {}).get("kind") == "pipeline_error"
    nerr += is_err
    for leaf, v in leaves:
        f = field_of(leaf)
        emitted.setdefault(f, []).append((leaf, v))
        if is_err:
            err_fields.add(f)

documented = set(rows) - flat
# a flattened field indexes whatever members it holds: its leaves need no row
missing = sorted(f for f in set(emitted) - documented if not any(f.startswith(p + ".") for p in flat))
never = sorted(documented - set(emitted))
never += sorted(p for p in flat if not any(e.startswith(p + ".") for e in emitted))

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

def fits(typ, leaf, v, in_flat):
    if typ == "geo_point":
        return leaf.rsplit(".", 1)[-1] in ("lat", "lon") and isinstance(v, (int, float)) \
            and not isinstance(v, bool)
    if typ == "long":
        return isinstance(v, int) and not isinstance(v, bool)
    if typ == "boolean":
        return isinstance(v, bool)
    if typ == "date":
        return isinstance(v, str) and DATE.match(v) is not None
    if typ == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (TypeError, ValueError):
            return False
    # keyword-like: a string; a flattened field's members index any scalar
    return isinstance(v, str) or (in_flat and v is not None)

bad_types = []
for f, vals in sorted(emitted.items()):
    if f not in rows:
        continue
    in_flat = any(f.startswith(p + ".") for p in flat)
    wrong = [(l, v) for l, v in vals if not fits(rows[f], l, v, in_flat)]
    if wrong:
        bad_types.append(f"{f} ({rows[f]}): {len(wrong)} values like {wrong[0][1]!r}")

err_problems = []
if nerr == 0:
    err_problems.append("no pipeline_error document was emitted")
if not err_doc:
    err_problems.append("the doc lists no pipeline_error fields")
else:
    extra = sorted(err_fields - set(err_doc))
    unseen = sorted(set(err_doc) - err_fields)
    if extra:
        err_problems.append("emitted but not listed: " + " ".join(extra))
    if unseen:
        err_problems.append("listed but never emitted: " + " ".join(unseen))

def write(name, items):
    with open(f"{d}/{name}", "w", encoding="utf-8") as fh:
        for i in items:
            fh.write(i + "\n")

# --- the "set in" links and the field-path constants
FIELDS_H = os.path.join(top, "modules/core/map/cfl_fields.h")
consts = dict(re.findall(r'#define (CFL_FP_\w+) "([^"]+)"', open(FIELDS_H, encoding="utf-8").read()))
by_path = {p: c for c, p in consts.items()}
ROOT_ALIAS = re.compile(r"^(jira|bitbucket)\.audit(?=\.|$)")

# the roots of the families (user, confluence.audit, ...): every mapper
# writes them, so naming one says nothing about where a field is set
ROOTS = {p for p in by_path if "." not in p} | {"confluence.audit", "atlassian_cloud.audit"}

def chain(path):
    """The constants naming path or an object holding it below its family's
    root, nearest first; jira.audit / bitbucket.audit are confluence.audit
    under another root (unless a constant names the field itself)."""
    names = []
    for p in (path, ROOT_ALIAS.sub("confluence.audit", path)):
        segs = p.split(".")
        for q in (".".join(segs[:i]) for i in range(len(segs), 0, -1)):
            if q in by_path and by_path[q] not in names and (q == path or q not in ROOTS):
                names.append(by_path[q])
    return names

def without_reads(text):
    """text with every cfl_json_get(...) / cfl_json_get_str(...) call blanked."""
    out, i = [], 0
    for m in re.finditer(r"\bcfl_json_get(?:_str)?\(", text):
        if m.start() < i:
            continue
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        out.append(text[i:m.start()])
        i = j + 1
    return "".join(out) + text[i:]

# a write names the constant as CFL_LEAF(CONST) or in cfl_json_set_path(...)
sources = {os.path.relpath(f, top): without_reads(open(f, encoding="utf-8").read())
           for f in glob.glob(os.path.join(top, "modules/core/map/*.c"))}

def writers(c):
    w = re.compile(r"CFL_LEAF\(%s\)|cfl_json_set_path\([^;]*\b%s\b" % (c, c))
    return {f for f, t in sources.items() if w.search(t)}

bad_links = []
for path in sorted(set_in):
    links = set_in[path]
    if not links:
        bad_links.append(f"{path}: no 'set in' link")
    # a linked file writes the field's own constant, or the one of an object
    # that brings the field along from the event
    names = chain(path)
    if not names:
        bad_links.append(f"{path}: no constant of cfl_fields.h names it or an object holding it")
        continue
    linked = set()
    for t in links:
        f = os.path.normpath(os.path.join(os.path.dirname(doc_path), t))
        if not os.path.isfile(f):
            bad_links.append(f"{path}: {t} does not exist")
            continue
        rel = os.path.relpath(os.path.realpath(f), os.path.realpath(top))
        linked.add(rel)
        if not any(rel in writers(c) for c in names):
            bad_links.append(f"{path}: {t} writes none of {' '.join(names)}")
    # every writer of the field's own constant is linked (not for the
    # jira/bitbucket rows: the Cloud mapper writes confluence.audit alone)
    if path in by_path:
        for f in sorted(writers(by_path[path]) - linked):
            bad_links.append(f"{path}: {f} writes {by_path[path]} but is not linked")
doc_text = open(doc_path, encoding="utf-8").read()
undocumented = []
for c, p in sorted(consts.items()):
    alias = [p]
    if p.startswith("confluence.audit"):
        alias += ["jira" + p[len("confluence"):], "bitbucket" + p[len("confluence"):]]
    # a row, an object holding rows, a member of a geo_point or flattened
    # row, or a path the prose names
    if not any(a in rows or any(r.startswith(a + ".") for r in rows) or ("`%s`" % a) in doc_text
               or any(a.startswith(r + ".") for r in geo | flat) for a in alias):
        undocumented.append(f"{c} ({p})")

write("links", bad_links)
write("undocumented", undocumented)
write("rows", sorted(rows))
write("malformed", malformed)
write("missing", missing)
write("never", never)
write("types", bad_types)
write("errdoc", err_problems)
write("counts", [str(len(rows)), str(len(documented)), str(len(flat)), str(nerr)])
PY
if [ $cmp_failed != 0 ]; then
	h_fail "the doc and the output could be compared (the checker failed)"
	h_done
fi

# show a list as one line for the TAP description, and as # lines in full
listed() {
	[ -s "$1" ] && sed 's/^/#   /' "$1" >&2
	tr '\n' ' ' <"$1" | sed 's/ $//'
}
{ read -r nrows; read -r nleaf; read -r nflat; read -r nerr; } <"$H_DIR/counts"
h_check "the doc has a field table ($nrows rows: $nleaf fields, $nflat flattened)" test "${nleaf:-0}" -gt 0
m=$(listed "$H_DIR/malformed")
h_check "every table row is well-formed (problems: ${m:-none})" test ! -s "$H_DIR/malformed"
m=$(listed "$H_DIR/missing")
h_check "every emitted field is documented (missing: ${m:-none})" test ! -s "$H_DIR/missing"
m=$(listed "$H_DIR/never")
h_check "every documented field is emitted by some input (never seen: ${m:-none})" test ! -s "$H_DIR/never"
m=$(listed "$H_DIR/types")
h_check "emitted values fit the documented types (${m:-all fit})" test ! -s "$H_DIR/types"
m=$(listed "$H_DIR/errdoc")
h_check "the $nerr pipeline_error documents carry exactly the listed fields (${m:-yes})" test ! -s "$H_DIR/errdoc"
m=$(listed "$H_DIR/links")
h_check "every 'set in' link names a file that sets the field, and every such file is linked (${m:-all true})" \
	test ! -s "$H_DIR/links"
m=$(listed "$H_DIR/undocumented")
h_check "every field-path constant of cfl_fields.h is documented (undocumented: ${m:-none})" \
	test ! -s "$H_DIR/undocumented"
h_done
