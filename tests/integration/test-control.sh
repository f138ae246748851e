#!/bin/bash
# The control plane against a running daemon on this host (cgroup-only mode:
# no Docker): every sutazai-govctl verb in table and JSON form, goldens for
# the deterministic output, access control for root / group sutazai-gov /
# everyone else, hostile and slow clients, 100 concurrent clients, overrides
# and pause surviving a restart and then expiring, history persistence, a
# corrupt state file, and `promtool check metrics` on both metrics outputs.
set -euo pipefail

GOVERNOR=${GOVERNOR:?path of sutazai-governor}
GOVCTL=${GOVCTL:?path of sutazai-govctl}
SOURCE_DIR=${SOURCE_DIR:?source tree}
golden="$SOURCE_DIR/tests/fixtures/govctl"

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (a cgroup of its own, setpriv, groupadd)" >&2
        exit 77
fi
for tool in jq promtool setpriv groupadd python3; do
        command -v "$tool" >/dev/null || {
                echo "SKIP: $tool missing (apt-get install jq prometheus util-linux passwd python3)" >&2
                exit 77
        }
done

work=$(mktemp -d /tmp/sutazai-control-test.XXXXXX)
# the unprivileged user must reach the socket's directory
chmod 0755 "$work"
sock="$work/run/control.sock"
pid=""
cg_parent=""
created_group=""
cleanup() {
        set +e
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
        [ -n "$cg_parent" ] && rmdir "$cg_parent/app-a" "$cg_parent" 2>/dev/null
        [ -n "$created_group" ] && groupdel sutazai-gov 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
fail() {
        echo "FAIL: $*" >&2
        echo "--- daemon log:" >&2
        tail -40 "$work/daemon.log" >&2 || true
        exit 1
}

# The group is a contract name; create it only if this host lacks it.
if ! getent group sutazai-gov >/dev/null; then
        groupadd --system sutazai-gov
        created_group=1
fi
gov_gid=$(getent group sutazai-gov | cut -d: -f3)

if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then v2=/sys/fs/cgroup/unified; else v2=/sys/fs/cgroup; fi
cg_parent="$v2/sutazai-ctl-$$"
mkdir -p "$cg_parent/app-a"

mkdir -p "$work/logs" "$work/state"
head -c 300000 /dev/zero >"$work/logs/old.log"
touch -d '10 days ago' "$work/logs/old.log"
echo fresh >"$work/logs/new.log"

cat >"$work/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $work/no-docker.sock
state_dir = $work/ignored-state
control_socket = $work/ignored.sock
metrics_file = $work/metrics.prom
history_size = 50

[memory]
warning = 98%
critical = 98.5%
emergency = 99%

[logs:app]
dir = $work/logs
pattern = *.log
max_age = 1d

[journal]
journalctl = /bin/true

[cgroup:app-a]
match = path:sutazai-ctl-$$/app-*
priority = 10
CONF

start_daemon() {
        "$GOVERNOR" --config "$work/governor.conf" --control-socket "$sock" \
                --state-dir "$work/state" >>"$work/daemon.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do
                [ -S "$sock" ] && "$GOVCTL" -s "$sock" status >/dev/null 2>&1 && return 0
                kill -0 "$pid" 2>/dev/null || fail "daemon died"
                sleep 0.1
        done
        fail "control socket never answered"
}
stop_daemon() {
        kill -TERM "$pid"
        local rc=0
        wait "$pid" || rc=$?
        pid=""
        [ "$rc" = 0 ] || fail "daemon exited $rc on SIGTERM"
        [ ! -e "$sock" ] || fail "socket left behind after exit"
}
ctl() { "$GOVCTL" -s "$sock" "$@"; }
# run as nobody; extra setpriv args first
as_nobody() {
        local groups=$1
        shift
        if [ -n "$groups" ]; then
                setpriv --reuid=65534 --regid=65534 --groups="$groups" -- "$GOVCTL" -s "$sock" "$@"
        else
                setpriv --reuid=65534 --regid=65534 --clear-groups -- "$GOVCTL" -s "$sock" "$@"
        fi
}
expect_exit() { # CODE CMD...
        local want=$1 rc=0
        shift
        "$@" >"$work/out" 2>"$work/err" || rc=$?
        [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$work/out" "$work/err")"
}
golden_diff() { # NAME FILE
        diff -u "$golden/$1" "$2" >&2 || fail "output differs from golden $1"
}

echo "# help and usage (goldens, exit status 2)"
expect_exit 0 "$GOVCTL" --help
golden_diff help.txt "$work/out"
expect_exit 0 "$GOVCTL" set-limit --help
golden_diff help-set-limit.txt "$work/out"
for verb in status history set-limit clear pause resume cleanup reload metrics explain; do
        expect_exit 0 "$GOVCTL" "$verb" --help
        grep -q "^Usage: sutazai-govctl .*$verb" "$work/out" || fail "$verb --help"
done
expect_exit 0 "$GOVCTL" --version
grep -qx "sutazai-govctl [0-9.]*" "$work/out" || fail "--version: $(cat "$work/out")"
expect_exit 2 "$GOVCTL"
golden_diff usage-no-verb.txt "$work/err"
expect_exit 2 "$GOVCTL" frobnicate
expect_exit 2 "$GOVCTL" --bogus status
expect_exit 2 "$GOVCTL" status extra
expect_exit 2 "$GOVCTL" set-limit app-a
golden_diff usage-set-limit.txt "$work/err"
expect_exit 2 "$GOVCTL" set-limit app-a 12Q
expect_exit 2 "$GOVCTL" set-limit app-a 1G --for soon
expect_exit 2 "$GOVCTL" pause --for 0
expect_exit 2 "$GOVCTL" history -n many
expect_exit 2 "$GOVCTL" clear
expect_exit 2 "$GOVCTL" status --dry-run
# usage errors are found before any connection: no daemon needed
expect_exit 1 "$GOVCTL" -s "$work/nothing.sock" status
grep -q "is sutazai-governor running" "$work/err" || fail "no hint when the daemon is down"

start_daemon
[ "$(stat -c '%a %G' "$sock")" = "660 sutazai-gov" ] || fail "socket mode/group: $(stat -c '%a %G' "$sock")"
[ "$(stat -c '%a' "$work/run")" = 755 ] || fail "socket directory mode"

echo "# status"
expect_exit 0 ctl status
grep -q "^Memory: " "$work/out" || fail "status table: $(cat "$work/out")"
grep -q "^NAME  *KIND  *RULE  *USAGE  *MAX  *HIGH  *PSI10  *PRIO  *PROT  *OOMADJ  *OVERRIDE$" "$work/out" || fail "status header"
grep -q "^sutazai-ctl-$$/app-a  *cgroup " "$work/out" || fail "no row for the test cgroup"
grep -q $'\e\[' "$work/out" && fail "colour on a non-terminal"
# a hybrid host says which actions it cannot take; a pure v2 host says nothing
if [ "$v2" = /sys/fs/cgroup/unified ]; then
        grep -q "^Limits:      memory.high, reclaim, throttle unavailable (hybrid cgroups" "$work/out" ||
                fail "hybrid host without a Limits line: $(cat "$work/out")"
        grep -q "memory.high, reclaim and throttle unavailable" "$work/daemon.log" ||
                fail "hybrid host silent at start-up"
else
        grep -q "^Limits:" "$work/out" && fail "Limits line on a pure cgroup v2 host"
fi
expect_exit 0 ctl --json status
jq -e '(.tiers.memory | type == "string") and (.tiers.disk | type == "object") and
       (.dry_run == false) and (.paused == false) and (.overrides == []) and
       (.host.memory_total | type == "number") and
       ([.containers[] | select(.name == "sutazai-ctl-'$$'/app-a")] | length == 1)' "$work/out" >/dev/null ||
        fail "status --json fields: $(cat "$work/out")"
jq -e '.containers[0] | has("name") and has("id") and has("memory_current") and has("memory_max")
       and has("memory_high") and has("priority") and has("protected") and has("override")
       and has("psi")' "$work/out" >/dev/null || fail "container fields"
jq -e '.containers[] | select(.name == "sutazai-ctl-'$$'/app-a") | .priority == 10 and .protected == false
       and .override == null and .kind == "cgroup"' "$work/out" >/dev/null || fail "test cgroup row"
ctl status --json >"$work/out2" || fail "--json after the verb"
jq -e .tiers "$work/out2" >/dev/null || fail "status --json (option after the verb)"

echo "# explain (reading verb: what it would do now, and why)"
expect_exit 0 ctl explain
grep -q "^Memory: " "$work/out" || fail "explain: $(cat "$work/out")"
grep -q "^Judged for: " "$work/out" || fail "explain: no judged action"
grep -q "^RANK  *NAME  *KIND  *RULE  *PRIO  *USAGE  *WHY$" "$work/out" || fail "explain header"
grep -q "sutazai-ctl-$$/app-a" "$work/out" || fail "explain: no row for the test cgroup"
expect_exit 0 ctl --json explain app-a
jq -e '(.tier | type == "string") and (.actions | type == "array") and (.groups | length >= 1)
       and ((.groups | map(select(.rule == "app-a")) | length) == (.groups | length))
       and (.groups[0].verdict | type == "string")' "$work/out" >/dev/null ||
        fail "explain --json app-a: $(cat "$work/out")"
expect_exit 1 ctl explain no-such-thing
grep -q "no container, cgroup or rule named no-such-thing" "$work/err" || fail "explain unknown: $(cat "$work/err")"
expect_exit 2 "$GOVCTL" explain a b

echo "# set-limit / clear"
now=$(date +%s)
expect_exit 0 ctl set-limit app-a 300M --for 1h
grep -Eq "^app-a: memory.max override 300M until .* \(in (1h|59m[0-9]+s)\)$" "$work/out" || fail "set-limit: $(cat "$work/out")"
expect_exit 0 ctl --json set-limit app-a 320M --for 1h
jq -e --argjson now "$now" '.name == "app-a" and .memory_max == 335544320 and
       (.expires - $now - 3600 | fabs) < 10' "$work/out" >/dev/null || fail "set-limit --json: $(cat "$work/out")"
ctl --json status >"$work/out"
jq -e '.overrides | length == 1 and .[0].name == "app-a" and .[0].memory_max == 335544320
       and (.[0].expires | type == "number")' "$work/out" >/dev/null || fail "overrides in status"
jq -e '.containers[] | select(.name == "sutazai-ctl-'$$'/app-a") | .override == 335544320' "$work/out" >/dev/null ||
        fail "override not shown on its group"
jq -e '.overrides[0].name == "app-a" and .overrides[0].memory_max == 335544320' \
        "$work/state/overrides.json" >/dev/null || fail "override not persisted"
grep -q "override for app-a: memory.max 320M until 20" "$work/daemon.log" || fail "override not logged"
expect_exit 1 ctl set-limit no-such-thing 1G
grep -q "no rule, container or cgroup named no-such-thing" "$work/err" || fail "unknown target: $(cat "$work/err")"
expect_exit 1 ctl set-limit app-a 1M
grep -q "below the minimum" "$work/err" || fail "tiny limit accepted"
expect_exit 0 ctl clear app-a
[ "$(cat "$work/out")" = "app-a: override cleared" ] || fail "clear output"
expect_exit 1 ctl clear app-a
grep -qx "sutazai-govctl: no override for app-a" "$work/err" || fail "clear twice: $(cat "$work/err")"
expect_exit 0 ctl --json set-limit app-a 10%
jq -e '.memory_max > 0 and .expires == null' "$work/out" >/dev/null || fail "percent override"
expect_exit 0 ctl --json clear app-a
jq -e '.name == "app-a" and .cleared == true' "$work/out" >/dev/null || fail "clear --json"

echo "# pause / resume"
expect_exit 0 ctl pause
[ "$(cat "$work/out")" = "Enforcement paused until resumed" ] || fail "pause output: $(cat "$work/out")"
ctl --json status | jq -e '.paused == true and .paused_until == null' >/dev/null || fail "not paused"
ctl status | grep -q "^Enforcement: paused until resumed" || fail "pause not in the table"
expect_exit 0 ctl resume
[ "$(cat "$work/out")" = "Enforcement resumed" ] || fail "resume output"
expect_exit 0 ctl --json pause --for 1h
jq -e '.paused == true and (.expires | type == "number")' "$work/out" >/dev/null || fail "pause --json"
expect_exit 0 ctl --json resume
jq -e '.paused == false' "$work/out" >/dev/null || fail "resume --json"
ctl --json status | jq -e '.paused == false' >/dev/null || fail "still paused"

echo "# reload"
expect_exit 0 ctl reload
[ "$(cat "$work/out")" = "Configuration reloaded" ] || fail "reload output"
expect_exit 0 ctl --json reload
jq -e '.reloaded == true' "$work/out" >/dev/null || fail "reload --json"
cp "$work/governor.conf" "$work/governor.conf.good"
echo "bogus_key = 1" >>"$work/governor.conf"
expect_exit 1 ctl reload
grep -q "reload refused: .*governor.conf:[0-9]*:" "$work/err" || fail "bad reload: $(cat "$work/err")"
mv "$work/governor.conf.good" "$work/governor.conf"

echo "# history before any action"
expect_exit 0 ctl history
[ "$(cat "$work/out")" = "No actions recorded." ] || fail "empty history: $(cat "$work/out")"
expect_exit 0 ctl --json history
[ "$(jq -c . "$work/out")" = "[]" ] || fail "empty history --json"

echo "# cleanup --dry-run, cleanup, history"
expect_exit 0 ctl cleanup --dry-run
grep -q "$work/logs/old.log" "$work/out" || fail "dry-run does not list the old log: $(cat "$work/out")"
grep -q "^Would free " "$work/out" || fail "dry-run summary"
[ -e "$work/logs/old.log" ] || fail "dry-run deleted a file"
expect_exit 0 ctl --json cleanup --dry-run
jq -e '.dry_run == true and ([.items[] | select(.kind == "file" and (.target | endswith("old.log")))] | length == 1)
       and .bytes >= 300000' "$work/out" >/dev/null || fail "cleanup --dry-run --json: $(cat "$work/out")"
expect_exit 0 ctl cleanup
[ ! -e "$work/logs/old.log" ] || fail "cleanup kept the old log"
[ -e "$work/logs/new.log" ] || fail "cleanup deleted a new log"
grep -q "^Freed " "$work/out" || fail "cleanup summary: $(cat "$work/out")"
expect_exit 0 ctl --json history
jq -e --argjson now "$now" '[.[] | select(.kind == "prune-logs")] | length >= 1 and
       (.[-1] | (.bytes >= 300000) and (.time >= $now - 5) and (.dry_run == false) and
        (.target | type == "string") and (.reason | type == "string"))' "$work/out" >/dev/null ||
        fail "history --json after cleanup: $(cat "$work/out")"
n_entries=$(ctl --json history -n 0 | jq length)
[ "$n_entries" -ge 2 ] || fail "cleanup recorded $n_entries entries"
expect_exit 0 ctl history -n 1
[ "$(wc -l <"$work/out")" = 2 ] || fail "history -n 1: $(cat "$work/out")"
grep -q "^TIME  *KIND  *TARGET  *BYTES  *RESULT  *REASON$" "$work/out" || fail "history header"
expect_exit 0 ctl history
[ "$(wc -l <"$work/out")" = $((n_entries + 1)) ] || fail "history: $(cat "$work/out")"
grep -Eq "^20[0-9-]+ [0-9:]+  prune-logs  +logs:app  +[0-9.]+K  " "$work/out" ||
        fail "history table: $(cat "$work/out")"

echo "# metrics"
expect_exit 0 ctl metrics
promtool check metrics <"$work/out" || fail "promtool rejects sutazai-govctl metrics"
grep -q '^sutazai_governor_actions_total{kind="prune-logs"} [1-9]' "$work/out" || fail "prune-logs counter"
grep -q '^sutazai_governor_memory_tier 0$' "$work/out" || fail "memory tier metric"
grep -q '^sutazai_governor_docker_connected 0$' "$work/out" || fail "docker metric"
for _ in $(seq 30); do [ -s "$work/metrics.prom" ] && break; sleep 0.1; done
promtool check metrics <"$work/metrics.prom" || fail "promtool rejects metrics_file"
[ "$(stat -c %a "$work/metrics.prom")" = 644 ] || fail "metrics_file mode"
promtool check metrics <"$golden/metrics.prom" || fail "promtool rejects the metrics golden"

echo "# access control"
head -c 300000 /dev/zero >"$work/logs/old2.log"
touch -d '10 days ago' "$work/logs/old2.log"
ctl set-limit app-a 300M --for 1h >/dev/null
before=$(ctl --json status | jq -c '{overrides, paused, dry_run}')
# nobody outside the group cannot even connect (socket 0660 root:sutazai-gov)
for args in "status" "history" "metrics" "cleanup --dry-run" "set-limit app-a 1G" "clear app-a" \
        "pause" "resume" "cleanup" "reload"; do
        # shellcheck disable=SC2086
        expect_exit 1 as_nobody "" $args
        grep -q "permission denied" "$work/err" || fail "nobody '$args': $(cat "$work/err")"
done
# a member of sutazai-gov reads, but changes nothing
for args in "status" "--json status" "history" "--json history" "metrics" "cleanup --dry-run"; do
        # shellcheck disable=SC2086
        expect_exit 0 as_nobody "$gov_gid" $args
done
as_nobody "$gov_gid" metrics | promtool check metrics || fail "promtool (group member)"
for args in "set-limit app-a 1G" "set-limit other 2G" "clear app-a" "pause" "pause --for 1h" \
        "resume" "cleanup" "reload"; do
        # shellcheck disable=SC2086
        expect_exit 1 as_nobody "$gov_gid" $args
        grep -q "permission denied: .* requires root" "$work/err" || fail "member '$args': $(cat "$work/err")"
done
# and the server itself refuses a non-member even if the socket were open to all
chmod 0666 "$sock"
expect_exit 1 as_nobody "" status
grep -q "permission denied: only root and members of group sutazai-gov" "$work/err" ||
        fail "server-side refusal: $(cat "$work/err")"
expect_exit 1 as_nobody "" pause
chmod 0660 "$sock"
after=$(ctl --json status | jq -c '{overrides, paused, dry_run}')
[ "$before" = "$after" ] || fail "unprivileged requests changed the daemon: $before -> $after"
[ -e "$work/logs/old2.log" ] || fail "an unprivileged cleanup deleted a file"
grep -q "by uid 65534" "$work/daemon.log" && fail "a refused request was carried out"
ctl clear app-a >/dev/null

echo "# hostile clients"
python3 - "$sock" <<'PY' || fail "hostile clients"
import json, socket, sys, time
path = sys.argv[1]

def talk(data, shut=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    s.close()
    return out

def error_of(data):
    out = talk(data)
    if not out:
        return None  # dropped: allowed
    r = json.loads(out)
    assert r["ok"] is False, r
    return r["error"]

cases = {
    "garbage": b"hello daemon\n",
    "binary": bytes(range(256)) + b"\n",
    "nul": b'{"verb":"status"}\x00\n',
    "truncated": b'{"verb":"set-limit","name":"app-a","memory_max":',
    "two": b'{"verb":"status"}{"verb":"status"}\n',
    "array": b"[1,2,3]\n",
    "deep": b'{"verb":' + b"[" * 30000 + b"]" * 30000 + b"}\n",
    "huge-number": b'{"verb":"set-limit","name":"app-a","memory_max":1e400}\n',
    "unknown-key": b'{"verb":"status","rm":"-rf"}\n',
    "empty": b"",
}
for name, data in cases.items():
    err = error_of(data)
    assert err is None or err.startswith("bad request"), (name, err)
# oversized: more than 64 KiB without a newline
big = b'{"verb":"status","x":"' + b"a" * (70 * 1024)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(path)
try:
    s.sendall(big)
except (BrokenPipeError, ConnectionResetError):
    pass
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except ConnectionResetError:
    pass
s.close()
assert out == b"" or "too large" in json.loads(out)["error"], out
# a valid request after all that
r = json.loads(talk(b'{"verb":"status"}\n'))
assert r["ok"] is True and "tiers" in r["result"], r
# a slow client is dropped after the per-client timeout
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b'{"verb":')
s.settimeout(6)
t0 = time.monotonic()
assert s.recv(100) == b""
assert time.monotonic() - t0 < 5
s.close()
# 40 idle connections (more than the 32 served at once) do not lock others out for long
idle = []
for _ in range(40):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    idle.append(c)
t0 = time.monotonic()
r = json.loads(talk(b'{"verb":"status"}\n'))
assert r["ok"] is True
assert time.monotonic() - t0 < 6, time.monotonic() - t0
for c in idle:
    c.close()
# a client that never reads a large response is dropped, not waited for
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
c.connect(path)
c.sendall(b'{"verb":"metrics"}\n')
time.sleep(2.5)
r = json.loads(talk(b'{"verb":"history"}\n'))
assert r["ok"] is True
c.close()
PY
kill -0 "$pid" || fail "daemon died from hostile clients"
expect_exit 0 ctl status

echo "# 100 concurrent clients"
for i in $(seq 100); do
        ("$GOVCTL" -s "$sock" --json status >"$work/c.$i" 2>&1; echo $? >"$work/rc.$i") &
done
wait_n=0
for i in $(seq 100); do
        while [ ! -s "$work/rc.$i" ]; do
                sleep 0.1
                wait_n=$((wait_n + 1))
                [ "$wait_n" -lt 300 ] || fail "concurrent clients not answered in time"
        done
done
for i in $(seq 100); do
        [ "$(cat "$work/rc.$i")" = 0 ] || fail "client $i: exit $(cat "$work/rc.$i"): $(cat "$work/c.$i")"
        jq -e .tiers.memory "$work/c.$i" >/dev/null || fail "client $i: bad JSON"
done

echo "# overrides and pause survive a restart, then expire"
ctl set-limit app-a 400M --for 8s >/dev/null
ctl pause --for 8s >/dev/null
exp=$(ctl --json status | jq '.overrides[0].expires')
stop_daemon
start_daemon
ctl --json status >"$work/out"
jq -e --argjson exp "$exp" '.overrides | length == 1 and .[0].name == "app-a" and .[0].memory_max == 419430400
       and .[0].expires == $exp' "$work/out" >/dev/null || fail "override lost in the restart: $(cat "$work/out")"
jq -e '.paused == true' "$work/out" >/dev/null || fail "pause lost in the restart"
grep -q "restored 1 override(s), enforcement paused" "$work/daemon.log" || fail "restore not logged"
ctl --json history | jq -e '[.[] | select(.kind == "prune-logs")] | length >= 1' >/dev/null ||
        fail "history lost in the restart"
for _ in $(seq 150); do
        ctl --json status | jq -e '.overrides == [] and .paused == false' >/dev/null && break
        sleep 0.1
done
ctl --json status | jq -e '.overrides == [] and .paused == false' >/dev/null || fail "override did not expire"
[ "$(date +%s)" -ge "$exp" ] || fail "override expired early"
grep -q "override for app-a (memory.max 400M) expired" "$work/daemon.log" || fail "expiry not logged"
grep -q "pause expired: enforcement resumed" "$work/daemon.log" || fail "pause expiry not logged"
jq -e '.overrides == [] and .paused == false' "$work/state/overrides.json" >/dev/null ||
        fail "expiry not persisted"

echo "# an override that expired while the daemon was down is dropped at start"
ctl set-limit app-a 400M --for 2s >/dev/null
stop_daemon
sleep 2.5
start_daemon
ctl --json status | jq -e '.overrides == []' >/dev/null || fail "stale override restored"

echo "# a corrupt state file is moved aside and the daemon starts clean"
ctl set-limit app-a 400M >/dev/null
stop_daemon
printf '{"version":1,"overrides":[{"name":' >"$work/state/overrides.json"
printf '\0\1\2' >"$work/state/history.json"
start_daemon
[ -e "$work/state/overrides.json.corrupt" ] || fail "corrupt overrides not moved aside"
[ -e "$work/state/history.json.corrupt" ] || fail "corrupt history not moved aside"
ctl --json status | jq -e '.overrides == []' >/dev/null || fail "not clean after corruption"
grep -q "is corrupt" "$work/daemon.log" || fail "corruption not logged"

echo "# a second daemon on the same socket is refused; the first keeps serving"
rc=0
timeout 10 "$GOVERNOR" --config "$work/governor.conf" --control-socket "$sock" \
        --state-dir "$work/state2" >"$work/second.log" 2>&1 &
second=$!
sleep 1.5
grep -q "another governor is listening on $sock" "$work/second.log" || fail "second daemon: $(cat "$work/second.log")"
kill "$second" 2>/dev/null || true
wait "$second" || rc=$?
expect_exit 0 ctl status

stop_daemon

echo "# socket activation: a listening socket passed by systemd (sd_listen_fds)"
if command -v systemd-socket-activate >/dev/null; then
        asock="$work/activated.sock"
        # it listens, and on the first connection execs the daemon with LISTEN_FDS
        systemd-socket-activate -l "$asock" -- "$GOVERNOR" --config "$work/governor.conf" \
                --state-dir "$work/state" >>"$work/daemon.log" 2>&1 &
        pid=$!
        for _ in $(seq 50); do [ -S "$asock" ] && break; sleep 0.1; done
        "$GOVCTL" -s "$asock" --json status | jq -e .tiers.memory >/dev/null ||
                fail "no answer through the activated socket"
        grep -q "control socket passed by systemd" "$work/daemon.log" || fail "passed socket not used"
        [ ! -e "$work/ignored.sock" ] || fail "created its own socket despite the passed one"
        kill -TERM "$pid"
        wait "$pid" || fail "activated daemon exit status"
        pid=""
else
        echo "SKIP: systemd-socket-activate missing (apt-get install systemd)" >&2
        exit 77
fi
echo "PASS"
