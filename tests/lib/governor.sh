# shellcheck shell=bash
# governor.sh — the governor under test, for the integration tests that run
# the real daemon (bash; sourced): their prerequisites, a private directory,
# the daemon on a private control socket and state directory, and optionally
# a private dockerd (tests/lib/dockerd.sh) whose containers sit under a
# cgroup parent of their own.
#
#   . "$here/../lib/governor.sh"
#   gov_init PREFIX [dockerd] [TOOL...]
#           skip (exit 77; under CI: fail) without root, dockerd +
#           busybox-static (when "dockerd" is given) or a TOOL; sets T (a
#           private dir /tmp/PREFIX.XXXXXX, removed on exit), LOG, CTL,
#           GOVERNOR, GOVCTL, failures
#   gov_dockerd_start [DIR] (gov_dockerd_init: the same, dockerd not started)
#           a private dockerd in D=$T/d (or DIR), its containers under the cgroup
#           parent DOCKERD_CGROUP_PARENT (default: named after T) so that a
#           [cgroup:] rule or a kill reaches the test's containers only
#   start_governor CONFIG STATE_DIR [ARGS...]   (GOV_DEBUG=1: debug log)
#           LOG truncated, the daemon's pid in gov_pid; returns once its
#           control socket answers
#   stop_governor   SIGTERM; a nonzero exit or a sanitizer report fails
#   ctl ARGS...     sutazai-govctl on CTL
#   fail MSG        counts a failure; die MSG: fails and exits 1
#   dk ARGS...      docker CLI on the private dockerd
#   container_cgroup2 NAME   the cgroup2 directory of a container
#   wait_connected_with NAME...   until status shows them (or die)
#   wait_until SECONDS COMMAND...  until COMMAND succeeds (1: it never did)
#   log_count PATTERN   lines of the governor's log matching PATTERN (grep -E)
#   wait_log_count PATTERN MIN SECONDS   until MIN lines match (1: never; dies
#           if the governor does)
#   run_sleeper NAME [RUN_OPTIONS...]   a container sleeping on the private
#           dockerd (image IMAGE, default bb:latest), or die
#   gov_memory_section calm|emergency   a config's [memory] section (see there)
#   gov_finish [WHAT]   the end of a test: exit 1 if a check failed, else
#           "PASS[: WHAT]"
#
# On exit the daemon is killed, GOV_CLEANUP is run (eval), the dockerd is
# cleaned up, mounts under T are unmounted and T removed (GOV_KEEP=1: kept).
# On a failing exit the tails of the governor's and dockerd's logs and what
# GOV_ON_FAILURE prints (eval) are shown.

# shellcheck source=tests/lib/dockerd.sh
. "$(dirname "${BASH_SOURCE[0]}")/dockerd.sh" # (sets -e -u)
# shellcheck source=tests/lib/helperpid.sh
. "$(dirname "${BASH_SOURCE[0]}")/helperpid.sh"
set +e

skip_or_fail() {
        if [ -n "${CI:-}" ]; then
                echo "FAIL: prerequisite missing under CI: $*" >&2
                exit 1
        fi
        echo "SKIP: $*" >&2
        exit 77
}

gov_init() { # PREFIX [dockerd] [TOOL...]
        local prefix=$1 tool
        shift
        [ "$(id -u)" = 0 ] || skip_or_fail "needs root"
        for tool in "$@"; do
                if [ "$tool" = dockerd ]; then
                        dockerd_check || skip_or_fail "dockerd, busybox-static or root missing"
                else
                        command -v "$tool" >/dev/null || skip_or_fail "$tool missing (apt-get install $tool)"
                fi
        done
        GOVERNOR=${GOVERNOR:?path of sutazai-governor}
        GOVCTL=${GOVCTL:-$(dirname "$GOVERNOR")/sutazai-govctl}
        [ -x "$GOVCTL" ] || {
                echo "FAIL: no sutazai-govctl at $GOVCTL" >&2
                exit 1
        }
        # Short: containerd's socket path under dockerd's exec root ($T/d/exec)
        # must fit in sun_path.
        T=$(mktemp -d "/tmp/$prefix.XXXXXX")
        LOG="$T/gov.log"
        CTL="$T/control.sock"
        D=""
        gov_pid=""
        failures=0
        trap gov_cleanup EXIT
        trap 'exit 130' INT TERM
}

gov_cleanup() {
        local rc=$?
        set +e
        # a test may end with its dockerd frozen (SIGSTOP)
        [ -n "$D" ] && [ -f "$D/pid" ] && kill -CONT "$(cat "$D/pid")" 2>/dev/null
        if [ -n "$gov_pid" ]; then
                kill -KILL "$gov_pid" 2>/dev/null
                wait "$gov_pid" 2>/dev/null
        fi
        if [ "$rc" -ne 0 ]; then
                if [ -s "$LOG" ]; then
                        echo "--- governor log (tail) ---" >&2
                        tail -n 40 "$LOG" | cut -c1-300 >&2
                fi
                if [ -n "$D" ] && [ -s "$D/log" ]; then
                        echo "--- dockerd log (tail) ---" >&2
                        tail -n 15 "$D/log" | cut -c1-300 >&2
                fi
                eval "${GOV_ON_FAILURE:-}"
        fi
        eval "${GOV_CLEANUP:-}"
        [ -n "$D" ] && dockerd_clean "$D" >/dev/null 2>&1
        if [ -n "${GOV_KEEP:-}" ]; then
                echo "kept $T" >&2
                exit "$rc"
        fi
        { grep " $T/" /proc/self/mounts || true; } | awk '{print $2}' | sort -r |
                while read -r m; do
                        umount "$m" 2>/dev/null || umount -l "$m"
                done
        rm -rf "$T"
        exit "$rc"
}

fail() {
        echo "FAIL: $*" >&2
        failures=$((failures + 1))
}
die() {
        fail "$*"
        exit 1
}
ctl() { "$GOVCTL" --socket "$CTL" "$@"; }
dk() { dockerd_cli "$D" "$@"; }

gov_dockerd_init() { # [DIR] (dockerd started later with dockerd_start "$D")
        D=${1:-$T/d}
        DOCKERD_CGROUP_PARENT=${DOCKERD_CGROUP_PARENT:-sutazai-test-${T##*/}}
        GOV_DOCKER_SOCKET="$D/docker.sock"
        mkdir -p "$D"
}
gov_dockerd_start() { # [DIR]
        gov_dockerd_init "$@"
        dockerd_start "$D" || die "dockerd did not start"
}

# The cgroup2 directory of a container of the private dockerd (hybrid hosts:
# under the unified mount), also once it has stopped.
CG2_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
container_cgroup2() { # NAME
        local id
        id=$(dk inspect -f '{{.Id}}' "$1") || return 1
        echo "$CG2_ROOT/$DOCKERD_CGROUP_PARENT/$id"
}

# Until the governor is connected to Docker and shows every NAME in status.
wait_connected_with() { # NAME...
        for _ in $(seq 300); do # a sanitizer build connects slowly
                local ok=1
                for n in "$@"; do
                        ctl --json status 2>/dev/null |
                                jq -e --arg n "$n" 'any(.containers[]; .name == $n)' >/dev/null ||
                                ok=0
                done
                [ "$ok" = 1 ] && grep -q "Docker Engine connected" "$LOG" && return 0
                sleep 0.1
        done
        die "the governor never saw $*"
}

# The running governor's Docker helper (its child running
# sutazai-governor-docker): its pid, or 1 when there is none.
gov_helper_pid() { helper_pid_of "$gov_pid"; }

# Until COMMAND succeeds, tried every 0.1 s; 1 if it never did within SECONDS.
wait_until() { # SECONDS COMMAND...
        local i n=$(($1 * 10))
        shift
        for ((i = 0; i < n; i++)); do
                "$@" && return 0
                sleep 0.1
        done
        return 1
}

log_count() { grep -Ec -- "$1" "$LOG"; } # PATTERN
wait_log_count() { # PATTERN MIN_COUNT SECONDS
        for _ in $(seq $(($3 * 10))); do
                [ "$(log_count "$1")" -ge "$2" ] && return 0
                kill -0 "$gov_pid" 2>/dev/null || die "governor died"
                sleep 0.1
        done
        return 1
}

run_sleeper() { # NAME [docker run options...]
        local name=$1
        shift
        dk run -d --name "$name" --network none "$@" "${IMAGE:-bb:latest}" sleep 1000 >/dev/null ||
                die "docker run $name"
}

# The [memory] section of a test's config, for its heredoc:
# $(gov_memory_section calm): thresholds far above any host's use, so that
# only limits are governed; $(gov_memory_section emergency): far below any
# host's use, emergency at once with no hold (the test's cooldown may follow).
gov_memory_section() { # calm|emergency
        case $1 in
        calm) printf '%s\n' '[memory]' 'warning = 97%' 'critical = 98%' 'emergency = 99%' ;;
        emergency)
                printf '%s\n' '[memory]' 'warning = 0.3%' 'critical = 0.4%' 'emergency = 0.5%' \
                        'hysteresis = 0.1%' 'hold = 0s'
                ;;
        *) die "gov_memory_section: calm or emergency, not '$1'" ;;
        esac
}

gov_finish() { # [WHAT]
        if [ "$failures" -ne 0 ]; then
                echo "$failures failure(s)" >&2
                exit 1 # gov_cleanup shows the logs
        fi
        echo "PASS${1:+: $1}"
}

start_governor() { # CONFIG STATE_DIR [ARGS...]
        local conf=$1 state=$2
        shift 2
        : >"$LOG"
        env SUTAZAI_GOVERNOR_LOG_TARGET=console ${GOV_DEBUG:+SUTAZAI_GOVERNOR_DEBUG=1} \
                "$GOVERNOR" --config "$conf" --docker-socket "${GOV_DOCKER_SOCKET:-$T/docker.sock}" \
                --control-socket "$CTL" --state-dir "$state" "$@" >>"$LOG" 2>&1 &
        gov_pid=$!
        for _ in $(seq 300); do # a sanitizer build starts slowly
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
        # a sanitizer build may report without failing the exit status
        grep -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$LOG" &&
                fail "sanitizer report in the governor's log"
        rm -f "$CTL"
}
