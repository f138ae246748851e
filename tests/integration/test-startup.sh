#!/bin/bash
# Start-up is loud (issue 15): the summary line (mode, marks, disks, rules
# and their match counts), the warning for a configuration without any
# [container:] rule, and a [logs:] directory and a metrics directory on a
# read-only mount named with the ReadWritePaths= fix — on this host's real
# cgroups, with the real daemon.
set -euo pipefail
GOVERNOR=${GOVERNOR:?path of sutazai-governor}

if [ "$(id -u)" != 0 ]; then
        [ -n "${CI:-}" ] && { echo "FAIL: needs root (a cgroup, a read-only mount)" >&2; exit 1; }
        echo "SKIP: needs root (a cgroup, a read-only mount)" >&2
        exit 77
fi

work=$(mktemp -d /tmp/sutazai-startup-test.XXXXXX)
cg_parent=""
pid=""
cleanup() {
        set +e
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        umount "$work/ro" 2>/dev/null
        [ -n "$cg_parent" ] && rmdir "$cg_parent/app-a" "$cg_parent" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- log:" >&2; cat "$work/log" >&2; exit 1; }

if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then v2=/sys/fs/cgroup/unified; else v2=/sys/fs/cgroup; fi
cg_parent="$v2/sutazai-startup-$$"
mkdir -p "$cg_parent/app-a"

# what ProtectSystem=strict makes of a path outside ReadWritePaths=: EROFS
mkdir -p "$work/ro/logs" "$work/ro/metrics" "$work/state"
mount -t tmpfs -o size=1m tmpfs "$work/ro"
mkdir -p "$work/ro/logs" "$work/ro/metrics"
mount -o remount,ro "$work/ro"

cat >"$work/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $work/no-docker.sock
state_dir = $work/state
control_socket = $work/control.sock
metrics_file = $work/ro/metrics/governor.prom

[memory]
warning = 97%
critical = 98%
emergency = 99%

[disk:$work]
warning = 50%
critical = 60%
emergency = 70%

[logs:app]
dir = $work/ro/logs

[cgroup:app-a]
match = path:sutazai-startup-$$/app-*
priority = 10

[cgroup:nothing]
match = path:sutazai-startup-$$/no-such-*
CONF

# --check-config: standard output is exactly the contract's line, whatever
# it warns about on standard error
"$GOVERNOR" --check-config --config "$work/governor.conf" >"$work/check.out" 2>"$work/check.err" ||
        fail "--check-config refused: $(cat "$work/check.err")"
[ "$(cat "$work/check.out")" = "configuration OK" ] || fail "--check-config printed: $(cat "$work/check.out")"
grep -q "no \[container:\] rule" "$work/check.err" || fail "--check-config did not warn: $(cat "$work/check.err")"

"$GOVERNOR" --config "$work/governor.conf" --dry-run >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
        grep -q "started: " "$work/log" && break
        kill -0 "$pid" 2>/dev/null || fail "daemon died"
        sleep 0.1
done
sleep 0.3
line=$(grep "started: " "$work/log") || fail "no start-up line"
echo "$line"
grep -q "started: dry-run (nothing is changed); memory marks 97/98/99%; disks $work 50/60/70%; rules (groups matched) app-a 1, nothing 0; " <<<"$line" ||
        fail "summary line: $line"
[ "$(grep -c "started: " "$work/log")" = 1 ] || fail "more than one start-up line"
grep -q "no \[container:\] rule: no container is limited" "$work/log" || fail "no warning for a config without container rules"
grep -q "\[logs:app\] $work/ro/logs is read-only for the governor (Read-only file system).*ReadWritePaths=$work/ro/logs" "$work/log" ||
        fail "read-only [logs:] dir not named with the fix"
grep -q "metrics directory $work/ro/metrics is read-only for the governor.*ReadWritePaths=$work/ro/metrics" "$work/log" ||
        fail "read-only metrics directory not named with the fix"
kill -0 "$pid" || fail "daemon exited"
echo PASS
