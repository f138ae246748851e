#!/usr/bin/env python3
"""Stand in for systemd's notify socket, for test-faults.sh.

Usage: notify-listener.py SOCKET LOG

Binds a unix datagram socket at SOCKET and appends each sd_notify() message
to LOG, one line per assignment, as "<monotonic seconds> KEY=VALUE", so the
test can count WATCHDOG=1 pings and see READY=1 / STOPPING=1.
"""
import os
import socket
import sys
import time

sock_path, log_path = sys.argv[1], sys.argv[2]
try:
    os.unlink(sock_path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
open(log_path, "a").close()
while True:
    data = s.recv(4096)
    now = time.monotonic()
    with open(log_path, "a") as f:
        for line in data.decode(errors="replace").splitlines():
            f.write("%.3f %s\n" % (now, line))
