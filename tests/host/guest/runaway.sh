# Scenarios c and d, and the benchmark: a runaway container allocating
# ~150 MB/s toward more memory than the VM has, beside the protected
# postgres container holding 200 MiB.
#
# The runaway is sutazai-ollama: its rule (priority 50, memory_max 8G) lets
# it grow past this VM's 2 GiB, as a model server loading a model too big
# for the host does. The agents' rules cap them at 128-256M, so an agent
# could only ever hit its own limit (a memcg OOM kill), never exhaust the host.
RUNAWAY=sutazai-ollama
RUNAWAY_TARGET_MB=3000
RUNAWAY_RATE_MB=150
RUNAWAY_DEADLINE_MS=45000
PROTECTED=sutazai-postgres
PROTECTED_MB=200
GO_DIR=/run/host-test/go
MIB=1048576

protected_start() {
        docker rm -f $PROTECTED >/dev/null 2>&1
        docker run -d --name $PROTECTED --network none bb:latest \
                hog --target $PROTECTED_MB --hold -1 -q >/dev/null
        PROTECTED_SCOPE=$(scope_of "$(cid $PROTECTED)")
        PROTECTED_STARTED=$(docker inspect -f '{{.State.StartedAt}}' $PROTECTED)
        wait_for 60000 protected_holds
}
protected_holds() {
        local cur
        rd cur "$PROTECTED_SCOPE/memory.current" || return 1
        [ "$cur" -ge $(((PROTECTED_MB - 4) * MIB)) ]
}
protected_intact() {
        [ "$(docker inspect -f '{{.State.Running}} {{.State.StartedAt}} {{.RestartCount}}' $PROTECTED)" = \
          "true $PROTECTED_STARTED 0" ] && protected_holds
}
limit_is() { local v; rd v "$1" && [ "$v" = "$2" ]; }
quiet_memory() { mem_used; [ "$MEM_USED" -lt 400 ]; }

# First decision of GUARD at or after T0_US, in µs since the epoch (empty: none).
decision_us() {
        local guard=$1 t0_us=$2 since=$(($2 / 1000000 - 1)) line
        case $guard in
        governor*)
                line=$(journalctl -q -o short-unix --since "@$since" GOVERNOR_ACTION=kill + GOVERNOR_ACTION=stop |
                        head -n 1) ;;
        earlyoom) line=$(journalctl -q -o short-unix --since "@$since" -u earlyoom | grep -m1 'sending SIG') ;;
        oomd) line=$(journalctl -q -o short-unix --since "@$since" -u systemd-oomd | grep -m1 'Killed') ;;
        *) line= ;;
        esac
        [ -n "$line" ] || return 0
        local ts=${line%% *}
        ts=${ts/./}
        [ "$ts" -ge "$t0_us" ] && echo "$ts"
}

# runaway_run GUARD RUN FREEZE: one runaway; prints a BENCH line; returns 0
# when it was contained (no kernel OOM kill, the protected container intact).
runaway_run() {
        local guard=$1 run=$2 freeze=$3
        local id scope t0 cur peak=0 grew=0 freed= oom0 oom dec dpids= rc=0
        rm -rf "$GO_DIR"
        mkdir -p "$GO_DIR"
        docker rm -f $RUNAWAY >/dev/null 2>&1
        id=$(docker run -d --name $RUNAWAY --network none -v "$GO_DIR:/go" bb:latest sh -c \
                "while [ ! -e /go/go ]; do sleep 0.1; done; exec hog --target $RUNAWAY_TARGET_MB --rate $RUNAWAY_RATE_MB -q")
        scope=$(scope_of "$id")
        # The rule's limits are in place before the runaway begins (not measured here).
        case $guard in governor*) wait_for 30000 limit_is "$scope/memory.max" 8589934592 ;; esac
        wait_for 30000 quiet_memory
        oom0=$(oom_kills)
        if [ "$freeze" = 1 ]; then
                dpids=$(pgrep -x dockerd; pgrep -x containerd)
                kill -STOP $dpids
        fi
        now
        t0=$NOW_US
        : >"$GO_DIR/go"
        while :; do
                now
                mem_used
                [ "$MEM_USED" -gt "$peak" ] && peak=$MEM_USED
                rd cur "$scope/memory.current" || cur=0
                [ "$cur" -ge $((64 * MIB)) ] && grew=1
                if [ "$grew" = 1 ] && [ "$cur" -lt $((16 * MIB)) ]; then
                        freed=$NOW_US
                        break
                fi
                [ $(((NOW_US - t0) / 1000)) -ge $RUNAWAY_DEADLINE_MS ] && break
                nap 0.05
        done
        [ -n "$dpids" ] && kill -CONT $dpids
        oom=$(($(oom_kills) - oom0))
        dec=$(decision_us "$guard" "$t0")
        local intact=intact
        wait_for 20000 protected_intact || intact=LOST
        local dec_ms=- freed_ms=- gone_ms=-
        [ -n "$dec" ] && dec_ms=$(((dec - t0) / 1000))
        [ -n "$freed" ] && gone_ms=$(((freed - t0) / 1000))
        [ -n "$dec" ] && [ -n "$freed" ] && freed_ms=$(((freed - dec) / 1000))
        say "BENCH guard=$guard run=$run decision_ms=$dec_ms freed_ms=$freed_ms gone_ms=$gone_ms oom_kills=$oom peak_permille=$peak protected=$intact"
        [ "$oom" = 0 ] && [ "$intact" = intact ] || rc=1
        docker rm -f $RUNAWAY >/dev/null 2>&1
        wait_for 30000 quiet_memory
        # Past the governor's tier hysteresis and hold before the next run.
        sleep 3
        return $rc
}

# runaway_scenario NAME FREEZE RUNS: contained in RUNS of RUNS.
runaway_scenario() {
        local name=$1 freeze=$2 runs=$3 i ok=0
        protected_start
        check "protected-holds-${PROTECTED_MB}MiB" protected_holds
        for ((i = 1; i <= runs; i++)); do
                if runaway_run "governor$([ "$freeze" = 1 ] && echo -frozen)" "$i" "$freeze"; then
                        ok=$((ok + 1))
                        say "CHECK $name-run$i ok"
                else
                        say "CHECK $name-run$i FAILED"
                        FAILURES=$((FAILURES + 1))
                        # a lost protected container is started again for the next run
                        protected_intact || protected_start
                fi
                flush_results
        done
        docker rm -f $PROTECTED >/dev/null 2>&1
        verdict "$name" "contained=$ok/$runs"
}

guard_select() { # none | governor | earlyoom | oomd
        systemctl stop earlyoom.service systemd-oomd.service systemd-oomd.socket 2>/dev/null
        rm -rf /run/systemd/system/system.slice.d
        case $1 in
        none|earlyoom|oomd) systemctl stop $GOVERNOR ;;
        governor*) systemctl start $GOVERNOR; wait_for 60000 governor_active ;;
        esac
        case $1 in
        earlyoom) systemctl start earlyoom.service ;;
        oomd)
                mkdir -p /run/systemd/system/system.slice.d
                printf '[Slice]\nManagedOOMMemoryPressure=kill\n' >/run/systemd/system/system.slice.d/50-oomd.conf
                systemctl daemon-reload
                systemctl start systemd-oomd.service ;;
        esac
        systemctl daemon-reload
        sleep 2
}

bench_all() { # bench_all RUNS GUARD...
        local runs=$1 guard i
        shift
        protected_start
        for guard in "$@"; do
                guard_select "$guard"
                say "GUARD $guard"
                for ((i = 1; i <= runs; i++)); do
                        runaway_run "$guard" "$i" "$([ "$guard" = governor-frozen ] && echo 1 || echo 0)"
                        protected_intact || protected_start
                        flush_results
                done
        done
}
