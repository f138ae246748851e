# psi-watch: memory pressure with memory use far below every mark. The
# governor's calm tick reads host memory alone and leaves the host's PSI
# unread while its watch trigger (trigger.h) stands guard; the stall must
# still bring the warning tier by PSI (pressure_warning = some 5%) within
# seconds, not at the next full sample (60 s while calm).
# A hog above its cgroup's memory.high (no swap: nothing to reclaim) is
# throttled by the kernel, which counts the throttling as memory stall.
. /scenarios/lib.sh
NAME=psi-watch

cg_make squeezed
echo 16M >"$CG/squeezed/memory.high"
cat >/tmp/governor.conf <<CONF
[governor]
interval = 1s
metrics_file = $GOV_DIR/metrics.prom

[memory]
warning = 90%
critical = 95%
emergency = 98%
pressure_warning = some 5%
# the configured trigger out of reach (a whole 10 s of every task stalled,
# while the governor itself runs each second): the watch alone wakes it
trigger = full 10s 10s
CONF

GOV_ENV=SUTAZAI_GOVERNOR_DEBUG=1 gov_start /tmp/governor.conf
check "governor-running" alive "$GOV_PID"
check "watch-armed" sh -c "! grep -q 'no PSI watch' $GOV_LOG"
# a few calm ticks first: the full sample at start-up is behind us
sleep 3
check "calm-before" sh -c "! grep -q 'memory tier normal -> warning' $GOV_LOG"
t_start=$(now_us)
cg_spawn squeezed hog --target 64 --rate 16 -q
hog_pid=$!
# the next full sample is ~57 s away: a warning within 30 s came by the watch
wait_for 30000 gov_log_has 'memory tier normal -> warning'
t_warn=$(gov_log_time 'memory tier normal -> warning')
used=$(grep -E 'memory tier normal -> warning' "$GOV_LOG" | head -n 1 | sed -n 's/.*(\([0-9.]*\)% in use.*/\1/p')
check "warning-by-psi(t=${t_warn:-none})" [ -n "$t_warn" ]
check "usage-below-marks(used=${used:-?}%)" awk -v u="${used:-100}" 'BEGIN { exit !(u < 90) }'
check "the-watch-woke-it" gov_log_has 'PSI trigger host watch'
kill "$hog_pid" 2>/dev/null
gov_stop
finish $NAME stall_to_warning_ms=$(((${t_warn:-0} - t_start) / 1000))
