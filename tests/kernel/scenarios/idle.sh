# idle: a hundred idle containers, as on a quiet AI host: 100 cgroups below
# one directory, one sleeping process each, all managed by one rule. The
# governor must give every process its oom_score_adj, then sit quiet: its
# OOM-guard pass reads the directory's pids.current once a second and the
# groups' own files only when it moves (oomguard.h, the gate). The CPU the
# governor and earlyoom (Debian's, defaults) use over $secs seconds is
# printed (TCG: slow, the ratio is what counts; tests/bench/bench-kernel.sh
# idle). A newcomer is still caught within the next pass.
. /scenarios/lib.sh
NAME=idle
secs=${secs:-30}

echo +pids >"$CG/cgroup.subtree_control"
cg_make idle
echo "+memory +pids" >"$CG/idle/cgroup.subtree_control"
i=0
while [ $i -lt 100 ]; do
        cg_make idle/b$i
        cg_spawn idle/b$i sleep 100000
        i=$((i + 1))
done
cat >/tmp/governor.conf <<CONF
[governor]
interval = 1s
metrics_file = $GOV_DIR/metrics.prom

[cgroup:bench]
match = path:idle/b*
priority = 10
CONF

adjusted() { # how many of the sleepers carry the rule's value
        n=0
        for p in $(cat "$CG"/idle/b*/cgroup.procs); do
                [ "$(cat /proc/$p/oom_score_adj 2>/dev/null)" = 990 ] && n=$((n + 1))
        done
        echo $n
}
gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"
earlyoom >/dev/null 2>&1 &
eo_pid=$!
wait_for 20000 sh -c "[ \$(adjusted) = 100 ]"
check "all-100-adjusted($(adjusted))" [ "$(adjusted)" = 100 ]
sleep 3
cpu() { awk '{ print $1 }' /proc/$1/schedstat; }
g0=$(cpu $GOV_PID)
e0=$(cpu $eo_pid)
sleep "$secs"
g_us=$((($(cpu $GOV_PID) - g0) / 1000))
e_us=$((($(cpu $eo_pid) - e0) / 1000))
# a docker exec's like newcomer: caught by the next pass
cg_spawn idle/b7 sleep 100001
newcomer=$!
wait_for 5000 sh -c "[ \"\$(cat /proc/$newcomer/oom_score_adj)\" = 990 ]"
check "newcomer-caught($(cat /proc/$newcomer/oom_score_adj))" [ "$(cat /proc/$newcomer/oom_score_adj)" = 990 ]
echo "BENCH name=idle seconds=$secs governor_us=$g_us earlyoom_us=$e_us"
kill $eo_pid
gov_stop
finish $NAME governor_us=$g_us earlyoom_us=$e_us
