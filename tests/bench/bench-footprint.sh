#!/bin/bash
# bench-footprint — the governor beside earlyoom on this host: resident and
# anonymous memory, and CPU while idle over SECONDS (default 60) with 100
# cgroups to watch.
#
#   bench-footprint.sh BUILD_DIR [SECONDS]
#
# Creates /sys/fs/cgroup[/unified]/sutazai-bench-000..099 (removed on exit),
# runs the governor (one [cgroup:bench] rule matching them, 1 s tick, no
# Docker socket) and earlyoom (Debian's, default arguments) side by side,
# and prints a Markdown table from /proc/PID/status and /proc/PID/stat.
# Needs root. Exit 0, 1 on failure, 77 when a part is missing (outside CI).
set -euo pipefail

build=$(cd "$1" && pwd)
seconds=${2:-60}
governor=$build/src/sutazai-governor
unavailable() {
        [ -n "${CI:-}" ] && { echo "bench-footprint: $* — required under CI" >&2; exit 1; }
        echo "bench-footprint: SKIP: $*" >&2
        exit 77
}
[ "$(id -u)" = 0 ] || unavailable "needs root (creates cgroups)"
[ -x "$governor" ] || { echo "bench-footprint: $governor missing: build first" >&2; exit 1; }
earlyoom=$(command -v earlyoom || true)
[ -n "$earlyoom" ] || unavailable "earlyoom not installed (apt-get install earlyoom)"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        root=/sys/fs/cgroup
elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
        root=/sys/fs/cgroup/unified
else
        unavailable "no cgroup2 hierarchy"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sutazai-footprint.XXXXXX")
gov_pid=
eo_pid=
cleanup() {
        # earlyoom dies of the SIGTERM (143): not a failure of this script.
        [ -n "$gov_pid" ] && kill "$gov_pid" 2>/dev/null && { wait "$gov_pid" 2>/dev/null || true; }
        [ -n "$eo_pid" ] && kill "$eo_pid" 2>/dev/null && { wait "$eo_pid" 2>/dev/null || true; }
        for i in $(seq -w 0 99); do
                rmdir "$root/sutazai-bench-$i" 2>/dev/null || true
        done
        rm -rf "$tmp"
}
trap cleanup EXIT

for i in $(seq -w 0 99); do
        mkdir -p "$root/sutazai-bench-$i"
done
cat >"$tmp/governor.conf" <<CONF
[governor]
interval = 1s
metrics_file = $tmp/metrics.prom

[cgroup:bench]
match = path:sutazai-bench-*
priority = 10
CONF

"$governor" --config "$tmp/governor.conf" --cgroup-root "$root" --state-dir "$tmp/state" \
        --control-socket "$tmp/control.sock" --docker-socket "$tmp/no-docker.sock" \
        2>"$tmp/governor.log" &
gov_pid=$!
"$earlyoom" >"$tmp/earlyoom.log" 2>&1 &
eo_pid=$!
sleep 3
kill -0 "$gov_pid" || { echo "bench-footprint: governor exited:" >&2; cat "$tmp/governor.log" >&2; exit 1; }
kill -0 "$eo_pid" || { echo "bench-footprint: earlyoom exited:" >&2; cat "$tmp/earlyoom.log" >&2; exit 1; }

# CPU time in ns from schedstat (the scheduler's own clock; /proc/PID/stat
# counts in 10 ms ticks, too coarse for an idle daemon).
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
g0=$(cpu_ns "$gov_pid"); e0=$(cpu_ns "$eo_pid")
sleep "$seconds"
g1=$(cpu_ns "$gov_pid"); e1=$(cpu_ns "$eo_pid")

row() { # NAME PID CPU_NS
        awk -v name="$1" -v rss="$(status_kb "$2" VmRSS)" -v anon="$(status_kb "$2" RssAnon)" \
                -v file="$(status_kb "$2" RssFile)" -v lck="$(status_kb "$2" VmLck)" \
                -v ns="$3" -v s="$seconds" 'BEGIN {
                printf "| %-16s | %7.2f | %8d | %8d | %10d | %8.4f | %7.1f |\n",
                        name, rss / 1024, anon, file, lck, ns / 1e9 / s * 100, ns / 1e6
        }'
}
echo "Footprint, idle for ${seconds} s with 100 cgroups ($root/sutazai-bench-*), governor tick 1 s, earlyoom default arguments:"
echo
echo "| daemon           | RSS MiB | anon KiB | file KiB | locked KiB | CPU % of a core | CPU ms |"
echo "|------------------|--------:|---------:|---------:|-----------:|---------:|--------:|"
row "sutazai-governor" "$gov_pid" $((g1 - g0))
row "earlyoom $("$earlyoom" -v 2>&1 | head -n 1 | awk '{print $2}')" "$eo_pid" $((e1 - e0))
