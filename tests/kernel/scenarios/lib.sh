# lib.sh — helpers the scenario scripts share (sourced by busybox sh).
#
# Output contract with the host runner (run-vm.sh) and the benchmarks:
#   RESULT name=SCENARIO status=pass|fail [key=value ...]   the verdict
#   BENCH name=... key=value ...                             a measurement
#   GOVLOG <monotonic_us> <line>                             the governor's log
#   CHECK name=... ok|FAILED ...                             each assertion
CG=/sys/fs/cgroup
GOV_DIR=/tmp/gov
GOV_LOG=$GOV_DIR/log
GOV_PID=
GOV_ENV=         # extra VAR=value for the governor's environment
FAILURES=0

now_us() { labtool now; }
now_ms() { echo $(($(labtool now) / 1000)); }

# check DESCRIPTION COMMAND...: run the test command, record the outcome.
check() {
        what=$1
        shift
        if "$@"; then
                echo "CHECK $what ok"
        else
                echo "CHECK $what FAILED"
                FAILURES=$((FAILURES + 1))
        fi
}

# finish NAME [key=value ...]: the verdict line, after the governor's log.
finish() {
        name=$1
        shift
        [ -f "$GOV_LOG" ] && sed 's/^/GOVLOG /' "$GOV_LOG"
        if [ "$FAILURES" = 0 ]; then
                echo "RESULT name=$name status=pass $*"
        else
                echo "RESULT name=$name status=fail failures=$FAILURES $*"
        fi
}

# Does FILE accept a PSI trigger with a window below 2 s (needs real root)?
psi_trigger_accepted() {
        exec 9<>"$1" || return 1
        echo 'some 50000 500000' >&9 2>/dev/null
        rc=$?
        exec 9>&-
        return $rc
}

oom_kills() { awk '/^oom_kill /{ print $2 }' /proc/vmstat; }
global_ooms() { dmesg | grep -c 'Out of memory: Killed' ; }
mem_used_percent() {
        awk '/^MemTotal/{t=$2} /^MemAvailable/{a=$2} END{ printf "%d\n", (t-a)*100/t }' /proc/meminfo
}

cg_make() { mkdir -p "$CG/$1"; }
# cg_spawn CGROUP COMMAND...: start COMMAND in the background inside CGROUP;
# its pid is in $!.
cg_spawn() {
        cgroup=$1
        shift
        sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/$cgroup" "$@" &
}
cg_procs() { cat "$CG/$1/cgroup.procs" | wc -l; }
cg_value() { cat "$CG/$1/$2"; }
alive() { kill -0 "$1" 2>/dev/null; }

# wait_for TIMEOUT_MS COMMAND...: poll COMMAND every 50 ms until it succeeds.
wait_for() {
        deadline=$(($(now_ms) + $1))
        shift
        while ! "$@"; do
                [ "$(now_ms)" -ge "$deadline" ] && return 1
                usleep 50000
        done
        return 0
}

# gov_start CONFIG [ARGS...]: start the governor; stderr goes through
# "labtool ts" into $GOV_LOG, each line stamped with CLOCK_MONOTONIC.
gov_start() {
        config=$1
        shift
        mkdir -p "$GOV_DIR/state"
        rm -f "$GOV_DIR/fifo"
        mkfifo "$GOV_DIR/fifo"
        labtool ts <"$GOV_DIR/fifo" >"$GOV_LOG" &
        GOV_TS_PID=$!
        env SUTAZAI_GOVERNOR_LOG_FIELDS=1 $GOV_ENV sutazai-governor --config "$config" --cgroup-root "$CG" --state-dir "$GOV_DIR/state" \
                --control-socket "$GOV_DIR/control.sock" \
                --docker-socket /nonexistent/docker.sock "$@" 2>"$GOV_DIR/fifo" &
        GOV_PID=$!
        # started: the first log line, or the process is gone
        wait_for 10000 sh -c "[ -s $GOV_LOG ] || ! kill -0 $GOV_PID 2>/dev/null"
        usleep 300000
}

gov_log_has() { grep -Eq -- "$1" "$GOV_LOG"; }
gov_log_count() { grep -Ec -- "$1" "$GOV_LOG"; }
# The monotonic microseconds of the first log line matching PATTERN.
gov_log_time() { grep -E -- "$1" "$GOV_LOG" | head -n 1 | cut -d' ' -f1; }

# gov_stop: SIGTERM, and the exit status must be 0 (recorded as a check).
gov_stop() {
        [ -n "$GOV_PID" ] || return 0
        kill -TERM "$GOV_PID" 2>/dev/null
        wait "$GOV_PID"
        GOV_STATUS=$?
        wait "$GOV_TS_PID" 2>/dev/null
        check "governor-exit-0-on-sigterm(status=$GOV_STATUS)" [ "$GOV_STATUS" = 0 ]
        GOV_PID=
}

# A config with the lab's defaults; $1 = extra text appended (rules).
write_config() {
        path=$1
        shift
        mkdir -p "$(dirname "$path")"
        cat >"$path"
}

# lab_config WARNING CRITICAL EMERGENCY HOLD COOLDOWN: the [governor] and
# [memory] sections every scenario uses (percent marks, durations; HOLD for
# every tier, emergency included); the scenario appends its rules.
lab_config() {
        cat <<CONF
[governor]
interval = 100ms
metrics_file = $GOV_DIR/metrics.prom

[memory]
warning = $1%
critical = $2%
emergency = $3%
hold = $4
emergency_hold = $4
cooldown = $5
trigger = some 50ms 500ms

CONF
}
