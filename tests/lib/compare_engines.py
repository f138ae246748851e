#!/usr/bin/env python3
"""Compare the shapes two Docker Engines answer (a real dockerd and
fake_engine.py impersonating the same release), for the requests the
governor makes: the same keys at every level (values differ: ids, times),
the same JSON types, the same status codes and the version headers.

Usage: compare_engines.py REAL_SOCKET FAKE_SOCKET API CONTAINER_NAME

Prints one line per difference and exits 1 if there is any.
"""
import http.client
import json
import socket
import sys
import time
import urllib.parse

# Objects whose keys are data (label names, networks, ports...), not shape.
DATA_MAPS = {"Labels", "Attributes", "Networks", "Ports", "Options", "Config", "Data",
             "DriverOpts", "Sysctls", "Tmpfs", "StorageOpt", "PortBindings", "ExposedPorts",
             "Volumes", "Details"}


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def request(sock, method, path, body=None):
    c = UnixConnection(sock)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def kind(v):
    if v is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "bool",
            int: "number", float: "number"}[type(v)]


def compare(what, real, fake, path, out):
    if kind(real) != kind(fake) and "null" not in (kind(real), kind(fake)):
        out.append("%s %s: %s in dockerd, %s in the fake" % (what, path or ".", kind(real),
                                                            kind(fake)))
        return
    if isinstance(real, dict) and isinstance(fake, dict):
        if path.split(".")[-1] in DATA_MAPS:
            return
        for k in sorted(set(real) - set(fake)):
            out.append("%s %s.%s: missing from the fake" % (what, path, k))
        for k in sorted(set(fake) - set(real)):
            out.append("%s %s.%s: not answered by dockerd" % (what, path, k))
        for k in set(real) & set(fake):
            compare(what, real[k], fake[k], path + "." + k, out)
    elif isinstance(real, list) and isinstance(fake, list) and real and fake:
        compare(what, real[0], fake[0], path + "[]", out)


def main():
    real, fake, api, name = sys.argv[1:5]
    out = []
    v = "/v" + api

    def both(method, path_of, body=None):
        answers = []
        for sock in (real, fake):
            p = path_of(sock) if callable(path_of) else path_of
            answers.append(request(sock, method, p, body))
        (rs, rh, rd), (fs, fh, fd) = answers
        label = "%s %s" % (method, path_of if isinstance(path_of, str) else path_of(None))
        if rs != fs:
            out.append("%s: status %d from dockerd, %d from the fake" % (label, rs, fs))
        for h in ("api-version", "ostype", "content-type"):
            if rh.get(h, "").split(";")[0] != fh.get(h, "").split(";")[0]:
                out.append("%s: header %s %r from dockerd, %r from the fake" %
                           (label, h, rh.get(h), fh.get(h)))
        return label, rd, fd

    ids = {}
    for sock in (real, fake):
        _, _, data = request(sock, "GET", v + "/containers/json?all=1")
        ids[sock] = [c["Id"] for c in json.loads(data) if "/" + name in c["Names"]][0]

    label, rd, fd = both("GET", "/_ping")
    label, rd, fd = both("GET", "/version")
    compare(label, json.loads(rd), json.loads(fd), "", out)
    label, rd, fd = both("GET", v + "/containers/json?all=1")
    compare(label, json.loads(rd), json.loads(fd), "", out)
    label, rd, fd = both("GET", lambda s: v + "/containers/%s/json" % (ids[s] if s else "ID"))
    compare(label, json.loads(rd), json.loads(fd), "", out)
    label, rd, fd = both("GET", v + "/images/json")
    compare(label, json.loads(rd), json.loads(fd), "", out)
    body = json.dumps({"Memory": 64 << 20, "MemorySwap": 64 << 20})
    label, rd, fd = both("POST", lambda s: v + "/containers/%s/update" % (ids[s] if s else "ID"),
                         body)
    compare(label, json.loads(rd), json.loads(fd), "", out)
    label, rd, fd = both("POST", lambda s: v + "/containers/%s/update" % (ids[s] if s else "ID"),
                         json.dumps({"Memory": 64 << 20, "MemorySwap": 32 << 20}))
    compare(label, json.loads(rd), json.loads(fd), "", out)
    label, rd, fd = both("GET", v + "/containers/%s/json" % ("0" * 64))
    compare(label, json.loads(rd), json.loads(fd), "", out)
    filters = urllib.parse.quote(json.dumps({"type": ["container"]}, separators=(",", ":")))
    until = "%.9f" % time.time()
    label, rd, fd = both("GET", v + "/events?since=0&until=%s&filters=%s" % (until, filters))
    rl = [json.loads(x) for x in rd.splitlines() if x.strip()]
    fl = [json.loads(x) for x in fd.splitlines() if x.strip()]
    if not rl or not fl:
        out.append("events: %d lines from dockerd, %d from the fake" % (len(rl), len(fl)))
    else:
        compare(label, rl[-1], fl[-1], "", out)
    label, rd, fd = both("POST", v + "/build/prune")
    compare(label, json.loads(rd), json.loads(fd), "", out)
    for line in out:
        print(line)
    return 1 if out else 0


sys.exit(main())
