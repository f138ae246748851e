# limits-applied: configured memory.max / memory.high reach every matching
# cgroup (present at start and created later), and nothing else.
. /scenarios/lib.sh
NAME=limits-applied
MAX=209715200  # 200M
HIGH=157286400 # 150M

cg_make app-a
cg_make app-b
cg_make other
{
        lab_config 65 80 90 1s 15s
        cat <<CONF
[cgroup:app]
match = path:app-*
memory_max = 200M
memory_high = 150M
priority = 50
CONF
} >/tmp/governor.conf

host_trigger=no
psi_trigger_accepted /proc/pressure/memory && host_trigger=yes

gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"
limits_of() { [ "$(cg_value "$1" memory.max)" = $MAX ] && [ "$(cg_value "$1" memory.high)" = $HIGH ]; }
t0=$(now_ms)
check "app-a-limited" wait_for 5000 limits_of app-a
check "app-b-limited" wait_for 5000 limits_of app-b
apply_ms=$(($(now_ms) - t0))
# A cgroup that appears while the governor runs is picked up too.
cg_make app-c
t0=$(now_ms)
check "app-c-limited-after-creation" wait_for 5000 limits_of app-c
late_ms=$(($(now_ms) - t0))
check "other-untouched-max" [ "$(cg_value other memory.max)" = max ]
check "other-untouched-high" [ "$(cg_value other memory.high)" = max ]
# The limits are the kernel's: a 300M hog in app-a is held under memory.max
# (throttled at memory.high: no swap, so it stalls rather than OOMs).
cg_spawn app-a hog --target 300 -q
hog_pid=$!
sleep 3
current=$(cg_value app-a memory.current)
check "app-a-held-under-memory.max($current)" [ "$current" -le $MAX ]
check "app-a-throttled-at-memory.high" [ "$(awk '/^high /{print $2}' $CG/app-a/memory.events)" -gt 0 ]
echo 1 >$CG/app-a/cgroup.kill
wait $hog_pid
check "governor-log-shows-limit" gov_log_has "GOVERNOR_ACTION=limit"
gov_stop
finish $NAME host_psi_trigger_sub2s=$host_trigger apply_ms=$apply_ms late_cgroup_ms=$late_ms
