#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Mock Atlassian audit REST APIs (Data Center, Confluence Cloud, Jira Cloud) for imconfluence tests.

Serves, from one in-memory event store:
  * Data Center  GET /rest/auditing/1.0/events   (entities, pagingInfo, pageCursor);
                 Confluence-, Jira- or Bitbucket-shaped events (--product)
  * Cloud        GET {context}/rest/api/audit    (results, start/limit, _links.next)
  * Jira Cloud   GET /rest/api/3/auditing/record (records newest first, offset/limit/from/to,
                 total; --jira-total-extra overstates total, as Jira does)
plus a control API under /__mock/ (events, faults, request log, oracle).

Python 3 standard library only.  See tests/mock/README.md for the reference.
"""

import argparse
import base64
import gzip
import bisect
import binascii
import calendar
import datetime
import hashlib
import json
import os
import random
import re
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mock_products  # noqa: E402  (Jira and Bitbucket shapes)

DC_PATH = "/rest/auditing/1.0/events"
CLOUD_SUFFIX = "/rest/api/audit"
DC_DEFAULT_LIMIT = 200       # "paged with a default of 200 events/page" (DC)
CLOUD_DEFAULT_LIMIT = 1000   # documented Cloud default
ID_BITS = 32
ID_MAX = (1 << ID_BITS) - 1
SYSTEM_URL = "http://confluence.internal:8090"
MAX_BODY = 1 << 30


def now_ms():
    return int(time.time() * 1000)


def iso_ms(ms):
    """epoch ms -> '2021-11-23T00:44:36.398Z' (always 3 fraction digits, UTC)."""
    sec, milli = divmod(int(ms), 1000)
    t = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, milli)


_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$")


def parse_iso_us(s):
    """ISO 8601 date(-time) -> epoch microseconds (int).  Raises ValueError.

    A date-time without an offset is taken as UTC.  A '+' that arrived
    unencoded in a query string has become a space and is rejected, as a
    real server would reject it.
    """
    m = _ISO_RE.match(s)
    if not m:
        raise ValueError("not an ISO 8601 date-time: %r" % s)
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    if hh is not None and tz is None and " " in s:
        raise ValueError("not an ISO 8601 date-time: %r" % s)
    dt = datetime.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                           int(ss or 0))
    us = calendar.timegm(dt.timetuple()) * 1000000
    if frac:
        us += int((frac + "000000")[:6])
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        off = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        us -= sign * off * 60 * 1000000
    return us


def dumps(obj):
    """Deterministic compact JSON (insertion key order, raw UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dumpb(obj):
    return dumps(obj).encode("utf-8")


# ---------------------------------------------------------------------------
# Synthetic event catalogue
# ---------------------------------------------------------------------------

def _uhex(seed, n=32):
    return hashlib.sha1(seed.encode("utf-8")).hexdigest()[:n]


# (username, display name, cloud accountId-ish)
USERS = [
    ("admin", "test user"),
    ("jjacobs", "John Jacobs"),
    ("zoe.angstrom", "Zoë Ångström"),
    ("li.lei", "李雷"),
    ("ijsbrand", "Ĳsbrand van der Berg"),
    ("o.brien", "Siobhán O'Brien"),
    ("m.mueller", "Martin Müller"),
    ("a.kowalska", "Agnieszka Kowalska-Żółć"),
    ("svc-backup", "Backup Service"),
    ("r.nakamura", "中村 亮"),
    ("d.smith", "Dana \"DJ\" Smith"),
    ("emoji.fan", "Sam 🚀 Rivera"),
]

SOURCES = [
    "81.2.69.143", "81.2.69.143", "10.100.100.2", "192.0.2.17",
    "198.51.100.23", "203.0.113.250", "172.16.4.9",
    "2001:db8:85a3::8a2e:370:7334", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
    "::ffff:192.0.2.128", "2001:db8:0:0:1:0:0:1",
]

SPACES = [
    ("ASDF", "asdf", "98306"),
    ("ds", "Demonstration Space", "98305"),
    ("ENG", "Engineering", "131073"),
    ("SEC", "Sécurité & Conformité", "131074"),
    ("RD", "研发部 知识库", "131075"),
    ("OPS", "Ops 🚀 Runbooks", "131076"),
    ("HR", "People <HR> \"Internal\"", "131077"),
]

GROUPS = ["confluence-administrators", "confluence-users", "site-admins",
          "équipe-sécurité", "jira-software-users", "研发"]

PERMS = ["VIEWSPACE", "EDITSPACE", "COMMENT", "REMOVEPAGE", "SETSPACEPERMISSIONS",
         "EXPORTSPACE", "CREATEATTACHMENT"]

APPS = ["Synchrony Interop Bootstrap Plugin", "Confluence Questions",
        "draw.io Diagrams", "Team Calendars for Confluence", "Gliffy Diagrams"]

# key -> (category, categoryI18nKey, area)
CATS = {
    "users": ("Users and groups", "audit.logging.category.user.management", "USER_MANAGEMENT"),
    "perms": ("Permissions", "audit.logging.category.permissions", "PERMISSIONS"),
    "spaces": ("Spaces", "audit.logging.category.spaces", "LOCAL_CONFIG_AND_ADMINISTRATION"),
    "apps": ("Apps", "audit.logging.category.plugins", "GLOBAL_CONFIG_AND_ADMINISTRATION"),
    "admin": ("Global Administration", "audit.logging.category.admin",
              "GLOBAL_CONFIG_AND_ADMINISTRATION"),
    "audit": ("Auditing", "atlassian.audit.event.category.audit", "AUDIT_LOG"),
    "pages": ("Pages", "audit.logging.category.pages", "END_USER_ACTIVITY"),
    "security": ("Security", "audit.logging.category.security", "SECURITY"),
}

# (weight, cat, action, actionI18nKey, level, builder-name)
ACTIONS = [
    (12, "perms", "Space permission added", "audit.logging.summary.space.permission.added", "BASE", "spaceperm"),
    (8, "perms", "Space permission removed", "audit.logging.summary.space.permission.removed", "BASE", "spaceperm"),
    (3, "perms", "Global permission added", "audit.logging.summary.global.permission.added", "BASE", "globalperm"),
    (6, "users", "User added to group", "audit.logging.summary.group.membership.added", "BASE", "membership"),
    (3, "users", "User removed from group", "audit.logging.summary.group.membership.removed", "BASE", "membership"),
    (4, "users", "User created", "audit.logging.summary.user.created", "BASE", "usercreated"),
    (4, "users", "User details updated", "audit.logging.summary.user.updated", "BASE", "userupdated"),
    (2, "users", "User deactivated", "audit.logging.summary.user.deactivated", "BASE", "user"),
    (2, "users", "Group created", "audit.logging.summary.group.created", "BASE", "group"),
    (3, "spaces", "Space created", "audit.logging.summary.space.created", "BASE", "space"),
    (3, "spaces", "Space configuration updated", "audit.logging.summary.space.config.updated", "BASE", "spaceconfig"),
    (2, "spaces", "Space logo uploaded", "audit.logging.summary.space.logo.uploaded", "ADVANCED", "space"),
    (1, "spaces", "Space deleted", "audit.logging.summary.space.deleted", "BASE", "space"),
    (2, "apps", "App enabled", "audit.logging.summary.plugin.enabled", "BASE", "app"),
    (1, "apps", "App disabled", "audit.logging.summary.plugin.disabled", "BASE", "app"),
    (2, "admin", "Global settings changed", "audit.logging.summary.global.settings.edited", "BASE", "settings"),
    (1, "audit", "Audit Log configuration updated", "atlassian.audit.event.action.audit.config.updated", "BASE", "auditcfg"),
    (4, "pages", "Page archived", "audit.logging.summary.page.archived", "FULL", "page"),
    (3, "pages", "Page deleted", "audit.logging.summary.page.deleted", "FULL", "page"),
    (3, "security", "User login failed", "audit.logging.summary.user.login.failed", "ADVANCED", "loginfail"),
]
_ACTION_CUM = []
_acc = 0
for _a in ACTIONS:
    _acc += _a[0]
    _ACTION_CUM.append(_acc)
_ACTION_TOTAL = _acc

PAGE_TITLES = ["Q3 Roadmap", "Incident 2024-113 post-mortem", "Onboarding checklist",
               "Café menu ☕", "API keys (DO NOT SHARE)", "Réunion d'équipe", "設計ドキュメント",
               "Line\tbreak\nTitle"]


def _dc_user(username, display):
    uid = _uhex("user:" + username)
    return {"name": display, "type": "user", "id": uid,
            "uri": SYSTEM_URL + "/admin/users/viewuser.action?username=" +
                   urllib.parse.quote(username), "avatarUri": ""}


def _cloud_user(username, display, external=False):
    return {"type": "user", "displayName": display, "operations": None,
            "isExternalCollaborator": external,
            "accountId": "5b10ac8d82e05b22cc7d4e" + _uhex("acct:" + username, 2),
            "accountType": "atlassian", "publicName": display,
            "isGuest": False, "externalCollaborator": external}


def _obj(name, typ, uri=None, oid=None):
    o = {"name": name, "type": typ}
    if uri is not None:
        o["uri"] = uri
    if oid is not None:
        o["id"] = oid
    return o


def _space_obj(sp):
    return _obj(sp[1], "Space", SYSTEM_URL + "/display/" + sp[0], sp[2])


def _user_obj(u):
    return _obj(u[1], "User", SYSTEM_URL + "/admin/users/viewuser.action?username=" +
                urllib.parse.quote(u[0]), _uhex("user:" + u[0]))


def _group_obj(g):
    return _obj(g, "Group", SYSTEM_URL +
                "/admin/users/domembersofgroupsearch.action?membersOfGroupTerm=" +
                urllib.parse.quote(g), g)


def _cv(key, frm=None, to=None, i18n=None):
    c = {"key": key, "i18nKey": i18n or key}
    if frm is not None:
        c["from"] = frm
    if to is not None:
        c["to"] = to
    return c


def synth(seed, eid, ts, flavor):
    """Deterministically build synthetic event `eid` (a dict in `flavor` shape)."""
    r = random.Random((seed << 40) ^ (eid * 2654435761))
    x = r.random() * _ACTION_TOTAL
    ai = bisect.bisect_right(_ACTION_CUM, x)
    _w, catk, action, action_key, level, builder = ACTIONS[min(ai, len(ACTIONS) - 1)]
    cat, cat_key, area = CATS[catk]

    ar = r.random()
    if ar < 0.08:
        author_kind = "anon"
    elif ar < 0.13 or builder == "auditcfg":
        author_kind = "system"
    else:
        author_kind = "user"
    user = USERS[r.randrange(len(USERS))]
    other = USERS[r.randrange(len(USERS))]
    space = SPACES[r.randrange(len(SPACES))]
    group = GROUPS[r.randrange(len(GROUPS))]
    sr = r.random()
    source = SOURCES[r.randrange(len(SOURCES))]
    if sr < 0.02:
        source = None      # field absent, as seen in real data
    elif sr < 0.04:
        source = ""

    affected, changed, extra = [], [], []
    if builder == "spaceperm":
        perm = PERMS[r.randrange(len(PERMS))]
        if r.random() < 0.5:
            affected = [_group_obj(group), _space_obj(space)]
            changed = [_cv("Group", to=group), _cv("Type", to=perm), _cv("Space", to=space[0])]
        else:
            affected = [_user_obj(other), _space_obj(space)]
            changed = [_cv("User", to=other[0]), _cv("Type", to=perm), _cv("Space", to=space[0])]
        if action.endswith("removed"):
            changed = [_cv(c["key"], frm=c["to"]) for c in changed]
    elif builder == "globalperm":
        perm = r.choice(["USECONFLUENCE", "CREATESPACE", "ADMINISTRATECONFLUENCE", "PERSONALSPACE"])
        affected = [_group_obj(group)]
        changed = [_cv("Group", to=group), _cv("Type", to=perm)]
    elif builder == "membership":
        affected = [_user_obj(other), _group_obj(group)]
        if action.endswith("added"):
            changed = [_cv("Group", to=group)]
        else:
            changed = [_cv("Group", frm=group)]
    elif builder == "usercreated":
        affected = [_user_obj(other)]
        changed = [_cv("Username", to=other[0], i18n="audit.logging.changed.value.username"),
                   _cv("Display name", to=other[1]),
                   _cv("Email", to=other[0] + "@example.com"),
                   _cv("Active", to="Yes")]
    elif builder == "userupdated":
        affected = [_user_obj(other)]
        changed = [_cv("Display name", frm=other[1].split(" ")[0], to=other[1])]
    elif builder == "user":
        affected = [_user_obj(other)]
        changed = [_cv("Active", frm="Yes", to="No")]
    elif builder == "group":
        affected = [_group_obj(group)]
        changed = [_cv("Name", to=group)]
    elif builder == "space":
        affected = [_space_obj(space)]
    elif builder == "spaceconfig":
        affected = [_space_obj(space)]
        changed = [_cv("Space type", frm="", to="global"), _cv("Space status", frm="", to="CURRENT")]
    elif builder == "app":
        affected = [_obj(APPS[r.randrange(len(APPS))], "App")]
    elif builder == "settings":
        affected = [_obj("Global settings", "Configuration")]
        changed = [_cv("Base URL", frm="http://confluence.internal:8090",
                       to="https://wiki.example.com")]
    elif builder == "auditcfg":
        changed = [_cv("Retention period", frm="3 years", to="1 year")]
    elif builder == "page":
        title = PAGE_TITLES[r.randrange(len(PAGE_TITLES))]
        affected = [_obj(title, "Page", SYSTEM_URL + "/pages/viewpage.action?pageId=%d" %
                         (200000 + r.randrange(100000)), str(200000 + r.randrange(100000))),
                    _space_obj(space)]
    elif builder == "loginfail":
        affected = [_user_obj(other)]
        extra = [{"nameI18nKey": "audit.logging.extra.attribute.reason", "name": "Reason",
                  "value": "Invalid credentials"}]
        author_kind = "anon"
    if r.random() < 0.05:
        extra = extra + [{"nameI18nKey": "atlassian.audit.event.attribute.node",
                          "name": "Node ID", "value": "node-%d" % r.randrange(1, 4)}]

    if flavor == "datacenter":
        if author_kind == "anon":
            author = {"name": "Anonymous", "type": "user", "id": "-2", "avatarUri": ""}
        elif author_kind == "system":
            author = {"name": "System", "type": "system", "id": "-1", "avatarUri": ""}
        else:
            author = _dc_user(user[0], user[1])
        ev = {"timestamp": iso_ms(ts), "author": author,
              "type": {"categoryI18nKey": cat_key, "category": cat,
                       "actionI18nKey": action_key, "action": action,
                       "area": area, "level": level},
              "affectedObjects": affected, "changedValues": changed}
        if source is not None:
            ev["source"] = source
        ev["system"] = SYSTEM_URL
        ev["method"] = "System" if author_kind == "system" else "Browser"
        ev["extraAttributes"] = extra
        return ev

    # Cloud shape
    if author_kind == "anon":
        author = {"type": "user", "displayName": "Anonymous", "operations": None,
                  "isExternalCollaborator": False, "accountType": "",
                  "publicName": "Unknown user", "externalCollaborator": False}
    elif author_kind == "system":
        author = {"type": "user", "displayName": "System", "operations": None,
                  "isExternalCollaborator": False, "accountType": "",
                  "publicName": "Unknown user", "externalCollaborator": False}
    else:
        author = _cloud_user(user[0], user[1], external=(user[0] == "emoji.fan"))
    return _cloud_record(author, source or "", ts, action, cat, affected, changed,
                         sysadmin=(author_kind == "user" and user[0] == "admin"),
                         description=("" if r.random() < 0.9 else "Changed via REST API"))


def _cloud_record(author, remote, ts, summary, category, affected, changed,
                  sysadmin=False, description=""):
    objs = [{"name": o.get("name", ""), "objectType": o.get("type", "")} for o in affected]
    return {"author": author, "remoteAddress": remote, "creationDate": int(ts),
            "summary": summary, "description": description, "category": category,
            "sysAdmin": sysadmin, "superAdmin": False,
            "affectedObject": objs[0] if objs else {"name": "", "objectType": ""},
            "changedValues": [{"name": c.get("key", ""), "oldValue": c.get("from", ""),
                               "hiddenOldValue": "", "newValue": c.get("to", ""),
                               "hiddenNewValue": ""} for c in changed],
            "associatedObjects": objs[1:]}


# ---------------------------------------------------------------------------
# Shape conversion for events supplied by tests
# ---------------------------------------------------------------------------

KIND_SYNTH, KIND_DC, KIND_DCFILE, KIND_CLOUD, KIND_JIRA = 0, 1, 2, 3, 4
API_FLAVORS = ("cloud", "datacenter", "jira-cloud")


def classify(obj):
    """Return (kind, ts_ms or None).  Raises ValueError for unusable input."""
    if not isinstance(obj, dict):
        raise ValueError("event must be a JSON object")
    if mock_products.is_jira_cloud(obj):
        if obj.get("created") is None:
            return KIND_JIRA, None
        if not isinstance(obj["created"], str):
            raise ValueError("bad created")
        return KIND_JIRA, parse_iso_us(obj["created"]) // 1000
    ts = obj.get("timestamp")
    if "auditType" in obj or isinstance(ts, dict):
        if isinstance(ts, dict):
            try:
                sec = int(ts.get("epochSecond"))
                nano = int(ts.get("nano", 0))
            except (TypeError, ValueError):
                raise ValueError("bad timestamp object")
            return KIND_DCFILE, sec * 1000 + nano // 1000000
        return KIND_DCFILE, None
    if "creationDate" in obj or "summary" in obj or "remoteAddress" in obj:
        cd = obj.get("creationDate")
        if cd is None:
            return KIND_CLOUD, None
        if isinstance(cd, bool) or not isinstance(cd, (int, float, str)):
            raise ValueError("bad creationDate")
        try:
            return KIND_CLOUD, int(cd)
        except ValueError:
            raise ValueError("bad creationDate")
    if "type" in obj or "timestamp" in obj or "entities" not in obj:
        if ts is None:
            return KIND_DC, None
        if not isinstance(ts, str):
            raise ValueError("bad timestamp")
        return KIND_DC, parse_iso_us(ts) // 1000
    raise ValueError("unrecognised event shape")


def dcfile_to_rest(src, ts):
    t = src.get("auditType") or src.get("type") or {}
    out = {"timestamp": iso_ms(ts), "author": src.get("author", {}), "type": t,
           "affectedObjects": src.get("affectedObjects", []),
           "changedValues": src.get("changedValues", [])}
    if "source" in src:
        out["source"] = src["source"]
    out["system"] = src.get("system", "")
    out["method"] = src.get("method", "")
    out["extraAttributes"] = src.get("extraAttributes", [])
    return out


def dc_to_cloud(src, ts):
    a = src.get("author") or {}
    t = src.get("auditType") or src.get("type") or {}
    author = {"type": "user", "displayName": a.get("name", ""), "operations": None,
              "isExternalCollaborator": False}
    if a.get("id") and not str(a.get("id")).startswith("-"):
        author["accountId"] = str(a.get("id"))
    author["accountType"] = "atlassian" if "accountId" in author else ""
    author["publicName"] = a.get("name", "") if "accountId" in author else "Unknown user"
    author["externalCollaborator"] = False
    aff = [o for o in (src.get("affectedObjects") or []) if isinstance(o, dict)]
    chg = [c for c in (src.get("changedValues") or []) if isinstance(c, dict)]
    return _cloud_record(author, src.get("source", "") or "", ts, t.get("action", ""),
                         t.get("category", ""), aff, chg)


def cloud_to_dc(src, ts):
    a = src.get("author") or {}
    author = {"name": a.get("displayName", ""), "type": "user",
              "id": a.get("accountId") or a.get("userKey") or "", "avatarUri": ""}
    objs = []
    for o in [src.get("affectedObject")] + list(src.get("associatedObjects") or []):
        if isinstance(o, dict) and (o.get("name") or o.get("objectType")):
            objs.append({"name": o.get("name", ""), "type": o.get("objectType", "")})
    chg = []
    for c in src.get("changedValues") or []:
        if isinstance(c, dict):
            chg.append(_cv(c.get("name", ""), frm=(c.get("oldValue") or None),
                           to=(c.get("newValue") or None)))
    return {"timestamp": iso_ms(ts), "author": author,
            "type": {"categoryI18nKey": "", "category": src.get("category", ""),
                     "actionI18nKey": "", "action": src.get("summary", "")},
            "affectedObjects": objs, "changedValues": chg,
            "source": src.get("remoteAddress", "") or "", "system": "",
            "method": "Browser", "extraAttributes": []}


# ---------------------------------------------------------------------------
# Event store
# ---------------------------------------------------------------------------

class Event(object):
    __slots__ = ("ts", "id", "kind", "src", "dc", "cl", "jc", "search")

    def __init__(self, ts, eid, kind, src, search=False):
        self.ts = ts
        self.id = eid
        self.kind = kind
        self.src = src
        self.dc = None
        self.cl = None
        self.jc = None
        self.search = search

    @property
    def key(self):
        return (self.ts << ID_BITS) | self.id


class Store(object):
    def __init__(self, seed, product="confluence"):
        self.seed = seed
        self.product = product
        self.lock = threading.RLock()
        self.keys = []       # sorted ascending ((ts << 32) | id)
        self.evs = []        # parallel to keys
        self.pending = []    # [(visible_at_monotonic, Event)]
        self.next_id = 1

    # -- rendering ---------------------------------------------------------
    def render(self, ev, flavor):
        if flavor == "jira-cloud":
            if ev.jc is None:
                if ev.kind == KIND_JIRA:
                    ev.jc = dumpb(ev.src)
                else:
                    ev.jc = dumpb(mock_products.synth_jira_cloud(ev.id, ev.ts))
            return ev.jc
        if flavor == "datacenter":
            b = ev.dc
            if b is None:
                if ev.kind == KIND_SYNTH and self.product != "confluence":
                    b = dumpb(mock_products.synth_dc(self.product, ev.id, iso_ms(ev.ts)))
                elif ev.kind == KIND_SYNTH:
                    b = dumpb(synth(self.seed, ev.id, ev.ts, "datacenter"))
                elif ev.kind == KIND_DC:
                    b = dumpb(ev.src)
                elif ev.kind == KIND_DCFILE:
                    b = dumpb(dcfile_to_rest(ev.src, ev.ts))
                else:
                    b = dumpb(cloud_to_dc(ev.src, ev.ts))
                ev.dc = b
            return b
        b = ev.cl
        if b is None:
            if ev.kind == KIND_SYNTH:
                b = dumpb(synth(self.seed, ev.id, ev.ts, "cloud"))
            elif ev.kind == KIND_CLOUD:
                b = dumpb(ev.src)
            else:
                b = dumpb(dc_to_cloud(ev.src, ev.ts))
            ev.cl = b
        return b

    # -- mutation ----------------------------------------------------------
    def alloc_ids(self, n):
        with self.lock:
            first = self.next_id
            self.next_id += n
            if self.next_id > ID_MAX:
                raise ValueError("id space exhausted")
            return first

    def _insert_many(self, evs):
        if not evs:
            return
        with self.lock:
            if len(evs) < 64:
                for ev in evs:
                    k = ev.key
                    if not self.keys or k > self.keys[-1]:
                        self.keys.append(k)
                        self.evs.append(ev)
                    else:
                        i = bisect.bisect_left(self.keys, k)
                        self.keys.insert(i, k)
                        self.evs.insert(i, ev)
                return
            allev = self.evs + list(evs)
            allev.sort(key=lambda e: e.key)
            self.evs = allev
            self.keys = [e.key for e in allev]

    def add(self, evs, visible_after=None):
        if visible_after and visible_after > 0:
            due = time.monotonic() + visible_after
            with self.lock:
                for ev in evs:
                    self.pending.append((due, ev))
            return
        self._insert_many(evs)

    def promote(self):
        if not self.pending:
            return
        t = time.monotonic()
        with self.lock:
            due = [e for (d, e) in self.pending if d <= t]
            if due:
                self.pending = [(d, e) for (d, e) in self.pending if d > t]
                self._insert_many(due)

    def clear(self):
        with self.lock:
            self.keys, self.evs, self.pending = [], [], []

    def make_event(self, obj, eid=None, default_ts=None):
        kind, ts = classify(obj)
        if ts is None:
            ts = default_ts if default_ts is not None else now_ms()
            obj = dict(obj)
            if kind == KIND_DC:
                obj = dict([("timestamp", iso_ms(ts))] + list(obj.items()))
            elif kind == KIND_CLOUD:
                obj["creationDate"] = ts
            elif kind == KIND_JIRA:
                obj["created"] = mock_products.iso_jira(ts)
            elif kind == KIND_DCFILE:
                obj["timestamp"] = {"epochSecond": ts // 1000, "nano": (ts % 1000) * 1000000}
        ts = max(0, int(ts))
        if eid is None:
            eid = self.alloc_ids(1)
        return Event(ts, eid, kind, obj)

    def synth_times(self, count, ts_from, ts_to, rng):
        """`count` timestamps spread evenly over [ts_from, ts_to], ~15 % of them
        sharing a millisecond with their predecessor (ties)."""
        out = []
        if count <= 0:
            return out
        span = max(0, ts_to - ts_from)
        prev = None
        for i in range(count):
            t = ts_from + (span * i // (count - 1) if count > 1 else span)
            if prev is not None and (rng.random() < 0.15 or i % 97 == 1):
                t = prev
            out.append(t)
            prev = t
        # make sure a triple tie exists in any set of at least 3
        if count >= 3:
            out[2] = out[1] = out[0]
        return out

    def generate(self, count, ts_from, ts_to, visible_after=None):
        rng = random.Random(self.seed * 7919 + self.next_id)
        times = self.synth_times(count, ts_from, ts_to, rng)
        first = self.alloc_ids(count)
        evs = [Event(t, first + i, KIND_SYNTH, None) for i, t in enumerate(times)]
        self.add(evs, visible_after)
        return first, first + count - 1

    # -- queries -----------------------------------------------------------
    def window(self, lo_ms, hi_ms):
        """Index range [lo, hi) of events with lo_ms <= ts <= hi_ms."""
        keys = self.keys
        lo = 0 if lo_ms is None else bisect.bisect_left(keys, max(0, lo_ms) << ID_BITS)
        if hi_ms is None:
            hi = len(keys)
        elif hi_ms < 0:
            hi = 0
        else:
            hi = bisect.bisect_left(keys, (hi_ms + 1) << ID_BITS)
        return lo, max(lo, hi)


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

FAULT_KINDS = {"status", "retry_after", "slow", "stall_body", "reset", "truncate",
               "nonjson", "endless", "foreign_next", "shuffle_links_host",
               # hostile servers (tests/integration/imconfluence_hostile*.sh):
               "inject", "amplify", "long_cursor", "big_header", "reshuffle"}


class Faults(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.queue = []
        self.endless = {}    # flavor -> fault dict (sticky until DELETE)

    def add(self, items):
        norm = []
        for f in items:
            if not isinstance(f, dict) or f.get("kind") not in FAULT_KINDS:
                raise ValueError("fault must be an object with kind in %s" % sorted(FAULT_KINDS))
            fl = f.get("flavor")
            if fl not in (None,) + API_FLAVORS:
                raise ValueError("fault flavor must be one of %s" % (API_FLAVORS,))
            f = dict(f)
            try:
                f["count"] = int(f.get("count", 1))
                if "status" in f:
                    f["status"] = int(f["status"])
                    if not 100 <= f["status"] <= 599:
                        raise ValueError
                if "seconds" in f:
                    f["seconds"] = float(f["seconds"])
                    if not 0 <= f["seconds"] <= 86400:
                        raise ValueError
            except (TypeError, ValueError, OverflowError):
                raise ValueError("fault count/status/seconds out of range: %r" % (f,))
            if "headers" in f and not isinstance(f["headers"], dict):
                raise ValueError("fault headers must be an object")
            if "mode" in f and f["mode"] not in ("same", "advance"):
                raise ValueError("endless mode must be same or advance")
            if f["kind"] == "inject" and not (isinstance(f.get("events"), list) and
                                              all(isinstance(e, str) for e in f["events"])):
                raise ValueError("inject needs events: a list of raw JSON texts")
            if f["kind"] in ("amplify", "long_cursor", "big_header"):
                try:
                    f["n"] = int(f.get("n", 1000))
                    f["bytes"] = int(f.get("bytes", 5002))
                except (TypeError, ValueError):
                    raise ValueError("n/bytes must be integers")
                if not 0 <= f["n"] <= 50000000 or not 0 <= f["bytes"] <= 16 << 20:
                    raise ValueError("n/bytes out of range")
            norm.append(f)
        with self.lock:
            self.queue.extend(norm)
        return len(norm)

    def clear(self):
        with self.lock:
            self.queue = []
            self.endless = {}

    def take(self, flavor):
        with self.lock:
            for i, f in enumerate(self.queue):
                if f.get("flavor") in (None, flavor):
                    f["count"] -= 1
                    if f["count"] <= 0:
                        del self.queue[i]
                    if f["kind"] in ("endless", "reshuffle"):
                        for fl in ([flavor] if f.get("flavor") else list(API_FLAVORS)):
                            self.endless[fl] = dict(f)
                    return dict(f)
            return None

    def is_endless(self, flavor):
        with self.lock:
            f = self.endless.get(flavor)
            return f if f and f["kind"] == "endless" else None

    def set_sticky(self, flavor, f):
        with self.lock:
            self.endless[flavor + ":inject"] = dict(f)

    def sticky_inject(self, flavor):
        with self.lock:
            return self.endless.get(flavor + ":inject")

    def is_reshuffled(self, flavor):
        with self.lock:
            f = self.endless.get(flavor)
            return f if f and f["kind"] == "reshuffle" else None

    def snapshot(self):
        with self.lock:
            return {"queue": [dict(f) for f in self.queue],
                    "endless": sorted(self.endless)}


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

class BadRequest(Exception):
    pass


class RateLimit(object):
    """Rate-limit headers on every API answer (POST /__mock/ratelimit).

    Static: {"headers": {...}} are added as they are.  Bucket: {"limit": L,
    "window": W, "near": K} counts the requests in windows of W seconds and
    sends X-RateLimit-Limit/Remaining/Reset (ISO 8601 UTC), NearLimit
    ("true" once Remaining <= K) and RateLimit-Reason; a request beyond L in
    a window gets a 429 with Retry-After (seconds to the window's end).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.cfg = None
        self.start = 0.0
        self.used = 0

    def set(self, cfg):
        if cfg is not None:
            if not isinstance(cfg, dict):
                raise ValueError("body must be an object")
            if not isinstance(cfg.get("headers", {}), dict):
                raise ValueError("headers must be an object")
            for k in ("limit", "window", "near"):
                if k in cfg and (not isinstance(cfg[k], (int, float)) or cfg[k] < 0):
                    raise ValueError("%s must be a number >= 0" % k)
        with self.lock:
            self.cfg = cfg
            self.start = time.time()
            self.used = 0

    def take(self, flavor):
        """-> (headers, over_limit?) for one API request of flavor."""
        with self.lock:
            c = self.cfg
            if not c or c.get("flavor", flavor) != flavor:
                return {}, False
            hdrs = dict((str(k), str(v)) for k, v in (c.get("headers") or {}).items())
            if "limit" not in c:
                return hdrs, False
            limit, window = int(c["limit"]), float(c.get("window", 10))
            now = time.time()
            if now >= self.start + window:
                self.start += window * int((now - self.start) // window)
                self.used = 0
            self.used += 1
            remaining = max(0, limit - self.used)
            reset = self.start + window
            hdrs["X-RateLimit-Limit"] = str(limit)
            hdrs["X-RateLimit-Remaining"] = str(remaining)
            hdrs["X-RateLimit-Reset"] = iso_ms(reset * 1000)
            near = remaining <= int(c.get("near", 0))
            hdrs["X-RateLimit-NearLimit"] = "true" if near else "false"
            if near:
                hdrs["RateLimit-Reason"] = str(c.get("reason", "jira-burst-based"))
            over = self.used > limit
            if over:
                hdrs["Retry-After"] = str(max(1, int(reset - now + 0.999)))
            return hdrs, over


class Mock(object):
    """Shared state for all listeners."""

    def __init__(self, args):
        self.args = args
        self.store = Store(args.seed, args.product)
        self.faults = Faults()
        self.ratelimit = RateLimit()
        self.requests = deque(maxlen=200000)
        self.req_lock = threading.Lock()
        self.req_seq = 0
        self.logf = open(args.log, "a", encoding="utf-8") if args.log else None
        ctx = args.context or ""
        if ctx and not ctx.startswith("/"):
            ctx = "/" + ctx
        self.context = ctx.rstrip("/")
        self.flavor = args.flavor

    def record(self, rec):
        """Make `rec` visible in GET /__mock/requests at once (status etc. are
        filled in when the answer is done, see log_done)."""
        with self.req_lock:
            self.req_seq += 1
            rec["seq"] = self.req_seq
            self.requests.append(rec)

    def log_done(self, rec):
        if self.logf:
            with self.req_lock:
                self.logf.write(dumps(rec) + "\n")
                self.logf.flush()


def _first_params(query):
    params = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="replace"):
        params.setdefault(k, v)
    return params


def _qs(pairs):
    return "&".join(urllib.parse.quote(k, safe="") + "=" +
                    urllib.parse.quote(v, safe=",:") for k, v in pairs)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Confluence-Mock/1.0"
    sys_version = ""
    timeout = 120

    # -- plumbing ----------------------------------------------------------
    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        self._client_cert = None
        self._tls = None
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(15)
            self.connection.do_handshake()
            self.connection.settimeout(self.timeout)
            self._tls = self.connection.cipher()
            try:
                cert = self.connection.getpeercert()
                if cert:
                    subj = dict(x[0] for x in cert.get("subject", ()))
                    self._client_cert = subj.get("commonName", "?")
            except (ValueError, ssl.SSLError):
                pass

    def log_message(self, fmt, *a):
        if self.server.mock.args.verbose:
            sys.stderr.write("mock: %s - %s\n" % (self.address_string(), fmt % a))

    @property
    def mock(self):
        return self.server.mock

    def _send(self, status, body, ctype="application/json;charset=UTF-8", headers=None,
              reason=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status, reason)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        for k, v in getattr(self, "_rl_headers", {}).items():
            if not headers or k not in headers:
                self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._status = status

    def _json(self, status, obj, headers=None):
        self._send(status, dumpb(obj), headers=headers)

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise BadRequest("truncated chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise BadRequest("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest("bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise BadRequest("bad Content-Length")
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            raise BadRequest("truncated body")
        return data

    def _auth(self):
        """-> (label for the log, ok?)"""
        a = self.mock.args
        h = self.headers.get("Authorization")
        label, ok = "none", False
        if h:
            parts = h.strip().split(None, 1)
            scheme = parts[0].lower() if parts else ""
            cred = parts[1].strip() if len(parts) > 1 else ""
            if scheme == "basic":
                try:
                    dec = base64.b64decode(cred, validate=True).decode("utf-8")
                    user, sep, pw = dec.partition(":")
                    label = "basic:" + user
                    ok = (bool(sep) and a.user is not None and user == a.user and
                          pw == (a.password or ""))
                except (binascii.Error, ValueError, UnicodeDecodeError):
                    label = "basic:?"
            elif scheme == "bearer":
                label = "bearer"
                ok = a.token is not None and cred == a.token
            else:
                label = "other:" + scheme[:20]
        if a.user is None and a.token is None:
            ok = True
        return label, ok

    def _host_base(self):
        scheme = "https" if self.server.tls else "http"
        host = self.headers.get("Host")
        if not host:
            h, p = self.server.server_address[:2]
            host = ("[%s]:%d" % (h, p)) if ":" in h else ("%s:%d" % (h, p))
        return scheme + "://" + host

    # -- dispatch ----------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self):
        self._status = None
        self._rl_headers = {}
        t0 = time.time()
        rec = None
        try:
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path) or "/"
            query = url.query
            if path.startswith("/__mock/") or path == "/__mock":
                self._control(path, query)
                return
            if self.server.control_only:
                self._json(404, {"message": "control listener: only /__mock/ here"})
                return
            self.mock.store.promote()
            flavor = self._api_flavor(path)
            auth_label, auth_ok = self._auth()
            rec = {"time": round(t0, 6), "method": self.command, "path": path,
                   "query": query, "params": _first_params(query), "auth": auth_label,
                   "host": self.headers.get("Host"), "flavor": flavor,
                   "client": self.client_address[0], "tls": self.server.tls,
                   "client_cert": self._client_cert,
                   "tls_version": self._tls[1] if self._tls else None,
                   "cipher": self._tls[0] if self._tls else None,
                   "user_agent": self.headers.get("User-Agent"), "fault": None,
                   "status": None, "count": None}
            self.mock.record(rec)
            if flavor is None:
                self._json(404, {"statusCode": 404, "message": "No resource at " + path})
                return
            if self.command not in ("GET", "HEAD"):
                self._error(flavor, 405, "Method %s not allowed" % self.command)
                return
            fault = self.mock.faults.take(flavor)
            if fault:
                rec["fault"] = fault["kind"]
                if self._early_fault(fault, flavor):
                    return
            self._rl_headers, over = self.mock.ratelimit.take(flavor)
            if over:
                rec["fault"] = "ratelimit"
                self._error(flavor, 429, "Rate limit exceeded")
                return
            if not auth_ok:
                self._error(flavor, 401, "Client must be authenticated to access this resource.",
                            headers={"WWW-Authenticate": 'Basic realm="Confluence"'})
                return
            if flavor == "datacenter":
                self._dc(query, fault, rec, t0)
            elif flavor == "jira-cloud":
                self._jira(query, fault, rec)
            else:
                self._cloud(query, fault, rec)
        except BadRequest as e:
            self._safe_error(400, str(e), rec)
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            self.close_connection = True
        except Exception as e:  # never die on bad input
            traceback.print_exc()
            self._safe_error(500, "mock internal error: %s" % e, rec)
        finally:
            if rec is not None:
                rec["status"] = self._status
                rec["duration_ms"] = round((time.time() - t0) * 1000, 3)
                self.mock.log_done(rec)

    def _safe_error(self, status, msg, rec):
        try:
            fl = rec.get("flavor") if rec else None
            self._error(fl or "cloud", status, msg)
        except Exception:
            self.close_connection = True

    def _api_flavor(self, path):
        p = path.rstrip("/") or "/"
        fl = self.mock.flavor
        if fl in ("both", "datacenter") and p == DC_PATH:
            return "datacenter"
        if fl in ("both", "cloud") and p == self.mock.context + CLOUD_SUFFIX:
            return "cloud"
        if fl in ("both", "jira-cloud") and p == mock_products.JIRA_PATH:
            return "jira-cloud"
        return None

    def _error(self, flavor, status, msg, headers=None, reason=None):
        if flavor == "datacenter":
            body = {"errors": [{"context": None, "message": msg, "exceptionName": None}]}
        elif flavor == "jira-cloud":
            body = mock_products.jira_error(status, msg)
        else:
            body = {"statusCode": status,
                    "data": {"authorized": status not in (401, 403), "valid": status != 400,
                             "errors": [], "successful": False},
                    "message": msg}
        self._send(status, dumpb(body), headers=headers, reason=reason)

    # -- faults ------------------------------------------------------------
    def _early_fault(self, f, flavor):
        """Handle faults that replace the answer.  True when the answer is done."""
        k = f["kind"]
        if k == "slow":
            time.sleep(max(0.0, float(f.get("seconds", 5))))
            return False
        if k == "status" or k == "retry_after":
            st = int(f.get("status", 429 if k == "retry_after" else 500))
            hdrs = {}
            for hk, hv in (f.get("headers") or {}).items():
                hdrs[str(hk)] = str(hv)
            if k == "retry_after":
                hdrs.setdefault("Retry-After", str(f.get("value", "2")))
                if st == 429 and not f.get("bare"):  # bare: Retry-After alone, as proxies send it
                    hdrs.setdefault("X-RateLimit-Limit", "0")
                    hdrs.setdefault("X-RateLimit-Remaining", "0")
                    hdrs.setdefault("X-RateLimit-Interval-Seconds", "1")
                    hdrs.setdefault("X-RateLimit-FillRate", "0")
                    hdrs.setdefault("X-RateLimit-NearLimit", "true")
            body = f.get("body")
            if body is None:
                msgs = {400: "Bad request", 401: "Client must be authenticated to access this resource.",
                        403: "Cannot make this request because you are on Free edition",
                        404: "Not found", 429: "Rate limit exceeded", 500: "Internal server error",
                        502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}
                self._error(flavor, st, msgs.get(st, "Mock status %d" % st), headers=hdrs)
            else:
                if not isinstance(body, str):
                    body = dumps(body)
                self._send(st, body, ctype=str(f.get("content_type",
                                                     "application/json;charset=UTF-8")),
                           headers=hdrs)
            return True
        if k == "reset":
            self._status = 0
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                self.rfile.close()
            except Exception:
                pass
            try:
                self.connection.close()
            except Exception:
                pass
            return True
        if k == "big_header":
            # one header line of `bytes` bytes on an otherwise good answer;
            # the body is that of an error so no client could use it anyway
            self._error(flavor, 200, "mock: a reply with a huge header",
                        headers={"X-Mock-Junk": "a" * f["bytes"]})
            return True
        if k == "nonjson":
            html = ("<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
                    "<body><h1>Confluence is starting up</h1><p>Please wait.</p></body></html>")
            self._send(int(f.get("status", 200)), html, ctype="text/html;charset=UTF-8")
            return True
        return False   # truncate, stall_body, endless, foreign_next, shuffle_links_host

    @staticmethod
    def _hostile_parts(fault, parts):
        """The page's events as a hostile server sends them: raw texts
        injected (inject: {"events": [...], "at": "start"|"end"|index}), or
        n copies of one text instead (amplify: {"n", "event"})."""
        k = fault["kind"] if fault else None
        if k == "inject":
            raw = [e.encode("utf-8") for e in fault["events"]]
            at = fault.get("at", "start")
            i = 0 if at == "start" else len(parts) if at == "end" else max(0, min(int(at), len(parts)))
            return parts[:i] + raw + parts[i:]
        if k == "amplify":
            return [str(fault.get("event", "{}")).encode("utf-8")] * fault["n"]
        return parts

    def _deliver(self, body, fault):
        """Send a 200 JSON body, applying body-level faults."""
        k = fault["kind"] if fault else None
        if k == "amplify" and fault.get("gzip"):
            z = gzip.compress(body, 9)
            self._send(200, z, headers={"Content-Encoding": "gzip"})
            return
        if k == "truncate":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self._status = 200
            return
        if k == "stall_body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            half = max(1, len(body) // 2)
            self.wfile.write(body[:half])
            self._status = 200
            deadline = time.monotonic() + max(0.0, float(fault.get("seconds", 30)))
            while time.monotonic() < deadline and not self.server.stopping.is_set():
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            self.wfile.write(body[half:])
            return
        self._send(200, body)

    # -- Data Center -------------------------------------------------------
    def _dc(self, query, fault, rec, t0):
        a = self.mock.args
        store = self.mock.store
        p = _first_params(query)
        limit = self._int_param(p, "limit", DC_DEFAULT_LIMIT, 1)
        limit = min(limit, a.max_limit)
        offset = self._int_param(p, "offset", 0, 0)
        from_ms = to_ms = None
        if "from" in p:
            try:
                us = parse_iso_us(p["from"])
            except (ValueError, OverflowError) as e:
                raise BadRequest("Invalid 'from' parameter: %s" % e)
            from_ms = -(-us // 1000)        # ceil: inclusive lower bound
        if "to" in p:
            try:
                us = parse_iso_us(p["to"])
            except (ValueError, OverflowError) as e:
                raise BadRequest("Invalid 'to' parameter: %s" % e)
            to_ms = us // 1000              # floor: inclusive upper bound
        cur_key = None
        if "pageCursor" in p:
            m = re.match(r"^\s*(\d{1,16})\s*,\s*(\d{1,20})\s*$", p["pageCursor"])
            if not m:
                raise BadRequest("Invalid 'pageCursor' parameter: expected '<timestamp>,<id>'")
            cur_key = (int(m.group(1)) << ID_BITS) | min(int(m.group(2)), ID_MAX)
        if a.require_window and (from_ms is None or to_ms is None):
            raise BadRequest("from and to are required")
        endless = self.mock.faults.is_endless("datacenter")

        with store.lock:
            lo, hi = store.window(from_ms, to_ms)
            if cur_key is not None:
                hi = max(lo, min(hi, bisect.bisect_left(store.keys, cur_key)))
            hi2 = max(lo, hi - offset)
            start = max(lo, hi2 - limit)
            page = store.evs[start:hi2]
            more = start > lo
        page.reverse()
        if fault and fault["kind"] == "inject" and fault.get("first_page") and "pageCursor" in p:
            fault = None  # one event of the server's list: on the first page only
        parts = self._hostile_parts(fault, [store.render(ev, "datacenter") for ev in page])

        base = self._host_base()
        k = fault["kind"] if fault else None
        next_cursor = None
        if k == "long_cursor":
            # a cursor no URL can carry (a real one is "<ms>,<id>")
            next_cursor = "9" * fault["bytes"]
        elif more:
            last = page[-1]
            next_cursor = "%d,%d" % (last.ts, last.id)
        elif endless:
            if endless.get("mode") == "advance":
                if page:
                    next_cursor = "%d,%d" % (page[-1].ts, page[-1].id)
                elif cur_key is not None:
                    next_cursor = "%d,%d" % (max(0, (cur_key >> ID_BITS) - 1), cur_key & ID_MAX)
                else:
                    next_cursor = "%d,%d" % (now_ms(), ID_MAX)
            else:
                if page:
                    next_cursor = "%d,%d" % (page[-1].ts, page[-1].id)
                elif cur_key is not None:
                    next_cursor = p["pageCursor"]
                else:
                    next_cursor = "%d,%d" % (now_ms(), ID_MAX)
        elif k == "foreign_next":
            next_cursor = ("%d,%d" % (page[-1].ts, page[-1].id)) if page else \
                "%d,%d" % (now_ms(), ID_MAX)

        info = {"lastPage": next_cursor is None, "limit": limit}
        if next_cursor is not None:
            pairs = [(kk, vv) for kk, vv in p.items() if kk not in ("offset", "pageCursor", "limit")]
            pairs = [("offset", "0"), ("limit", str(limit))] + pairs + [("pageCursor", next_cursor)]
            link_base = base
            if k == "foreign_next":
                link_base = "http://" + str(fault.get("host", "evil.example:9"))
            elif k == "shuffle_links_host":
                link_base = "http://" + str(fault.get("host", "confluence.internal:8090"))
            info["nextPageOffset"] = 0
            info["nextPageCursor"] = next_cursor
            info["nextPageLink"] = link_base + DC_PATH + "?" + _qs(pairs)
        info["size"] = len(parts)
        body = b'{"entities":[' + b",".join(parts) + b'],"pagingInfo":' + dumpb(info) + b"}"
        rec["count"] = len(parts)
        self._deliver(body, fault)

        if a.dc_search_events == "on":
            self._dc_search_event(p, page, int(t0 * 1000), rec)

    def _dc_search_event(self, p, page, ts, rec):
        store = self.mock.store
        q = ""
        if "from" in p or "to" in p:
            q = "From : %s;To : %s;" % (p.get("from", ""), p.get("to", ""))
        if page:
            ids = [e.id for e in page]
            idr = "%d - %d" % (min(ids), max(ids))
            tsr = "%s - %s" % (iso_ms(page[-1].ts), iso_ms(page[0].ts))
        else:
            idr, tsr = "", ""
        user = rec["auth"][6:] if rec["auth"].startswith("basic:") else "admin"
        ev = {"timestamp": iso_ms(ts), "author": _dc_user(user, user),
              "type": {"categoryI18nKey": "atlassian.audit.event.category.audit",
                       "category": "Auditing",
                       "actionI18nKey": "atlassian.audit.event.action.audit.search",
                       "action": "Audit Log search performed"},
              "affectedObjects": [], "changedValues": [],
              "source": rec["client"], "system": SYSTEM_URL, "method": "Browser",
              "extraAttributes": [
                  {"nameI18nKey": "atlassian.audit.event.attribute.id", "name": "ID Range",
                   "value": idr},
                  {"nameI18nKey": "atlassian.audit.event.attribute.query", "name": "Query",
                   "value": q},
                  {"nameI18nKey": "atlassian.audit.event.attribute.results",
                   "name": "Results returned", "value": str(len(page))},
                  {"nameI18nKey": "atlassian.audit.event.attribute.timestamp",
                   "name": "Timestamp Range", "value": tsr}]}
        e = Event(ts, store.alloc_ids(1), KIND_DC, ev, search=True)
        store.add([e])

    def _int_param(self, p, name, default, minimum):
        if name not in p:
            return default
        v = p[name].strip()
        if not re.match(r"^-?\d{1,18}$", v):
            raise BadRequest("Invalid '%s' parameter: %r is not an integer" % (name, p[name]))
        n = int(v)
        if n < minimum:
            raise BadRequest("Invalid '%s' parameter: must be >= %d" % (name, minimum))
        return n

    # -- Cloud -------------------------------------------------------------
    def _cloud(self, query, fault, rec):
        a = self.mock.args
        store = self.mock.store
        p = _first_params(query)
        limit = min(self._int_param(p, "limit", CLOUD_DEFAULT_LIMIT, 0), a.max_limit)
        start = self._int_param(p, "start", 0, 0)
        sd = ed = None
        if "startDate" in p:
            sd = self._epoch_param(p, "startDate")
        if "endDate" in p:
            ed = self._epoch_param(p, "endDate")
        if a.require_window and (sd is None or ed is None):
            raise BadRequest("startDate and endDate are required")
        endless = self.mock.faults.is_endless("cloud")
        shuffled = self.mock.faults.is_reshuffled("cloud")
        k = fault["kind"] if fault else None
        inj = []
        if k == "inject" and fault.get("sticky"):
            # the hostile events are part of the server's list from now on,
            # at its head: they take offsets like any event
            self.mock.faults.set_sticky("cloud", fault)
        sticky = self.mock.faults.sticky_inject("cloud")
        if sticky:
            inj = [e.encode("utf-8") for e in sticky["events"]]
            if k == "inject":
                fault = None
        head = inj[start:start + limit]
        rstart = max(0, start - len(inj))
        rlimit = limit - len(head)
        with store.lock:
            lo, hi = store.window(sd, ed)
            total = hi - lo + len(inj)
            top = max(lo, hi - rstart)
            bot = max(lo, top - rlimit)
            page = store.evs[bot:top]
            if shuffled:
                # a broken server (or a load balancer over replicas that
                # disagree): every request sees the window in another order
                win = store.evs[lo:hi]
                random.shuffle(win)
                page = win[start:start + limit]
        page.reverse()
        parts = self._hostile_parts(fault, head + [store.render(ev, "cloud") for ev in page])
        more = start + len(parts) < total and limit > 0
        k = fault["kind"] if fault else None
        next_start = None
        if more:
            next_start = start + limit
        elif endless:
            if endless.get("mode") == "advance" or parts:
                next_start = start + max(limit, 1)
            else:
                next_start = start
        elif k == "foreign_next":
            next_start = start + max(limit, 1)

        host_base = self._host_base()
        if k == "shuffle_links_host":
            host_base = "https://" + str(fault.get("host", "example.atlassian.net"))
        base = host_base + self.mock.context
        links = {"base": base, "context": self.mock.context, "self": base + CLOUD_SUFFIX}
        if next_start is not None:
            pairs = {kk: vv for kk, vv in p.items() if kk not in ("start", "limit", "next")}
            pairs["limit"] = str(limit)
            pairs["start"] = str(next_start)
            pairs["next"] = "true"
            rel = CLOUD_SUFFIX + "?" + _qs(sorted(pairs.items()))
            if k == "foreign_next":
                rel = "http://" + str(fault.get("host", "evil.example:9")) + \
                    self.mock.context + rel
            links["next"] = rel
        head = dumpb({"start": start, "limit": limit, "size": len(parts), "_links": links})
        body = b'{"results":[' + b",".join(parts) + b"]," + head[1:]
        rec["count"] = len(parts)
        self._deliver(body, fault)

    # -- Jira Cloud --------------------------------------------------------
    def _jira(self, query, fault, rec):
        """Records newest first; from/to inclusive (ISO 8601 with an offset);
        offset/limit; total = the window's records (+ --jira-total-extra,
        overstated as Jira does): past the real end come empty pages."""
        a = self.mock.args
        store = self.mock.store
        p = _first_params(query)
        limit = min(self._int_param(p, "limit", mock_products.JIRA_MAX_LIMIT, 1),
                    mock_products.JIRA_MAX_LIMIT, a.max_limit)
        offset = self._int_param(p, "offset", 0, 0)
        bounds = {}
        for name in ("from", "to"):
            if name in p:
                try:
                    bounds[name] = parse_iso_us(p[name])
                except (ValueError, OverflowError) as e:
                    raise BadRequest("Invalid '%s' parameter: %s" % (name, e))
        if a.require_window and len(bounds) < 2:
            raise BadRequest("from and to are required")
        from_ms = -(-bounds["from"] // 1000) if "from" in bounds else None
        to_ms = bounds["to"] // 1000 if "to" in bounds else None
        with store.lock:
            lo, hi = store.window(from_ms, to_ms)
            top = max(lo, hi - offset)
            page = store.evs[max(lo, top - limit):top]
            total = hi - lo + a.jira_total_extra
        page.reverse()
        parts = self._hostile_parts(fault, [store.render(ev, "jira-cloud") for ev in page])
        head = dumpb({"offset": offset, "limit": limit, "total": total})
        body = head[:-1] + b',"records":[' + b",".join(parts) + b"]}"
        rec["count"] = len(parts)
        self._deliver(body, fault)

    def _epoch_param(self, p, name):
        v = p[name].strip()
        if not re.match(r"^\d{1,16}$", v):
            raise BadRequest("Invalid '%s' parameter: %r is not epoch milliseconds" % (name, p[name]))
        return int(v)

    # -- control API -------------------------------------------------------
    def _control(self, path, query):
        mock = self.mock
        store = mock.store
        cmd = self.command
        p = _first_params(query)
        ep = path[len("/__mock"):].rstrip("/") or "/"
        try:
            if ep == "/health":
                self._json(200, {"status": "ok", "events": len(store.keys),
                                 "pending": len(store.pending)})
            elif ep == "/events" and cmd == "GET":
                self._oracle(p)
            elif ep == "/events" and cmd == "POST":
                items = self._json_body()
                if isinstance(items, dict):
                    items = [items]
                if not isinstance(items, list):
                    raise BadRequest("body must be a JSON list of events")
                now_evs, late = [], []
                for it in items:
                    va = None
                    if isinstance(it, dict) and "event" in it and isinstance(it["event"], dict):
                        va = it.get("visible_after")
                        try:
                            va = float(va) if va is not None else None
                        except (TypeError, ValueError):
                            raise BadRequest("visible_after must be a number")
                        it = it["event"]
                    try:
                        ev = store.make_event(it)
                    except ValueError as e:
                        raise BadRequest("bad event: %s" % e)
                    (late if va and va > 0 else now_evs).append((ev, va))
                store.add([e for e, _ in now_evs])
                for e, va in late:
                    store.add([e], va)
                ids = [e.id for e, _ in now_evs + late]
                self._json(200, {"added": len(now_evs), "pending": len(late), "ids": ids})
            elif ep == "/events" and cmd == "DELETE":
                store.clear()
                self._json(200, {"cleared": True})
            elif ep == "/generate" and cmd == "POST":
                b = self._json_body()
                if not isinstance(b, dict):
                    raise BadRequest("body must be an object")
                try:
                    count = int(b.get("count", 1))
                    tto = int(b.get("ts_to_ms", now_ms()))
                    tfrom = int(b.get("ts_from_ms", tto))
                    va = b.get("visible_after")
                    va = float(va) if va is not None else None
                except (TypeError, ValueError):
                    raise BadRequest("count/ts_from_ms/ts_to_ms must be integers")
                if count < 0 or count > 5000000 or tfrom > tto or tfrom < 0:
                    raise BadRequest("need 0 <= count <= 5e6 and 0 <= ts_from_ms <= ts_to_ms")
                first, last = store.generate(count, tfrom, tto, va)
                self._json(200, {"added": count, "first_id": first, "last_id": last})
            elif ep == "/faults" and cmd == "POST":
                b = self._json_body()
                if isinstance(b, dict):
                    b = [b]
                if not isinstance(b, list):
                    raise BadRequest("body must be a JSON list of faults")
                try:
                    n = mock.faults.add(b)
                except ValueError as e:
                    raise BadRequest(str(e))
                self._json(200, {"added": n})
            elif ep == "/faults" and cmd == "DELETE":
                mock.faults.clear()
                self._json(200, {"cleared": True})
            elif ep == "/faults" and cmd == "GET":
                self._json(200, mock.faults.snapshot())
            elif ep == "/requests" and cmd == "GET":
                with mock.req_lock:
                    reqs = list(mock.requests)
                self._send(200, dumpb(reqs))
            elif ep == "/ratelimit" and cmd == "POST":
                try:
                    mock.ratelimit.set(self._json_body())
                except ValueError as e:
                    raise BadRequest(str(e))
                self._json(200, {"ratelimit": True})
            elif ep == "/ratelimit" and cmd == "DELETE":
                mock.ratelimit.set(None)
                self._json(200, {"cleared": True})
            elif ep == "/auth" and cmd == "POST":
                b = self._json_body()
                if not isinstance(b, dict) or not all(
                        isinstance(b.get(k), (str, type(None))) for k in ("user", "password", "token")):
                    raise BadRequest("body must be {\"user\",\"password\",\"token\"} strings or null")
                if (b.get("user") is None) != (b.get("password") is None):
                    raise BadRequest("user and password go together")
                mock.args.user, mock.args.password, mock.args.token = \
                    b.get("user"), b.get("password"), b.get("token")
                self._json(200, {"auth": True})
            elif ep == "/requests" and cmd == "DELETE":
                with mock.req_lock:
                    mock.requests.clear()
                self._json(200, {"cleared": True})
            else:
                self._json(404, {"message": "unknown control endpoint %s %s" % (cmd, path)})
        except BadRequest as e:
            self.close_connection = True
            self._json(400, {"message": str(e)})

    def _json_body(self):
        data = self._read_body()
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BadRequest("body is not valid JSON: %s" % e)

    def _oracle(self, p):
        store = self.mock.store
        store.promote()
        flavor = p.get("flavor") or ("cloud" if self.mock.flavor == "cloud" else "datacenter")
        if flavor not in API_FLAVORS:
            raise BadRequest("flavor must be one of %s" % (API_FLAVORS,))
        def opt_int(name):
            if name not in p:
                return None
            try:
                return int(p[name])
            except ValueError:
                raise BadRequest("%s must be an integer" % name)
        lo_ms, hi_ms = opt_int("from_ms"), opt_int("to_ms")
        excl = p.get("exclude_search", "0") in ("1", "true", "yes")
        with store.lock:
            lo, hi = store.window(lo_ms, hi_ms)
            evs = store.evs[lo:hi]
        if excl:
            evs = [e for e in evs if not e.search]
        parts = [store.render(e, flavor) for e in evs]
        if p.get("format") == "jsonl":
            self._send(200, b"".join(x + b"\n" for x in parts), ctype="application/x-ndjson")
        elif p.get("format") == "meta":
            self._json(200, [{"ts": e.ts, "id": e.id, "search": e.search} for e in evs])
        else:
            self._send(200, b"[" + b",".join(parts) + b"]")


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, mock, tls_ctx=None, control_only=False, stopping=None):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.mock = mock
        self.tls_ctx = tls_ctx
        self.tls = tls_ctx is not None
        self.control_only = control_only
        self.stopping = stopping or threading.Event()
        ThreadingHTTPServer.__init__(self, addr, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls_ctx is not None:
            # handshake happens in the handler thread (Handler.setup), so a
            # slow or broken client cannot block the accept loop
            sock = self.tls_ctx.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, OSError)):
            if self.mock.args.verbose:
                sys.stderr.write("mock: connection from %s: %s\n" % (client_address, exc))
            return
        sys.stderr.write("mock: error handling request from %s\n" % (client_address,))
        traceback.print_exc()


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def load_events_file(store, path):
    evs = []
    late = []
    with open(path, "r", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise SystemExit("%s:%d: invalid JSON: %s" % (path, n, e))
            items = [obj]
            single = isinstance(obj, dict)
            if isinstance(obj, dict) and isinstance(obj.get("entities"), list):
                items, single = obj["entities"], False
            elif isinstance(obj, dict) and isinstance(obj.get("results"), list):
                items, single = obj["results"], False
            elif isinstance(obj, list):
                items, single = obj, False
            for it in items:
                va = None
                if isinstance(it, dict) and isinstance(it.get("event"), dict):
                    va = it.get("visible_after")
                    it = it["event"]
                try:
                    ev = store.make_event(it, eid=0, default_ts=now_ms())
                except ValueError as e:
                    raise SystemExit("%s:%d: %s" % (path, n, e))
                if single and va is None and ev.src is it:
                    # a line holding one event in its own shape is served as is
                    if ev.kind == KIND_DC:
                        ev.dc = line.encode("utf-8")
                    elif ev.kind == KIND_CLOUD:
                        ev.cl = line.encode("utf-8")
                (late if va else evs).append((ev, va))
    # ids in timestamp order (file order for ties), as a database would give them
    allev = sorted(evs + late, key=lambda x: x[0].ts)
    first = store.alloc_ids(len(allev))
    for i, (e, _) in enumerate(allev):
        e.id = first + i
    store.add([e for e, _ in evs])
    for e, va in late:
        store.add([e], float(va))
    return len(evs) + len(late)


def build_tls_ctx(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.tls_max_version:
        ctx.maximum_version = {"1.2": ssl.TLSVersion.TLSv1_2,
                               "1.3": ssl.TLSVersion.TLSv1_3}[args.tls_max_version]
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    if args.client_ca:
        ctx.load_verify_locations(cafile=args.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Mock Confluence audit API (DC + Cloud)")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--pid-file")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="(default 0: kernel-chosen)")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--client-ca")
    ap.add_argument("--tls-max-version", choices=["1.2", "1.3"],
                    help="highest TLS version the server speaks (default: the newest)")
    ap.add_argument("--flavor", choices=["both", "cloud", "datacenter", "jira-cloud"], default="both",
                    help="the APIs served (both: all three)")
    ap.add_argument("--product", choices=list(mock_products.PRODUCTS), default="confluence",
                    help="the shape of synthetic Data Center events")
    ap.add_argument("--jira-total-extra", type=int, default=0,
                    help="Jira Cloud: total overstates the window's records by this many")
    ap.add_argument("--context", default="/wiki")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--token")
    ap.add_argument("--events", type=int, default=0)
    ap.add_argument("--span", type=float, default=86400.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--anchor-ms", type=int, default=None,
                    help="end of the synthetic span (default: now)")
    ap.add_argument("--events-file")
    ap.add_argument("--max-limit", type=int, default=1000)
    ap.add_argument("--dc-search-events", choices=["on", "off"], default="on")
    ap.add_argument("--require-window", action="store_true",
                    help="400 unless from/to (DC) or startDate/endDate (Cloud) are given")
    ap.add_argument("--control-port-file",
                    help="also open a plain-HTTP listener for /__mock/ only; write its port here")
    ap.add_argument("--prerender", choices=["none", "datacenter", "cloud", "both"], default="none",
                    help="render every event before listening (about 16 s per million events "
                         "and flavor), so benchmarks measure the client, not the mock")
    ap.add_argument("--log")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if a.client_ca and not a.tls_cert:
        ap.error("--client-ca needs --tls-cert/--tls-key")
    if (a.user is None) != (a.password is None):
        ap.error("--user and --password go together")
    if a.max_limit < 1:
        ap.error("--max-limit must be >= 1")
    if a.events < 0 or a.events > 20000000:
        ap.error("--events out of range")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mock = Mock(args)
    store = mock.store
    if args.events_file:
        load_events_file(store, args.events_file)
    if args.events:
        end = args.anchor_ms if args.anchor_ms is not None else now_ms()
        start = max(0, end - int(args.span * 1000))
        rng = random.Random(args.seed)
        times = store.synth_times(args.events, start, end, rng)
        first = store.alloc_ids(args.events)
        store.add([Event(t, first + i, KIND_SYNTH, None) for i, t in enumerate(times)])

    if args.prerender != "none":
        fls = ["datacenter", "cloud"] if args.prerender == "both" else [args.prerender]
        for fl in fls:
            for ev in store.evs:
                store.render(ev, fl)

    stopping = threading.Event()
    tls_ctx = build_tls_ctx(args) if args.tls_cert else None
    srv = MockServer((args.bind, args.port), Handler, mock, tls_ctx, stopping=stopping)
    servers = [srv]
    if args.control_port_file:
        csrv = MockServer((args.bind, 0), Handler, mock, None, control_only=True,
                          stopping=stopping)
        servers.append(csrv)

    def on_signal(signum, frame):
        stopping.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    threads = []
    for s in servers:
        t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        t.start()
        threads.append(t)
    if args.pid_file:
        write_atomic(args.pid_file, "%d\n" % os.getpid())
    if args.control_port_file:
        write_atomic(args.control_port_file, "%d\n" % servers[1].server_address[1])
    write_atomic(args.port_file, "%d\n" % srv.server_address[1])
    if args.verbose:
        sys.stderr.write("mock: listening on %s:%d (%s), %d events\n" % (
            args.bind, srv.server_address[1], "https" if tls_ctx else "http", len(store.keys)))
    while not stopping.wait(0.5):
        pass
    for s in servers:
        s.shutdown()
        s.server_close()
    if mock.logf:
        mock.logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
