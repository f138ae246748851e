# cooldown: after a kill, memory stays in emergency; the governor must not
# kill again until the cooldown (8 s) has passed — and then it does, which
# shows that the cooldown (not blindness) held it back. Both groups hold
# their memory before the governor starts, so throttling (which stops a
# growing group) cannot take the host out of emergency: "first" (60M,
# priority 10) goes first, "second" (280M) alone still keeps 67% in use.
. /scenarios/lib.sh
NAME=cooldown
COOLDOWN_MS=8000

cg_make first
cg_make second
{
        lab_config 40 50 60 200ms 8s
        cat <<CONF
[cgroup:first]
match = path:first
priority = 10

[cgroup:second]
match = path:second
priority = 20
CONF
} >/tmp/governor.conf

oom_before=$(oom_kills)
cg_spawn first hog --target 60 --ready /tmp/first.ready -q
first_pid=$!
wait_for 10000 [ -f /tmp/first.ready ]
cg_spawn second hog --target 280 --ready /tmp/second.ready -q
second_pid=$!
wait_for 15000 [ -f /tmp/second.ready ]
echo "memory in use before the governor: $(mem_used_percent)%"
gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"
wait_for 15000 gov_log_has "GOVERNOR_ACTION=kill "
t_kill1=$(gov_log_time "GOVERNOR_ACTION=kill ")
# Watch the cooldown: second must stay alive and unkilled until it ends.
second_alive_in_cooldown=no
sleep $(((COOLDOWN_MS - 1500) / 1000))
alive $second_pid && second_alive_in_cooldown=yes
wait_for 8000 sh -c "[ \$(grep -c 'GOVERNOR_ACTION=kill ' $GOV_LOG) -ge 2 ]"
t_kill2=$(grep 'GOVERNOR_ACTION=kill ' $GOV_LOG | sed -n 2p | cut -d' ' -f1)
gap_ms=$(((${t_kill2:-0} - ${t_kill1:-0}) / 1000))
check "first-kill-is-first(prio 10)" gov_log_has "GOVERNOR_ACTION=kill .*GOVERNOR_CGROUP=first"
check "first-dead" sh -c "! kill -0 $first_pid 2>/dev/null"
check "second-alive-during-cooldown" [ "$second_alive_in_cooldown" = yes ]
check "second-kill-after-cooldown(gap=${gap_ms}ms)" [ -n "$t_kill2" -a "$gap_ms" -ge $COOLDOWN_MS ]
check "no-oom-kill" [ "$(oom_kills)" = "$oom_before" ]
gov_stop
finish $NAME kill_gap_ms=$gap_ms cooldown_ms=$COOLDOWN_MS
