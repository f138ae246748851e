#!/bin/bash
# An event loop that never stalls (issue 13): the real daemon under each
# fault that used to stall it, with generous functional bounds (the figures
# are tests/bench/bench-stall.sh's):
#   1. journald SIGSTOPped while hundreds of entries are logged: requests are
#      answered, the daemon keeps ticking, and once journald resumes every
#      entry reaches the journal, in order;
#   2. idle connections and a reconnect storm from unprivileged users: root's
#      status is answered every time, the others are told "busy";
#   3. a FIFO planted as overrides.json and history.json: start-up refuses
#      them (moved aside, named a FIFO), SIGTERM exits promptly;
#   4. the control group is looked up at start-up and reload, not per
#      connection: /etc/group changed under a running daemon changes nothing
#      until SIGHUP (a slow NSS backend would otherwise stall every accept),
#      and the reload's lookup runs off the loop: with /etc/group a FIFO
#      nobody writes (NSS hanging) status still answers.
# Everything runs in a private mount namespace with a private journald.
set -euo pipefail

GOVERNOR=${GOVERNOR:?path of sutazai-governor}
GOVCTL=${GOVCTL:?path of sutazai-govctl}
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tests/lib/standalone.sh
. "$here/../lib/standalone.sh"
[ "$(id -u)" = 0 ] || unavailable "needs root (cgroups, mounts, a private journald)"
command -v python3 >/dev/null || unavailable "python3 missing"
. "$here/../lib/journald.sh"
journald_isolate "$@"

work=$(mktemp -d /tmp/sutazai-stall.XXXXXX)
chmod 0711 "$work" # unprivileged clients reach the socket (scenarios 2 and 4)
sock="$work/control.sock"
gov_pid=""
gov_log=""
helpers=()
cg_rel="sutazai-stall-$$"
cg_parent="$v2/$cg_rel"
mkdir -p "$cg_parent/app-1"

cleanup() {
        set +e
        [ -n "${JOURNALD_PID:-}" ] && kill -CONT "$JOURNALD_PID" 2>/dev/null
        [ -n "$gov_pid" ] && kill -9 "$gov_pid" 2>/dev/null && wait "$gov_pid" 2>/dev/null
        for p in "${helpers[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        journald_stop
        umount /etc/group 2>/dev/null
        rmdir "$cg_parent/app-1" "$cg_parent" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT

write_conf() { # FILE STATE_DIR
        cat >"$1" <<CONF
[governor]
interval = 100ms
docker_socket = $work/no-docker.sock
state_dir = $2
metrics_file = $work/metrics.prom

[cgroup:app]
match = path:$cg_rel/app*
CONF
}

# start_gov NAME CONF [ENV...]: the daemon, stderr in $work/NAME.log; waits
# until the control socket answers.
start_gov() {
        local name=$1 conf=$2 i
        shift 2
        gov_log="$work/$name.log"
        env -u NOTIFY_SOCKET -u WATCHDOG_USEC -u WATCHDOG_PID -u JOURNAL_STREAM \
                SUTAZAI_GOVERNOR_LOG_TARGET=console "$@" \
                "$GOVERNOR" --config "$conf" --dry-run --control-socket "$sock" >"$gov_log" 2>&1 &
        gov_pid=$!
        for ((i = 0; i < 100; i++)); do
                timeout 3 "$GOVCTL" --socket "$sock" status >/dev/null 2>&1 && return 0
                kill -0 "$gov_pid" 2>/dev/null || fail "daemon died at start-up"
                sleep 0.1
        done
        fail "daemon did not answer within 10 s of start"
}

ticks() {
        govctl_answers metrics
        sed -n 's/^sutazai_governor_ticks_total \([0-9]*\)$/\1/p' "$work/govctl.out"
}

mkdir -m 0700 "$work/state"
write_conf "$work/gov.conf" "$work/state"

# ---- 1. journald stopped ----------------------------------------------------
N=300
journald_start
start_gov journal "$work/gov.conf" SUTAZAI_GOVERNOR_LOG_TARGET=journal
kill -STOP "$JOURNALD_PID"
t1=$(ticks)
for ((i = 0; i < N; i++)); do
        # each change is one journal entry (GOVERNOR_OVERRIDE_EVENT=request)
        govctl_answers set-limit app "$((64 + i % 2))M" --for 1h
done
govctl_answers status
t2=$(ticks)
[ "$t2" -gt "$t1" ] || fail "not ticking while journald is stopped: $t1 -> $t2"
grep -q "request" "$gov_log" && fail "entries went to stderr although journald's socket exists"
kill -CONT "$JOURNALD_PID"
govctl_answers set-limit app 77M --for 1h # the next entry goes behind the queue, in order
for ((i = 0; i < 100; i++)); do
        journald_json MESSAGE_ID=bcc2150c0ce54e47820d86fb61dfd623 GOVERNOR_OVERRIDE_EVENT=request \
                >"$work/requests.json" 2>/dev/null || true
        grep -q 'memory.max 77' "$work/requests.json" && break
        sleep 0.1
done
n=$(grep -c . "$work/requests.json" || true)
[ "$n" = $((N + 1)) ] || fail "$n of $((N + 1)) request entries reached the journal after it resumed"
python3 - "$work/requests.json" <<'PY' || fail "journal entries out of order"
import json, re, sys
sizes = [re.search(r"memory\.max (\d+)", json.loads(l)["MESSAGE"]).group(1) for l in open(sys.argv[1])]
# alternating 64/65 MiB, then the 77 MiB one last
want = ["65" if i % 2 else "64" for i in range(len(sizes) - 1)] + ["77"]
sys.exit(0 if sizes == want else 1)
PY
stop_gov
journald_stop
pass "journald stopped: $N logged changes answered, ticks $t1 -> $t2, all $((N + 1)) entries in the journal in order once it resumed"

# ---- 2. idle connections and a reconnect storm vs root ---------------------
start_gov storm "$work/gov.conf"
chmod 0666 "$sock" # let unprivileged users connect (as group members would)
python3 "$here/faults/control-storm.py" "$sock" 8 40 400 65534 65533 65532 65531 65530 \
        >"$work/storm.out" 2>&1 &
storm_pid=$!
helpers+=("$storm_pid")
sleep 1.5
worst=0
for ((i = 0; i < 10; i++)); do
        a=$(date +%s%N)
        govctl_answers status
        b=$(date +%s%N)
        ms=$(((b - a) / 1000000))
        [ "$ms" -gt "$worst" ] && worst=$ms
        sleep 0.3
done
# root's own idle connections: they take its reserved slots, yet status answers
python3 - "$sock" <<'PY' &
import socket, sys, time
conns = []
for _ in range(8):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    conns.append(s)
time.sleep(1.5)
PY
helpers+=($!)
sleep 0.3
govctl_answers status
wait "$storm_pid" || fail "the storm helper failed: $(cat "$work/storm.out")"
read -r _ idle _ connects _ busy _ refused <"$work/storm.out"
[ "$busy" -gt 0 ] || fail "no client was told busy: the fault was not exercised ($(cat "$work/storm.out"))"
kill -0 "$gov_pid" || fail "daemon died under the storm"
govctl_answers status
stop_gov
pass "idle connections + reconnect storm ($idle idle opened, $connects storm connects, $busy busy, $refused refused): root's status answered 11/11, worst ${worst} ms"

# ---- 3. FIFOs as state files ------------------------------------------------
mkdir -m 0700 "$work/fifo-state"
mkfifo "$work/fifo-state/overrides.json" "$work/fifo-state/history.json"
write_conf "$work/fifo.conf" "$work/fifo-state"
start_gov fifo "$work/fifo.conf"
for f in overrides.json history.json; do
        grep -q "State file $work/fifo-state/$f is corrupt (a FIFO, not a regular file); moved aside" "$gov_log" \
                || fail "$f: no clear message about the FIFO"
        [ -p "$work/fifo-state/$f.corrupt" ] || fail "$f was not moved aside"
done
govctl_answers set-limit app 64M --for 1h
for ((i = 0; i < 30; i++)); do [ -f "$work/fifo-state/overrides.json" ] && break; sleep 0.1; done
[ -f "$work/fifo-state/overrides.json" ] || fail "overrides not saved as a regular file after the FIFO was moved aside"
stop_gov
# SIGTERM in the middle of start-up, FIFOs planted again: gone within 3 s
# (0 from the handler, or 143 if it came before the handler was installed)
rm -f "$work/fifo-state"/*.json
mkfifo "$work/fifo-state/overrides.json" "$work/fifo-state/history.json"
env SUTAZAI_GOVERNOR_LOG_TARGET=console "$GOVERNOR" --config "$work/fifo.conf" --dry-run \
        --control-socket "$sock" >"$work/fifo-term.log" 2>&1 &
gov_pid=$!
sleep 0.05
kill -TERM "$gov_pid"
for ((i = 0; i < 30; i++)); do kill -0 "$gov_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$gov_pid" 2>/dev/null && fail "SIGTERM during start-up not honoured within 3 s"
rc=0
wait "$gov_pid" || rc=$?
gov_pid=""
[ "$rc" = 0 ] || [ "$rc" = 143 ] || fail "exit status $rc after SIGTERM during start-up"
pass "FIFO state files: refused at start-up, moved aside, saving works, SIGTERM exit 0 (and during start-up: $rc)"

# ---- 4. the control group, looked up at start-up and reload only -----------
# A private /etc/group (bind-mounted in this mount namespace only).
grep -v '^sutazai-gov:' /etc/group >"$work/group"
echo "sutazai-gov:x:4242:" >>"$work/group"
mount --bind "$work/group" /etc/group
# as_member GID: status as uid 65534 whose only group is GID; prints ok or the error
as_member() {
        timeout 5 python3 - "$sock" "$1" <<'PY'
import json, os, socket, sys
os.setgroups([int(sys.argv[2])])
os.setgid(65534)
os.setuid(65534)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"verb":"status"}\n')
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
r = json.loads(data)
print("ok" if r.get("ok") else r.get("error"))
PY
}
start_gov group "$work/gov.conf"
chmod 0666 "$sock"
[ "$(as_member 4242)" = ok ] || fail "a member of sutazai-gov (gid 4242) was refused"
[ "$(as_member 4343)" != ok ] || fail "a non-member was allowed"
# the group changes under the running daemon: nothing changes until reload
# (rewritten in place: the bind mount holds the inode)
sed 's/^sutazai-gov:x:4242:/sutazai-gov:x:4343:/' "$work/group" >"$work/group.new"
cat "$work/group.new" >"$work/group"
getent group sutazai-gov | grep -q ':4343:' || fail "the private /etc/group did not change"
[ "$(as_member 4242)" = ok ] || fail "group looked up per connection: the cached gid 4242 no longer works"
[ "$(as_member 4343)" != ok ] || fail "group looked up per connection: gid 4343 allowed before reload"
# wait_log TEXT: the daemon logged TEXT (fixed string) within 10 s
wait_log() {
        for ((i = 0; i < 100; i++)); do grep -qF "$1" "$gov_log" && return 0; sleep 0.1; done
        return 1
}
kill -HUP "$gov_pid"
wait_log "configuration reloaded" || fail "no reload"
# the reload's lookup runs off the loop; its answer is logged when applied
wait_log "control group sutazai-gov is gid 4343" || fail "the reload's group lookup never answered"
[ "$(as_member 4343)" = ok ] || fail "gid 4343 refused after reload"
[ "$(as_member 4242)" != ok ] || fail "gid 4242 still allowed after reload"
pass "control group: cached from start-up until SIGHUP (not looked up per connection)"

# A slow NSS backend (LDAP down): /etc/group becomes a FIFO nobody writes
# yet, so the reload's lookup blocks in open(). The loop must not: root's
# status answers throughout, and the gid known so far stays in force.
mkfifo "$work/group.fifo"
umount /etc/group
mount --bind "$work/group.fifo" /etc/group
kill -HUP "$gov_pid"
for ((i = 0; i < 100; i++)); do
        [ "$(grep -c "configuration reloaded" "$gov_log")" -ge 2 ] && break
        sleep 0.1
done
[ "$(grep -c "configuration reloaded" "$gov_log")" -ge 2 ] || fail "no second reload"
for ((k = 0; k < 10; k++)); do
        timeout 2 "$GOVCTL" --socket "$sock" status >/dev/null ||
                fail "status did not answer within 2 s while the group lookup hangs"
        sleep 0.1
done
[ "$(as_member 4343)" = ok ] || fail "the gid known before the hanging lookup was dropped"
# NSS answers at last: a writer releases the FIFO (glibc cannot read a
# group file from a pipe, so the answer is "no such group"), applied on the
# loop: the member is refused from then on
: >"$work/group.fifo" &
helpers+=($!)
wait_log "control group sutazai-gov does not exist" || fail "the late answer was not applied"
[ "$(as_member 4343)" != ok ] || fail "gid 4343 still allowed after the late answer"
# and the next reload, with NSS well again (gid 4444), is applied too
umount /etc/group
sed 's/^sutazai-gov:x:4343:/sutazai-gov:x:4444:/' "$work/group" >"$work/group.late"
mount --bind "$work/group.late" /etc/group
kill -HUP "$gov_pid"
wait_log "control group sutazai-gov is gid 4444" || fail "the reload after the hang was not applied"
[ "$(as_member 4444)" = ok ] || fail "gid 4444 refused after the reload"
stop_gov
pass "control group: a hanging lookup (FIFO /etc/group) stalls nothing; its late answer applies"

echo "PASS: journald stopped, idle connections + reconnect storm, FIFO state files, group lookups"
