#!/bin/bash
# set-limit is answered with what happened (issue 15): on a cgroup tree of
# its own (a fixture on tmpfs, so its files can be made unwritable), an
# override that is applied answers 0 and lands in memory.max; one whose
# memory.max write fails answers 1 with the error, is withdrawn (the previous
# override stays in force) and the history says failed.
set -euo pipefail
GOVERNOR=${GOVERNOR:?path of sutazai-governor}
GOVCTL=${GOVCTL:?path of sutazai-govctl}

skip() {
        [ -n "${CI:-}" ] && { echo "FAIL: $*" >&2; exit 1; }
        echo "SKIP: $*" >&2
        exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (bind mounts)"
command -v jq >/dev/null || skip "jq missing"

work=$(mktemp -d /tmp/sutazai-setlimit-test.XXXXXX)
chmod 0755 "$work"
pid=""
cleanup() {
        set +e
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        umount "$work/cg" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- daemon log:" >&2; tail -30 "$work/log" >&2; exit 1; }

mkdir -p "$work/cg" "$work/state"
mount -t tmpfs -o size=1m tmpfs "$work/cg"
mkdir -p "$work/cg/app"
echo memory >"$work/cg/cgroup.controllers"
echo memory >"$work/cg/cgroup.subtree_control"
printf '%s\n' 104857600 >"$work/cg/app/memory.current"
printf 'max\n' | tee "$work/cg/app/memory.max" "$work/cg/app/memory.high" \
        "$work/cg/app/memory.swap.max" >/dev/null
: >"$work/cg/app/cgroup.procs"
printf 'populated 0\nfrozen 0\n' >"$work/cg/app/cgroup.events"

cat >"$work/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $work/no-docker.sock
control_socket = $work/control.sock
metrics_file = $work/metrics.prom

[memory]
warning = 98%
critical = 98.5%
emergency = 99%

[cgroup:app]
match = path:app
CONF

"$GOVERNOR" --config "$work/governor.conf" --cgroup-root "$work/cg" --state-dir "$work/state" \
        >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
        "$GOVCTL" -s "$work/control.sock" status >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || fail "daemon died"
        sleep 0.1
done

ctl() { "$GOVCTL" -s "$work/control.sock" "$@" >"$work/out" 2>"$work/err"; }

ctl set-limit app 300M || fail "set-limit 300M: $(cat "$work/err")"
[ "$(cat "$work/cg/app/memory.max")" = 314572800 ] || fail "memory.max not written: $(cat "$work/cg/app/memory.max")"

# the kernel refuses the next write (EROFS, as a cgroup file can refuse one)
mount -o remount,ro "$work/cg"
rc=0
ctl set-limit app 400M || rc=$?
[ "$rc" = 1 ] || fail "a limit that could not be applied answered $rc: $(cat "$work/out")"
grep -q "memory.max of app could not be set: .*the override is withdrawn" "$work/err" ||
        fail "no reason given: $(cat "$work/err")"
ctl --json status
jq -e '.overrides | length == 1 and .[0].name == "app" and .[0].memory_max == 314572800' "$work/out" >/dev/null ||
        fail "the failed override was kept, or the previous one lost: $(jq -c .overrides "$work/out")"
jq -e '.overrides[0].memory_max == 314572800' "$work/state/overrides.json" >/dev/null ||
        fail "state file does not hold the previous override"
ctl --json history
jq -e '[.[] | select(.kind == "limit" and .result == "failed")] | length >= 1' "$work/out" >/dev/null ||
        fail "history has no failed limit: $(cat "$work/out")"
[ "$(cat "$work/cg/app/memory.max")" = 314572800 ] || fail "memory.max changed"
echo PASS
