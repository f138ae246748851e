#!/bin/bash
# test-log-slices — log pruning in bounded slices (issue 13): 1,500 expired
# files in one [logs:] directory.
#   - `cleanup --dry-run` answers with at most 1,000 items (of 1,500 files and
#     the journal vacuum) and says how many
#     it left out (JSON left_out, the table's "... and N more");
#   - the real cleanup removes every expired file and keeps the fresh one,
#     deleting at most 64 per loop iteration (the control socket answers
#     status in between);
#   - the journal has one summary for the [logs:] section, the per-file lines
#     only at debug level.
# env: GOVERNOR, GOVCTL. Needs root and jq; exits 77 without them (CI: fail).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init gov-ls jq

mkdir -p "$T/logs" "$T/state"
chmod 0700 "$T/state"
for i in $(seq 1500); do
        echo "line $i" >"$T/logs/old-$i.log"
done
touch -d '10 days ago' "$T"/logs/old-*.log
echo fresh >"$T/logs/new.log"
cat >"$T/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $T/no-docker.sock

[memory]
warning = 98%
critical = 98.5%
emergency = 99%

[logs:app]
dir = $T/logs
pattern = *.log
max_age = 1d
CONF

start_governor "$T/governor.conf" "$T/state"

echo "# a dry-run reply is bounded and says what it left out"
ctl --json cleanup --dry-run >"$T/dry.json" || fail "cleanup --dry-run failed"
jq -e '(.items | length) == 1000 and .left_out == 501 and .dry_run == true' "$T/dry.json" \
        >/dev/null || fail "dry-run reply: $(jq -c '{n: (.items | length), left_out}' "$T/dry.json")"
ctl cleanup --dry-run >"$T/dry.txt" || fail "cleanup --dry-run (table) failed"
grep -q "^... and 501 more not listed" "$T/dry.txt" || fail "the table does not say 501 more"
grep -q "in 1501 items" "$T/dry.txt" || fail "the table's total: $(tail -n 1 "$T/dry.txt")"
[ "$(find "$T/logs" -name 'old-*.log' | wc -l)" = 1500 ] || fail "the dry-run deleted files"

echo "# the real cleanup, in slices"
ctl cleanup >/dev/null || fail "cleanup failed"
[ "$(find "$T/logs" -name 'old-*.log' | wc -l)" = 0 ] || fail "expired logs left"
[ -e "$T/logs/new.log" ] || fail "the fresh log was deleted"
n=$(grep -c "cleanup: removed file" "$LOG")
[ "$n" = 0 ] || fail "$n per-file lines above debug level"
[ "$(grep -c "cleanup prune-logs: 1500 file(s) removed" "$LOG")" = 1 ] ||
        fail "no single summary for the [logs:] section: $(grep "cleanup prune-logs" "$LOG")"
ctl --json history | jq -e 'any(.[]; .kind == "prune-logs" and .result == "done")' >/dev/null ||
        fail "no prune-logs entry done in the history"

stop_governor
gov_finish "log pruning in slices"
