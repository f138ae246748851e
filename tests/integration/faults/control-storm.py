#!/usr/bin/env python3
"""control-storm.py SOCKET SECONDS IDLE STORM UID... -- unprivileged clients
against the governor's control socket, as issue 13 reproduced them:

  IDLE  connections held open without a request (re-opened as soon as the
        daemon drops one), spread over the given uids;
  STORM clients reconnecting in a tight loop, each sending a status request
        and hanging up without reading the answer.

Each worker drops to its uid (and that uid as its only group) before
connecting. At the end prints one line of counts: "idle-opened N storm-
connects N busy N refused N"; busy = answered "busy", refused = connect()
failed (backlog full). Runs as root (to change uid)."""
import os
import socket
import sys
import time

sock_path, seconds, n_idle, n_storm = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
uids = [int(u) for u in sys.argv[5:]] or [65534]
STORM_PER_PROC = 20
REQ = b'{"verb":"status"}\n'


def drop(uid):
    os.setgroups([uid])
    os.setgid(uid)
    os.setuid(uid)


def idle_worker(uid, n, end, out):
    drop(uid)
    opened = 0
    conns = []
    while time.monotonic() < end:
        while len(conns) < n:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(sock_path)
                s.setblocking(False)
                conns.append(s)
                opened += 1
            except OSError:
                s.close()
                break
        alive = []
        for s in conns:
            try:
                if s.recv(4096) == b"":
                    s.close()
                    continue
                s.close()  # an answer ("busy") or anything: reconnect
            except BlockingIOError:
                alive.append(s)
            except OSError:
                s.close()
        conns = alive
        time.sleep(0.02)
    os.write(out, f"idle {opened} 0 0\n".encode())


def storm_worker(uid, n, end, out):
    drop(uid)
    connects = busy = refused = 0
    while time.monotonic() < end:
        batch = []
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            try:
                s.connect(sock_path)
                s.sendall(REQ)
                connects += 1
                batch.append(s)
            except OSError:
                refused += 1
                s.close()
        for s in batch:
            try:
                s.settimeout(0.01)
                if b"busy" in s.recv(4096):
                    busy += 1
            except OSError:
                pass
            s.close()
    os.write(out, f"storm {connects} {busy} {refused}\n".encode())


def spawn(worker, uid, n, end, r, w):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        worker(uid, n, end, w)
        os._exit(0)
    return pid


def main():
    end = time.monotonic() + seconds
    r, w = os.pipe()
    pids = []
    per_uid = max(1, (n_idle + len(uids) - 1) // len(uids))
    left = n_idle
    for uid in uids:
        if left <= 0:
            break
        k = min(per_uid, left)
        left -= k
        pids.append(spawn(idle_worker, uid, k, end, r, w))
    left = n_storm
    i = 0
    while left > 0:
        k = min(STORM_PER_PROC, left)
        left -= k
        pids.append(spawn(storm_worker, uids[i % len(uids)], k, end, r, w))
        i += 1
    os.close(w)
    for pid in pids:
        os.waitpid(pid, 0)
    idle = connects = busy = refused = 0
    for line in os.fdopen(r).read().splitlines():
        kind, a, b, c = line.split()
        if kind == "idle":
            idle += int(a)
        else:
            connects += int(a)
            busy += int(b)
            refused += int(c)
    print(f"idle-opened {idle} storm-connects {connects} busy {busy} refused {refused}")


main()
