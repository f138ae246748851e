# shellcheck shell=bash
# fake_engine.sh — shell side of tests/lib/fake_engine.py for the
# integration tests that drive the real governor against it: the fake's
# life, its request log, and processes in cgroups of their own standing for
# containers' processes. The governor's life is tests/lib/governor.sh's.
# Sourced; sets T (a private mktemp dir, removed on exit), SOCK, REQ, CTL, LOG.
#
# env: GOVERNOR, GOVCTL. Exits 77 (1 under CI) without root, python3, jq, curl.
# GOV_CLEANUP: extra commands run (eval) on exit, before T is removed.

FAKE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fake_engine.py"
# shellcheck source=tests/lib/governor.sh
. "$(dirname "${BASH_SOURCE[0]}")/governor.sh"
gov_init gov-fe jq python3 curl

fake_pid=""
sleepers=()
cgroups=()
fake_cleanup() {
        [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
        for p in "${sleepers[@]}"; do kill -KILL "$p" 2>/dev/null; done
        sleep 0.1
        for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do rmdir "${cgroups[$i]}" 2>/dev/null; done
}
GOV_CLEANUP="fake_cleanup; ${GOV_CLEANUP:-}"
GOV_ON_FAILURE='[ -f "$REQ" ] && echo "--- the engine'"'"'s last requests ---" >&2 && tail -n 10 "$REQ" | cut -c1-300 >&2'

# ---- cgroups for the containers' processes (the governor reads their
# memory and may kill through cgroup.kill) ----
CG_V2=/sys/fs/cgroup
[ -d /sys/fs/cgroup/unified ] && CG_V2=/sys/fs/cgroup/unified # hybrid host
CG_V1_MEM=""
if [ -d /sys/fs/cgroup/memory ]; then
        CG_V1_MEM=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
fi
CG_BASE="$CG_V2/gov-fe-$$"
# A process standing for a container's, in cgroups of its own: pid in SPID.
sleeper() { # NAME
        local cg="$CG_BASE/$1" pid
        if [ ! -d "$CG_BASE" ]; then
                mkdir "$CG_BASE" || skip_or_fail "cannot create a cgroup under $CG_V2"
                cgroups=("$CG_BASE" "${cgroups[@]}")
                # pure v2: memory accounting for the children
                [ -n "$CG_V1_MEM" ] || echo +memory >"$CG_BASE/cgroup.subtree_control" 2>/dev/null || true
        fi
        sleep 1000 >/dev/null 2>&1 &
        pid=$!
        SPID=$pid
        disown "$pid"
        sleepers+=("$pid")
        mkdir "$cg" && cgroups+=("$cg")
        echo "$pid" >"$cg/cgroup.procs" || die "cannot move $pid into $cg"
        if [ -n "$CG_V1_MEM" ]; then
                mkdir "$CG_V1_MEM/gov-fe-$$-$1" && cgroups+=("$CG_V1_MEM/gov-fe-$$-$1")
                echo "$pid" >"$CG_V1_MEM/gov-fe-$$-$1/cgroup.procs" || die "cannot move $pid (v1)"
        fi
}

# ---- the fake engine ----
SOCK="$T/docker.sock"
GOV_DOCKER_SOCKET=$SOCK
REQ="$T/requests.jsonl"
fake_start() { # PROFILE [--flood]
        : >"$REQ"
        python3 "$FAKE" "$SOCK" "$1" "$REQ" "${@:2}" 2>>"$T/fake.err" &
        fake_pid=$!
        for _ in $(seq 50); do
                [ -S "$SOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null && return 0
                sleep 0.1
        done
        die "fake engine $1 did not start: $(cat "$T/fake.err")"
}
fake_stop() {
        kill "$fake_pid" 2>/dev/null
        wait "$fake_pid" 2>/dev/null
        fake_pid=""
}
fake() { # METHOD PATH [JSON]
        curl -sf --unix-socket "$SOCK" -X "$1" ${3:+-d "$3"} "http://d$2"
}
# true when the request log holds a request matching the jq condition
req_has() { jq -se "any(.[]; $1)" "$REQ" >/dev/null 2>&1; }
wait_req() { # JQ_CONDITION SECONDS
        for _ in $(seq $(($2 * 20))); do
                req_has "$1" && return 0
                kill -0 "$gov_pid" 2>/dev/null || die "governor died"
                sleep 0.05
        done
        return 1
}
