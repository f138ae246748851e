# graduated: a slow leak crosses warning → critical → emergency. The
# governor must reclaim, then throttle, then kill, in that order, each once
# within the cooldown. "batch" (priority 10) leaks 20 MB/s and is the victim;
# "db" (protected) grows 10 MB/s, so memory keeps rising after batch is
# throttled, until emergency.
. /scenarios/lib.sh
NAME=graduated

cg_make batch
cg_make db
{
        lab_config 40 55 70 500ms 60s
        cat <<CONF
[cgroup:db]
match = path:db
priority = 100
protect = yes

[cgroup:batch]
match = path:batch
priority = 10
CONF
} >/tmp/governor.conf

oom_before=$(oom_kills)
gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"
cg_spawn db hog --target 160 --rate 10 -q
db_pid=$!
cg_spawn batch hog --target 220 --rate 20 -q
batch_pid=$!
# The kill is expected around 15 s in; give it 30 s.
wait_for 30000 sh -c "! kill -0 $batch_pid 2>/dev/null"
sleep 2
t_reclaim=$(gov_log_time "GOVERNOR_ACTION=reclaim .*GOVERNOR_CGROUP=batch")
t_throttle=$(gov_log_time "GOVERNOR_ACTION=throttle .*GOVERNOR_CGROUP=batch")
t_kill=$(gov_log_time "GOVERNOR_ACTION=kill .*GOVERNOR_CGROUP=batch")
n_reclaim=$(gov_log_count "GOVERNOR_ACTION=reclaim .*GOVERNOR_CGROUP=batch")
n_throttle=$(gov_log_count "GOVERNOR_ACTION=throttle .*GOVERNOR_CGROUP=batch")
n_kill=$(gov_log_count "GOVERNOR_ACTION=kill ")
check "reclaimed(t=$t_reclaim)" [ -n "$t_reclaim" ]
check "throttled(t=$t_throttle)" [ -n "$t_throttle" ]
check "killed(t=$t_kill)" [ -n "$t_kill" ]
check "order-reclaim-before-throttle" [ "${t_reclaim:-0}" -lt "${t_throttle:-0}" ]
check "order-throttle-before-kill" [ "${t_throttle:-0}" -lt "${t_kill:-0}" ]
check "one-reclaim-per-cooldown($n_reclaim)" [ "$n_reclaim" = 1 ]
check "one-throttle-per-cooldown($n_throttle)" [ "$n_throttle" = 1 ]
check "one-kill-per-cooldown($n_kill)" [ "$n_kill" = 1 ]
check "batch-dead" sh -c "! kill -0 $batch_pid 2>/dev/null"
check "protected-db-alive" alive $db_pid
check "protected-db-never-acted-on" sh -c "! grep -Eq 'GOVERNOR_ACTION=(throttle|stop|kill) .*GOVERNOR_CGROUP=db' $GOV_LOG"
check "no-oom-kill" [ "$(oom_kills)" = "$oom_before" ]
gov_stop
kill $db_pid
finish $NAME reclaim_to_throttle_ms=$(((${t_throttle:-0} - ${t_reclaim:-0}) / 1000)) throttle_to_kill_ms=$(((${t_kill:-0} - ${t_throttle:-0}) / 1000))
