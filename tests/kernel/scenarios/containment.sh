# containment (benchmark): the runaway of runaway-contained, $runs times,
# under $mode: "governor" (the lab's tuned marks: 50/65/80%, hold 200 ms,
# tick 100 ms), "governor-defaults" (only the rules; every [governor] and
# [memory] key at its shipped default), "earlyoom" (Debian's, default
# arguments) or "none". One BENCH line per run:
#   BENCH name=containment mode=M run=I protected=alive|dead oom_kills=N
#         contained=yes|no growth_stopped_ms=T recovery_ms=T|none peak_percent=P
# contained: the runaway stopped (killed, or throttled) without any kernel
# OOM kill; growth_stopped_ms: runaway start → the last time memory in use
# reached a new peak; recovery_ms: runaway start → host memory in use back
# under 50%.
. /scenarios/lib.sh
NAME=containment
mode=${mode:-governor}
runs=${runs:-3}
RECOVERED_PERCENT=50

cg_make prot
cg_make low
{
        if [ "$mode" = governor-defaults ]; then
                printf '[governor]\nmetrics_file = %s/metrics.prom\n\n' "$GOV_DIR"
        else
                lab_config 50 65 80 200ms 10s
        fi
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

case $mode in
governor | governor-defaults) ;; # started afresh for each run (below)
earlyoom)
        earlyoom >/tmp/earlyoom.log 2>&1 &
        EARLYOOM_PID=$!
        sleep 1
        ;;
none) ;;
*) result $NAME fail reason=unknown-mode-$mode; exit 1 ;;
esac

run=1
while [ $run -le "$runs" ]; do
        rm -f /tmp/prot.ready
        cg_spawn prot hog --target 100 --ready /tmp/prot.ready -q
        prot_pid=$!
        wait_for 10000 [ -f /tmp/prot.ready ]
        # Each run is independent: a fresh governor, so one run's cooldown
        # (which holds back any kill for its length) does not carry over.
        case $mode in governor*) gov_start /tmp/governor.conf ;; esac
        oom_before=$(oom_kills)
        t0=$(now_ms)
        cg_spawn low hog --target 600 --rate 150 -q
        hog_pid=$!
        peak=0
        peak_ms=0
        recovery=none
        # 600M cannot fit: watch for 12 s at most.
        while [ $(($(now_ms) - t0)) -lt 12000 ]; do
                u=$(mem_used_percent)
                if [ "$u" -gt "$peak" ]; then
                        peak=$u
                        peak_ms=$(($(now_ms) - t0))
                fi
                if [ "$peak" -ge 65 ] && [ "$u" -lt $RECOVERED_PERCENT ]; then
                        recovery=$(($(now_ms) - t0))
                        break
                fi
                usleep 20000
        done
        ooms=$(($(oom_kills) - oom_before))
        contained=no
        if [ "$ooms" = 0 ] && { ! alive $hog_pid || [ "$(cg_value low memory.high)" != max ]; }; then
                contained=yes
        fi
        protected=dead
        alive $prot_pid && protected=alive
        echo "BENCH name=containment mode=$mode run=$run protected=$protected" \
                "oom_kills=$ooms contained=$contained growth_stopped_ms=$peak_ms" \
                "recovery_ms=$recovery peak_percent=$peak"
        case $mode in
        governor*)
                gov_stop
                sed "s/^/GOVLOG run=$run /" "$GOV_LOG"
                rm -f "$GOV_LOG"
                ;;
        esac
        # Clean slate for the next run.
        echo 1 >$CG/low/cgroup.kill
        echo 1 >$CG/prot/cgroup.kill
        wait_for 5000 sh -c "[ -z \"\$(cat $CG/low/cgroup.procs $CG/prot/cgroup.procs)\" ]"
        echo max >$CG/low/memory.high
        sleep 1
        run=$((run + 1))
done
[ -n "$EARLYOOM_PID" ] && kill $EARLYOOM_PID && sed 's/^/EARLYOOM /' /tmp/earlyoom.log | tail -n 20
finish $NAME mode=$mode runs=$runs
