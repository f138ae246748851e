#!/bin/bash
# bench-stall.sh BUILD_DIR [SECONDS] — the event loop under each fault of
# issue 13, beside the fault-free baseline.
#
# For each fault a fresh governor (dry-run, logging to a private journald as
# under systemd, in a private mount namespace) runs for SECONDS (default 10)
# while:
#   - its own probe (SUTAZAI_GOVERNOR_LOOP_PROBE, src/looplag.c) measures how
#     late the loop wakes for a 10 ms timer: a PSI trigger's fd waits in the
#     same epoll, so the worst wake-up bounds how late a trigger is acted on;
#   - a root client runs `sutazai-govctl status` every 50 ms and times the
#     round trip (process start included, as an operator sees it);
#   - RSS is read at the end of the window.
# Faults: journald SIGSTOPped while changes are logged (100/s); a Docker
# event flood (10k events/s, inspects never answered; the fake engine of
# tests/lib/fake_engine.py); `cleanup --dry-run` over 100k old log files;
# 40 idle connections and 400 reconnecting clients from unprivileged users;
# FIFOs planted as overrides.json and history.json (a start-up fault: the
# start-up time is printed too).
# Targets (issue 13): status p99 <= 100 ms and worst <= 500 ms, loop worst
# <= 10 ms (a PSI trigger acted on within 10 ms), RSS within 32 MiB of the
# fault-free run. Prints a markdown table; exit 77 without root/journald.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: bench-stall.sh BUILD_DIR [SECONDS]" >&2; exit 2; }
build=$(cd "$1" && pwd)
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
GOVERNOR=$build/src/sutazai-governor
GOVCTL=$build/src/sutazai-govctl
[ "$(id -u)" = 0 ] || { echo "bench-stall: needs root (cgroups, a private journald)" >&2; exit 77; }
command -v python3 >/dev/null || { echo "bench-stall: needs python3" >&2; exit 77; }
. "$src/tests/lib/journald.sh"
journald_isolate "$@"

work=$(mktemp -d /tmp/sutazai-bench-stall.XXXXXX)
chmod 0711 "$work" # unprivileged clients of the storm reach the socket
sock="$work/control.sock"
probe="$work/probe"
gov_pid=""
fault_pids=()
if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then v2=/sys/fs/cgroup/unified; else v2=/sys/fs/cgroup; fi
cg_rel="sutazai-bench-stall-$$"
mkdir -p "$v2/$cg_rel/app-1"

stop_faults() {
        local p
        for p in "${fault_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
        fault_pids=()
        [ -n "${JOURNALD_PID:-}" ] && kill -CONT "$JOURNALD_PID" 2>/dev/null
        return 0
}
stop_gov() {
        if [ -n "$gov_pid" ]; then
                kill -TERM "$gov_pid" 2>/dev/null
                timeout 5 tail --pid="$gov_pid" -f /dev/null || kill -9 "$gov_pid" 2>/dev/null
                wait "$gov_pid" 2>/dev/null || true
                gov_pid=""
        fi
}
cleanup() {
        set +e
        stop_faults
        stop_gov
        journald_stop
        rmdir "$v2/$cg_rel/app-1" "$v2/$cg_rel" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT

write_conf() { # STATE_DIR DOCKER_SOCKET
        cat >"$work/gov.conf" <<CONF
[governor]
interval = 1s
docker_socket = $2
state_dir = $1

[logs:bench]
dir = $work/logs
pattern = *.log
max_age = 1m

[cgroup:app]
match = path:$cg_rel/app*
CONF
}

# start_gov STATE_DIR DOCKER_SOCKET: sets gov_pid and start (ms from exec to answering status)
start_gov() {
        local t0 i
        write_conf "$1" "$2"
        rm -f "$probe"
        t0=$(date +%s%N)
        # Nice=-5 as in units/sutazai-governor.service.in
        env -u NOTIFY_SOCKET -u WATCHDOG_USEC -u JOURNAL_STREAM SUTAZAI_GOVERNOR_LOG_TARGET=journal \
                SUTAZAI_GOVERNOR_LOOP_PROBE="$probe" nice -n -5 \
                "$GOVERNOR" --config "$work/gov.conf" --dry-run --control-socket "$sock" \
                >>"$work/gov.log" 2>&1 &
        gov_pid=$!
        for ((i = 0; i < 300; i++)); do
                if timeout 5 "$GOVCTL" --socket "$sock" status >/dev/null 2>&1; then
                        start=$((($(date +%s%N) - t0) / 1000000))
                        return 0
                fi
                kill -0 "$gov_pid" 2>/dev/null || { echo "bench-stall: governor died" >&2; return 1; }
                sleep 0.1
        done
        echo "bench-stall: governor did not answer" >&2
        return 1
}

# window: a fresh probe window of $secs while status is polled; prints
# "loop_p99 loop_max status_p99 status_max rss_mib failures cpu% busy_max" (ms)
window() {
        local i
        rm -f "$probe"
        for ((i = 0; i < 30; i++)); do [ -f "$probe" ] && break; sleep 0.1; done
        python3 - "$GOVCTL" "$sock" "$secs" "$probe" "$gov_pid" <<'PY'
import os, subprocess, sys, time
govctl, sock, secs, probe, pid = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
lat, fails = [], 0
c0, t0 = cpu(), time.monotonic()
end = time.monotonic() + secs
while time.monotonic() < end:
    t = time.monotonic()
    try:
        r = subprocess.run([govctl, "--socket", sock, "status"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10)
        fails += r.returncode != 0
    except subprocess.TimeoutExpired:
        fails += 1
    lat.append(time.monotonic() - t)
    time.sleep(0.05)
cpu_pct = (cpu() - c0) / (time.monotonic() - t0) * 100
lat.sort()
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
vals = dict(l.split() for l in open(probe))
print(f"{int(vals['p99_us']) / 1000:.1f} {int(vals['max_us']) / 1000:.1f} {p99:.0f} {lat[-1] * 1000:.0f} "
      f"{int(vals['rss_kib']) / 1024:.1f} {fails} {cpu_pct:.0f} {int(vals['busy_max_us']) / 1000:.1f}")
PY
}

rows=()
base_rss=""
row() { # NAME START_MS RESULT...
        local name=$1 start=$2 lp99 lmax sp99 smax rss fails cpu busy ok d
        read -r lp99 lmax sp99 smax rss fails cpu busy <<<"$3"
        [ -z "$base_rss" ] && base_rss=$rss
        d=$(awk -v a="$rss" -v b="$base_rss" 'BEGIN { printf "%+.1f", a - b }')
        ok=$(awk -v sp="$sp99" -v sm="$smax" -v lm="$lmax" -v d="$d" -v f="$fails" \
                'BEGIN { print (sp <= 100 && sm <= 500 && lm <= 10 && d <= 32 && f == 0) ? "yes" : "**no**" }')
        rows+=("| $name | $start | $lp99 | $lmax | $busy | $sp99 | $smax | $rss ($d) | $cpu | $fails | $ok |")
}

mkdir -m 0700 "$work/state"
mkdir -p "$work/logs" "$work/docker"
journald_start

# ---- fault-free ----
start_gov "$work/state" "$work/docker/none.sock"
row "fault-free" "$start" "$(window)"
stop_gov

# ---- journald stopped while changes are logged ----
# changes: 100 set-limit requests a second, each one journal entry (and one
# fsync of overrides.json: run once with journald running, to tell apart)
changes() {
        python3 - "$sock" <<'PY' &
import json, socket, sys, time
i = 0
while True:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(5)
        s.connect(sys.argv[1])
        req = {"verb": "set-limit", "name": "app", "memory_max": (64 + i % 2) << 20, "for_usec": 3600000000}
        s.sendall(json.dumps(req).encode() + b"\n")
        s.recv(4096)
    except OSError:
        pass
    s.close()
    i += 1
    time.sleep(0.01)
PY
        fault_pids+=($!)
}
start_gov "$work/state" "$work/docker/none.sock"
changes
row "(control: journald running, 100 changes/s logged)" "$start" "$(window)"
stop_faults
stop_gov

start_gov "$work/state" "$work/docker/none.sock"
kill -STOP "$JOURNALD_PID"
changes
row "journald stopped, 100 changes/s logged" "$start" "$(window)"
stop_faults
stop_gov

# ---- Docker event flood ----
if [ -f "$src/tests/lib/fake_engine.py" ] && command -v curl >/dev/null; then
        python3 "$src/tests/lib/fake_engine.py" "$work/docker/flood.sock" 20.10 "$work/flood.req" --flood \
                >/dev/null 2>&1 &
        fault_pids+=($!)
        for ((i = 0; i < 50; i++)); do [ -S "$work/docker/flood.sock" ] && break; sleep 0.1; done
        start_gov "$work/state" "$work/docker/flood.sock"
        sleep 1 # connected and listening to events
        curl -s --unix-socket "$work/docker/flood.sock" -X POST -H 'Content-Type: application/json' \
                -d "{\"rate\": 10000, \"seconds\": $((secs + 2))}" http://localhost/_fake/flood >/dev/null || true
        row "Docker event flood, 10k events/s" "$start" "$(window)"
        stop_faults
        stop_gov
else
        rows+=("| Docker event flood | TODO: needs tests/lib/fake_engine.py (engines) and curl | | | | | | | | | |")
fi

# ---- cleanup --dry-run over 100k old log files ----
python3 - "$work/logs" 100000 <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
old = 946684800  # 2000-01-01
for k in range(n):
    p = f"{d}/f{k:06d}.log"
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
    os.utime(p, (old, old))
PY
start_gov "$work/state" "$work/docker/none.sock"
(while true; do timeout 60 "$GOVCTL" --socket "$sock" cleanup --dry-run >/dev/null 2>&1; done) &
fault_pids+=($!)
row "cleanup --dry-run over 100k log files" "$start" "$(window)"
stop_faults
stop_gov
rm -rf "$work/logs"
mkdir -p "$work/logs"

# ---- idle connections and a reconnect storm ----
start_gov "$work/state" "$work/docker/none.sock"
chmod 0666 "$sock"
python3 "$src/tests/integration/faults/control-storm.py" "$sock" $((secs + 3)) 40 400 \
        65534 65533 65532 65531 65530 >/dev/null 2>&1 &
fault_pids+=($!)
sleep 1
row "40 idle + 400 reconnecting clients" "$start" "$(window)"
stop_faults
stop_gov

# ---- FIFOs as state files (start-up) ----
mkdir -m 0700 "$work/fifo-state"
mkfifo "$work/fifo-state/overrides.json" "$work/fifo-state/history.json"
start_gov "$work/fifo-state" "$work/docker/none.sock"
row "FIFO overrides.json + history.json" "$start" "$(window)"
stop_gov

echo "Each row: a fresh governor (Nice=-5 as in the unit), ${secs} s window; loop = wake-up lateness of a"
echo "10 ms probe timer (what a PSI trigger waits too); loop busiest = the most CPU the loop itself used"
echo "between two probe wake-ups (lateness beyond it is waiting for a CPU or blocked in a call);"
echo "status = \`sutazai-govctl status\` every 50 ms, round trip including the process start."
echo
echo "| fault | start-up to status (ms) | loop p99 (ms) | loop worst (ms) | loop busiest (CPU ms) | status p99 (ms) | status worst (ms) | RSS MiB (vs fault-free) | governor CPU % | status failures | targets met |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Targets: status p99 <= 100 ms, worst <= 500 ms; loop worst <= 10 ms; RSS within 32 MiB; no failures."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; other work inflates every row alike:"
echo "compare each fault with the fault-free row, and read loop busiest for the loop's own share."
