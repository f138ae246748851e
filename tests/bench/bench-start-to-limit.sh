#!/bin/bash
# bench-start-to-limit — time from a container's start event to its memory
# limit applied by the governor, over COUNT (default 50) containers.
#
#   bench-start-to-limit.sh BUILD_DIR [COUNT]
#
# Starts a private dockerd (tests/lib/dockerd.sh), the governor built in
# BUILD_DIR with one rule ([container:bench] name:bench-*, memory_max 64M,
# 1 s tick, nothing else enabled), then bench-start-to-limit, which starts the
# containers and prints the table. Everything is removed on exit. Needs root.
# Exit 0, 1 on failure, 77 when dockerd/busybox is missing (outside CI).
set -euo pipefail

build=$(cd "$1" && pwd)
count=${2:-50}
here=$(cd "$(dirname "$0")" && pwd)
governor=$build/src/sutazai-governor
bench=$build/tests/bench/bench-start-to-limit
limit=$((64 * 1024 * 1024))

. "$here/../lib/dockerd.sh"
if [ -n "${CI:-}" ]; then
        dockerd_check || { echo "bench-start-to-limit: dockerd required under CI" >&2; exit 1; }
else
        dockerd_check
fi
[ -x "$governor" ] && [ -x "$bench" ] || { echo "build first: $governor, $bench" >&2; exit 1; }

dir=$(mktemp -d /tmp/gov-bl.XXXXXX)
gpid=""
cleanup() {
        rc=$?
        [ -n "$gpid" ] && kill "$gpid" 2>/dev/null && wait "$gpid" 2>/dev/null
        if [ "$rc" -ne 0 ] && [ -f "$dir/governor.log" ]; then
                echo "--- governor log (tail) ---" >&2
                tail -n 20 "$dir/governor.log" >&2
        fi
        dockerd_clean "$dir"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dockerd_start "$dir"
mkdir -p "$dir/gov"
cat >"$dir/gov/governor.conf" <<CONF
[governor]
interval = 1s
docker_socket = $dir/docker.sock
state_dir = $dir/gov/state
control_socket = $dir/gov/control.sock
metrics_file = $dir/gov/metrics.prom

[memory]
# out of the way: only the limits are measured
warning = 97%
critical = 98%
emergency = 99%

[container:bench]
match = name:bench-*
memory_max = 64M
CONF
"$governor" --config "$dir/gov/governor.conf" >"$dir/governor.log" 2>&1 &
gpid=$!
for _ in $(seq 100); do
        grep -q "Docker Engine connected" "$dir/governor.log" && break
        kill -0 "$gpid" 2>/dev/null || { echo "governor died" >&2; exit 1; }
        sleep 0.1
done
grep -q "Docker Engine connected" "$dir/governor.log" || { echo "governor did not attach" >&2; exit 1; }

"$bench" "$dir/docker.sock" "$count" "$limit" "$DOCKER_CLI" "$build/src/sutazai-governor-docker"
echo
echo "governor: $(grep -c 'limit bench-' "$dir/governor.log") limit actions logged"
