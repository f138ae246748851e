#!/bin/bash
# test-docker-helper — issue 16 item 4: libcurl runs in sutazai-governor-docker,
# a child process of the governor, against a real private dockerd:
#   1. the governor does not link libcurl; the helper does; the helper is a
#      child of the governor, not memory-locked, oom_score_adj 0, with no
#      capabilities and no_new_privs;
#   2. the helper SIGKILLed: the governor logs the loss, respawns it (a new
#      pid), reconnects, and limits a container started afterwards; the old
#      helper is reaped (no zombie);
#   3. the governor stopped: the helper goes with it.
#
# env: GOVERNOR, GOVCTL. Needs root, dockerd, busybox-static, jq; exits 77
# without them unless CI is set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init gov-dh dockerd jq

MiB=$((1024 * 1024))
limits() { dk inspect -f '{{.HostConfig.Memory}}' "$1" 2>/dev/null; }
expect_limit() { # NAME BYTES SECONDS WHAT
        for _ in $(seq $(($3 * 10))); do
                [ "$(limits "$1")" = "$2" ] && return 0
                sleep 0.1
        done
        fail "$4: $1 shows '$(limits "$1")', expected '$2' within $3 s"
}

HELPER=$(cd "$(dirname "$GOVERNOR")" && pwd)/sutazai-governor-docker
[ -x "$HELPER" ] || die "no helper beside $GOVERNOR"
gov_dockerd_start

cat >"$T/governor.conf" <<CONF
[governor]
interval = 500ms

# out of the way: only the limits are watched
$(gov_memory_section calm)

[container:web]
match = name:web-*
memory_max = 64M
CONF

echo "# 1. the core without libcurl, the helper with it, unprivileged"
ldd "$GOVERNOR" | grep -q libcurl && fail "the governor links libcurl: $(ldd "$GOVERNOR" | grep curl)"
ldd "$HELPER" | grep -q libcurl || fail "the helper does not link libcurl"
start_governor "$T/governor.conf" "$T/state"
wait_log_count "Docker Engine connected" 1 15 || die "the governor never connected"
hp=$(gov_helper_pid) || die "no sutazai-governor-docker child of the governor"
echo "  helper pid $hp"
[ "$(cat /proc/"$hp"/oom_score_adj)" = 0 ] || fail "helper oom_score_adj $(cat /proc/"$hp"/oom_score_adj)"
grep -q '^VmLck:[[:space:]]*0 kB' /proc/"$hp"/status || fail "helper has locked memory: $(grep VmLck /proc/"$hp"/status)"
grep -q '^CapEff:[[:space:]]*0000000000000000' /proc/"$hp"/status || fail "helper keeps capabilities: $(grep CapEff /proc/"$hp"/status)"
grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$hp"/status || fail "helper without no_new_privs"
# the helper has only stdio and its socket (fd 3): nothing of the daemon's leaked
fds=$(ls /proc/"$hp"/fd | sort -n | tr '\n' ' ')
case "$fds" in "0 1 2 3 "*) ;; *) fail "helper fds: $fds" ;; esac
run_sleeper web-before
expect_limit web-before $((64 * MiB)) 5 "before the kill"

echo "# 2. the helper SIGKILLed"
connects=$(log_count "Docker Engine connected")
kill -KILL "$hp"
wait_log_count "Docker helper .*killed by signal" 1 10 || fail "the governor did not log the helper's death"
wait_log_count "Docker Engine connected" $((connects + 1)) 15 || die "the governor did not reconnect"
hp2=$(gov_helper_pid) || die "no new helper"
[ "$hp2" != "$hp" ] || fail "the helper was not respawned (pid $hp2)"
[ -e /proc/"$hp" ] && fail "the killed helper $hp was not reaped: $(cat /proc/"$hp"/stat)"
run_sleeper web-after
expect_limit web-after $((64 * MiB)) 5 "after the helper was killed"
kill -0 "$gov_pid" 2>/dev/null || die "governor died"

echo "# 3. the helper goes with the governor"
stop_governor
for _ in $(seq 50); do [ -e /proc/"$hp2" ] || break; sleep 0.1; done
[ -e /proc/"$hp2" ] && fail "helper $hp2 outlived the governor"

gov_finish
