# Scenario b: every SutazAI container gets memory.max and memory.high per its
# rule in governor.conf.d/sutazai.conf, and keeps them through "docker
# update" (runc's systemd driver re-applies the scope's properties) and
# "systemctl daemon-reload" (systemd re-applies every unit's cgroup).

# name  docker-run-extra  memory.max  memory.high  (from sutazai.conf; "max" = not set by the rule)
LIMITS_TABLE="
sutazai-ollama        -                                  8589934592 7516192768
sutazai-backend       -                                  536870912  469762048
sutazai-postgres      -                                  536870912  max
sutazai-redis         -                                  268435456  max
sutazai-agent-tiny    --label=com.sutazai.role=agent-small 134217728 max
sutazai-agent-1       -                                  268435456  201326592
sutazai-agent-2       --label=com.sutazai.role=agent     268435456  201326592
sutazai-prometheus    -                                  536870912  268435456
sutazai-grafana       -                                  536870912  268435456
"

# LIMITS_OFF = the containers whose scope is off its rule, as name=max/high.
limits_check() {
        local name extra max high scope got_max got_high
        LIMITS_OFF=
        while read -r name extra max high; do
                [ -n "$name" ] || continue
                scope=$CG/system.slice/docker-${LIMITS_ID[$name]}.scope
                rd got_max "$scope/memory.max" || got_max=none
                rd got_high "$scope/memory.high" || got_high=none
                [ "$got_max" = "$max" ] && [ "$got_high" = "$high" ] ||
                        LIMITS_OFF="$LIMITS_OFF${LIMITS_OFF:+ }$name=$got_max/$got_high"
        done <<<"$LIMITS_TABLE"
}
limits_all_right() { limits_check; [ -z "$LIMITS_OFF" ]; }

# systemd's own view of each scope: a memory.high written behind systemd's
# back is reset by the next daemon-reload or docker update (within
# milliseconds, so sampling can miss it); one set through SetUnitProperties
# shows in the unit's MemoryHigh and survives both. "max" = infinity.
limits_units_off() {
        local name extra max high want got off=
        while read -r name extra max high; do
                [ -n "$name" ] || continue
                want=$high
                [ "$want" = max ] && want=infinity
                got=$(systemctl show -p MemoryHigh --value "docker-${LIMITS_ID[$name]}.scope")
                [ "$got" = "$want" ] || off="$off $name=$got"
        done <<<"$LIMITS_TABLE"
        echo "${off# }"
}

# limits_kept WHAT SECONDS: sample every 100 ms; every sample must be right.
limits_kept() {
        local what=$1 end bad=0 n=0 first=
        now
        end=$((NOW_US + $2 * 1000000))
        while now && [ "$NOW_US" -lt "$end" ]; do
                limits_check
                n=$((n + 1))
                if [ -n "$LIMITS_OFF" ]; then
                        bad=$((bad + 1))
                        [ -n "$first" ] || first=$LIMITS_OFF
                fi
                nap 0.1
        done
        check "kept-through-$what(off in $bad of $n samples${first:+; first: $first})" [ "$bad" = 0 ]
}

limits_scenario() {
        declare -gA LIMITS_ID=()
        local name extra max high t0 ms off
        # Started side by side: one by one, a docker run takes ~10 s under TCG.
        while read -r name extra max high; do
                [ -n "$name" ] || continue
                [ "$extra" = - ] && extra=
                docker run -d --name "$name" --network none $extra bb:latest sleep 100000 >/dev/null &
        done <<<"$LIMITS_TABLE"
        wait
        while read -r name extra max high; do
                [ -n "$name" ] && LIMITS_ID[$name]=$(cid "$name")
        done <<<"$LIMITS_TABLE"
        t0=$(now_ms)
        wait_for 60000 limits_all_right
        ms=$(($(now_ms) - t0))
        check "limits-applied(${ms}ms after the last docker run${LIMITS_OFF:+; off: $LIMITS_OFF})" [ -z "$LIMITS_OFF" ]
        # Hold them for a while before anything touches the scopes.
        limits_kept steady 3
        off=$(limits_units_off)
        check "memory-high-set-through-systemd${off:+(unit MemoryHigh off: $off)}" [ -z "$off" ]
        local c
        for c in ${!LIMITS_ID[*]}; do docker update --cpu-shares 512 "$c" >/dev/null; done
        limits_kept docker-update 5
        systemctl daemon-reload
        limits_kept daemon-reload 5
        # the state after the governor's cooldown, for the record
        wait_for 20000 limits_all_right
        check "limits-right-20s-later${LIMITS_OFF:+(off: $LIMITS_OFF)}" [ -z "$LIMITS_OFF" ]
        docker rm -f ${!LIMITS_ID[*]} >/dev/null
        verdict limits "converged_ms=$ms"
}
