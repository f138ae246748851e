# lib.sh — helpers of the host suite's guest scripts (bash, inside the VM).
#
# Output contract with the host (run-host.sh, bench-host.sh):
#   CHECK name ok|FAILED                       each assertion
#   RESULT name=SCENARIO status=pass|fail ...   a scenario's verdict
#   BENCH guard=... run=N key=value ...         one benchmark measurement
#   DONE                                        the driver got to the end
# Every line goes to stdout (the serial console) and to $RESULTS, which is
# copied to the second virtio disk after each scenario.
RESULTS=/run/host-test/results
RESULTS_DISK=/dev/vdb
CG=/sys/fs/cgroup
GOVERNOR=sutazai-governor.service
FAILURES=0
mkdir -p /run/host-test

say() {
        echo "$*"
        echo "$*" >>"$RESULTS"
}
# Written whole from offset 0: the file only grows, so a later copy covers
# an earlier one; conv=fsync so a hang or forced power-off loses nothing.
flush_results() { dd if="$RESULTS" of="$RESULTS_DISK" conv=fsync,notrunc status=none 2>/dev/null || true; }

check() { # check NAME COMMAND...
        local what=$1
        shift
        if "$@"; then
                say "CHECK $what ok"
        else
                say "CHECK $what FAILED"
                FAILURES=$((FAILURES + 1))
        fi
}
verdict() { # verdict NAME [key=value ...]
        local name=$1
        shift
        if [ "$FAILURES" = 0 ]; then
                say "RESULT name=$name status=pass $*"
        else
                say "RESULT name=$name status=fail failures=$FAILURES $*"
        fi
        FAILURES=0
        flush_results
}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
# The sampling loops fork nothing: under TCG a fork costs milliseconds.
#   now          NOW_US = µs since the epoch
#   mem_used     MEM_USED = memory in use (MemTotal - MemAvailable), permille
#   rd VAR FILE  VAR = FILE's first line; fails when FILE is unreadable
#   nap SECONDS  sleep, without exec'ing sleep(1)
now() { NOW_US=${EPOCHREALTIME/./}; }
rd() { read -r "$1" <"$2" 2>/dev/null; }
mkfifo /run/host-test/nap 2>/dev/null
exec 8<>/run/host-test/nap
nap() { read -rt "$1" -u 8 _; }
now_ms() { local t=$EPOCHREALTIME; t=${t/./}; echo "${t:0:-3}"; }
# wait_for TIMEOUT_MS COMMAND...: poll every 100 ms.
wait_for() {
        local deadline
        now
        deadline=$((NOW_US + $1 * 1000))
        shift
        until "$@"; do
                now
                [ "$NOW_US" -ge "$deadline" ] && return 1
                nap 0.1
        done
}

oom_kills() { local k v; while read -r k v; do [ "$k" = oom_kill ] && echo "$v"; done </proc/vmstat; }
mem_used() {
        local k v u t=0 a=0
        while read -r k v u; do
                case $k in
                MemTotal:) t=$v ;;
                MemAvailable:) a=$v; break ;;
                esac
        done </proc/meminfo
        MEM_USED=$(((t - a) * 1000 / t))
}
read_file() { local v; read -r v <"$1" 2>/dev/null && echo "$v"; }
scope_of() { echo "$CG/system.slice/docker-$1.scope"; } # a full container id
cid() { docker inspect -f '{{.Id}}' "$1" 2>/dev/null; }
unit_prop() { systemctl show -p "$2" --value "$1"; }

# bb:latest: busybox-static and the static hog, no registry needed.
import_image() {
        docker image inspect bb:latest >/dev/null 2>&1 && return 0
        local img a
        img=$(mktemp -d)
        mkdir -p "$img/bin" "$img/tmp" "$img/go"
        cp /bin/busybox "$img/bin/busybox"
        for a in sh sleep cat dd head ls true; do ln -s busybox "$img/bin/$a"; done
        cp /usr/local/bin/hog "$img/bin/hog"
        tar -C "$img" -c . | docker import - bb:latest >/dev/null
        rm -rf "$img"
}

governor_active() { [ "$(unit_prop $GOVERNOR ActiveState)" = active ]; }
