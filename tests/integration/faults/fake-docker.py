#!/usr/bin/env python3
"""A misbehaving Docker Engine on a unix socket, for test-faults.sh.

Usage: fake-docker.py SOCKET MODE LOG

Every request line is appended to LOG as "<monotonic seconds> <METHOD> <PATH>",
so the test can see what the governor asked and when (its backoff).

MODE
  hang       accept connections, read them, never answer
  http500    answer every request with HTTP 500 and a Docker-style error body
  garbage    /version answers 200 with a body that is not JSON
  badevents  a healthy engine (no containers) whose event stream carries lines
             that are not JSON, then stays open
  truncated  a healthy engine whose event stream, once the containers were
             listed, sends half an event line and drops the connection
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from fake_engine import PROFILES, chunk  # noqa: E402  (the faithful engine's answers)

sock_path, mode, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
log_lock = threading.Lock()
listed = threading.Event()


def log(line):
    with log_lock, open(log_path, "a") as f:
        f.write("%.3f %s\n" % (time.monotonic(), line))


def respond(conn, status, body, ctype="application/json"):
    reason = {200: "OK", 500: "Internal Server Error"}[status]
    head = ("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nApi-Version: 1.41\r\n"
            "Content-Length: %d\r\n\r\n" % (status, reason, ctype, len(body)))
    conn.sendall(head.encode() + body)


def read_request(conn, buf):
    """One request head (no bodies are sent to the GETs we answer); returns
    (method, path, rest) or None on EOF."""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    method, path = head.split(b"\r\n", 1)[0].decode(errors="replace").split(" ")[:2]
    # a POST (update, kill) carries a body; we never act, so skip what came
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":", 1)[1])
            while len(rest) < n:
                data = conn.recv(65536)
                if not data:
                    return None
                rest += data
            rest = rest[n:]
    return method, path, rest


_v = PROFILES["20.10"]
VERSION = json.dumps({"Version": _v[0], "ApiVersion": _v[1], "MinAPIVersion": _v[2]}).encode()


def healthy(conn, method, path):
    """Answer like an engine with no containers; the event stream is the
    mode's to shape. Returns False when the connection must end."""
    if path == "/_ping":
        respond(conn, 200, b"OK", "text/plain")
    elif path.endswith("/version"):
        respond(conn, 200, VERSION)
    elif "/containers/json" in path:
        respond(conn, 200, b"[]")
        listed.set()
    elif "/events" in path:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        if mode == "badevents":
            conn.sendall(chunk(b"this is not json\n"))
            conn.sendall(chunk(b'{"Type":"container","Action":"start","Actor":{"ID":12}}\n'))
            conn.sendall(chunk(b"\xff\xfe\x00\x01 binary \n"))
            while conn.recv(65536):  # stay open until the client goes
                pass
            return False
        # truncated: half a line once the governor is in sync, then drop
        listed.wait(5)
        time.sleep(0.2)
        conn.sendall(chunk(b'{"status":"start","id":"0123456789ab'))
        conn.shutdown(socket.SHUT_RDWR)
        return False
    else:
        respond(conn, 500, b'{"message":"not faked here"}')
    return True


def serve(conn):
    buf = b""
    try:
        while True:
            req = read_request(conn, buf)
            if req is None:
                return
            method, path, buf = req
            log("%s %s" % (method, path))
            if mode == "hang":
                while conn.recv(65536):  # hold it open, answer nothing
                    pass
                return
            if mode == "http500":
                respond(conn, 500, b'{"message":"injected failure for the fault test"}')
                continue
            if mode == "garbage" and path.endswith("/version"):
                respond(conn, 200, b"{<html>this is not json")
                continue
            if not healthy(conn, method, path):
                return
    except OSError:
        pass
    finally:
        conn.close()


def main():
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(64)
    open(log_path, "a").close()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
