#!/bin/bash
# Fault injection against the real daemon binary on this host (cgroup-only
# mode plus a fake Docker Engine; everything in a private mount namespace):
#   1. a Docker socket that accepts and never answers: the loop stays live
#      (sutazai-govctl answers), the systemd watchdog keeps being fed, the
#      hung request is abandoned and retried, SIGTERM exits promptly;
#   2. Docker answering HTTP 500, a /version that is not JSON, event lines
#      that are not JSON, an event stream cut mid-line: the daemon keeps
#      running, logs it, reconnects with a growing backoff;
#   3. cgroups created and removed in a tight loop under a path: rule: no
#      error-level noise for vanished groups, no file descriptors leaked;
#   4. a read-only and a full state directory: logged, governing goes on,
#      saving works again once the directory does;
#   5. journal logging with no journald: falls back to stderr;
#   6. a kernel without PSI (a cgroup root and a procfs stand-in without
#      pressure files): clear start-up message, governing on the tick;
#   7. files the governor must not trust (safety.h): start-up and reload
#      refused, an open state directory not used;
#   8. a file created beside the Docker socket while connected: the loop
#      stays live (libsystemd < 258 spins on an inotify event for a disabled
#      source).
# (SIGHUP with an invalid config is test-daemon.sh's.)
set -euo pipefail

GOVERNOR=${GOVERNOR:?path of sutazai-governor}
GOVCTL=${GOVCTL:?path of sutazai-govctl}
here=$(cd "$(dirname "$0")" && pwd)
faults="$here/faults"

# shellcheck source=tests/lib/standalone.sh
. "$here/../lib/standalone.sh"
[ "$(id -u)" = 0 ] || unavailable "needs root (cgroups, mounts, a private mount namespace)"
for tool in python3 unshare mount; do
        command -v "$tool" >/dev/null || unavailable "$tool missing (apt-get install python3 util-linux mount)"
done

# Every mount below lives and dies with a private mount namespace.
if [ "${SUTAZAI_FAULTS_NS:-}" != 1 ]; then
        SUTAZAI_FAULTS_NS=1 exec unshare -m --propagation private -- "$0" "$@"
fi

work=$(mktemp -d /tmp/sutazai-faults.XXXXXX)
sock="$work/control.sock"
gov_pid=""
gov_log=""
helpers=()
mounts=()
cg_rel="sutazai-faults-$$"
cg_parent=""

# scenario_cleanup: the daemon, helpers and mounts of a scenario (run_scenario's)
# or of the whole run
scenario_cleanup() {
        set +e
        [ -n "$gov_pid" ] && kill -9 "$gov_pid" 2>/dev/null && wait "$gov_pid" 2>/dev/null
        for p in "${helpers[@]}"; do
                kill -9 "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[$i]}" 2>/dev/null; done
}
cleanup() {
        scenario_cleanup
        if [ -n "$cg_parent" ] && [ -d "$cg_parent" ]; then
                for d in "$cg_parent"/*/; do [ -d "$d" ] && rmdir "$d"; done
                rmdir "$cg_parent"
        fi
        rm -rf "$work"
}
trap cleanup EXIT

# start_gov NAME CONFIG [ARGS...]: the daemon in the background, its log in
# $work/NAME.log, waiting for its start-up notice. The sh wrapper execs the
# daemon, so WATCHDOG_PID=$$ names the daemon itself, as systemd's would.
# GOV_ENV adds environment ("VAR=value ..."); NOTIFY_SOCKET and the watchdog
# are unset unless given there.
start_gov() {
        local name=$1 conf=$2
        shift 2
        gov_log="$work/$name.log"
        : >"$gov_log" # before wait_log reads it: the background redirect is not yet
        # shellcheck disable=SC2086 # GOV_ENV is a list of assignments
        env -u NOTIFY_SOCKET -u WATCHDOG_USEC -u WATCHDOG_PID -u JOURNAL_STREAM \
                SUTAZAI_GOVERNOR_LOG_TARGET=console ${GOV_ENV:-} \
                sh -c 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"' \
                "$GOVERNOR" --config "$conf" --dry-run --control-socket "$sock" "$@" \
                >"$gov_log" 2>&1 &
        gov_pid=$!
        wait_log "sutazai-governor .* started" 10
}

# wait_log REGEX SECONDS: until the daemon's log has a match; fails if the
# daemon dies first or the time runs out.
wait_log() {
        local i
        for ((i = 0; i < $2 * 10; i++)); do
                grep -Eq -- "$1" "$gov_log" && return 0
                kill -0 "$gov_pid" 2>/dev/null || fail "daemon died waiting for /$1/"
                sleep 0.1
        done
        fail "no /$1/ in the log within $2 s"
}

alive() {
        kill -0 "$gov_pid" 2>/dev/null || fail "daemon died: $1"
}

# govctl_refused MESSAGE ARGS...: the request is answered within 3 s, refused
# with exit status 1, and the answer names MESSAGE.
govctl_refused() {
        local want=$1 rc=0
        shift
        timeout 3 "$GOVCTL" --socket "$sock" "$@" >"$work/govctl.out" 2>&1 || rc=$?
        [ "$rc" = 1 ] || fail "sutazai-govctl $* exited $rc, want 1 (refused; context: $ctx): $(cat "$work/govctl.out")"
        grep -qF "$want" "$work/govctl.out" || fail "sutazai-govctl $* does not say \"$want\": $(cat "$work/govctl.out")"
}

# json_true PYEXPR: PYEXPR holds for d, the JSON in $work/govctl.out
json_true() {
        python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
                "$work/govctl.out" "$1"
}

# helper PROGRAM ARGS...: a background helper, killed at exit
helper() {
        "$@" &
        helpers+=($!)
}

# wait_file FILE: a helper's socket or log exists
wait_file() {
        local i
        for ((i = 0; i < 50; i++)); do
                [ -e "$1" ] && return 0
                sleep 0.1
        done
        fail "$1 did not appear"
}

write_conf() { # FILE DOCKER_SOCKET STATE_DIR
        cat >"$1" <<CONF
[governor]
interval = 200ms
docker_socket = $2
state_dir = $3
metrics_file = $work/metrics.prom

[cgroup:app]
match = path:$cg_rel/app*
match = path:$cg_rel/churn-*
CONF
}

# fake_docker MODE: a fake engine at $dk/MODE.sock logging requests to
# $work/MODE.req. Its own directory: the client watches the socket's directory
# with inotify, and scenario 8 is about what happens there.
dk="$work/docker"
mkdir -m 0700 "$dk"
fake_docker() {
        rm -f "$dk/$1.sock" "$work/$1.req"
        helper python3 "$faults/fake-docker.py" "$dk/$1.sock" "$1" "$work/$1.req"
        wait_file "$dk/$1.sock"
}

cg_parent="$v2/$cg_rel"
mkdir -p "$cg_parent/app-stable"
mkdir -m 0700 "$work/state"

# version_gaps FILE: seconds between successive GET /version requests
version_gaps() {
        awk '$3 ~ /\/version$/ { if (prev != "") printf "%.3f\n", $1 - prev; prev = $1 }' "$1"
}

# run_scenario FUNCTION: one scenario in a subshell with errexit on (not
# ignored, as it would be under "||"), so a failure ends that scenario only;
# its daemon, helpers and mounts are cleaned up and the next one runs.
failed=()
run_scenario() {
        local rc
        set +e
        (
                set -e
                trap scenario_cleanup EXIT
                "$1"
        )
        rc=$?
        set -e
        [ "$rc" = 0 ] || failed+=("$1")
}

# ---- 1. a Docker Engine that never answers --------------------------------
hung_docker() {
        ctx="hung Docker"
        fake_docker hang
        helper python3 "$faults/notify-listener.py" "$work/notify.sock" "$work/notify.log"
        wait_file "$work/notify.sock"
        write_conf "$work/hang.conf" "$dk/hang.sock" "$work/state"
        GOV_ENV="WATCHDOG_USEC=2000000 NOTIFY_SOCKET=$work/notify.sock" start_gov hang "$work/hang.conf"
        wait_file "$work/hang.req"
        for _ in $(seq 50); do grep -q "GET /version" "$work/hang.req" && break; sleep 0.1; done
        grep -q "GET /version" "$work/hang.req" || fail "the daemon never asked the hung engine"
        # Over 7 s (beyond the client's 5 s request timeout) the loop answers every second.
        t0=$(date +%s.%N)
        for _ in $(seq 7); do
                govctl_answers status
                alive "while Docker hangs"
                sleep 1
        done
        t1=$(date +%s.%N)
        grep -q "READY=1" "$work/notify.log" || fail "no READY=1 on the notify socket"
        python3 - "$work/notify.log" "$t0" "$t1" <<'PY' || fail "watchdog not fed while Docker hangs: $(cat "$work/notify.log")"
# WATCHDOG=1 pings inside the window; a gap longer than WATCHDOG_USEC (2 s) is
# what systemd would kill the service for.
import sys, time
log, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
# the log's stamps are CLOCK_MONOTONIC; convert the window from CLOCK_REALTIME
off = time.time() - time.monotonic()
pings = [float(l.split()[0]) + off for l in open(log) if l.split()[1:] == ["WATCHDOG=1"]]
inside = [p for p in pings if t0 <= p <= t1]
gaps = [b - a for a, b in zip(inside, inside[1:])]
print(f"watchdog: {len(inside)} pings in {t1 - t0:.1f} s, largest gap {max(gaps or [0]):.2f} s")
sys.exit(0 if len(inside) >= 4 and max(gaps) < 2.0 else 1)
PY
        n=$(grep -c "GET /version" "$work/hang.req")
        [ "$n" -ge 2 ] || fail "the hung request was never abandoned and retried ($n /version requests in 7 s)"
        stop_gov
        grep -q "STOPPING=1" "$work/notify.log" || fail "no STOPPING=1 on the notify socket"
        pass "hung Docker: govctl answered 7/7, watchdog fed, $n /version attempts, SIGTERM exit 0 within 3 s"

}
run_scenario hung_docker

# ---- 2. Docker errors --------------------------------------------------------

docker_http500() {
        ctx="Docker HTTP 500"
        fake_docker http500
        write_conf "$work/500.conf" "$dk/http500.sock" "$work/state"
        GOV_ENV="SUTAZAI_GOVERNOR_DEBUG=1" start_gov http500 "$work/500.conf"
        wait_log "Docker Engine: HTTP 500: injected failure for the fault test" 5
        sleep 4
        alive "after HTTP 500 answers"
        govctl_answers status
        mapfile -t gaps < <(version_gaps "$work/http500.req")
        # a fixed retry would have made 16+ attempts in 4 s; a backoff doubles its gap
        [ "${#gaps[@]}" -ge 2 ] || fail "no reconnect after HTTP 500 (${#gaps[@]} gaps)"
        [ "${#gaps[@]}" -le 8 ] || fail "reconnecting without backoff: ${#gaps[@]} retries in 4 s"
        awk -v a="${gaps[0]}" -v b="${gaps[${#gaps[@]} - 1]}" 'BEGIN { exit !(b >= 2 * a) }' \
                || fail "retry gaps do not grow: ${gaps[*]}"
        grep -Eq "^(error|crit|alert|emerg):" "$gov_log" && fail "error-level log lines for a failing engine"
        stop_gov
        pass "HTTP 500: logged, retried with gaps ${gaps[*]} s"

}
run_scenario docker_http500

docker_version_not_json() {
        ctx="/version not JSON"
        fake_docker garbage
        write_conf "$work/garbage.conf" "$dk/garbage.sock" "$work/state"
        GOV_ENV="SUTAZAI_GOVERNOR_DEBUG=1" start_gov garbage "$work/garbage.conf"
        wait_log "connecting to $dk/garbage.sock failed \(Invalid argument\); retry in" 5
        sleep 2
        alive "after a /version that is not JSON"
        govctl_answers status
        mapfile -t retries < <(sed -n 's/.*garbage.sock failed (Invalid argument); retry in \([0-9]*\) ms.*/\1/p' "$gov_log")
        [ "${#retries[@]}" -ge 3 ] || fail "not retried: ${retries[*]}"
        for ((i = 1; i < ${#retries[@]}; i++)); do
                [ "${retries[$i]}" -gt "${retries[$((i - 1))]}" ] || fail "backoff does not grow: ${retries[*]} ms"
        done
        stop_gov
        pass "/version not JSON: logged, retried after ${retries[*]} ms"

}
run_scenario docker_version_not_json

docker_events_not_json() {
        ctx="event lines not JSON"
        fake_docker badevents
        write_conf "$work/badevents.conf" "$dk/badevents.sock" "$work/state"
        start_gov badevents "$work/badevents.conf"
        wait_log "Docker Engine at $dk/badevents.sock: API 1.41, 0 containers" 5
        wait_log "ignoring a malformed event line" 5
        sleep 1
        alive "after event lines that are not JSON"
        govctl_answers status
        n=$(grep -c "GET /v1.41/events" "$work/badevents.req")
        [ "$n" = 1 ] || fail "a bad event line tore the stream down ($n event requests)"
        stop_gov
        pass "event lines not JSON: skipped and logged, stream kept"

}
run_scenario docker_events_not_json

docker_stream_cut() {
        ctx="event stream cut mid-line"
        fake_docker truncated
        write_conf "$work/truncated.conf" "$dk/truncated.sock" "$work/state"
        start_gov truncated "$work/truncated.conf"
        wait_log "Docker Engine at $dk/truncated.sock lost" 10
        wait_log "Docker Engine connection lost; governing cgroups, reconnecting" 2
        sleep 3
        alive "after a cut event stream"
        govctl_answers status
        connects=$(grep -c "Docker Engine at $dk/truncated.sock: API" "$gov_log")
        versions=$(grep -c "GET /version" "$work/truncated.req")
        [ "$connects" -ge 2 ] || fail "never reconnected after the stream was cut ($connects connects)"
        # each cycle holds the stream ~0.2 s and waits >= 250 ms: a busy loop would be hundreds
        [ "$versions" -le 20 ] || fail "reconnect storm: $versions /version requests in ~4 s"
        stop_gov
        pass "event stream cut: logged lost, reconnected $connects times ($versions attempts)"

}
run_scenario docker_stream_cut

# ---- 3. cgroups vanishing between listing and reading -----------------------
cgroup_churn() {
        ctx="cgroup churn"
        write_conf "$work/churn.conf" "$work/no-docker.sock" "$work/state"
        sed -i 's/^interval = 200ms/interval = 100ms/' "$work/churn.conf"
        start_gov churn "$work/churn.conf"
        sleep 1
        fds_before=$(ls "/proc/$gov_pid/fd" | wc -l)
        # groups live 0-5 ms, up to 16 at once, for 5 s
        cat >"$work/churn.py" <<'PY'
import os, random, sys, time
parent = sys.argv[1]
end = time.monotonic() + 5
live, n = [], 0
while time.monotonic() < end:
    path = f"{parent}/churn-{n}"
    n += 1
    os.mkdir(path)
    live.append(path)
    if len(live) > 16 or random.random() < 0.5:
        os.rmdir(live.pop(0))
    time.sleep(random.random() * 0.005)
for path in live:
    os.rmdir(path)
print(f"churn: {n} cgroups created and removed")
PY
        helper python3 "$work/churn.py" "$cg_parent"
        churn_pid=${helpers[-1]}
        seen=0
        while kill -0 "$churn_pid" 2>/dev/null; do
                govctl_answers --json status
                grep -q "\"$cg_rel/churn-" "$work/govctl.out" && seen=$((seen + 1))
                sleep 0.2
        done
        wait "$churn_pid" || fail "the churn helper failed"
        [ "$seen" -ge 1 ] || fail "the daemon never listed a short-lived cgroup: nothing was tested"
        sleep 1
        alive "after cgroup churn"
        grep -Eq "^(error|crit|alert|emerg):" "$gov_log" && fail "error-level lines during cgroup churn"
        grep -E "^warning:.*churn-" "$gov_log" && fail "warnings about vanished cgroups"
        fds_after=$(ls "/proc/$gov_pid/fd" | wc -l)
        [ "$fds_after" -le $((fds_before + 2)) ] || fail "file descriptors leaked: $fds_before before, $fds_after after"
        govctl_answers --json status
        grep -q "\"$cg_rel/app-stable\"" "$work/govctl.out" || fail "the stable group is no longer governed"
        stop_gov
        pass "cgroup churn: listed transient groups in $seen status calls, no errors, fds $fds_before -> $fds_after"

}
run_scenario cgroup_churn

# ---- 4. state directory read-only, then full --------------------------------
# state_tmpfs NAME SIZE: a state directory $work/state-NAME on a tmpfs of
# its own, and the daemon (log NAME) started on it
state_tmpfs() {
        mkdir -m 0700 "$work/state-$1"
        mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$work/state-$1"
        mounts+=("$work/state-$1")
        write_conf "$work/$1.conf" "$work/no-docker.sock" "$work/state-$1"
        start_gov "$1" "$work/$1.conf"
}

# save_refused MESSAGE: an operator's change is acknowledged only once
# durable: set-limit is refused (exit 1) with the reason, the daemon lives
# on, and the change is not in effect
save_refused() {
        govctl_refused "$1" set-limit app 64M --for 1h
        alive "with a $ctx"
        govctl_answers --json status
        json_true "not any(o['name'] == 'app' for o in d['overrides'])" \
                || fail "a refused override is in effect: $(cat "$work/govctl.out")"
}

state_dir_readonly() {
        ctx="read-only state directory"
        state_tmpfs ro 1m
        mount -o remount,ro "$work/state-ro"
        save_refused "cannot save $work/state-ro/overrides.json: Read-only file system"
        mount -o remount,rw "$work/state-ro"
        govctl_answers set-limit app 96M --for 1h
        grep -q '"app"' "$work/state-ro/overrides.json" || fail "acknowledged but not saved once the directory was writable"
        stop_gov
        pass "read-only state directory: set-limit refused (exit 1) and not in effect, saved once writable"

}
run_scenario state_dir_readonly

state_dir_full() {
        ctx="full state directory"
        state_tmpfs full 64k
        dd if=/dev/zero of="$work/state-full/filler" bs=4k 2>/dev/null || true
        save_refused "cannot save $work/state-full/overrides.json: No space left on device"
        ls "$work/state-full" | grep -v '^filler$' | grep -q . && fail "temp files left in the full state directory: $(ls "$work/state-full")"
        rm -f "$work/state-full/filler"
        govctl_answers set-limit app 80M --for 1h
        [ -s "$work/state-full/overrides.json" ] || fail "acknowledged but not saved once space was freed"
        stop_gov
        pass "full state directory: set-limit refused (exit 1), no temp files left, saved once space was freed"

}
run_scenario state_dir_full

# ---- 5. journal logging without journald ------------------------------------
no_journald() {
        ctx="no journald"
        mkdir -p /run/systemd
        mount -t tmpfs -o size=1m,mode=0755 tmpfs /run/systemd
        mounts+=(/run/systemd)
        [ -e /run/systemd/journal/socket ] && fail "the journal socket is still visible"
        write_conf "$work/nojournal.conf" "$work/no-docker.sock" "$work/state"
        # sd_journal_sendv() returns success when no journald listens (it drops
        # the entry): the fallback must not rely on its return value alone.
        GOV_ENV="SUTAZAI_GOVERNOR_LOG_TARGET=journal" start_gov nojournal "$work/nojournal.conf"
        grep -q "^notice: sutazai-governor .* started" "$gov_log" || fail "start-up notice not on stderr"
        sleep 1
        alive "without journald"
        govctl_answers status
        stop_gov
        grep -q "^notice: sutazai-governor stopping" "$gov_log" || fail "stopping notice not on stderr"
        umount /run/systemd
        unset 'mounts[-1]'
        pass "no journald: every entry on stderr, governing"

}
run_scenario no_journald

# ---- 6. a kernel without PSI ------------------------------------------------
no_psi() {
        ctx="no PSI"
        nopsi="$work/nopsi"
        mkdir -p "$nopsi/cg/$cg_rel/app-x" "$nopsi/proc"
        echo memory >"$nopsi/cg/cgroup.controllers"
        for f in cgroup.controllers cgroup.subtree_control; do echo memory >"$nopsi/cg/$cg_rel/$f"; done
        printf '%s\n' 104857600 >"$nopsi/cg/$cg_rel/app-x/memory.current"
        printf 'max\n' | tee "$nopsi/cg/$cg_rel/app-x/memory.max" "$nopsi/cg/$cg_rel/app-x/memory.high" \
                "$nopsi/cg/$cg_rel/app-x/memory.swap.max" >/dev/null
        : >"$nopsi/cg/$cg_rel/app-x/cgroup.procs"
        printf 'populated 0\nfrozen 0\n' >"$nopsi/cg/$cg_rel/app-x/cgroup.events"
        cp /proc/meminfo "$nopsi/proc/meminfo"
        find "$nopsi" -name '*pressure*' | grep -q . && fail "the no-PSI fixture has pressure files"
        write_conf "$work/nopsi.conf" "$work/no-docker.sock" "$work/state"
        cat >>"$work/nopsi.conf" <<CONF

[memory]
# below any real host's use: the usage tier must rise without PSI
warning = 0.5%
hysteresis = 0.1%
hold = 0s
CONF
        GOV_ENV="SUTAZAI_GOVERNOR_PROC_ROOT=$nopsi/proc" start_gov nopsi "$work/nopsi.conf" \
                --cgroup-root "$nopsi/cg"
        grep -Eq "^warning: kernel PSI unavailable" "$gov_log" || fail "no clear start-up message about missing PSI"
        wait_log "memory tier normal -> warning" 3
        govctl_answers metrics
        t1=$(sed -n 's/^sutazai_governor_ticks_total \([0-9]*\)$/\1/p' "$work/govctl.out")
        sleep 1
        govctl_answers metrics
        t2=$(sed -n 's/^sutazai_governor_ticks_total \([0-9]*\)$/\1/p' "$work/govctl.out")
        [ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" -ge $((t1 + 3)) ] || fail "not ticking without PSI: $t1 -> $t2"
        ls -l "/proc/$gov_pid/fd" | grep -q pressure && fail "a pressure file is open on a kernel without PSI"
        govctl_answers --json status
        grep -q "\"$cg_rel/app-x\"" "$work/govctl.out" \
                || fail "the fixture group is not governed (a missing memory.pressure must not read as a vanished cgroup)"
        stop_gov
        pass "no PSI: said so at start-up, usage tiers on the tick ($t1 -> $t2 ticks in 1 s)"

}
run_scenario no_psi

# ---- 7. files the governor must not trust -----------------------------------
unsafe_files() {
        ctx="unsafe files"
        write_conf "$work/unsafe.conf" "$work/no-docker.sock" "$work/state"
        chmod 0664 "$work/unsafe.conf"
        rc=0
        env SUTAZAI_GOVERNOR_LOG_TARGET=console "$GOVERNOR" --config "$work/unsafe.conf" --dry-run \
                --control-socket "$sock" >"$work/unsafe.log" 2>&1 || rc=$?
        [ "$rc" = 1 ] || fail "started with a group-writable config (rc $rc)"
        grep -q "$work/unsafe.conf: refused: this file is writable by group or others (mode 0664); fix: chmod go-w $work/unsafe.conf" \
                "$work/unsafe.log" || fail "refusal does not name the file and the fix: $(cat "$work/unsafe.log")"
        rc=0
        "$GOVERNOR" --check-config --config "$work/unsafe.conf" >"$work/check.out" 2>&1 || rc=$?
        [ "$rc" = 1 ] && grep -q "fix: chmod go-w" "$work/check.out" || fail "--check-config accepted it: $(cat "$work/check.out")"

        chmod 0644 "$work/unsafe.conf"
        mkdir -m 0777 "$work/open-state"
        sed -i "s|^state_dir = .*|state_dir = $work/open-state|" "$work/unsafe.conf"
        start_gov unsafe "$work/unsafe.conf"
        grep -q "^error: state directory $work/open-state: refused: writable by group or others (mode 0777); fix: chmod go-w" \
                "$gov_log" || fail "an open state directory was not refused"
        govctl_answers set-limit app 64M --for 1h
        sleep 0.3
        [ -e "$work/open-state/overrides.json" ] && fail "wrote into a state directory others can write"
        mkdir -m 0777 "$work/unsafe.conf.d"
        echo "[governor]" >"$work/unsafe.conf.d/10-x.conf"
        kill -HUP "$gov_pid"
        wait_log "reload refused, keeping the running configuration: $work/unsafe.conf: refused: drop-in directory $work/unsafe.conf.d is writable" 3
        alive "after a refused reload"
        govctl_answers status
        stop_gov
        pass "unsafe files: start-up, --check-config and reload refused with the fix; open state dir unused"

}
run_scenario unsafe_files

# ---- 8. a file created beside the Docker socket while connected ------------
# The client watches the socket's directory (/run for /run/docker.sock, where
# files come and go all the time) to attach as soon as Docker appears, and
# disables that watch while connected. libsystemd before v258 (Debian 12 has
# 252) spins forever in sd_event_wait() on an inotify event that only a
# disabled source wants (systemd#38265, fixed by systemd#38268): the loop
# would stop serving everything, SIGTERM included.
inotify_beside_docker_socket() {
        ctx="file created beside the Docker socket"
        fake_docker badevents
        write_conf "$work/inotify.conf" "$dk/badevents.sock" "$work/state"
        start_gov inotify "$work/inotify.conf"
        wait_log "Docker Engine at $dk/badevents.sock: API 1.41" 5
        govctl_answers status
        : >"$dk/some-other-file"
        sleep 0.5
        govctl_answers status
        alive "after a file appeared beside the Docker socket"
        stop_gov
        pass "a file beside the Docker socket: loop still live"

}
run_scenario inotify_beside_docker_socket

if [ "${#failed[@]}" -gt 0 ]; then
        echo "FAIL: ${#failed[@]} scenario(s) failed: ${failed[*]}" >&2
        exit 1
fi
echo "PASS: hung/erroring/garbled Docker, cgroup churn, read-only and full state, no journald, no PSI, unsafe files, inotify"
