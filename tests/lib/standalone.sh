# shellcheck shell=bash
# standalone.sh — the real daemon alone (cgroup-only mode, no dockerd) under
# injected faults, for tests that end at their first failure
# (test-faults.sh, test-stall.sh; bash, sourced). tests/lib/governor.sh is
# the other shape: failures counted, a private dockerd.
#
#   . "$here/../lib/standalone.sh"
#   unavailable MSG      a missing prerequisite: skip (exit 77), under CI fail
#   fail MSG             the failure and the tail of the daemon's log; exit 1
#   pass MSG             one scenario passed
#   govctl_answers ARGS...  sutazai-govctl answers within 3 s (its output in
#                        $work/govctl.out), or fail
#   stop_gov             SIGTERM: the daemon gone within 3 s, exit status 0
#   v2                   the cgroup2 mount (a hybrid host's unified one)
#
# The test sets work (its private directory), sock (the control socket),
# gov_pid and gov_log (the running daemon and its log), and ctx (the
# scenario, named in failures) when it has scenarios.

unavailable() {
        if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then
                echo "FAIL: $* (CI must run this test)" >&2
                exit 1
        fi
        echo "SKIP: $*" >&2
        exit 77
}

fail() {
        echo "FAIL: $*" >&2
        if [ -n "${gov_log:-}" ] && [ -f "$gov_log" ]; then
                echo "--- daemon log ($gov_log):" >&2
                tail -30 "$gov_log" >&2
        fi
        exit 1
}
pass() { echo "ok: $*"; }

# A functional liveness bound, not a benchmark: the control socket answers
# at all within 3 s (a frozen loop would never answer).
govctl_answers() {
        local rc=0
        timeout 3 "$GOVCTL" --socket "$sock" "$@" >"$work/govctl.out" 2>&1 || rc=$?
        [ "$rc" = 0 ] || fail "sutazai-govctl $* got no answer within 3 s (rc $rc${ctx:+, context: $ctx}): $(cat "$work/govctl.out")
daemon state: $(cut -d' ' -f3,14,15 "/proc/$gov_pid/stat" 2>&1) wchan $(cat "/proc/$gov_pid/wchan" 2>&1)"
}

stop_gov() {
        local i rc=0
        kill -TERM "$gov_pid"
        for ((i = 0; i < 30; i++)); do
                kill -0 "$gov_pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -0 "$gov_pid" 2>/dev/null && fail "still running 3 s after SIGTERM${ctx:+ ($ctx)}"
        wait "$gov_pid" || rc=$?
        gov_pid=""
        [ "$rc" = 0 ] || fail "exit status $rc after SIGTERM${ctx:+ ($ctx)}"
}

if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then v2=/sys/fs/cgroup/unified; else v2=/sys/fs/cgroup; fi
