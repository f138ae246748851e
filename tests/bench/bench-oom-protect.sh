#!/bin/bash
# bench-oom-protect — issue 14's VM scenario (tests/kernel/scenarios/
# oom-protect.sh) RUNS times with the governor's kernel-side protections and
# RUNS times without (no governor: nothing tells the kernel what is
# protected), printed as a Markdown table.
#
#   bench-oom-protect.sh BUILD_DIR [RUNS]     (RUNS: 20 for the record)
#
# A run: a protected db (two workers, 250 MiB, the largest process) beside
# a low-priority hog growing 150 MB/s toward 400 MiB in a 512 MiB VM; the
# governor's marks are 97/98/99% (hold 5 s), so the kernel OOM killer acts.
# The consoles are kept in BUILD_DIR/bench-oom-protect/.
# Exit 0, 1 when a VM gives no verdict, 77 when qemu/kernel are missing.
set -uo pipefail

build=$(cd "$1" && pwd)
runs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
run_vm=$here/../kernel/run-vm.sh
initrd=$build/tests/kernel/initramfs.gz
ninja -C "$build" tests/kernel/initramfs.gz >/dev/null || exit 1
out=$build/bench-oom-protect
mkdir -p "$out"

for mode in governor none; do
        "$run_vm" --raw --mem 512 --timeout $((60 + runs * 12)) --append "mode=$mode runs=$runs" \
                "$initrd" oom-protect >"$out/$mode.log"
        rc=$?
        [ $rc = 77 ] && exit 77
        grep -q "^RESULT name=oom-protect " "$out/$mode.log" || {
                echo "bench-oom-protect: $mode gave no verdict:" >&2
                tail -50 "$out/$mode.log" >&2
                exit 1
        }
done

echo "Kernel OOM killer first: a protected db (two workers, 250 MiB, the largest process) beside a"
echo "low-priority hog growing 150 MB/s toward 400 MiB, 512 MiB VM without swap, governor marks"
echo "97/98/99% (hold 5 s) so the kernel acts first; $runs runs each. with: the governor's"
echo "oom_score_adj (db -998, hog 990, a small middle-priority service 501 with memory.low/min)"
echo "and memory.oom.group on hog; without: no governor."
echo
echo "| protections | runs | db kept every process | kernel OOM kills | of them in hog | of them in db | governor kills |"
echo "|-------------|-----:|----------------------:|-----------------:|---------------:|--------------:|---------------:|"
for mode in governor none; do
        tr -d '\r' <"$out/$mode.log" | awk -v label="$([ $mode = governor ] && echo with || echo without)" '
                /^BENCH name=oom-protect / {
                        n++
                        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        if (v["db"] == "intact") intact++
                        k += v["kernel_kills"]; h += v["in_hog"]; d += v["in_db"]; g += v["governor_kills"]
                }
                END { printf "| %s | %d | %d/%d | %d | %d | %d | %d |\n", label, n, intact, n, k, h, d, g }'
done
grep -h "^RESULT" "$out"/*.log | tr -d '\r' | sed 's/^/    /'
