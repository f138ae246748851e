#!/bin/bash
# test-kernel-kill — kernel-first kill and stop against a real dockerd
# (issue 11 item 1), on this hybrid host through the unified tree's
# cgroup.kill:
#   1. restart policies: containers with restart always, unless-stopped,
#      on-failure and no are killed at emergency through cgroup.kill (the
#      journal line says "done: cgroup.kill", the history result "done"); Docker,
#      told afterwards, records each stopped and none comes back, also after
#      the governor is gone;
#   2. dockerd frozen (SIGSTOP): the kill still empties the container's
#      cgroup while dockerd cannot answer; once thawed, Docker records the
#      container (restart always) stopped;
#   3. a graceful stop that Docker cannot confirm (dockerd frozen): after the
#      grace period + margin the governor escalates to cgroup.kill itself and
#      the history says done with the escalation.
# A protected container survives all of it.
#
# env: GOVERNOR, GOVCTL (else beside GOVERNOR). Needs root, dockerd,
# busybox-static and jq; exits 77 without them unless CI is set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init gov-kk dockerd jq
[ -e /sys/fs/cgroup/unified/cgroup.procs ] || [ -e /sys/fs/cgroup/cgroup.procs ] ||
        skip_or_fail "no cgroup2 tree"

running() { dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null; }
status_is() { [ "$(dk inspect -f '{{.State.Status}}' "$1")" = "$2" ]; } # NAME STATUS
stopped() { [ "$(running "$1")" = false ]; }
restarts() { dk inspect -f '{{.RestartCount}}' "$1" 2>/dev/null; }
cgroup_empty() { # DIR: no process left (or the directory is gone)
        [ ! -e "$1/cgroup.procs" ] || [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ]
}

history_result() { # KIND TARGET: the result of the newest such entry
        ctl --json history -n 0 | jq -r --arg k "$1" --arg t "$2" \
                '[.[] | select(.kind == $k and .target == $t)] | last | .result // "none"'
}
killed() { [ "$(history_result kill "$1")" = "done" ]; } # NAME: its kill recorded done

# NAME (restart always) seen by a calm governor with state in $T/STATE; then
# dockerd frozen and CONF loaded: what follows happens while Docker cannot
# answer. dir: NAME's cgroup2 directory.
freeze_then_reload() { # NAME STATE CONF
        run_sleeper "$1" --restart always
        dir=$(container_cgroup2 "$1")
        [ -d "$dir" ] || die "$1 has no cgroup2 directory $dir"
        cp "$T/calm.conf" "$T/$2.conf"
        start_governor "$T/$2.conf" "$T/$2"
        wait_connected_with "$1" kk-db
        kill -STOP "$(cat "$D/pid")"
        cp "$T/$3.conf" "$T/$2.conf"
        ctl reload >/dev/null || die "reload"
}

mkdir -p "$T/s1" "$T/s2" "$T/s3"
chmod 0700 "$T/s1" "$T/s2" "$T/s3"
gov_dockerd_start

conf() { # FILE CRITICAL EMERGENCY
        cat >"$1" <<CONF
[governor]
interval = 250ms

[memory]
# far below this host's use
warning = 0.3%
critical = $2
emergency = $3
hysteresis = 0.1%
hold = 0s
emergency_hold = 0s
cooldown = 1s
stop_timeout = 1s

[container:db]
match = name:kk-db
priority = 1
protect = yes

[container:victims]
match = name:kk-v-*
priority = 50
sacrificial = yes
CONF
}
conf "$T/emergency.conf" 0.4% 0.5%
conf "$T/critical.conf" 0.4% 99.5%
conf "$T/calm.conf" 99% 99.5%

echo "# 1. restart policies: killed through cgroup.kill, Docker keeps them stopped"
run_sleeper kk-db --restart always
for p in always unless-stopped on-failure no; do
        run_sleeper "kk-v-$p" --restart "$p"
done
start_governor "$T/emergency.conf" "$T/s1"
for p in always unless-stopped on-failure no; do
        wait_until 20 killed "kk-v-$p" || fail "kk-v-$p: no kill with result done in the history"
done
grep -q "kill kk-v-always: .*\[done: cgroup.kill\]" "$LOG" ||
        fail "the journal line of the kill does not say done: cgroup.kill"
# Docker, told afterwards, records each one exited (a container it restarted
# in the instant before it heard is stopped by that same request). Wait for
# that before the governor goes: a tell still in flight at its exit is lost.
for p in always unless-stopped on-failure no; do
        wait_until 10 status_is "kk-v-$p" exited ||
                fail "Docker does not record kk-v-$p (restart $p) exited: $(dk inspect -f '{{.State.Status}}' "kk-v-$p")"
done
stop_governor
before=""
for p in always unless-stopped on-failure no; do
        before="$before $(restarts "kk-v-$p")"
done
# the restart manager's first delay is 100 ms, and doubles: 5 s is many rounds
sleep 5
after=""
for p in always unless-stopped on-failure no; do
        r=$(running "kk-v-$p")
        [ "$r" = false ] || fail "kk-v-$p (restart $p) runs again after the kill (Running=$r)"
        [ "$(dk inspect -f '{{.State.Restarting}}' "kk-v-$p")" = false ] ||
                fail "kk-v-$p (restart $p) is restarting"
        after="$after $(restarts "kk-v-$p")"
done
# a container Docker restarted in the instant before it heard of the kill
# (its restart delay is 100 ms) is stopped by that same request: the counts
# may show it, but nothing restarts afterwards
[ "$before" = "$after" ] || fail "restart counts moved without the governor:$before ->$after"
[ "$(running kk-db)" = true ] || fail "the protected kk-db is not running"
echo "  restart counts:$after"
# shellcheck disable=SC2046 # one name per word
dk rm -f $(dk ps -aq --filter name=kk-v-) >/dev/null

echo "# 2. dockerd frozen: the kill does not wait for it"
freeze_then_reload kk-v-frozen s2 emergency
wait_until 10 cgroup_empty "$dir" || fail "kk-v-frozen still has processes while dockerd is frozen"
[ "$(history_result kill kk-v-frozen)" = done ] ||
        fail "kill of kk-v-frozen not recorded done while dockerd was frozen"
kill -CONT "$(cat "$D/pid")"
stop_governor
wait_until 10 stopped kk-v-frozen || fail "Docker does not record kk-v-frozen stopped after the thaw"
sleep 3
[ "$(running kk-v-frozen)" = false ] || fail "kk-v-frozen (restart always) came back"
dk rm -f kk-v-frozen >/dev/null

echo "# 3. a stop Docker cannot confirm escalates to cgroup.kill"
freeze_then_reload kk-v-stop s3 critical
wait_until 15 cgroup_empty "$dir" || fail "kk-v-stop still has processes 15 s after the stop with dockerd frozen"
grep -q "stop kk-v-stop: .*escalated to cgroup.kill\]" "$LOG" ||
        fail "no escalation of the stop in the journal"
[ "$(history_result stop kk-v-stop)" = done ] || fail "the escalated stop is not recorded done"
kill -CONT "$(cat "$D/pid")"
wait_until 10 stopped kk-v-stop || fail "Docker does not record kk-v-stop stopped after the thaw"
[ "$(running kk-db)" = true ] || fail "the protected kk-db is not running"
# one outcome per stop tried: Docker's late answer to the escalated one adds
# nothing (Docker shows a container it is restarting as running, so the
# governor may stop it again: count journal lines against history entries)
h=$(ctl --json history -n 0 | jq '[.[] | select(.kind == "stop" and .target == "kk-v-stop")] | length')
n=$(grep -c "stop kk-v-stop: .*\[done" "$LOG")
[ "$h" = "$n" ] || fail "$h history entries for $n stops carried out"
[ "$(grep -c "stop kk-v-stop: .*escalated to cgroup.kill" "$LOG")" = 1 ] ||
        fail "not exactly one escalation"
stop_governor

gov_finish "kernel-first kill and stop"
