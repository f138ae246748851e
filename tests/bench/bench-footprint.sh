#!/bin/bash
# bench-footprint — the governor beside earlyoom on this host: resident and
# anonymous memory, and CPU while idle over SECONDS (default 60) with 100
# cgroups to watch.
#
#   bench-footprint.sh BUILD_DIR [SECONDS]
#
# Creates /sys/fs/cgroup[/unified]/sutazai-footprint-PID/sutazai-bench-000..099
# (removed on exit), runs the governor on that subtree as its cgroup root (one
# [cgroup:bench] rule matching them, 1 s tick, no Docker socket; a private
# subtree, so the cgroups other sessions create and remove on a shared host
# do not wake it: idle means nothing changes) and earlyoom (Debian's, default
# arguments) side by side,
# and prints a Markdown table from /proc/PID/status and /proc/PID/schedstat
# (the governor's row counts its Docker helper's CPU too; core and helper
# also on rows of their own);
# then where the governor's anonymous memory and PSS come from (its heap,
# stack, and the writable pages of each library: libcurl and what Debian's
# libcurl links against, against the rest), from /proc/PID/smaps; and last
# one tick over 10 000 fixture cgroups (bench-tick), so that one run shows
# idle CPU, memory and scale together. Needs root. Exit 0, 1 on failure, 77 when a part is missing (outside CI).
set -euo pipefail
. "$(dirname "$0")/../lib/helperpid.sh"

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
        top=/sys/fs/cgroup
elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
        top=/sys/fs/cgroup/unified
else
        unavailable "no cgroup2 hierarchy"
fi
root=$top/sutazai-footprint-$$

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
        rmdir "$root" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$root"
# the groups get memory.* files, as containers' cgroups have (hybrid hosts: none)
echo +memory >"$root/cgroup.subtree_control" 2>/dev/null || true
for i in $(seq -w 0 99); do
        mkdir -p "$root/sutazai-bench-$i"
done
# Docker's socket in a directory of its own, as /run/docker.sock is: the
# governor watches that directory for the socket to appear, and must not be
# woken by its own metrics file being replaced beside it.
mkdir "$tmp/docker"
cat >"$tmp/governor.conf" <<CONF
[governor]
interval = 1s
metrics_file = $tmp/metrics.prom

[cgroup:bench]
match = path:sutazai-bench-*
priority = 10
CONF

SUTAZAI_GOVERNOR_LOG_TARGET=console \
        "$governor" --config "$tmp/governor.conf" --cgroup-root "$root" --state-dir "$tmp/state" \
        --control-socket "$tmp/control.sock" --docker-socket "$tmp/docker/docker.sock" \
        2>"$tmp/governor.log" &
gov_pid=$!
"$earlyoom" >"$tmp/earlyoom.log" 2>&1 &
eo_pid=$!
# Idle means after start-up: the governor has announced itself, made its
# first Docker attempt (the helper spawned) and taken its first full sample;
# a fixed wait let a slow start-up spill into the window now and then.
for _ in $(seq 100); do
        grep -q " started: " "$tmp/governor.log" && break
        kill -0 "$gov_pid" 2>/dev/null || break
        sleep 0.1
done
sleep 3
kill -0 "$gov_pid" || { echo "bench-footprint: governor exited:" >&2; cat "$tmp/governor.log" >&2; exit 1; }
grep -q " started: " "$tmp/governor.log" || { echo "bench-footprint: governor never said it started:" >&2; cat "$tmp/governor.log" >&2; exit 1; }
kill -0 "$eo_pid" || { echo "bench-footprint: earlyoom exited:" >&2; cat "$tmp/earlyoom.log" >&2; exit 1; }

# CPU time in ns from schedstat (the scheduler's own clock; /proc/PID/stat
# counts in 10 ms ticks, too coarse for an idle daemon).
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# The Docker helper (sutazai-governor-docker, issue 16 item 4): the
# governor's child that holds libcurl, reported on a row of its own.
helper_pid() { helper_pid_of "$gov_pid" || true; }
pss_kb() { awk '/^Pss:/ { s += $2 } END { print s + 0 }' "/proc/$1/smaps"; }
hp=$(helper_pid)
g0=$(cpu_ns "$gov_pid"); e0=$(cpu_ns "$eo_pid"); h0=${hp:+$(cpu_ns "$hp")}
sleep "$seconds"
g1=$(cpu_ns "$gov_pid"); e1=$(cpu_ns "$eo_pid"); h1=${hp:+$(cpu_ns "$hp")}

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
h_ns=0
[ -n "$hp" ] && [ -d "/proc/$hp" ] && h_ns=$((h1 - h0))
if [ -n "$hp" ]; then
        # one governor, two processes: the CPU that counts is both together
        row "sutazai-governor (core + helper)" "$gov_pid" $((g1 - g0 + h_ns))
        row "  core" "$gov_pid" $((g1 - g0))
        [ -d "/proc/$hp" ] && row "  Docker helper" "$hp" "$h_ns"
else
        row "sutazai-governor" "$gov_pid" $((g1 - g0))
fi
row "earlyoom $("$earlyoom" -v 2>&1 | head -n 1 | awk '{print $2}')" "$eo_pid" $((e1 - e0))
echo
echo "PSS KiB: governor $(pss_kb "$gov_pid")${hp:+, Docker helper $(pss_kb "$hp")}, earlyoom $(pss_kb "$eo_pid")"
awk -v g=$((g1 - g0 + h_ns)) -v e="$e1" -v e0="$e0" 'BEGIN {
        if (e > e0) printf "\nidle CPU: governor (core + helper) / earlyoom = %.2f\n", g / (e - e0) }'
echo "load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# Libraries only libcurl brings in (its NEEDED closure minus what the rest
# of the governor needs without it): what a core without the Docker client
# would not map.
curl_lib=$(ldd "$governor" | awk '/libcurl/ { print $3 }')
if [ -n "$curl_lib" ]; then
        ldd "$curl_lib" | awk '$3 ~ /^\// { print $3 }' | xargs -r -n1 readlink -f | sort -u >"$tmp/curl-libs"
        readlink -f "$curl_lib" >>"$tmp/curl-libs"
        # the governor's own NEEDED entries (ldd lists the whole closure)
        ldd "$governor" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' >"$tmp/ldd"
        readelf -d "$governor" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }' |
                grep -v '^libcurl' | while read -r name; do
                        awk -v n="$name" '$1 == n { print $2 }' "$tmp/ldd"
                done | xargs -r -n1 readlink -f | sort -u >"$tmp/direct"
        # libraries the rest needs directly, and their own dependencies
        for l in $(cat "$tmp/direct"); do
                echo "$l"
                ldd "$l" | awk '$3 ~ /^\// { print $3 }' | xargs -r -n1 readlink -f
        done | sort -u >"$tmp/rest"
        grep -vxF -f "$tmp/rest" "$tmp/curl-libs" >"$tmp/curl-only" || true
fi
echo
echo "Where the governor's memory is (KiB, /proc/$gov_pid/smaps; a library's anonymous pages are its relocated and written data):"
echo
echo "| part | anon KiB | PSS KiB | RSS KiB |"
echo "|------|---------:|--------:|--------:|"
awk -v curlfile="$tmp/curl-only" -v self="$(readlink -f "$governor")" '
BEGIN { while ((getline l < curlfile) > 0) curl[l] = 1 }
/^[0-9a-f]+-[0-9a-f]+ / { name = $6; if (name != "") last = name; else if (last ~ /^\//) name = last }
/^Rss:/ { part = name == "[heap]" ? "heap" : name == "[stack]" ? "stack" : name == self ? "governor binary" : (name in curl) ? "libcurl and the libraries only it needs" : name ~ /^\// ? "other libraries (libc, libsystemd, libcgroup, cJSON, ...)" : "other anonymous mappings"; rss[part] += $2 }
/^Pss:/ { pss[part] += $2 }
/^Anonymous:/ { anon[part] += $2 }
END { for (p in rss) printf "| %s | %d | %d | %d |\n", p, anon[p], pss[p], rss[p] }' "/proc/$gov_pid/smaps" | sort -t'|' -k3 -rn
if [ -s "$tmp/curl-only" ]; then
        echo
        echo "libcurl brings $(wc -l <"$tmp/curl-only") libraries: $(xargs -n1 basename <"$tmp/curl-only" | sed 's/\.so.*//' | tr '\n' ' ')"
fi

# One tick over 10 000 cgroups, with the same build.
if [ -x "$build/tests/bench/bench-tick" ]; then
        echo
        echo "One tick over ${BENCH_TICK_CGROUPS:-10000} fixture cgroups (tests/bench/bench-tick):"
        echo
        "$build/tests/bench/bench-tick" "${BENCH_TICK_CGROUPS:-10000}"
fi
