# SPDX-License-Identifier: Apache-2.0
"""audit_times.py -- the @timestamp each line of Data Center audit files maps to.

The end-to-end tests make events one second apart (e2e_audit_events), so the
mapped @timestamp identifies each event; this is the set a sink must hold.
"""
import datetime
import json


def want_timestamps(paths):
    want = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                ts = json.loads(line)["timestamp"]
                t = datetime.datetime.fromtimestamp(ts["epochSecond"], datetime.timezone.utc)
                want.add(t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ts["nano"] // 1000000))
    return want
