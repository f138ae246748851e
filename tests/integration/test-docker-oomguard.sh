#!/bin/bash
# test-docker-oomguard — the governor's oom_score_adj reaches the processes
# of real containers of a real private dockerd (issue 14):
#   1. dry-run: nothing changes, the log says what would be set;
#   2. each container's processes get their rule's value (protected -998,
#      priority 10 → 990, sacrificial 1000), an unmanaged one keeps 0, and
#      `sutazai-govctl --json status` shows oom_score_adj (null: unmanaged);
#   3. processes started later with `docker exec` (and their children) get
#      it too;
#   4. a rule removed (SIGHUP reload): its container's processes get back
#      the value they had.
# Steps 2-4 run with enforcement paused, which keeps these settings.
# memory.oom.group and memory.low/min need the v2 memory controller: the
# kernel suite (oom-protect) covers them.
#
# env: GOVERNOR, GOVCTL. Needs root, dockerd, busybox-static, jq; exits 77
# without them unless CI is set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init gov-oa dockerd jq
[ -n "$CG2_ROOT" ] || skip_or_fail "no cgroup2 mount"
S=$$ # container names unique to this run

procs_of() { # NAME: every PID in the container's cgroup
        cat "$(container_cgroup2 "$1")/cgroup.procs"
}
adjs_of() { # NAME: the distinct oom_score_adj values of its processes
        local p
        for p in $(procs_of "$1"); do cat "/proc/$p/oom_score_adj" 2>/dev/null; done | sort -u | tr '\n' ' '
}
adjs_are() { [ "$(adjs_of "$1")" = "$2 " ]; } # NAME VALUE: every process shows VALUE
wait_adjs() { wait_until "$3" adjs_are "$1" "$2"; } # NAME VALUE SECONDS
expect_adjs() { # NAME VALUE SECONDS WHAT
        wait_adjs "$1" "$2" "$3" || fail "$4: $1's processes show '$(adjs_of "$1")', expected '$2'"
}
exec_d() { # NAME COMMAND...: docker exec -d, retried (a loaded dockerd may time out)
        local i
        for i in 1 2 3; do
                dk exec -d "$@" && return 0
                sleep 1
        done
        fail "docker exec $*"
        return 1
}
status_adj() { # NAME
        ctl --json status | jq -c --arg n "$1" '[.containers[] | select(.name == $n)][0].oom_score_adj'
}

# Lowering oom_score_adj needs CAP_SYS_RESOURCE (bit 24), which this test
# host's root may lack: then protected processes keep 0 and the governor
# says so once, and everything else must still work.
if (( (0x$(awk '/^CapEff/ { print $2 }' /proc/self/status) >> 24) & 1 )); then
        PROTECTED=-998
else
        PROTECTED=0
        echo "  (no CAP_SYS_RESOURCE here: protected processes must stay at 0, said once)"
fi

mkdir -p "$T/state"
chmod 0700 "$T/state"
gov_dockerd_start >/dev/null

rules() { # with or without the hog rule
        cat <<CONF
[governor]
interval = 500ms

$(gov_memory_section calm)

[container:db]
match = name:db-$S
protect = yes
priority = 900

[container:sac]
match = name:sac-$S
sacrificial = yes
CONF
        [ "$1" = with-hog ] && printf '\n[container:hog]\nmatch = name:hog-%s\npriority = 10\n' "$S"
}
rules with-hog >"$T/gov.conf"

for c in db sac hog free; do
        dk run -d --name "$c-$S" --network none bb:latest sh -c 'sleep 1000 & sleep 1000' >/dev/null ||
                die "docker run $c-$S"
done
for c in db sac hog free; do
        expect_adjs "$c-$S" 0 5 "before the governor"
done

echo "# 1. dry-run changes nothing"
start_governor "$T/gov.conf" "$T/state" --dry-run
sleep 3
for c in db sac hog free; do
        expect_adjs "$c-$S" 0 1 "dry-run"
done
grep -q "dry-run: would set oom_score_adj -998 on the processes of db-$S" "$LOG" ||
        fail "dry-run did not say what it would set"
stop_governor
cp "$LOG" "$T/dry-run.log"

echo "# 2. each rule's value reaches its container's processes (enforcement paused)"
# Paused from the first tick: on this shared host memory in use can reach
# the marks, and a stop or kill of the test's containers is not what is
# tested here. Pause keeps these protective settings applied: that is
# checked too.
start_governor "$T/gov.conf" "$T/state"
ctl pause >/dev/null || fail "sutazai-govctl pause"
ctl --json status | jq -e '.paused == true' >/dev/null || fail "not paused"
expect_adjs "db-$S" "$PROTECTED" 5 "protected"
expect_adjs "sac-$S" 1000 5 "sacrificial"
expect_adjs "hog-$S" 990 5 "priority 10"
sleep 1
expect_adjs "free-$S" 0 1 "unmanaged"
[ "$(status_adj "db-$S")" = "$PROTECTED" ] || fail "status oom_score_adj of db: $(status_adj "db-$S")"
[ "$(status_adj "hog-$S")" = 990 ] || fail "status oom_score_adj of hog: $(status_adj "hog-$S")"
[ "$(status_adj "free-$S")" = null ] || fail "status oom_score_adj of free: $(status_adj "free-$S")"
ctl status | grep -Eq "^hog-$S +container .* 990 " || fail "status table has no OOMADJ 990 for hog"

echo "# 3. processes started later with docker exec (and their children)"
before=$(procs_of "db-$S" | wc -l)
exec_d "db-$S" sh -c 'sleep 999 & exec sleep 998'
for _ in $(seq 50); do
        [ "$(procs_of "db-$S" | wc -l)" -ge $((before + 2)) ] && break
        sleep 0.1
done
[ "$(procs_of "db-$S" | wc -l)" -ge $((before + 2)) ] || fail "docker exec's processes not seen"
expect_adjs "db-$S" "$PROTECTED" 10 "after docker exec"
expect_adjs "sac-$S" 1000 1 "sacrificial, unchanged"
exec_d "sac-$S" sh -c 'sleep 996 & exec sleep 995'
sleep 0.5
expect_adjs "sac-$S" 1000 10 "sacrificial after docker exec"
exec_d "hog-$S" sleep 997
sleep 0.5
expect_adjs "hog-$S" 990 10 "after docker exec"

echo "# 4. a rule removed: the values it gave are taken back"
rules without-hog >"$T/gov.conf"
kill -HUP "$gov_pid"
expect_adjs "hog-$S" 0 5 "rule removed"
expect_adjs "db-$S" "$PROTECTED" 1 "db after the reload"
expect_adjs "sac-$S" 1000 1 "sacrificial after the reload"
stop_governor
# (after the exit: the log is written asynchronously and flushed by then)
if [ "$PROTECTED" = 0 ]; then
        said=$(cat "$T/dry-run.log" "$LOG" | grep -c "cannot lower oom_score_adj.*CAP_SYS_RESOURCE")
        [ "$said" = 1 ] || fail "the missing capability was said $said times, not once"
fi

gov_finish
