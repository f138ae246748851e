#!/bin/bash
# bench-kernel — the VM benchmarks (tests/kernel scenarios "containment" and
# "latency"), printed as Markdown tables.
#
#   bench-kernel.sh BUILD_DIR [RUNS] [containment|latency ...]
#
# containment: the runaway (150 MB/s beside a protected 100M holder in a
#   457 MiB VM) RUNS times each with the governor, with earlyoom (default
#   arguments) and with neither.
# latency: a memory.high-throttled allocator (continuous PSI stalls) with
#   the governor at its 1 s default tick; kernel PSI trigger notice → action
#   from the guest's CLOCK_MONOTONIC (see tests/kernel/scenarios/latency.sh).
# idle: 100 cgroups below one directory, one sleeping process each, all
#   managed; the governor's and earlyoom's CPU over 60 s, RUNS boots (pure
#   cgroup v2 with pids.current, as on a production host; not run by default).
# Each VM's console is kept in BUILD_DIR/bench-kernel/.
# Exit 0, 1 when a VM run fails, 77 when qemu/kernel are missing (outside CI).
set -uo pipefail

build=$(cd "$1" && pwd)
runs=${2:-5}
shift $(($# >= 2 ? 2 : 1))
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(containment latency)
here=$(cd "$(dirname "$0")" && pwd)
run_vm=$here/../kernel/run-vm.sh
initrd=$build/tests/kernel/initramfs.gz
ninja -C "$build" tests/kernel/initramfs.gz >/dev/null || exit 1
# The VM consoles are kept for reading: BUILD_DIR/bench-kernel/*.log
tmp=$build/bench-kernel
mkdir -p "$tmp"

vm() { # SCENARIO TIMEOUT APPEND OUTPUT
        "$run_vm" --raw --timeout "$2" --append "$3" "$initrd" "$1" >"$4"
        local rc=$?
        [ $rc = 77 ] && exit 77
        grep -q "^RESULT name=$1 " "$4" || { echo "bench-kernel: $1 ($3) gave no verdict:" >&2; cat "$4" >&2; return 1; }
        return $rc
}

containment() {
        local mode
        for mode in governor governor-defaults earlyoom none; do
                vm containment $((40 + runs * 25)) "mode=$mode runs=$runs" "$tmp/containment-$mode.log" || return 1
        done
        echo "Containment: a runaway cgroup allocating 150 MB/s toward 600 MiB beside a protected"
        echo "cgroup holding 100 MiB, in a 512 MiB VM without swap ($runs runs each). Contained: the"
        echo "runaway was stopped (killed or throttled) with no kernel OOM kill. Growth stopped: runaway start"
        echo "until memory in use last reached a new peak. Recovery: runaway start until memory in use is"
        echo "back under 50% (within 12 s). governor: the runaway-contained configuration (marks 50/65/80%,"
        echo "hold 200 ms, tick 100 ms, trigger some 50ms 500ms); governor-defaults: the same rules, every other"
        echo "key at its shipped default (marks 65/80/90%, hold 5 s, tick 1 s, trigger some 150ms 1s);"
        echo "earlyoom: no arguments (acts at 10% available)."
        echo
        echo "| guard | runs | protected survived | kernel OOM kills | runaway contained | growth stopped ms (median) | recovery ms (median) | recovery ms (max) | peak memory in use |"
        echo "|-------|-----:|-------------------:|-----------------:|------------------:|---------------------------:|---------------------:|------------------:|-------------------:|"
        for mode in governor governor-defaults earlyoom none; do
                grep '^BENCH name=containment ' "$tmp/containment-$mode.log" | awk -v mode="$mode" '
                {
                        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        n++
                        alive += v["protected"] == "alive"
                        ooms += v["oom_kills"]
                        contained += v["contained"] == "yes"
                        if (v["recovery_ms"] != "none") rec[++nrec] = v["recovery_ms"] + 0
                        grow[++ngrow] = v["growth_stopped_ms"] + 0
                        if (v["peak_percent"] + 0 > peak) peak = v["peak_percent"] + 0
                }
                END {
                        # sort recoveries (insertion sort: a handful of runs)
                        for (i = 2; i <= nrec; i++) { x = rec[i]; for (j = i - 1; j >= 1 && rec[j] > x; j--) rec[j + 1] = rec[j]; rec[j + 1] = x }
                        for (i = 2; i <= ngrow; i++) { x = grow[i]; for (j = i - 1; j >= 1 && grow[j] > x; j--) grow[j + 1] = grow[j]; grow[j + 1] = x }
                        gmed = ngrow ? grow[int((ngrow + 1) / 2)] : "—"
                        med = nrec ? rec[int((nrec + 1) / 2)] : "—"
                        mx = nrec ? rec[nrec] : "—"
                        if (nrec && nrec < n) { med = med " (" nrec "/" n " recovered)" }
                        if (!nrec) { med = "never (0/" n ")" }
                        printf "| %s | %d | %d/%d | %d | %d/%d | %s | %s | %s | %d%% |\n", mode, n, alive, n, ooms, contained, n, gmed, med, mx, peak
                }'
        done
        echo
}

latency() {
        vm latency $((40 + runs * 30)) "runs=$runs" "$tmp/latency.log" || return 1
        echo "Detection latency: a cgroup throttled at its memory.high (120M) by a 150 MB/s allocator,"
        echo "the host at the warning mark, governor at its default 1 s tick, PSI trigger \"some 50ms 500ms\""
        echo "(guest CLOCK_MONOTONIC, ms; TCG emulation makes every figure slower than on hardware)."
        echo "Trigger notice: the monotonic time the governor read when the kernel woke it. Decision: its"
        echo "\"evaluation\" log line (sampled and decided, before acting). Action done: the action's own log"
        echo "line, written after the kernel finished it (memory.reclaim is synchronous kernel work). Only"
        echo "actions decided in a trigger wake-up count. Stall start: labtool psiwatch sees the PSI total"
        echo "grow (5 ms sampling). Log lines are stamped as they leave the governor's stderr (labtool ts)."
        echo
        echo "| run | stall start → first action | trigger notice → decision (median) | trigger notice → action done (median, n) | actions from a trigger / from a tick | kernel notices: observer / governor (host) | first action |"
        echo "|----:|---------------------------:|-----------------------------------:|-----------------------------------------:|-------------------------------------:|--------------------------------------------:|--------------|"
        awk '
        function median(a, n,    i, j, x) {
                for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                return n ? sprintf("%.1f", a[int((n + 1) / 2)]) : "—"
        }
        function flush() {
                if (run == "") return
                stall_to = (stall && first_after) ? sprintf("%.1f", (first_after - stall) / 1000) : "—"
                printf "| %s | %s | %s | %s (%d) | %d / %d | %d / %d | %s |\n", run, stall_to, median(dec, ndec), median(act, nact), nact, by_trigger, by_tick, nktrig, nghost, first_kind ? first_kind : "none"
                delete act; delete dec
                nact = ndec = nktrig = nghost = by_trigger = by_tick = 0; stall = first_after = 0; first_kind = ""; reason = ""; notice = 0
        }
        $1 == "RUN" {
                if ($2 != run) { flush(); run = $2 }
                if ($3 ~ /^PSIWATCH/) {
                        for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        if (v["event"] == "stall-start") stall = v["t_us"]
                        if (v["event"] == "trigger") nktrig++
                        next
                }
                if ($3 != "GOVLOG") next
                ts = $4
                line = $0
                if (match(line, /PSI trigger [^ ]+ at [0-9]+us/)) {
                        s = substr(line, RSTART, RLENGTH); sub(/us$/, "", s); n = split(s, w, " ")
                        notice = w[n] + 0
                        if (w[3] == "host") nghost++
                        next
                }
                if (match(line, /evaluation \([^)]*\)/)) {
                        reason = substr(line, RSTART, RLENGTH)
                        if (reason ~ /pressure/ && notice) dec[++ndec] = (ts - notice) / 1000
                        next
                }
                if (match(line, /GOVERNOR_ACTION=[a-z]+/)) {
                        kind = substr(line, RSTART + 16, RLENGTH - 16)
                        if (kind == "limit" || kind == "oom") next
                        if (stall && !first_after && ts >= stall) { first_after = ts; first_kind = kind }
                        if (reason ~ /pressure/ && notice) { by_trigger++; act[++nact] = (ts - notice) / 1000 }
                        else by_tick++
                }
        }
        END { flush() }' "$tmp/latency.log"
        echo
        grep '^BENCH name=latency run=[0-9]* oom_kills' "$tmp/latency.log" | sed 's/^BENCH /    /'
        echo
}

idle() {
        local i
        for i in $(seq "$runs"); do
                vm idle 150 "secs=60" "$tmp/idle-$i.log" || return 1
        done
        echo "Idle with 100 populated cgroups (tests/kernel/scenarios/idle.sh): CPU over 60 s in the"
        echo "512 MiB VM (TCG: every figure slower than on hardware; the ratio is what compares)."
        echo
        echo "| boot | governor ms | earlyoom ms | ratio |"
        echo "|-----:|------------:|------------:|------:|"
        for i in $(seq "$runs"); do
                grep '^BENCH name=idle ' "$tmp/idle-$i.log" | awk -v run="$i" '{
                        for (k = 3; k <= NF; k++) { split($k, kv, "="); v[kv[1]] = kv[2] }
                        printf "| %d | %.1f | %.1f | %.2f |\n", run, v["governor_us"] / 1000,
                                v["earlyoom_us"] / 1000, v["governor_us"] / v["earlyoom_us"]
                }'
        done
        echo
}

status=0
for b in "${which[@]}"; do
        "$b" || status=1
done
exit $status
