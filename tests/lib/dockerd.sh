#!/bin/sh
# dockerd.sh — a private Docker Engine for the integration tests.
#
# Never relies on (or touches) a system-wide dockerd: everything lives under
# one directory DIR (data root, exec root, socket, pid file, log).
#
#   dockerd.sh start DIR   start dockerd on unix://DIR/docker.sock, wait for it,
#                          import bb:latest (busybox-static) if it is missing
#   dockerd.sh stop DIR    stop it (SIGTERM, then SIGKILL) and wait
#   dockerd.sh kill DIR    SIGKILL dockerd (simulates a crash; containerd and
#                          shims are left to dockerd's next start)
#   dockerd.sh clean DIR   stop, remove every container, unmount, delete DIR
#
# Source it for the functions of the same names (dockerd_start DIR ...).
# DOCKERD_CGROUP_PARENT (optional, a name unique to the test): the containers'
# cgroups go under it instead of Docker's "docker", which every dockerd on
# the host shares; clean removes it.
# dockerd_check returns 77 (skip; the command form exits 77) when dockerd,
# busybox-static or root is missing, saying why.
set -eu

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
# The Debian CLI matches the Debian engine's API; another docker on PATH may be newer.
DOCKER_CLI=${DOCKER_CLI:-$(command -v /usr/bin/docker || command -v docker)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# seconds to wait for the socket to answer
DOCKERD_START_TIMEOUT=${DOCKERD_START_TIMEOUT:-60}

dockerd_check() {
        if [ ! -x "$DOCKERD" ] || [ -z "$DOCKER_CLI" ]; then
                echo "SKIP: dockerd/docker not installed (apt-get install docker.io)" >&2
                return 77
        fi
        if [ ! -x "$BUSYBOX" ] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
                echo "SKIP: busybox-static not installed" >&2
                return 77
        fi
        if [ "$(id -u)" != 0 ]; then
                echo "SKIP: dockerd needs root" >&2
                return 77
        fi
}


dockerd_cli() {
        d=$1
        shift
        "$DOCKER_CLI" -H "unix://$d/docker.sock" "$@"
}

dockerd_running() {
        [ -f "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null
}

dockerd_start() {
        d=$1
        dockerd_check
        mkdir -p "$d/root" "$d/exec"
        if dockerd_running "$d"; then
                return 0
        fi
        dockerd_forget_dead_containerd "$d"
        rm -f "$d/docker.sock" "$d/pid"
        set --
        if [ -n "${DOCKERD_CGROUP_PARENT:-}" ]; then
                echo "$DOCKERD_CGROUP_PARENT" >"$d/cgroup-parent"
                set -- --cgroup-parent "/$DOCKERD_CGROUP_PARENT"
        fi
        # setsid: dockerd must not get the test's terminal signals; its own
        # process group lets stop/kill reach only it.
        setsid "$DOCKERD" --data-root "$d/root" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
                --pidfile "$d/pid" --iptables=false --ip-masq=false --bridge=none \
                --storage-driver=vfs --log-level=warn "$@" >>"$d/log" 2>&1 </dev/null &
        i=0
        while ! dockerd_cli "$d" version >/dev/null 2>&1; do
                i=$((i + 1))
                if [ "$i" -gt $((DOCKERD_START_TIMEOUT * 10)) ]; then
                        echo "dockerd did not come up; log:" >&2
                        tail -n 30 "$d/log" >&2
                        return 1
                fi
                sleep 0.1
        done
        if ! dockerd_cli "$d" image inspect bb:latest >/dev/null 2>&1; then
                dockerd_build_image "$d"
        fi
}

# After dockerd was SIGKILLed its containerd dies too, but stays a zombie
# until whoever inherited it reaps it (seconds on some hosts). dockerd takes
# a pid that answers kill -0 for a live containerd and waits for a socket
# that never comes ("timeout waiting for containerd to start"): drop the pid
# file of a containerd that is gone or a zombie, so dockerd starts a new one.
dockerd_forget_dead_containerd() {
        p="$1/exec/containerd/containerd.pid"
        [ -f "$p" ] || return 0
        state=$(awk '/^State:/ { print $2 }' "/proc/$(cat "$p")/status" 2>/dev/null || true)
        case "$state" in
        "" | Z) rm -f "$p" ;;
        esac
}

dockerd_build_image() {
        d=$1
        img="$d/bb-image"
        rm -rf "$img"
        mkdir -p "$img/bin" "$img/tmp" "$img/proc" "$img/sys" "$img/dev" "$img/etc"
        cp "$BUSYBOX" "$img/bin/busybox"
        for a in sh sleep cat dd head ls true false kill echo tail; do
                ln -s busybox "$img/bin/$a"
        done
        tar -C "$img" -c . | dockerd_cli "$d" import - bb:latest >/dev/null
        rm -rf "$img"
}

dockerd_signal_wait() {
        d=$1
        sig=$2
        [ -f "$d/pid" ] || return 0
        pid=$(cat "$d/pid")
        kill "-$sig" "$pid" 2>/dev/null || return 0
        i=0
        while kill -0 "$pid" 2>/dev/null; do
                i=$((i + 1))
                if [ "$i" -gt 300 ]; then
                        kill -KILL "$pid" 2>/dev/null || true
                fi
                sleep 0.1
        done
        # A SIGKILLed dockerd leaves its pid file and socket behind.
        rm -f "$d/pid" "$d/docker.sock"
}

dockerd_stop() {
        dockerd_signal_wait "$1" TERM
        dockerd_reap_containerd "$1"
}

dockerd_kill() {
        dockerd_signal_wait "$1" KILL
}

# A SIGKILLed dockerd leaves its managed containerd running until the next
# dockerd start adopts it; on final clean-up it must go too.
dockerd_reap_containerd() {
        d=$1
        for p in "$d"/exec/containerd/containerd.pid; do
                [ -f "$p" ] || continue
                cpid=$(cat "$p")
                kill -TERM "$cpid" 2>/dev/null || true
                i=0
                while kill -0 "$cpid" 2>/dev/null && [ "$i" -lt 100 ]; do
                        i=$((i + 1))
                        sleep 0.1
                done
                kill -KILL "$cpid" 2>/dev/null || true
        done
}

dockerd_clean() {
        d=$1
        [ -d "$d" ] || return 0
        if dockerd_running "$d"; then
                ids=$(dockerd_cli "$d" ps -aq 2>/dev/null || true)
                if [ -n "$ids" ]; then
                        # shellcheck disable=SC2086
                        dockerd_cli "$d" rm -f $ids >/dev/null 2>&1 || true
                fi
        fi
        dockerd_stop "$d"
        # Leftover shims (dockerd killed with containers running) hold mounts.
        for pidf in $(find "$d/exec" -name 'init.pid' 2>/dev/null); do
                kill -KILL "$(cat "$pidf")" 2>/dev/null || true
        done
        # The shims themselves outlive a containerd that died with dockerd (no
        # new containerd reconnects to them): end the ones serving this
        # directory, by pid, and remove the cgroups their containers left.
        for p in /proc/[0-9]*; do
                case "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null || true)" in
                *containerd-shim*" -address $d/exec/containerd/containerd.sock "*)
                        kill -KILL "${p#/proc/}" 2>/dev/null || true
                        ;;
                esac
        done
        parent=docker
        [ -f "$d/cgroup-parent" ] && parent=$(cat "$d/cgroup-parent")
        for task in "$d"/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/*; do
                [ -d "$task" ] || continue
                id=${task##*/}
                for cg in /sys/fs/cgroup/*/"$parent/$id" /sys/fs/cgroup/"$parent/$id"; do
                        if [ -d "$cg" ]; then rmdir "$cg" 2>/dev/null || true; fi
                done
        done
        # the test's own cgroup parent goes too (Docker's shared one stays)
        if [ "$parent" != docker ]; then
                for cg in /sys/fs/cgroup/*/"$parent"/* /sys/fs/cgroup/"$parent"/*; do
                        if [ -d "$cg" ]; then rmdir "$cg" 2>/dev/null || true; fi
                done
                for cg in /sys/fs/cgroup/*/"$parent" /sys/fs/cgroup/"$parent"; do
                        if [ -d "$cg" ]; then rmdir "$cg" 2>/dev/null || true; fi
                done
        fi
        # (callers may run under set -e -o pipefail: no match must not abort)
        { grep " $d/" /proc/self/mounts || true; } | awk '{print $2}' | sort -r |
                while read -r m; do
                        umount -l "$m" 2>/dev/null || true
                done
        rm -rf "$d"
}

case "${0##*/}" in
dockerd.sh)
        if [ $# -ne 2 ]; then
                echo "usage: dockerd.sh start|stop|kill|clean DIR" >&2
                exit 2
        fi
        case "$1" in
        start) dockerd_start "$2" ;;
        stop) dockerd_stop "$2" ;;
        kill) dockerd_kill "$2" ;;
        clean) dockerd_clean "$2" ;;
        *)
                echo "usage: dockerd.sh start|stop|kill|clean DIR" >&2
                exit 2
                ;;
        esac
        ;;
esac
