#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A tiny HTTP proxy for the imconfluence proxy test.

Supports both ways a client uses an HTTP proxy:
  * CONNECT host:port  -> a TCP tunnel (HTTPS targets);
  * GET http://host:port/path (absolute form) -> forwarded (HTTP targets),
    one request per connection ("Connection: close").
It listens on 127.0.0.1, port 0, writes the port to --port-file when ready,
and logs one JSON line per request to --log: method, target, and whether an
Authorization header went through (never its value).  With --require-auth
it answers every request and CONNECT with 407 Proxy Authentication Required
(the messages test).  Standard library only.
"""

import argparse
import json
import os
import select
import socket
import socketserver
import sys
import threading

LOG_LOCK = threading.Lock()


def log(path, rec):
    with LOG_LOCK:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("iso-8859-1"), rest


def pipe(a, b):
    socks = [a, b]
    while True:
        r, _, x = select.select(socks, [], socks, 60)
        if x or not r:
            return
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        head, rest = read_head(c)
        if head is None:
            return
        lines = head.split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return
        headers = [l for l in lines[1:] if l]
        has_auth = any(h.lower().startswith("authorization:") for h in headers)
        log(self.server.logfile, {"method": method, "target": target, "authorization": has_auth})
        if self.server.require_auth:
            c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
                      b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            try:
                up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
            except OSError:
                c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                up.sendall(rest)
            pipe(c, up)
            up.close()
            return
        if not target.startswith("http://"):
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        hostport, _, path = target[len("http://"):].partition("/")
        host, _, port = hostport.rpartition(":")
        if not host:
            host, port = hostport, "80"
        up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        fwd = [h for h in headers if not h.lower().startswith(("proxy-", "connection:", "keep-alive:"))]
        fwd.append("Connection: close")
        up.sendall(("%s /%s %s\r\n%s\r\n\r\n" % (method, path, version, "\r\n".join(fwd))).encode("iso-8859-1")
                   + rest)
        while True:
            data = up.recv(65536)
            if not data:
                break
            c.sendall(data)
        up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--require-auth", action="store_true")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.logfile = args.log
    srv.require_auth = args.require_auth
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
