#!/bin/bash
# test-fake-engines — the real governor against each Docker Engine it
# supports, impersonated by tests/lib/fake_engine.py (Docker >= 25 cannot run
# here; the real Debian dockerd 20.10 has its own tests): Docker 20.10, 24,
# 25, 27, 28 and 29 (API 1.41, 1.43, 1.44, 1.47, 1.51, 1.52; 29 refuses
# anything below 1.44). For each engine:
#   - the negotiated API is the engine's own (all below our 1.52): every
#     versioned request uses it, none is refused; status and status --json
#     show the Engine version and the API version;
#   - start-up limits: a matching container gets POST .../update with
#     {"Memory":64M,"MemorySwap":64M}; an unmatched one gets nothing;
#   - a container started later is limited (its start event);
#   - drift: a limit changed behind the governor's back is put back;
#   - memory emergency: the unprotected managed container is killed (the
#     governor may kill through cgroup.kill and tell Docker afterwards: we
#     wait for a kill or stop request for it, in either order);
#   - disk emergency: stopped containers removed by id, dangling-image prune,
#     and LRU eviction (the least recently used image deleted first; an
#     image in use by a running container never).
# The fake itself is checked too: Docker's exact 400 for a too-old client,
# and the real Docker CLI (when installed) runs version, ps, images and
# events against each engine.
# Also: an engine whose range does not meet ours (MinAPIVersion above
# 1.52) gets no versioned request, one clear error naming both ranges, and
# retries.
#
# env: GOVERNOR, GOVCTL. Needs root (cgroups, a tmpfs), python3, jq, curl.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/fake_engine.sh
. "$here/../lib/fake_engine.sh"

MiB=$((1024 * 1024))
mkdir -p "$T/fs"
mount -t tmpfs -o size=4m tmpfs "$T/fs" || skip_or_fail "cannot mount a tmpfs"
# 75% used: past every disk threshold below, and it never frees (the fake
# deletes nothing from it), so the governor goes through every step.
dd if=/dev/zero of="$T/fs/fill" bs=1M count=3 status=none

cat >"$T/limits.conf" <<CONF
[governor]
interval = 200ms

$(gov_memory_section calm)

[container:web]
match = name:web-*
memory_max = 64M
priority = 50
CONF

cat >"$T/emergency.conf" <<CONF
[governor]
interval = 200ms

$(gov_memory_section emergency)
cooldown = 1h

[container:batch]
match = name:batch-*
memory_max = 256M
priority = 50

[disk:$T/fs]
warning = 50%
critical = 55%
emergency = 60%
low = 45%
hold = 0s
cooldown = 1h
container_min_age = 0s
image_min_age = 0s

[journal]
journalctl = /bin/true
CONF

# profile → engine version and API it speaks (fake_engine.py PROFILES)
declare -A VERSION=([20.10]=20.10.24+dfsg1 [24]=24.0.9 [25]=25.0.5 [27]=27.5.1 [28]=28.5.2
        [29]=29.1.0)
declare -A API=([20.10]=1.41 [24]=1.43 [25]=1.44 [27]=1.47 [28]=1.51 [29]=1.52)
declare -A MIN_API=([20.10]=1.12 [24]=1.12 [25]=1.24 [27]=1.24 [28]=1.24 [29]=1.44)

for profile in 20.10 24 25 27 28 29; do
        api=${API[$profile]}
        t0=$(date +%s%N)
        echo "# Docker $profile (API $api)"
        fake_start "$profile"
        bb=$(fake POST /_fake/images '{"tags":["bb:latest"],"size":1000000}' | jq -r .Id)
        old=$(fake POST /_fake/images "{\"tags\":[\"old:1\"],\"size\":1000000,\"created\":$(($(date +%s) - 86400 * 300))}" | jq -r .Id)
        new=$(fake POST /_fake/images "{\"tags\":[\"new:1\"],\"size\":1000000,\"created\":$(($(date +%s) - 86400))}" | jq -r .Id)
        dangling=$(fake POST /_fake/images '{"tags":[],"size":1000000}' | jq -r .Id)
        [ -n "$bb" ] && [ -n "$dangling" ] || die "fake engine $profile: no images"
        sleeper "web1-$profile"
        web1=$(fake POST /_fake/containers "{\"name\":\"web-1\",\"pid\":$SPID}" | jq -r .Id)
        sleeper "plain-$profile"
        plain=$(fake POST /_fake/containers "{\"name\":\"plain-1\",\"pid\":$SPID}" | jq -r .Id)
        # the fake itself: Docker's refusal of a too-old client, word for word
        # (daemon/server/middleware/version.go at each release)
        out=$(curl -s --unix-socket "$SOCK" -w ' %{http_code}' http://d/v1.43/containers/json)
        if [ "$profile" = 29 ]; then
                [ "$out" = '{"message":"client version 1.43 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version"}
 400' ] || fail "$profile: the fake's refusal of 1.43 is: $out"
        elif [ "$profile" = 20.10 ]; then
                [ "$out" = '{"message":"client version 1.43 is too new. Maximum supported API version is 1.41"}
 400' ] || fail "$profile: the fake's refusal of 1.43 is: $out"
        else
                [ "${out##* }" = 200 ] || fail "$profile: the fake refused API 1.43: $out"
        fi
        # and the real Docker CLI where there is one (28 here, API 1.50)
        if command -v docker >/dev/null; then
                dcli() { docker -H "unix://$SOCK" "$@" 2>&1; }
                [ "$(dcli version --format '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}')" = "$api ${MIN_API[$profile]}" ] ||
                        fail "$profile: docker version says $(dcli version --format '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}')"
                # (whole answers, then grep: grep -q ending a pipe early is a
                # SIGPIPE, a failure under pipefail)
                out=$(dcli ps --format '{{.Names}}')
                grep -qx web-1 <<<"$out" || fail "$profile: docker ps: $out"
                out=$(dcli images --format '{{.Repository}}:{{.Tag}}')
                grep -qx old:1 <<<"$out" || fail "$profile: docker images: $out"
                out=$(dcli events --since 0 --until "$(date +%s.%N)" --filter type=container \
                        --format '{{.Action}} {{.Actor.Attributes.name}}')
                grep -qx "start web-1" <<<"$out" || fail "$profile: docker events: $out"
        fi
        : >"$REQ" # from here on: only the governor's requests
        mkdir -p "$T/state-$profile-a" "$T/state-$profile-b"
        chmod 0700 "$T/state-$profile-a" "$T/state-$profile-b"

        # -- limits: start-up, a new container, drift --
        start_governor "$T/limits.conf" "$T/state-$profile-a"
        upd='.method == "POST" and .body == "{\"Memory\":67108864,\"MemorySwap\":67108864}"'
        wait_req "$upd and .path == \"/v$api/containers/$web1/update\"" 5 ||
                fail "$profile: web-1 got no start-up limit"
        sleeper "web2-$profile"
        web2=$(fake POST /_fake/containers "{\"name\":\"web-2\",\"pid\":$SPID}" | jq -r .Id)
        wait_req "$upd and .path == \"/v$api/containers/$web2/update\"" 5 ||
                fail "$profile: web-2 (started later) got no limit"
        n=$(jq -s "[.[] | select($upd and (.path | endswith(\"$web1/update\")))] | length" "$REQ")
        fake POST /_fake/containers/web-1/set "{\"memory\":$((128 * MiB)),\"memory_swap\":$((128 * MiB))}" ||
                fail "$profile: fake refused the drift"
        for _ in $(seq 100); do
                [ "$(jq -s "[.[] | select($upd and (.path | endswith(\"$web1/update\")))] | length" "$REQ")" -gt "$n" ] && break
                sleep 0.05
        done
        [ "$(jq -s "[.[] | select($upd and (.path | endswith(\"$web1/update\")))] | length" "$REQ")" -gt "$n" ] ||
                fail "$profile: web-1's drift to 128M was not put back"
        req_has "(.path | contains(\"$plain\")) and .method == \"POST\"" &&
                fail "$profile: the unmatched plain-1 was touched"
        # one API version for everything, and the engine refused nothing
        bad=$(jq -sr "[.[] | select(.path | test(\"^/v[0-9]\")) | select(.path | startswith(\"/v$api/\") | not) | .path] | first // empty" "$REQ")
        [ -z "$bad" ] || fail "$profile: a request went to another API version: $bad"
        ctl --json status | jq -e --arg v "${VERSION[$profile]}" --arg a "$api" \
                '.docker.connected and .docker.version == $v and .docker.api_version == $a' >/dev/null ||
                fail "$profile: status --json docker is $(ctl --json status | jq -c .docker)"
        out=$(ctl status)
        grep -qF "Docker:      connected — Engine ${VERSION[$profile]}, API $api" <<<"$out" ||
                fail "$profile: status shows $(grep Docker: <<<"$out")"
        stop_governor

        # -- emergencies: a kill, and disk cleanup --
        sleeper "batch-$profile"
        batch=$(fake POST /_fake/containers "{\"name\":\"batch-1\",\"pid\":$SPID}" | jq -r .Id)
        stopped=$(fake POST /_fake/containers '{"name":"stopped-1","running":false}' | jq -r .Id)
        mark=$(wc -l <"$REQ")
        start_governor "$T/emergency.conf" "$T/state-$profile-b"
        wait_req "(.path == \"/v$api/containers/$batch/kill?signal=SIGKILL\" or (.path | startswith(\"/v$api/containers/$batch/stop\"))) and .method == \"POST\"" 10 ||
                fail "$profile: batch-1 was not killed (no kill/stop request)"
        # stopped containers go one by one by id (issue 12: never a blanket prune)
        wait_req ".method == \"DELETE\" and .path == \"/v$api/containers/$stopped\"" 10 ||
                fail "$profile: stopped-1 was not removed by id"
        ! grep -q "/containers/prune" "$REQ" || fail "$profile: a blanket container prune"
        wait_req ".method == \"POST\" and .path == \"/v$api/images/prune?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D\"" 10 ||
                fail "$profile: no dangling-image prune"
        wait_req ".method == \"DELETE\" and (.path == \"/v$api/images/$new\" or .path == \"/v$api/images/new:1\")" 10 ||
                fail "$profile: new:1 was never evicted"
        order=$(tail -n +"$((mark + 1))" "$REQ" | jq -r 'select(.method == "DELETE") | .path' | tr '\n' ' ')
        case "$order" in
        *"$old"*"$new"* | *old:1*new:1* | *"$old"*new:1* | *old:1*"$new"*) ;;
        *) fail "$profile: eviction not least recently used first: $order" ;;
        esac
        ! fake GET /_fake/state | jq -e --arg s "$stopped" 'any(.containers[]; .id == $s)' >/dev/null ||
                fail "$profile: stopped-1 survived the container prune"
        fake GET /_fake/state | jq -e --arg b "$bb" 'any(.images[]; .id == $b)' >/dev/null ||
                fail "$profile: bb:latest (used by running containers) was deleted"
        stop_governor
        fake_stop
        echo "  ok: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done

echo "# an engine with no API in common (MinAPIVersion above 1.52)"
python3 - "$SOCK" "$T/future.req" <<'PY' &
import json, os, socket, sys, threading
path, log = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
def serve(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(4096)
        if not d:
            return
        data += d
    line = data.split(b"\r\n")[0].decode()
    with open(log, "a") as f:
        f.write(line + "\n")
    if " /version " in line:
        body = json.dumps({"Version": "35.0.0", "ApiVersion": "1.60", "MinAPIVersion": "1.53"}).encode()
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.60\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    else:
        body = b'{"message":"client version too old"}'
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
fake_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
mkdir -p "$T/state-future" && chmod 0700 "$T/state-future"
start_governor "$T/limits.conf" "$T/state-future"
for _ in $(seq 60); do
        [ "$(cat "$T/future.req" 2>/dev/null | grep -c "GET /version")" -ge 2 ] && break
        sleep 0.1
done
[ "$(grep -c "GET /version" "$T/future.req")" -ge 2 ] || fail "no retry of /version against a too-new engine"
grep -v "GET /version" "$T/future.req" >"$T/future.other"
grep -q " /v" "$T/future.other" && fail "a versioned request went to an engine with no common API"
[ "$(grep -c "speaks API 1.53-1.60, the governor 1.41-1.52: no common API version" "$LOG")" = 1 ] ||
        fail "not one error naming both ranges: $(grep -i "api" "$LOG" | head -3)"
ctl --json status | jq -e '.docker.connected == false and .docker.version == "35.0.0" and .docker.api_version == null' >/dev/null ||
        fail "status of a too-new engine: $(ctl --json status | jq -c .docker)"
stop_governor
fake_stop

gov_finish
