# Scenario a: the governor's unit, as installed and enabled, starts and
# stays up under its own hardening with the watchdog fed.
#   unit_start   after boot: active, hardening in effect, platform as production
#   unit_final   after every other scenario: still the same process, no restart,
#                no watchdog timeout, up for longer than several watchdog periods

# The bounding set the unit grants: CAP_CHOWN(0) CAP_DAC_OVERRIDE(1)
# CAP_IPC_LOCK(14) CAP_SYS_RESOURCE(24).
UNIT_CAPBND=0000000001004003
UNIT_MAIN_PID=

proc_status() { local k v; while read -r k v; do [ "$k" = "$2:" ] && echo "$v"; done </proc/"$1"/status; }

unit_start() {
        check "governor-active" wait_for 60000 governor_active
        UNIT_MAIN_PID=$(unit_prop $GOVERNOR MainPID)
        local wd
        wd=$(unit_prop $GOVERNOR WatchdogUSec)
        check "type-notify" [ "$(unit_prop $GOVERNOR Type)" = notify ]
        check "watchdog-armed($wd)" [ -n "$wd" ] && [ "$wd" != 0 ] && [ "$wd" != infinity ]
        check "main-pid($UNIT_MAIN_PID)" [ "${UNIT_MAIN_PID:-0}" -gt 1 ]
        check "no-new-privs" [ "$(proc_status "$UNIT_MAIN_PID" NoNewPrivs)" = 1 ]
        check "seccomp-filter" [ "$(proc_status "$UNIT_MAIN_PID" Seccomp)" = 2 ]
        check "capability-bounding-set($(proc_status "$UNIT_MAIN_PID" CapBnd))" \
                [ "$(proc_status "$UNIT_MAIN_PID" CapBnd)" = $UNIT_CAPBND ]
        check "oom-score-adj(-1000)" [ "$(read_file /proc/"$UNIT_MAIN_PID"/oom_score_adj)" = -1000 ]
        check "cgroup-v2" [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
        check "docker-systemd-driver" [ "$(docker info -f '{{.CgroupDriver}} {{.CgroupVersion}}')" = "systemd 2" ]
        check "govctl-status" sutazai-govctl status >/dev/null
        # a reload under the unit's seccomp filter: its group lookup runs on
        # a thread of its own (a filtered clone would kill the process: the
        # same-process check of unit_final sees it)
        check "reload" systemctl reload $GOVERNOR
        check "reload-logged" wait_for 10000 reloaded
        check "reload-group-lookup" bash -c "! journalctl -q -u $GOVERNOR | grep -q 'up group'"
        verdict unit-start "pid=$UNIT_MAIN_PID watchdog=$wd"
}

reloaded() { journalctl -q -u $GOVERNOR | grep -q "configuration reloaded"; }

unit_final() {
        local pid restarts since_us up_s
        # the watchdog (20 s) must have been fed across three periods: a short
        # run (scenarios a and b only, on a fast machine) waits for that
        since_us=$(unit_prop $GOVERNOR ActiveEnterTimestampMonotonic)
        up_s=$(( ($(awk '{printf "%d", $1 * 1000000}' /proc/uptime) - since_us) / 1000000 ))
        [ "$up_s" -ge 61 ] || sleep $((61 - up_s))
        pid=$(unit_prop $GOVERNOR MainPID)
        restarts=$(unit_prop $GOVERNOR NRestarts)
        since_us=$(unit_prop $GOVERNOR ActiveEnterTimestampMonotonic)
        up_s=$(( ($(awk '{printf "%d", $1 * 1000000}' /proc/uptime) - since_us) / 1000000 ))
        check "still-active" governor_active
        check "same-process($UNIT_MAIN_PID->$pid)" [ "$pid" = "$UNIT_MAIN_PID" ]
        check "no-restart(NRestarts=$restarts)" [ "$restarts" = 0 ]
        check "no-watchdog-timeout" bash -c "! journalctl -q -u $GOVERNOR | grep -qi 'watchdog timeout'"
        check "up-longer-than-watchdog(${up_s}s)" [ "$up_s" -ge 60 ]
        verdict unit-stays-up "uptime=${up_s}s restarts=$restarts"
}
