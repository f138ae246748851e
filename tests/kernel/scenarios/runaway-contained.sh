# runaway-contained: a low-priority cgroup allocating at 150 MB/s beside a
# protected cgroup holding 100M. The governor must contain it (kill through
# cgroup.kill, or throttle through memory.high) before the kernel's global
# OOM killer fires; the protected process must live.
# Without the governor the same load ends in a global OOM kill (see
# the bench-containment baseline).
. /scenarios/lib.sh
NAME=runaway-contained
RATE=${RATE:-150}

cg_make prot
cg_make low
{
        lab_config 50 65 80 200ms 10s
        cat <<CONF
[cgroup:prot]
match = path:prot
priority = 100
protect = yes

[cgroup:low]
match = path:low
priority = 10
CONF
} >/tmp/governor.conf

cg_spawn prot hog --target 100 --ready /tmp/prot.ready -q
prot_pid=$!
wait_for 10000 [ -f /tmp/prot.ready ]
oom_before=$(oom_kills)
gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"

t0=$(now_us)
cg_spawn low hog --target 600 --rate "$RATE" -q
hog_pid=$!
# 600M cannot fit in this VM: the hog ends killed, or stays throttled.
wait_for 12000 sh -c "! kill -0 $hog_pid 2>/dev/null"
sleep 1
oom_after=$(oom_kills)
outcome=none
if ! alive $hog_pid; then
        outcome=killed
elif [ "$(cg_value low memory.high)" != max ]; then
        outcome=throttled
fi
act_time=$(gov_log_time "GOVERNOR_ACTION=(kill|throttle).*GOVERNOR_CGROUP=low")
check "contained($outcome)" [ "$outcome" != none ]
check "governor-acted-on-low" [ -n "$act_time" ]
check "no-oom-kill(vmstat $oom_before->$oom_after)" [ "$oom_after" = "$oom_before" ]
check "no-global-oom-in-dmesg" [ "$(global_ooms)" = 0 ]
check "protected-alive" alive $prot_pid
check "protected-never-acted-on" sh -c "! grep -q 'GOVERNOR_CGROUP=prot' $GOV_LOG"
check "governor-alive" alive "$GOV_PID"
action_ms=
[ -n "$act_time" ] && action_ms=$(((act_time - t0) / 1000))
echo 1 >$CG/low/cgroup.kill
gov_stop
kill $prot_pid
finish $NAME outcome=$outcome start_to_action_ms=$action_ms used_percent_end=$(mem_used_percent)
