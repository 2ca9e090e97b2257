# SPDX-License-Identifier: Apache-2.0
"""Jira- and Bitbucket-shaped audit events for tests/mock/confluence_mock.py.

Data Center: Jira and Bitbucket use the same auditing plugin as Confluence
(GET /rest/auditing/1.0/events); only the data differs.  Jira Cloud has its
own records API (GET /rest/api/3/auditing/record).  The templates are real
events from Elastic's test data (shared/fixtures/elastic-jira and
elastic-bitbucket, test-audit-api.log, test-audit-api-multi-ip.log and
test-audit-cloud.log); a synthetic event takes one by its id and gets its
time and a few id-derived values, so every event's text is distinct.

Python 3 standard library only.
"""

import copy
import json
import time

PRODUCTS = ("confluence", "jira", "bitbucket")
JIRA_PATH = "/rest/api/3/auditing/record"
JIRA_MAX_LIMIT = 1000  # the documented default and maximum

_JIRA_DC = [json.loads(s) for s in (
    '{"timestamp":"2021-11-22T00:34:23.154Z","author":{"name":"test.user","type":"ApplicationUser",'
    '"id":"10000","uri":"http://jira.internal:8088/secure/ViewProfile.jspa?name=test.user","avatarUri":""},'
    '"type":{"categoryI18nKey":"personal.access.tokens.audit.log.category","category":"Security",'
    '"actionI18nKey":"personal.access.tokens.audit.log.summary.token.created",'
    '"action":"Personal access token created"},"affectedObjects":[{"name":"test.user","type":"User",'
    '"uri":"http://jira.internal:8088/secure/ViewProfile.jspa?name=test.user","id":"JIRAUSER10000"}],'
    '"changedValues":[],"source":"10.50.33.72","system":"http://jira.internal:8088","method":"Browser",'
    '"extraAttributes":[{"nameI18nKey":"personal.access.tokens.audit.log.extra.attribute.name",'
    '"name":"Token Name","value":"asdf"}]}',
    '{"timestamp":"2025-02-25T08:03:35.815Z","affectedObjects":[],"author":{"avatarUri":"","id":"18166",'
    '"name":"max.mustermann","type":"ApplicationUser",'
    '"uri":"https://jira.example.com/jira/secure/ViewProfile.jspa?name=max.mustermann"},"changedValues":[],'
    '"extraAttributes":[{"name":"JQLquery","nameI18nKey":"issuenav.jqlsearch.query",'
    '"value":"project=\\"TEST\\"ANDresolution=UnresolvedORDERBYpriorityDESC,updatedDESC"},'
    '{"name":"Loadbalancer/proxyIPaddress","nameI18nKey":"atlassian.audit.event.attribute.forwarder",'
    '"value":"192.168.0.10"}],"method":"Browser","node":"my-jira-node","source":"127.0.0.1,192.168.22.33",'
    '"system":"https://jira.example.com/jira","type":{"action":"JQLsearchperformed",'
    '"actionI18nKey":"issuenav.jqlsearch.performed","category":"search",'
    '"categoryI18nKey":"jira.auditing.category.search"}}',
)]

_BB_SYSTEM = '"system":"http://bitbucket.internal:7990","node":"8767044c-1b98-4d64-82db-ef29af8c3792","method":"Browser"'
_BB_AUTHOR = ('"author":{"name":"admin","type":"NORMAL","id":"2","uri":"http://bitbucket.internal:7990/users/admin",'
              '"avatarUri":""}')
_BB_CAT = '"categoryI18nKey":"bitbucket.service.audit.category.usersandgroups","category":"Users and groups"'
_BITBUCKET_DC = [json.loads(s) for s in (
    '{"timestamp":"2021-11-27T17:38:58.087Z",' + _BB_AUTHOR + ',"type":{' + _BB_CAT + ','
    '"actionI18nKey":"bitbucket.service.user.audit.action.userdeleted","action":"User deleted"},'
    '"affectedObjects":[{"name":"test.user","type":"USER"}],"changedValues":[],"source":"10.50.73.5",'
    + _BB_SYSTEM + ',"extraAttributes":[{"nameI18nKey":"bitbucket.audit.attribute.legacy.target",'
    '"name":"target","value":"test.user"}]}',
    '{"timestamp":"2021-11-27T17:38:42.151Z",' + _BB_AUTHOR + ',"type":{' + _BB_CAT + ','
    '"actionI18nKey":"bitbucket.service.user.audit.action.usercredentialupdated","action":"User password changed"},'
    '"affectedObjects":[{"name":"test","type":"USER","id":"3"}],"changedValues":[],"source":"10.50.73.5",'
    + _BB_SYSTEM + ',"extraAttributes":[{"nameI18nKey":"bitbucket.audit.attribute.legacy.target",'
    '"name":"target","value":"test"}]}',
    '{"timestamp":"2021-11-27T17:38:23.209Z",' + _BB_AUTHOR + ',"type":{' + _BB_CAT + ','
    '"actionI18nKey":"bitbucket.service.user.audit.action.groupmembershipdeleted",'
    '"action":"User deleted from user group"},"affectedObjects":[{"name":"asdf","type":"GROUP",'
    '"uri":"http://bitbucket.internal:7990/admin/groups/view?name=asdf","id":"asdf"},'
    '{"name":"test","type":"USER","id":"3"}],"changedValues":[],"source":"10.50.73.5",' + _BB_SYSTEM + ','
    '"extraAttributes":[{"nameI18nKey":"bitbucket.service.user.audit.attribute.groupmembership.parentgroup",'
    '"name":"Parent group","value":"asdf"},{"nameI18nKey":"bitbucket.audit.attribute.legacy.details",'
    '"name":"details","value":"{\\"entities\\":\\"test\\",\\"membership\\":\\"GROUP_USER\\"}"},'
    '{"nameI18nKey":"bitbucket.audit.attribute.legacy.target","name":"target","value":"asdf"}]}',
    '{"timestamp":"2021-11-27T17:38:04.808Z",' + _BB_AUTHOR + ',"type":{' + _BB_CAT + ','
    '"actionI18nKey":"bitbucket.service.user.audit.action.groupcreated","action":"User group created"},'
    '"affectedObjects":[{"name":"asdf","type":"GROUP","uri":"http://bitbucket.internal:7990/admin/groups/view?name=asdf",'
    '"id":"asdf"}],"changedValues":[],"source":"10.50.73.5",' + _BB_SYSTEM + ','
    '"extraAttributes":[{"nameI18nKey":"bitbucket.audit.attribute.legacy.target","name":"target","value":"asdf"}]}',
)]

_JIRA_CLOUD = [json.loads(s) for s in (
    '{"id":11959,"summary":"Project deleted","created":"2022-01-24T08:48:05.645+0000","category":"projects",'
    '"eventSource":"","objectItem":{"id":"10000","name":"Test","typeName":"PROJECT"}}',
    '{"id":11957,"summary":"Field Configuration scheme updated","created":"2022-01-24T08:48:05.097+0000",'
    '"category":"fields","eventSource":"","objectItem":{"id":"10000",'
    '"name":"Field Configuration Scheme for Project TEST","typeName":"SCHEME"},"changedValues":[{"fieldName":'
    '"Field Configuration","changedFrom":"Default Field Configuration","changedTo":""},{"fieldName":"Issue Type",'
    '"changedFrom":"Subtask","changedTo":""}]}',
    '{"id":11937,"summary":"User created","created":"2022-01-18T08:43:02.602+0000","category":"user management",'
    '"eventSource":"","objectItem":{"id":"ug:2281b112-0f77-4305-b779-66d30930eb83",'
    '"name":"ug:2281b112-0f77-4305-b779-66d30930eb83","typeName":"USER","parentId":"10000",'
    '"parentName":"IDP Directory"},"changedValues":[{"fieldName":"Active / Inactive","changedTo":"Active"}],'
    '"associatedItems":[{"id":"ug:2281b112-0f77-4305-b779-66d30930eb83",'
    '"name":"ug:2281b112-0f77-4305-b779-66d30930eb83","typeName":"USER","parentId":"10000",'
    '"parentName":"IDP Directory"}]}',
    '{"id":11932,"summary":"Workflow updated","remoteAddress":"10.83.76.139",'
    '"authorKey":"ug:0613fc34-a1b3-4137-b06e-fd92c3094033","authorAccountId":"5ff328f2a9d0300107c045a6",'
    '"created":"2022-01-06T09:49:07.418+0000","category":"workflows","eventSource":"",'
    '"objectItem":{"id":"Software workflow for project 10018","name":"Software workflow for project 10018",'
    '"typeName":"WORKFLOW"}}',
)]


def iso_jira(ms):
    """epoch ms -> '2022-01-24T08:48:05.645+0000' (Jira Cloud's `created`)."""
    sec, milli = divmod(int(ms), 1000)
    t = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, milli)


def synth_dc(product, eid, ts_iso):
    """Data Center event `eid` of a Jira or Bitbucket template, at ts_iso."""
    tpl = _JIRA_DC if product == "jira" else _BITBUCKET_DC
    ev = copy.deepcopy(tpl[eid % len(tpl)])
    del ev["timestamp"]
    ev = dict([("timestamp", ts_iso)] + list(ev.items()))
    extra = ev.get("extraAttributes") or []
    if extra:  # an id-derived value: each event's text is its own
        extra[0]["value"] = "%s-%d" % (extra[0]["value"], eid)
    return ev


def synth_jira_cloud(eid, ts_ms):
    """Jira Cloud record `eid` (its numeric id) of a template, created at ts_ms."""
    rec = copy.deepcopy(_JIRA_CLOUD[eid % len(_JIRA_CLOUD)])
    rec["id"] = eid
    rec["created"] = iso_jira(ts_ms)
    return rec


def is_jira_cloud(obj):
    """A Jira Cloud record: `created`, or a numeric id with objectItem/associatedItems."""
    return isinstance(obj, dict) and ("created" in obj or (
        isinstance(obj.get("id"), int) and ("objectItem" in obj or "associatedItems" in obj)))


def jira_error(status, msg):
    """Jira Cloud's error body."""
    return {"errorMessages": [msg], "errors": {}}
