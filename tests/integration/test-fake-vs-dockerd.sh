#!/bin/bash
# test-fake-vs-dockerd — the fake engine (tests/lib/fake_engine.py) against
# the real thing it can be checked against here: Debian's dockerd 20.10
# (API 1.41), private (tests/lib/dockerd.sh). Both get the same container
# (web-1, running bb:latest) and the governor's requests at API 1.41: /_ping,
# /version, list, inspect, update (accepted and refused), an inspect of a
# missing container, events, build prune. Every answer must have the same
# status, version headers, keys at every level and JSON types
# (tests/lib/compare_engines.py). The other releases the fake impersonates
# (24 to 29) were written from moby's source and API reference; this keeps
# their common shape honest.
#
# Needs root, dockerd, busybox-static, python3.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/dockerd.sh
. "$here/../lib/dockerd.sh"
set +e
if ! dockerd_check; then
        [ -n "${CI:-}" ] && {
                echo "FAIL: dockerd missing under CI" >&2
                exit 1
        }
        exit 77
fi

T=$(mktemp -d /tmp/gov-fvd.XXXXXX)
D="$T/d"
fake_pid=""
sleeper=""
cleanup() {
        local rc=$?
        set +e
        [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
        [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
        dockerd_clean "$D" >/dev/null 2>&1
        rm -rf "$T"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$D"
dockerd_start "$D" || {
        echo "FAIL: dockerd did not start" >&2
        exit 1
}
dockerd_cli "$D" run -d --name web-1 --network none bb:latest sleep 1000 >/dev/null || {
        echo "FAIL: docker run" >&2
        exit 1
}

python3 "$here/../lib/fake_engine.py" "$T/fake.sock" 20.10 "$T/fake.req" 2>"$T/fake.err" &
fake_pid=$!
for _ in $(seq 50); do
        [ -S "$T/fake.sock" ] && curl -sf --unix-socket "$T/fake.sock" http://d/_ping >/dev/null && break
        sleep 0.1
done
sleep 1000 >/dev/null 2>&1 &
sleeper=$!
curl -sf --unix-socket "$T/fake.sock" -X POST -d '{"tags":["bb:latest"]}' http://d/_fake/images >/dev/null &&
        curl -sf --unix-socket "$T/fake.sock" -X POST -d "{\"name\":\"web-1\",\"pid\":$sleeper}" \
                http://d/_fake/containers >/dev/null || {
        echo "FAIL: fake engine: $(cat "$T/fake.err")" >&2
        exit 1
}

if ! python3 "$here/../lib/compare_engines.py" "$D/docker.sock" "$T/fake.sock" 1.41 web-1 >"$T/diff"; then
        echo "FAIL: the fake answers differently from dockerd 20.10:" >&2
        cat "$T/diff" >&2
        exit 1
fi
echo "PASS: the fake's 1.41 answers have dockerd 20.10's shape"
