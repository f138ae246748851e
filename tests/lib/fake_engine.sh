# fake_engine.sh — shell side of tests/lib/fake_engine.py for the
# integration tests that drive the real governor against it: the fake's
# life, its request log, the governor's life, and processes in cgroups of
# their own standing for containers' processes. Sourced; sets T (a private
# mktemp dir, removed on exit), SOCK, REQ, CTL, LOG.
#
# env: GOVERNOR, GOVCTL. Exits 77 (1 under CI) without root, python3, jq, curl.
# FE_CLEANUP: extra commands run (eval) on exit, before T is removed.

FAKE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fake_engine.py"


skip_or_fail() {
        if [ -n "${CI:-}" ]; then
                echo "FAIL: prerequisite missing under CI: $*" >&2
                exit 1
        fi
        echo "SKIP: $*" >&2
        exit 77
}
[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
for tool in jq python3 curl; do
        command -v $tool >/dev/null || skip_or_fail "$tool missing"
done
GOVERNOR=${GOVERNOR:?path of sutazai-governor}
GOVCTL=${GOVCTL:-$(dirname "$GOVERNOR")/sutazai-govctl}

T=$(mktemp -d /tmp/gov-fe.XXXXXX)
CTL="$T/control.sock"
LOG="$T/gov.log"
gov_pid=""
fake_pid=""
sleepers=()
cgroups=()

cleanup() {
        local rc=$?
        set +e
        [ -n "$gov_pid" ] && kill -KILL "$gov_pid" 2>/dev/null && wait "$gov_pid" 2>/dev/null
        [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
        for p in "${sleepers[@]}"; do kill -KILL "$p" 2>/dev/null; done
        sleep 0.1
        for ((i = ${#cgroups[@]} - 1; i >= 0; i--)); do rmdir "${cgroups[$i]}" 2>/dev/null; done
        eval "${FE_CLEANUP:-}"
        [ -n "${FE_KEEP:-}" ] && echo "kept $T" >&2 && exit "$rc"
        rm -rf "$T"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
fail() {
        echo "FAIL: $*" >&2
        failures=$((failures + 1))
}
die() {
        echo "FAIL: $*" >&2
        [ -f "$LOG" ] && tail -n 30 "$LOG" | cut -c1-300 >&2
        [ -f "$REQ" ] && echo "--- the engine's last requests ---" >&2 && tail -n 10 "$REQ" | cut -c1-300 >&2
        exit 1
}
ctl() { "$GOVCTL" --socket "$CTL" "$@"; }

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

start_governor() { # CONFIG STATE_DIR
        : >"$LOG"
        env SUTAZAI_GOVERNOR_LOG_TARGET=console "$GOVERNOR" --config "$1" --docker-socket "$SOCK" \
                --control-socket "$CTL" --state-dir "$2" >>"$LOG" 2>&1 &
        gov_pid=$!
        for _ in $(seq 100); do
                [ -S "$CTL" ] && ctl status >/dev/null 2>&1 && return 0
                kill -0 "$gov_pid" 2>/dev/null || die "governor died at start-up"
                sleep 0.05
        done
        die "governor's control socket never answered"
}
stop_governor() {
        local rc=0
        kill -TERM "$gov_pid"
        wait "$gov_pid" || rc=$?
        gov_pid=""
        [ "$rc" = 0 ] || fail "governor exited $rc on SIGTERM"
        grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$LOG" &&
                fail "sanitizer report in the governor's log"
        rm -f "$CTL"
}

