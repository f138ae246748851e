#!/bin/bash
# test-sdunit-bus — start a private dbus-daemon (session configuration, its
# own socket under a mktemp directory) and run test-sdunit-bus against it.
# Exits 77 without dbus-daemon unless CI is set.
set -uo pipefail
TEST=${1:?path of test-sdunit-bus}
if ! command -v dbus-daemon >/dev/null; then
        [ -n "${CI:-}" ] && { echo "FAIL: dbus-daemon missing under CI" >&2; exit 1; }
        echo "SKIP: dbus-daemon missing (apt-get install dbus)" >&2
        exit 77
fi
T=$(mktemp -d /tmp/gov-bus.XXXXXX)
dbus-daemon --config-file=/usr/share/dbus-1/session.conf --address="unix:path=$T/bus" \
        --nofork --nopidfile >"$T/log" 2>&1 &
bus_pid=$!
trap 'kill $bus_pid 2>/dev/null; wait $bus_pid 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do
        [ -S "$T/bus" ] && break
        sleep 0.1
done
[ -S "$T/bus" ] || { echo "FAIL: dbus-daemon did not start: $(cat "$T/log")" >&2; exit 1; }
"$TEST" "unix:path=$T/bus"
