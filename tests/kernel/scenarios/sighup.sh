# sighup: a new configuration takes effect on SIGHUP; an invalid one is
# refused with FILE:LINE and the old one stays in force.
. /scenarios/lib.sh
NAME=sighup
CONF=/etc/sutazai/governor.conf

write_rule() {
        cat <<CONF
[cgroup:app]
match = path:app-*
memory_high = $1
CONF
}
cg_make app-a
mkdir -p /etc/sutazai
{ lab_config 65 80 90 1s 15s; write_rule 100M; } >$CONF
gov_start $CONF
check "governor-running" alive "$GOV_PID"
high_is() { [ "$(cg_value "$1" memory.high)" = "$2" ]; }
check "initial-config-applied(100M)" wait_for 5000 high_is app-a 104857600

{ lab_config 65 80 90 1s 15s; write_rule 120M; } >$CONF
t0=$(now_ms)
kill -HUP "$GOV_PID"
check "reloaded-config-applied(120M)" wait_for 5000 high_is app-a 125829120
reload_ms=$(($(now_ms) - t0))

# An unknown key: the error must name this file and the key's line.
{ lab_config 65 80 90 1s 15s; echo "no_such_key = 1"; write_rule 64M; } >$CONF
bad_line=$(grep -n no_such_key $CONF | cut -d: -f1)
kill -HUP "$GOV_PID"
check "invalid-config-reported-with-file-line($CONF:$bad_line)" wait_for 5000 gov_log_has "$CONF:$bad_line"
sleep 1
check "governor-alive-after-invalid" alive "$GOV_PID"
check "old-limit-kept(120M)" high_is app-a 125829120
# The old config still governs: a new matching cgroup gets the old value.
cg_make app-b
check "old-config-still-applies-to-new-cgroup" wait_for 5000 high_is app-b 125829120
gov_stop
finish $NAME reload_ms=$reload_ms
