#!/bin/bash
# test-sdunit-governor — the governor's actuator and oomguard talking to
# systemd's manager (issue 11 item 3): a private dbus-daemon stands for the
# system bus (DBUS_SYSTEM_BUS_ADDRESS), test-sdunit-bus --serve stands for
# systemd (SetUnitProperties: it writes the unit's cgroup files as systemd
# does and logs each call), the governor runs in a mount namespace where
# /run/systemd/system exists (sd_booted()) over a fixture cgroup tree:
#   - sys.slice/db.service (a unit the manager knows): memory.high,
#     memory.low and memory.min set through the manager, runtime=true;
#   - plain/x (no unit): memory.high written directly, no call;
#   - sys.slice/gone.service (named like a unit, unknown to the manager):
#     the call is refused (NoSuchUnit) and the file is written instead.
# Needs root (unshare -m), dbus-daemon; 77 without them unless CI is set.
set -uo pipefail
TEST=${1:?path of test-sdunit-bus}
GOVERNOR=${GOVERNOR:?path of sutazai-governor}

skip_or_fail() {
        [ -n "${CI:-}" ] && { echo "FAIL: prerequisite missing under CI: $*" >&2; exit 1; }
        echo "SKIP: $*" >&2
        exit 77
}
command -v dbus-daemon >/dev/null || skip_or_fail "dbus-daemon missing (apt-get install dbus-daemon)"
[ "$(id -u)" = 0 ] || skip_or_fail "needs root (a mount namespace)"
command -v unshare >/dev/null || skip_or_fail "unshare missing (util-linux)"
[ -d /run/systemd ] || mkdir -p /run/systemd 2>/dev/null || skip_or_fail "no /run/systemd"

T=$(mktemp -d /tmp/gov-sdg.XXXXXX)
bus_pid="" mgr_pid="" gov_pid=""
cleanup() {
        for p in $gov_pid $mgr_pid $bus_pid; do
                kill "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        rm -rf "$T"
}
trap cleanup EXIT
failures=0
fail() {
        echo "FAIL: $*" >&2
        failures=$((failures + 1))
}
M=$((1024 * 1024))

# the fixture tree: three cgroups with the files the sampler reads
cg=$T/cg
mkdir -p "$cg"
echo "cpu io memory pids" >"$cg/cgroup.controllers"
for rel in sys.slice/db.service plain/x sys.slice/gone.service; do
        d=$cg/$rel
        mkdir -p "$d"
        printf '%s\n' $((8 * M)) >"$d/memory.current"
        for f in memory.max memory.high memory.swap.max; do echo max >"$d/$f"; done
        for f in memory.low memory.min memory.oom.group; do echo 0 >"$d/$f"; done
        printf 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n' >"$d/memory.events"
        printf 'populated 1\nfrozen 0\n' >"$d/cgroup.events"
        : >"$d/cgroup.procs" # no processes: no real PID is touched
done

cat >"$T/gov.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $T/no-docker.sock
state_dir = $T/state
control_socket = $T/control.sock

[memory]
warning = 97%
critical = 98%
emergency = 99%

[cgroup:db]
match = path:sys.slice/db.service
memory_high = 100M
memory_low = 50M
memory_min = 20M
protect = yes

[cgroup:plain]
match = path:plain/x
memory_high = 60M

[cgroup:gone]
match = path:sys.slice/gone.service
memory_high = 70M
CONF
mkdir -m 0700 "$T/state"

dbus-daemon --config-file=/usr/share/dbus-1/session.conf --address="unix:path=$T/bus" \
        --nofork --nopidfile >"$T/bus.log" 2>&1 &
bus_pid=$!
for _ in $(seq 50); do [ -S "$T/bus" ] && break; sleep 0.1; done
[ -S "$T/bus" ] || { echo "FAIL: dbus-daemon did not start" >&2; exit 1; }
"$TEST" --serve "unix:path=$T/bus" "$T/calls" "$cg" "db.service=sys.slice/db.service" &
mgr_pid=$!
for _ in $(seq 50); do grep -q ready "$T/calls" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$T/calls" || { echo "FAIL: the stand-in manager did not start" >&2; exit 1; }

# /run/systemd/system only inside the governor's own mount namespace
unshare -m sh -c '
        mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system || exit 1
        exec env DBUS_SYSTEM_BUS_ADDRESS="$1" SUTAZAI_GOVERNOR_LOG_TARGET=console \
                "$2" --config "$3" --cgroup-root "$4"' sh "unix:path=$T/bus" "$GOVERNOR" \
        "$T/gov.conf" "$cg" >"$T/gov.log" 2>&1 &
gov_pid=$!

value() { tr -d '\n' <"$cg/$1/$2"; }
wait_value() { # REL FILE VALUE SECONDS
        for _ in $(seq $(($4 * 10))); do
                [ "$(value "$1" "$2")" = "$3" ] && return 0
                kill -0 "$gov_pid" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}
expect() { # REL FILE VALUE WHAT
        wait_value "$1" "$2" "$3" 10 || fail "$4: $1/$2 is '$(value "$1" "$2")', expected '$3'"
}

expect sys.slice/db.service memory.high $((100 * M)) "through systemd"
expect sys.slice/db.service memory.low $((50 * M)) "memory.low through systemd"
expect sys.slice/db.service memory.min $((20 * M)) "memory.min through systemd"
expect plain/x memory.high $((60 * M)) "no unit: the file"
expect sys.slice/gone.service memory.high $((70 * M)) "unknown unit: the file after NoSuchUnit"
grep -q "^db.service runtime=1 MemoryHigh=$((100 * M))$" "$T/calls" ||
        fail "no MemoryHigh call for db.service: $(cat "$T/calls")"
grep -q "^db.service runtime=1 .*MemoryLow=$((50 * M)).*MemoryMin=$((20 * M))" "$T/calls" ||
        fail "no MemoryLow/MemoryMin call for db.service: $(cat "$T/calls")"
grep -q "^gone.service runtime=1 MemoryHigh=$((70 * M))$" "$T/calls" ||
        fail "gone.service was not asked through the manager first"
grep -q "^x\|plain" "$T/calls" && fail "a call for a cgroup no unit owns"
# the outcome is the manager's reply: db's change logged done, once
grep -Eq "sys.slice/db.service.*\[done: systemd\]" "$T/gov.log" || fail "no [done: systemd] for db.service"
grep -Eq "sys.slice/gone.service.*\[done\]" "$T/gov.log" || fail "no [done] (by file) for gone.service"
grep -Eq "plain/x.*\[done\]" "$T/gov.log" || fail "no [done] for plain/x"
grep -q "no systemd manager to ask" "$T/gov.log" && fail "the governor did not use the manager"
kill -TERM "$gov_pid"
wait "$gov_pid" || fail "governor exited $? on SIGTERM"
gov_pid=""
if [ "$failures" != 0 ]; then
        echo "--- governor log ---" >&2
        cut -c1-250 "$T/gov.log" | tail -30 >&2
        exit 1
fi
echo "calls to the manager:"; sed "s/^/  /" "$T/calls"
echo PASS
