# oom-protect: defense in depth (issue 14). A protected "db" cgroup holds
# 250 MiB in two workers (the larger one is the biggest process in the VM)
# beside a low-priority "hog" that grows at 150 MB/s toward 400 MiB: more
# than this 512 MiB VM has. The governor's marks are 97/98/99% with a 5 s
# hold, so the kernel OOM killer gets there first. With the governor's
# oom_score_adj (db -998, hog 990) and memory.oom.group on hog, every kernel
# OOM kill must land in hog (the whole group: its helper process too) and
# db must keep every process, in each of $runs rounds.
#
# mode=governor (the test) or mode=none (the benchmark's baseline: the same
# load with nothing telling the kernel what is protected). One line a round:
#   BENCH name=oom-protect mode=M run=I db=intact|lost kernel_kills=N
#         in_hog=N in_db=N governor_kills=N
. /scenarios/lib.sh
NAME=oom-protect
mode=${mode:-governor}
runs=${runs:-3}

cg_make db
cg_make hog
cg_make svc # a middle-priority service with memory.low/min
{
        lab_config 97 98 99 5s 60s
        cat <<CONF
[cgroup:db]
match = path:db
priority = 900
protect = yes

[cgroup:hog]
match = path:hog
priority = 10
oom_group = yes

[cgroup:svc]
match = path:svc
priority = 500
memory_low = 64M
memory_min = 32M
CONF
} >/tmp/governor.conf

events() { awk -v k="$2" '$1 == k { print $2 }' "$CG/$1/memory.events"; }
adj() { cat "/proc/$1/oom_score_adj" 2>/dev/null; }
# adj_is PID VALUE: for wait_for, which re-runs its command (read it anew)
adj_is() { [ "$(adj "$1")" = "$2" ]; }

# db: two workers, 200 + 50 MiB
db_start() {
        rm -f /tmp/db1.ready /tmp/db2.ready
        cg_spawn db hog --target 200 --ready /tmp/db1.ready -q
        db1=$!
        cg_spawn db hog --target 50 --ready /tmp/db2.ready -q
        db2=$!
        wait_for 20000 [ -f /tmp/db1.ready ] && wait_for 10000 [ -f /tmp/db2.ready ]
}
db_start
check "db-holds-250M" [ -f /tmp/db1.ready ]

cg_spawn hog sleep 100000
helper=$!
cg_spawn svc sleep 100000
svc=$!
if [ "$mode" = governor ]; then
        gov_start /tmp/governor.conf
        check "governor-running" alive "$GOV_PID"
        wait_for 5000 adj_is $db1 -998
        check "db-worker-adj($(adj $db1))" adj_is $db1 -998
        check "db-worker2-adj($(adj $db2))" adj_is $db2 -998
        wait_for 5000 adj_is $helper 990
        check "hog-adj($(adj $helper))" adj_is $helper 990
        check "hog-oom-group" [ "$(cg_value hog memory.oom.group)" = 1 ]
        check "db-no-oom-group" [ "$(cg_value db memory.oom.group)" = 0 ]
        # no systemd here: memory.low/min written to the cgroup files
        check "svc-memory-low($(cg_value svc memory.low))" [ "$(cg_value svc memory.low)" = 67108864 ]
        check "svc-memory-min($(cg_value svc memory.min))" [ "$(cg_value svc memory.min)" = 33554432 ]
        check "svc-adj($(adj $svc))" adj_is $svc 501
fi

total_kernel=0
total_db=0
run=1
while [ "$run" -le "$runs" ]; do
        vm_before=$(oom_kills)
        hog_before=$(events hog oom_kill)
        db_before=$(events db oom_kill)
        gov_before=0
        [ -f "$GOV_LOG" ] && gov_before=$(gov_log_count "\[done\] GOVERNOR_ACTION=kill")
        cg_spawn hog hog --target 400 --rate 150 -q
        runaway=$!
        wait_for 20000 sh -c "! kill -0 $runaway 2>/dev/null"
        sleep 1
        kernel=$(($(oom_kills) - vm_before))
        in_hog=$(($(events hog oom_kill) - hog_before))
        in_db=$(($(events db oom_kill) - db_before))
        gov=0
        [ -f "$GOV_LOG" ] && gov=$(($(gov_log_count "\[done\] GOVERNOR_ACTION=kill") - gov_before))
        db=intact
        alive $db1 && alive $db2 || db=lost
        echo "BENCH name=oom-protect mode=$mode run=$run db=$db kernel_kills=$kernel" \
                "in_hog=$in_hog in_db=$in_db governor_kills=$gov"
        total_kernel=$((total_kernel + kernel))
        total_db=$((total_db + in_db))
        if [ "$mode" = governor ]; then
                check "run$run-db-keeps-every-process" [ "$db" = intact ]
                check "run$run-every-kernel-kill-in-hog($kernel=$in_hog)" [ "$in_hog" = "$kernel" ]
                check "run$run-none-in-db" [ "$in_db" = 0 ]
                # memory.oom.group: a kernel kill takes the whole hog group
                if [ "$kernel" -gt 0 ]; then
                        check "run$run-whole-hog-group" sh -c "! kill -0 $helper 2>/dev/null"
                fi
        fi
        kill -9 $runaway 2>/dev/null
        if [ "$db" = lost ]; then # the next round starts from a whole db again
                kill -9 $db1 $db2 2>/dev/null
                wait_for 5000 [ "$(cg_procs db)" = 0 ]
                db_start
        fi
        # the next round's helper, caught by the guard's next pass
        if ! alive $helper; then
                cg_spawn hog sleep 100000
                helper=$!
                if [ "$mode" = governor ]; then
                        wait_for 5000 adj_is $helper 990
                        check "run$run-new-pid-caught($(adj $helper))" adj_is $helper 990
                fi
        fi
        run=$((run + 1))
done
if [ "$mode" = governor ]; then
        # the scenario must have made the kernel act, or it proved nothing
        check "kernel-oom-killer-acted($total_kernel)" [ "$total_kernel" -gt 0 ]
        check "governor-alive" alive "$GOV_PID"
        gov_stop
fi
kill $db1 $db2 $helper $svc 2>/dev/null
finish $NAME mode=$mode runs=$runs kernel_kills=$total_kernel in_db=$total_db
