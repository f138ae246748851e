#!/bin/bash
# bench-host — containment on the production-like VM (tests/host): the same
# runaway (sutazai-ollama allocating 150 MB/s toward 3000 MB in a 2 GiB VM,
# beside the protected sutazai-postgres holding 200 MiB), side by side in one
# boot with no guard, the governor (shipped config, as installed), the
# governor with dockerd and containerd frozen (SIGSTOP) for the whole
# runaway, earlyoom (Debian defaults) and systemd-oomd
# (ManagedOOMMemoryPressure=kill on system.slice, Debian defaults).
# Printed as a Markdown table.
#
#   bench-host.sh BUILD_DIR [RUNS] [GUARD,...]
#
# RUNS per guard (default 20: the record; CI-sized checks use 5).
# Columns (median, min-max over the runs that have the value):
#   decision     runaway start → the guard's first kill/stop (journal time)
#   dec → freed  that decision → the runaway's memory.current below 16 MiB
#   start → freed runaway start → the same (whoever freed it, the kernel included)
#   OOM kills    kernel OOM kills (/proc/vmstat oom_kill), runs with any / all
#   peak         memory in use (MemTotal - MemAvailable) at its highest
#   protected    runs after which postgres still ran, unrestarted, holding its memory
# The raw results are kept in BUILD_DIR/bench-host/.
# Exit 0, 1 when the VM run fails, 77 when a part is missing (outside CI).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: bench-host.sh BUILD_DIR [RUNS] [GUARD,...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
runs=${2:-20}
guards=${3:-none,governor,governor-frozen,earlyoom,oomd}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=$build/bench-host
mkdir -p "$out"
n_guards=$(tr ',' '\n' <<<"$guards" | wc -l)
# ~60 s per run under TCG at worst (a run the guard never ends), plus boot.
timeout=$((600 + runs * n_guards * 60))

"$src/tests/host/run-host.sh" --raw --mode "bench:$runs:$guards" --timeout "$timeout" \
        --log "$out/console.log" "$src" "$out/work" >"$out/results.txt"
rc=$?
[ "$rc" = 0 ] || exit "$rc"
grep -q '^DONE' "$out/results.txt" || { echo "bench-host: the VM did not finish (see $out)" >&2; exit 1; }

python3 - "$out/results.txt" "$guards" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("BENCH "):
        continue
    kv = dict(f.split("=", 1) for f in line.split()[1:])
    rows.setdefault(kv["guard"], []).append(kv)

def spread(vals):
    vals = [int(v) for v in vals if v not in ("-", "")]
    if not vals:
        return "—"
    return "%.2f s (%.2f–%.2f)" % (statistics.median(vals) / 1000, min(vals) / 1000, max(vals) / 1000)

names = {"none": "no guard", "governor": "sutazai-governor",
         "governor-frozen": "sutazai-governor, dockerd frozen",
         "earlyoom": "earlyoom (defaults)", "oomd": "systemd-oomd (Debian defaults)"}
print("| guard | runs | decision | decision → freed | start → freed | kernel OOM kills | peak in use | protected intact |")
print("|---|---|---|---|---|---|---|---|")
for g in sys.argv[2].split(","):
    rs = rows.get(g, [])
    if not rs:
        print("| %s | 0 | — | — | — | — | — | — |" % names.get(g, g))
        continue
    kills = sum(int(r["oom_kills"]) for r in rs)
    runs_oom = sum(1 for r in rs if int(r["oom_kills"]) > 0)
    peaks = [int(r["peak_permille"]) / 10 for r in rs]
    intact = sum(1 for r in rs if r["protected"] == "intact")
    print("| %s | %d | %s | %s | %s | %d (in %d of %d runs) | %.1f%% (%.1f–%.1f) | %d/%d |" % (
        names.get(g, g), len(rs), spread(r["decision_ms"] for r in rs),
        spread(r["freed_ms"] for r in rs), spread(r["gone_ms"] for r in rs), kills, runs_oom, len(rs),
        statistics.median(peaks), min(peaks), max(peaks), intact, len(rs)))
PY
