#!/usr/bin/env python3
"""mmdb_write.py -- writes a small MaxMind DB (MMDB format 2.0) for the tests.

    mmdb_write.py OUT.mmdb DATABASE_TYPE 'CIDR=JSON' ...
    mmdb_write.py --documentation-asn OUT.mmdb

Each argument maps one network (IPv4 or IPv6) to a record, e.g.
    192.0.2.0/24='{"autonomous_system_number": 64500,
                   "autonomous_system_organization": "Documentation ASN"}'
JSON values become MMDB types: strings utf8_string, non-negative integers
uint32 (uint64 beyond), other numbers double, booleans boolean, objects map,
arrays array. The tree is IPv6 with 24-bit records; IPv4 networks live under
::/96, where libmaxminddb looks IPv4 addresses up.

The second form writes the tests' ASN database: the documentation address
ranges of RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) as AS64500,
AS64501 and AS64502 "Documentation ASN" (RFC 5398 numbers), which is what
Elastic's test ASN database answers in its atlassian_cloud expected documents.
Written from the format's public specification, for the tests only.
Licensed under the Apache License, Version 2.0.
"""
import ipaddress
import json
import struct
import sys
import time


def control(type_no, size):
    """Control byte(s) for a value of type_no holding size (bytes or entries)."""
    if size < 29:
        first, ext = size, b""
    elif size < 285:
        first, ext = 29, bytes([size - 29])
    elif size < 65821:
        first, ext = 30, struct.pack(">H", size - 285)
    else:
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    if type_no <= 7:
        return bytes([(type_no << 5) | first]) + ext
    return bytes([first, type_no - 7]) + ext


def uint(type_no, v, width):
    raw = v.to_bytes(width, "big").lstrip(b"\0")
    return control(type_no, len(raw)) + raw


def encode(v):
    if isinstance(v, bool):
        return control(14, 1 if v else 0)
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return control(2, len(raw)) + raw
    if isinstance(v, int) and 0 <= v < 1 << 32:
        return uint(6, v, 4)
    if isinstance(v, int) and 0 <= v < 1 << 64:
        return uint(9, v, 8)
    if isinstance(v, (int, float)):
        return control(3, 8) + struct.pack(">d", float(v))
    if isinstance(v, dict):
        return control(7, len(v)) + b"".join(encode(k) + encode(x) for k, x in v.items())
    if isinstance(v, list):
        return control(11, len(v)) + b"".join(encode(x) for x in v)
    raise SystemExit(f"mmdb_write: cannot encode {v!r}")


def network_bits(cidr):
    net = ipaddress.ip_network(cidr, strict=True)
    if net.version == 4:
        return int(net.network_address), 96 + net.prefixlen, 128
    return int(net.network_address), net.prefixlen, 128


def build(networks):
    """networks: [(cidr, record)] -> (node_count, tree bytes, data bytes)."""
    data = b""
    nodes = [[None, None]]          # child: None, ("node", i) or ("data", offset)
    for cidr, record in networks:
        offset = len(data)
        data += encode(record)
        addr, plen, width = network_bits(cidr)
        node = 0
        for depth in range(plen):
            bit = (addr >> (width - 1 - depth)) & 1
            if depth == plen - 1:
                nodes[node][bit] = ("data", offset)
                break
            child = nodes[node][bit]
            if child is None:
                nodes.append([None, None])
                child = nodes[node][bit] = ("node", len(nodes) - 1)
            elif child[0] != "node":
                raise SystemExit(f"mmdb_write: {cidr} lies inside another network")
            node = child[1]
    count = len(nodes)

    def record(child):
        if child is None:
            return count
        return child[1] if child[0] == "node" else count + 16 + child[1]

    tree = b"".join(struct.pack(">I", record(l))[1:] + struct.pack(">I", record(r))[1:]
                    for l, r in nodes)
    return count, tree, data


DOCUMENTATION_ASN = [
    (cidr, {"autonomous_system_number": asn, "autonomous_system_organization": "Documentation ASN"})
    for cidr, asn in (("192.0.2.0/24", 64500), ("198.51.100.0/24", 64501), ("203.0.113.0/24", 64502))
]


def main(argv):
    if len(argv) == 3 and argv[1] == "--documentation-asn":
        argv = [argv[0], argv[2], "GeoLite2-ASN"] + [f"{c}={json.dumps(r)}" for c, r in DOCUMENTATION_ASN]
    if len(argv) < 3:
        raise SystemExit(__doc__)
    out, db_type = argv[1], argv[2]
    networks = []
    for arg in argv[3:]:
        cidr, _, rec = arg.partition("=")
        networks.append((cidr, json.loads(rec)))
    count, tree, data = build(networks)
    meta = {
        "node_count": count, "record_size": 24, "ip_version": 6,
        "database_type": db_type, "languages": ["en"],
        "binary_format_major_version": 2, "binary_format_minor_version": 0,
        "build_epoch": int(time.time()),
        "description": {"en": "rsyslog-confluence test database (documentation ranges)"},
    }
    enc = b"".join(encode(k) + (uint(5, v, 2) if k in ("record_size", "ip_version",
                   "binary_format_major_version", "binary_format_minor_version")
                   else uint(9, v, 8) if k == "build_epoch" else encode(v))
                   for k, v in meta.items())
    with open(out, "wb") as f:
        f.write(tree + b"\0" * 16 + data + b"\xab\xcd\xefMaxMind.com" + control(7, len(meta)) + enc)


if __name__ == "__main__":
    main(sys.argv)
