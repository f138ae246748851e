#!/bin/bash
# bench-kernel — the VM benchmarks (tests/kernel scenarios "containment" and
# "latency"), printed as Markdown tables.
#
#   bench-kernel.sh BUILD_DIR [RUNS] [containment|latency ...]
#
# containment: the runaway (150 MB/s beside a protected 100M holder in a
#   457 MiB VM) RUNS times each with the governor, with earlyoom (default
#   arguments) and with neither.
# latency: the same runaway with the governor at its 1 s default tick;
#   kernel PSI trigger → governor wake-up → action, from the guest's
#   CLOCK_MONOTONIC (see tests/kernel/scenarios/latency.sh).
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
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sutazai-bench-kernel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

vm() { # SCENARIO TIMEOUT APPEND OUTPUT
        "$run_vm" --raw --timeout "$2" --append "$3" "$initrd" "$1" >"$4"
        local rc=$?
        [ $rc = 77 ] && exit 77
        grep -q "^RESULT name=$1 " "$4" || { echo "bench-kernel: $1 ($3) gave no verdict:" >&2; cat "$4" >&2; return 1; }
        return $rc
}

containment() {
        local mode
        for mode in governor earlyoom none; do
                vm containment $((40 + runs * 25)) "mode=$mode runs=$runs" "$tmp/containment-$mode.log" || return 1
        done
        echo "Containment: a runaway cgroup allocating 150 MB/s toward 600 MiB beside a protected"
        echo "cgroup holding 100 MiB, in a 512 MiB VM without swap ($runs runs each). Recovery: runaway"
        echo "start until host memory in use is back under 50%."
        echo
        echo "| guard | runs | protected survived | global OOM kills | runaway contained | recovery ms (median) | recovery ms (max) | peak memory in use |"
        echo "|-------|-----:|-------------------:|-----------------:|------------------:|---------------------:|------------------:|-------------------:|"
        for mode in governor earlyoom none; do
                grep '^BENCH name=containment ' "$tmp/containment-$mode.log" | awk -v mode="$mode" '
                {
                        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        n++
                        alive += v["protected"] == "alive"
                        ooms += v["oom_kills"]
                        contained += v["contained"] == "yes"
                        if (v["recovery_ms"] != "none") rec[++nrec] = v["recovery_ms"] + 0
                        if (v["peak_percent"] + 0 > peak) peak = v["peak_percent"] + 0
                }
                END {
                        # sort recoveries (insertion sort: a handful of runs)
                        for (i = 2; i <= nrec; i++) { x = rec[i]; for (j = i - 1; j >= 1 && rec[j] > x; j--) rec[j + 1] = rec[j]; rec[j + 1] = x }
                        med = nrec ? rec[int((nrec + 1) / 2)] : "—"
                        mx = nrec ? rec[nrec] : "—"
                        if (nrec && nrec < n) { med = med " (" nrec "/" n " recovered)" }
                        if (!nrec) { med = "never (0/" n ")" }
                        printf "| %s | %d | %d/%d | %d | %d/%d | %s | %s | %d%% |\n", mode, n, alive, n, ooms, contained, n, med, mx, peak
                }'
        done
        echo
}

latency() {
        vm latency $((40 + runs * 30)) "runs=$runs" "$tmp/latency.log" || return 1
        echo "Detection latency: the same runaway, governor at its default 1 s tick, kernel PSI trigger"
        echo "\"some 50ms 500ms\" on /proc/pressure/memory (guest CLOCK_MONOTONIC; ms)."
        echo
        echo "| run | stall start → first action | kernel notice → governor wake-up (median) | trigger wake-up → action (median, n) | actions after a trigger / after a tick | first action |"
        echo "|----:|---------------------------:|-----------------------------------------:|------------------------------------:|-----------------------------------:|--------------|"
        awk '
        function median(a, n,    i, j, x) {
                for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                return n ? sprintf("%.2f", a[int((n + 1) / 2)]) : "—"
        }
        function flush() {
                if (run == "") return
                stall_to = (stall && first_action) ? sprintf("%.1f", (first_action - stall) / 1000) : "—"
                printf "| %s | %s | %s | %s (%d) | %d / %d | %s |\n", run, stall_to, median(wake, nwake), median(act, nact), nact, by_trigger, by_tick, first_kind ? first_kind : "none"
                delete wake; delete act; delete ktrig
                nwake = nact = nktrig = by_trigger = by_tick = 0; stall = first_action = 0; first_kind = ""; reason = ""
        }
        $1 == "RUN" {
                if ($2 != run) { flush(); run = $2 }
                if ($3 ~ /^PSIWATCH/) {
                        for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        if (v["event"] == "stall-start") stall = v["t_us"]
                        if (v["event"] == "trigger") ktrig[++nktrig] = v["t_us"]
                        next
                }
                if ($3 != "GOVLOG") next
                ts = $4
                line = $0
                if (match(line, /PSI trigger [^ ]+ at [0-9]+us/)) {
                        s = substr(line, RSTART, RLENGTH); sub(/us$/, "", s); n = split(s, w, " ")
                        notice = w[n] + 0
                        # the observer'"'"'s wake-up for the same kernel event: the latest at or before ours + 50 ms
                        best = -1
                        for (i = 1; i <= nktrig; i++) if (ktrig[i] <= notice + 50000 && ktrig[i] >= notice - 500000) best = ktrig[i]
                        if (best >= 0) wake[++nwake] = (notice - best) / 1000
                        next
                }
                if (match(line, /evaluation \([^)]*\)/)) { reason = substr(line, RSTART, RLENGTH); next }
                if (match(line, /GOVERNOR_ACTION=[a-z]+/)) {
                        kind = substr(line, RSTART + 16, RLENGTH - 16)
                        if (kind == "limit") next
                        if (!first_action) { first_action = ts; first_kind = kind }
                        if (reason ~ /pressure/) { by_trigger++; act[++nact] = (ts - notice) / 1000 }
                        else by_tick++
                }
        }
        END { flush() }' "$tmp/latency.log"
        echo
        grep '^BENCH name=latency run=[0-9]* oom_kills' "$tmp/latency.log" | sed 's/^BENCH /    /'
        echo
}

status=0
for b in "${which[@]}"; do
        "$b" || status=1
done
exit $status
