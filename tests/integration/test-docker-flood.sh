#!/bin/bash
# test-docker-flood — the real governor against a Docker Engine (Docker 29,
# impersonated by tests/lib/fake_engine.py --flood) that streams container
# events as fast as it can (~10k/s asked) for 2000 ids whose inspects never
# answer (issue 13):
#   - the governor's RSS (core and Docker helper together) stays within
#     32 MiB of its value before the flood;
#   - `sutazai-govctl status` keeps answering (each within 2 s: a generous
#     bound; latency figures belong in the stall benchmark);
#   - inspects stay bounded (a few in flight at a time, not one per id);
#   - a container started during the flood is limited once the flood is over
#     (the governor lists the containers again), and the flood is logged.
#
# env: GOVERNOR, GOVCTL. Needs root, python3, jq, curl.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/fake_engine.sh
. "$here/../lib/fake_engine.sh"
# Under AddressSanitizer freed memory sits in a quarantine (256 MiB by
# default): keep it small so RSS measures the governor, not the sanitizer.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
# The governor is two processes: the core and its Docker helper
# (sutazai-governor-docker, the child that holds libcurl and reads the event
# stream): the flood must bloat neither, so RSS is the two together.
rss_kib() {
        local h
        h=$(gov_helper_pid)
        awk '/^VmRSS:/ { s += $2 } END { print s + 0 }' "/proc/$gov_pid/status" \
                ${h:+"/proc/$h/status"} 2>/dev/null
}
upd='.method == "POST" and .body == "{\"Memory\":67108864,\"MemorySwap\":67108864}"'

fake_start 29 --flood
fake POST /_fake/images '{"tags":["bb:latest"]}' >/dev/null || die "fake engine: $(cat "$T/fake.err")"
sleeper web1
web1=$(fake POST /_fake/containers "{\"name\":\"web-1\",\"pid\":$SPID}" | jq -r .Id)

cat >"$T/gov.conf" <<CONF
[governor]
interval = 200ms

$(gov_memory_section calm)

[container:web]
match = name:web-*
memory_max = 64M
CONF
mkdir -m 0700 "$T/state"
start_governor "$T/gov.conf" "$T/state"
wait_req "$upd and (.path | endswith(\"$web1/update\"))" 10 || die "web-1 was never limited"
sleep 0.5
rss0=$(rss_kib)

echo "# flood: 10k events/s asked for 8 s, inspects never answered (RSS before: $rss0 KiB)"
fake POST /_fake/flood '{"rate":10000,"seconds":8}' >/dev/null || die "fake refused the flood"
sleep 1
sleeper web2
web2=$(fake POST /_fake/containers "{\"name\":\"web-2\",\"pid\":$SPID}" | jq -r .Id)
rss_max=$rss0
slow=0
answers=0
end=$(($(date +%s) + 7))
while [ "$(date +%s)" -lt "$end" ]; do
        kill -0 "$gov_pid" 2>/dev/null || die "governor died in the flood"
        if timeout 2 "$GOVCTL" --socket "$CTL" status >/dev/null 2>&1; then
                answers=$((answers + 1))
        else
                slow=$((slow + 1))
        fi
        r=$(rss_kib)
        [ "$r" -gt "$rss_max" ] && rss_max=$r
        sleep 0.3
done
growth=$(((rss_max - rss0) / 1024))
events=$(fake GET /_fake/state | jq .events)
echo "  the engine streamed $events events; status answered $answers times, $slow not within 2 s; RSS max $rss_max KiB (+$growth MiB)"
[ "$slow" = 0 ] || fail "status did not answer within 2 s $slow time(s) during the flood"
[ "$answers" -ge 5 ] || fail "status answered only $answers times"
[ "$growth" -lt 32 ] || fail "RSS grew by $growth MiB in the flood (bound: 32)"

# after the flood: one re-list, web-2 (started during it) limited
wait_req "$upd and (.path | endswith(\"$web2/update\"))" 15 ||
        fail "web-2, started during the flood, was not limited after it"
flood_inspects=$(jq -s --arg w1 "$web1" --arg w2 "$web2" '[.[] | select(.method == "GET"
        and (.path | test("/containers/[0-9a-f]{64}/json$"))
        and ((.path | contains($w1)) or (.path | contains($w2))) == false)] | length' "$REQ")
echo "  inspects of flood ids: $flood_inspects"
[ "$flood_inspects" -le 40 ] || fail "$flood_inspects inspects of flood ids: not bounded"
grep -q "event flood (more than" "$LOG" || fail "no flood warning in the log"
grep -q "event flood over after" "$LOG" || fail "no end-of-flood notice in the log"
relists=$(jq -s '[.[] | select(.method == "GET" and (.path | test("/containers/json")))] | length' "$REQ")
[ "$relists" -ge 2 ] || fail "the containers were not listed again after the flood ($relists lists)"
ctl --json status | jq -e '.docker.connected' >/dev/null || fail "not connected after the flood"

stop_governor
gov_finish
