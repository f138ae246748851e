# latency (benchmark): memory pressure the kernel reports through PSI
# triggers, with the governor at its default 1 s tick. The "low" cgroup has
# memory_high = 120M (set by the governor) and a hog pushing 150 MB/s toward
# 300M into it: the kernel throttles it at memory.high, so it stalls
# continuously (a runaway into free memory stalls only the last ~50 ms
# before an OOM here: no swap, no page cache to reclaim). The host sits at
# the warning mark; PSI raises the tier further. Observers on the same
# CLOCK_MONOTONIC:
#   - labtool psiwatch registers its own trigger on /proc/pressure/memory
#     (the same spec as the governor) and samples the "some" total every
#     5 ms: "PSIWATCH event=trigger|stall-start t_us=...";
#   - the governor's debug log names each trigger wake-up with the kernel
#     notice time it read ("PSI trigger host at Xus"), and labtool ts stamps
#     every log line (an action's line: when it was carried out).
# run-all.sh turns the GOVLOG and PSIWATCH lines into the latency table.
. /scenarios/lib.sh
NAME=latency
runs=${runs:-3}

cg_make prot
cg_make low
{
        cat <<CONF
[governor]
interval = 1s
metrics_file = $GOV_DIR/metrics.prom

[memory]
warning = 50%
critical = 65%
emergency = 80%
hold = 200ms
cooldown = 10s
trigger = some 50ms 500ms

[cgroup:prot]
match = path:prot
protect = yes

[cgroup:low]
match = path:low
priority = 10
memory_high = 120M
CONF
} >/tmp/governor.conf

run=1
while [ $run -le "$runs" ]; do
        rm -f /tmp/prot.ready
        cg_spawn prot hog --target 100 --ready /tmp/prot.ready -q
        prot_pid=$!
        wait_for 10000 [ -f /tmp/prot.ready ]
        labtool psiwatch /proc/pressure/memory "some 50000 500000" 5 >/tmp/psiwatch.log &
        watch_pid=$!
        GOV_ENV=SUTAZAI_GOVERNOR_DEBUG=1 gov_start /tmp/governor.conf
        echo "BENCH name=latency run=$run event=runaway-start t_us=$(now_us)"
        cg_spawn low hog --target 300 --rate 150 -q
        hog_pid=$!
        wait_for 10000 sh -c "! kill -0 $hog_pid 2>/dev/null"
        kill $watch_pid
        sed "s/^/RUN $run /" /tmp/psiwatch.log
        gov_stop
        sed "s/^/RUN $run GOVLOG /" "$GOV_LOG"
        rm -f "$GOV_LOG"
        echo "BENCH name=latency run=$run oom_kills=$(oom_kills) protected=$(alive $prot_pid && echo alive || echo dead)"
        echo 1 >$CG/low/cgroup.kill
        echo 1 >$CG/prot/cgroup.kill
        wait_for 5000 sh -c "[ -z \"\$(cat $CG/low/cgroup.procs $CG/prot/cgroup.procs)\" ]"
        echo max >$CG/low/memory.high
        sleep 1
        run=$((run + 1))
done
finish $NAME runs=$runs
