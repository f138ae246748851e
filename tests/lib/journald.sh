#!/bin/sh
# journald.sh — a real, private systemd-journald for the integration tests.
#
# The journal socket path is fixed (/run/systemd/journal/socket), so the test
# re-executes itself in a private mount namespace (unshare -m) and mounts
# tmpfs over /run/systemd and /run/log there: the journald it starts, the
# daemon under test and journalctl all see only the test's journal, and the
# host's (if any) is never touched.
#
#   . tests/lib/journald.sh
#   journald_isolate "$@"        # first line of the test: re-exec in a namespace
#   journald_start               # start journald, wait for its socket
#   journald_json FIELD=VALUE    # journalctl -o json output for a match
#   journald_stop                # stop it (also done by the EXIT trap)

JOURNALD=${JOURNALD:-/lib/systemd/systemd-journald}

journald_isolate() {
        if [ "${SUTAZAI_TEST_NS:-}" != 1 ]; then
                if [ ! -x "$JOURNALD" ] || ! command -v unshare >/dev/null; then
                        echo "SKIP: systemd-journald or unshare missing (apt-get install systemd util-linux)" >&2
                        exit 77
                fi
                if [ "$(id -u)" != 0 ]; then
                        echo "SKIP: a private journald needs root" >&2
                        exit 77
                fi
                SUTAZAI_TEST_NS=1 exec unshare -m --propagation private -- "$0" "$@"
        fi
        mkdir -p /run/systemd /run/log
        mount -t tmpfs -o mode=0755,size=64m tmpfs /run/systemd
        mount -t tmpfs -o mode=0755,size=64m tmpfs /run/log
        # a persistent /var/log/journal would be used if it exists: hide it too
        if [ -d /var/log/journal ]; then
                mount -t tmpfs -o mode=0755,size=64m tmpfs /var/log/journal
        fi
}

journald_start() {
        mkdir -p /run/systemd/journal
        "$JOURNALD" >/dev/null 2>&1 &
        JOURNALD_PID=$!
        i=0
        while [ ! -S /run/systemd/journal/socket ]; do
                i=$((i + 1))
                if [ $i -gt 100 ]; then
                        echo "journald did not create its socket" >&2
                        return 1
                fi
                sleep 0.1
        done
}

journald_json() {
        journalctl --no-pager --sync 2>/dev/null || true
        journalctl --no-pager -o json "$@"
}

journald_stop() {
        if [ -n "${JOURNALD_PID:-}" ]; then
                kill "$JOURNALD_PID" 2>/dev/null || true
                wait "$JOURNALD_PID" 2>/dev/null || true
                JOURNALD_PID=
        fi
}
