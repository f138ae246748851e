#!/bin/bash
# test-one-path — every line under issue 12's "Why", against a real dockerd:
#   1. pause stops disk cleanup: a disk at critical while paused deletes
#      nothing; after resume the cleanup runs;
#   2. a protected stopped container survives critical-disk cleanup (stopped
#      containers are removed one by one by id, the protected one is left);
#   3. a [cgroup:] rule on the parent of a protected container's cgroup, or
#      on the container's own cgroup, never kills the protected container
#      (the unprotected one is killed), and --check-config warns;
#   4. set-limit below a protected container's current usage is refused
#      (exit 1), above it accepted;
#   5. state file system full: set-limit, clear and pause exit 1, and after a
#      restart nothing acknowledged is lost and nothing refused appears;
#   6. a protected name rule shadowed by an earlier unprotected label rule:
#      the container survives emergency, --check-config warns.
#
# env: GOVERNOR, GOVCTL (else beside GOVERNOR). Needs root, dockerd,
# busybox-static and jq; exits 77 without them unless CI is set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init gov-op dockerd jq

running() { dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null; }
exists() { dk inspect "$1" >/dev/null 2>&1; }
stopped() { [ "$(running "$1")" = false ]; }

# what Docker and the kernel say of op-victim (for a failure's message)
victim_state() {
        echo "docker: $(dk inspect -f '{{.State.Status}} pid {{.State.Pid}} restarts {{.RestartCount}}' op-victim);" \
                "cgroup.procs: $(cat "$(container_cgroup2 op-victim)/cgroup.procs" 2>&1 | tr '\n' ' ');" \
                "governor: $(grep -E "op-victim" "$LOG" | cut -c1-160 | tr '\n' '|')"
}
# exit status of a govctl call, its output in $T/out
ctl_rc() {
        ctl "$@" >"$T/out" 2>&1
        echo $?
}

mkdir -p "$T/s" "$T/logs"
chmod 0700 "$T/s"
gov_dockerd_start

# memory marks far above this host's use unless EMERGENCY is given; the disk
# ($T, real) at critical unless DISK_CALM
gov_conf() { # FILE [EMERGENCY]
        local em=${2:-} dw=0.2% dc=0.3%
        local mw=97% mc=98% me=99%
        [ -n "${DISK_CALM:-}" ] && dw=97% dc=98%
        [ -n "$em" ] && mw=0.3% mc=0.4% me=$em
        cat >"$1" <<CONF
[governor]
interval = 250ms

[memory]
warning = $mw
critical = $mc
emergency = $me
hysteresis = 0.1%
hold = 0s
emergency_hold = 0s
cooldown = 1s

[disk:$T]
warning = $dw
critical = $dc
emergency = 99.9%
low = 0.1%
hysteresis = 0.05%
hold = 0s
cooldown = 1h
container_min_age = 0s

[logs:app]
dir = $T/logs
pattern = *.log
max_age = 1d

[journal]
journalctl = /bin/true

CONF
}

echo "# 1+2. pause stops disk cleanup; a protected stopped container survives it"
dk run --name op-db --network none bb:latest true || die "run op-db"
dk run --name op-junk --network none bb:latest true || die "run op-junk"
head -c 100000 /dev/zero >"$T/logs/old.log"
touch -d '3 days ago' "$T/logs/old.log"
DISK_CALM=1 gov_conf "$T/g.conf"
cat >>"$T/g.conf" <<'CONF'
[container:db]
match = name:op-db
protect = yes
CONF
start_governor "$T/g.conf" "$T/s"
[ "$(ctl_rc pause)" = 0 ] || die "pause: $(cat "$T/out")"
gov_conf "$T/g.conf"
cat >>"$T/g.conf" <<'CONF'
[container:db]
match = name:op-db
protect = yes
CONF
[ "$(ctl_rc reload)" = 0 ] || die "reload: $(cat "$T/out")"
ctl --json status | jq -e --arg d "$T" '.tiers.disk[$d] == "critical"' >/dev/null ||
        fail "the disk is not at critical: $(ctl --json status | jq -c .tiers)"
sleep 3
[ -e "$T/logs/old.log" ] || fail "disk cleanup pruned logs while paused"
exists op-junk || fail "disk cleanup removed a container while paused"
# the held-back action is in history as skipped (why: paused), once per
# pause window and plan, not once per tick
paused_skips() {
        ctl --json history -n 0 | jq --arg d "$T" '[.[] | select(.kind == "prune-logs" and
                .result == "skipped" and .why == "enforcement is paused" and .target == $d)] | length'
}
n_skip=$(paused_skips)
[ "${n_skip:-0}" -ge 1 ] || fail "no skipped prune-logs entry while paused: $(ctl --json history -n 0)"
sleep 1
[ "$(paused_skips)" = "$n_skip" ] && [ "$n_skip" -le 2 ] ||
        fail "skipped entries grow while paused: $n_skip, then $(paused_skips)"
[ "$(ctl_rc resume)" = 0 ] || die "resume: $(cat "$T/out")"
for _ in $(seq 100); do
        [ ! -e "$T/logs/old.log" ] && ! exists op-junk && break
        sleep 0.1
done
[ ! -e "$T/logs/old.log" ] || fail "no log cleanup after resume"
exists op-junk && fail "the unprotected stopped op-junk was not removed"
exists op-db || fail "the protected stopped op-db was removed by disk cleanup"
ctl --json history -n 0 | jq -e 'any(.[]; .kind == "prune-containers" and .result == "done")' \
        >/dev/null || fail "no prune-containers entry with result done"
stop_governor

echo "# 3. [cgroup:] rules on the parent or own cgroup of a protected container"
dk run -d --name op-db2 --network none bb:latest sh -c \
        'dd if=/dev/zero bs=50M count=1 | sleep 1000' >/dev/null || die "run op-db2"
dk run -d --name op-victim --network none bb:latest sleep 1000 >/dev/null || die "run op-victim"
# The rules name this test's own cgroup parent (its dockerd's): Docker's
# default "docker" is shared by every dockerd on the host, and a rule on it
# would reach other tests' containers. --check-config is asked about the
# default names, which are the ones it knows.
e_conf() { # FILE CGROUP_PARENT
        DISK_CALM=1 gov_conf "$1" 0.5%
        cat >>"$1" <<CONF
[container:db]
match = name:op-db2
priority = 90
protect = yes

[container:victim]
match = name:op-victim
priority = 50

[cgroup:parent]
match = path:$2
priority = 1

[cgroup:own]
match = path:$2/*
priority = 2
CONF
}
e_conf "$T/e.conf" "$DOCKERD_CGROUP_PARENT"
e_conf "$T/e-docker.conf" docker
"$GOVERNOR" --check-config --config "$T/e-docker.conf" >"$T/check" 2>&1 || fail "--check-config refused"
grep -q "warning: \[cgroup:parent\] path:docker can match a container's cgroup" "$T/check" ||
        fail "--check-config does not warn about path:docker: $(cat "$T/check")"
grep -q "warning: \[cgroup:own\] path:docker/\*" "$T/check" ||
        fail "--check-config does not warn about path:docker/*"
rm -rf "$T/s" && mkdir -m 0700 "$T/s"
start_governor "$T/e.conf" "$T/s"
wait_until 30 stopped op-victim || # (a sanitizer build connects slowly)
        fail "the unprotected op-victim was not killed: $(victim_state)"
sleep 4 # several cooldowns at emergency
[ "$(running op-db2)" = true ] || fail "the protected op-db2 was killed: $(grep -E "kill|candidates" "$LOG" | cut -c1-200)"
hist=$(ctl --json history -n 0 | jq -c .)
echo "$hist" | jq -e --arg p "$DOCKERD_CGROUP_PARENT" 'all(.[]; (.kind == "kill" and
        (.target | startswith("docker") or startswith($p)) and .result == "done") | not)' \
        >/dev/null || fail "a [cgroup:] kill on docker* or $DOCKERD_CGROUP_PARENT*: $hist"
stop_governor

echo "# 4. set-limit below a protected container's usage"
DISK_CALM=1 gov_conf "$T/c.conf"
cat >>"$T/c.conf" <<'CONF'
[container:db]
match = name:op-db2
protect = yes
CONF
rm -rf "$T/s" && mkdir -m 0700 "$T/s"
start_governor "$T/c.conf" "$T/s"
wait_connected_with op-db2
used=$(ctl --json status | jq '.containers[] | select(.name == "op-db2") | .memory_current')
echo "  op-db2 uses $used bytes"
[ "${used:-0}" -gt $((20 * 1024 * 1024)) ] || die "op-db2 does not hold its 50M ($used)"
[ "$(ctl_rc set-limit op-db2 20M)" = 1 ] || fail "set-limit below usage accepted: $(cat "$T/out")"
grep -q "protected" "$T/out" || fail "the refusal does not say why: $(cat "$T/out")"
ctl --json status | jq -e '.overrides | length == 0' >/dev/null ||
        fail "the refused override is in force"
[ "$(ctl_rc set-limit op-db2 512M)" = 0 ] || fail "set-limit above usage refused: $(cat "$T/out")"
stop_governor

echo "# 5. state file system full: changes refused, nothing lost after a restart"
mkdir -p "$T/full"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/full" || die "cannot mount tmpfs"
start_governor "$T/c.conf" "$T/full"
wait_connected_with op-db2
[ "$(ctl_rc set-limit db 600M)" = 0 ] || die "set-limit before the fs is full: $(cat "$T/out")"
dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
[ "$(ctl_rc pause)" = 1 ] || fail "pause on a full state fs: exit $(cat "$T/out")"
[ "$(ctl_rc set-limit db 700M)" = 1 ] || fail "set-limit on a full state fs acknowledged"
[ "$(ctl_rc clear db)" = 1 ] || fail "clear on a full state fs acknowledged"
ctl --json status | jq -e '.paused == false and (.overrides | length == 1) and
        .overrides[0].memory_max == 629145600' >/dev/null ||
        fail "a refused change is in force: $(ctl --json status | jq -c '{paused, overrides}')"
stop_governor
start_governor "$T/c.conf" "$T/full"
ctl --json status | jq -e '.paused == false and (.overrides | length == 1) and
        .overrides[0].memory_max == 629145600' >/dev/null ||
        fail "after a restart: $(ctl --json status | jq -c '{paused, overrides}')"
stop_governor
umount "$T/full"

echo "# 6. a protected rule after an unprotected label rule"
dk rm -f op-victim >/dev/null
dk run -d --name op-victim --network none bb:latest sleep 1000 >/dev/null || die "run op-victim"
dk run -d --name op-shadow --label tier=agent --network none bb:latest sleep 1000 >/dev/null ||
        die "run op-shadow"
DISK_CALM=1 gov_conf "$T/s.conf" 0.5%
cat >>"$T/s.conf" <<'CONF'
[container:agents]
match = label:tier=agent
priority = 1

[container:victim]
match = name:op-victim
priority = 50

[container:db]
match = name:op-shadow
match = name:op-db2
priority = 90
protect = yes
CONF
"$GOVERNOR" --check-config --config "$T/s.conf" >"$T/check" 2>&1 || fail "--check-config refused"
grep -q "warning: \[container:agents\] (not protected) comes before protected \[container:db\]" \
        "$T/check" || fail "--check-config does not warn about the shadow: $(cat "$T/check")"
rm -rf "$T/s" && mkdir -m 0700 "$T/s"
start_governor "$T/s.conf" "$T/s"
wait_until 30 stopped op-victim || # (a sanitizer build connects slowly)
        fail "op-victim was not killed: $(victim_state)"
sleep 3
[ "$(running op-shadow)" = true ] || fail "the protected op-shadow was killed"
stop_governor

gov_finish "one action path"
