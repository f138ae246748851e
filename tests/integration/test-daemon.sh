#!/bin/bash
# The daemon on this very host: real cgroups (hybrid here, pure v2 elsewhere),
# real PSI triggers, a real systemd-journald receiving its structured fields,
# SIGHUP reload (valid and invalid), SIGTERM exit 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/journald.sh"
journald_isolate "$@"

GOVERNOR=${GOVERNOR:?path of sutazai-governor}
work=$(mktemp -d /tmp/sutazai-daemon-test.XXXXXX)
cg_parent=""
pid=""
cleanup() {
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
        journald_stop
        [ -n "$cg_parent" ] && rmdir "$cg_parent/app-a" "$cg_parent" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# a cgroup2 tree of our own to govern: under the hybrid unified mount or the v2 root
if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then v2=/sys/fs/cgroup/unified; else v2=/sys/fs/cgroup; fi
cg_parent="$v2/sutazai-test-$$"
mkdir -p "$cg_parent/app-a"
rel="sutazai-test-$$/app-a"

cat >"$work/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $work/no-docker.sock
state_dir = $work/state
control_socket = $work/control.sock
metrics_file = $work/metrics.prom

[memory]
# far below this host's use, so the tier rises and an entry with its fields is logged
warning = 0.5%
hysteresis = 0.1%
critical = 98%
emergency = 99%
hold = 0s
trigger = some 150ms 1s

[cgroup:app-a]
match = path:sutazai-test-$$/app-*
priority = 10
CONF

journald_start
SUTAZAI_GOVERNOR_LOG_TARGET=journal "$GOVERNOR" --config "$work/governor.conf" --dry-run \
        2>"$work/stderr" &
pid=$!

# wait until it reports readiness in the journal
for _ in $(seq 100); do
        journald_json MESSAGE_ID=80124a2fa0084fdead76cbd2eed75ffa | grep -q . && break
        kill -0 "$pid" 2>/dev/null || fail "daemon died: $(cat "$work/stderr"; journalctl --no-pager -o cat SYSLOG_IDENTIFIER=sutazai-governor)"
        sleep 0.1
done
journald_json MESSAGE_ID=80124a2fa0084fdead76cbd2eed75ffa | grep -q '"SYSLOG_IDENTIFIER":"sutazai-governor"' \
        || fail "no start entry in the journal"

# real kernel PSI triggers: the daemon holds the host's and the group's pressure files open
sleep 0.5
# fds come and go while we look (the daemon reads files): tolerate vanishing ones
fds=$(for f in /proc/$pid/fd/*; do readlink "$f" || true; done 2>/dev/null)
echo "$fds" | grep -q "memory.pressure" || fail "no PSI trigger fd open: $fds"
echo "$fds" | grep -q "$rel/memory.pressure" || fail "no trigger on the governed cgroup: $fds"
# writing a second trigger on an fd the kernel already armed is refused with EBUSY:
# proof that what the daemon holds is a registered trigger, not a plain open file
python3 - "$pid" "$rel" <<'PY' || fail "the governed cgroup's pressure fd is not an armed trigger"
# pidfd_getfd duplicates the daemon's own open file (a re-open through
# /proc/PID/fd would be a new file without the trigger); the kernel allows one
# trigger per open file, so a second registration must fail with EBUSY.
import ctypes, os, sys
pid, rel = int(sys.argv[1]), sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_open, SYS_pidfd_getfd = 434, 438
pidfd = libc.syscall(SYS_pidfd_open, pid, 0)
for fd in os.listdir(f"/proc/{pid}/fd"):
    try:
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
    except FileNotFoundError:
        continue  # closed while we looked
    if target.endswith(rel + "/memory.pressure"):
        dup = libc.syscall(SYS_pidfd_getfd, pidfd, int(fd), 0)
        if dup < 0:
            sys.exit(2)
        try:
            os.write(dup, b"some 500000 2000000\0")
        except OSError as e:
            sys.exit(0 if e.errno == 16 else 1)
        sys.exit(1)
sys.exit(1)
PY
# structured fields of a tier change reached journald
for _ in $(seq 50); do
        journald_json MESSAGE_ID=df75a40f1e274ae38d50d677b0ef8d36 | grep -q '"GOVERNOR_TIER":"warning"' && break
        sleep 0.1
done
journald_json MESSAGE_ID=df75a40f1e274ae38d50d677b0ef8d36 | grep -q '"GOVERNOR_TIER":"warning"' \
        || fail "no tier entry with GOVERNOR_TIER=warning"
journald_json MESSAGE_ID=df75a40f1e274ae38d50d677b0ef8d36 | grep -q '"GOVERNOR_PREVIOUS_TIER":"normal"' \
        || fail "tier entry lacks GOVERNOR_PREVIOUS_TIER"

# SIGHUP with a valid change: reloaded
sed -i 's/^interval = 200ms/interval = 300ms/' "$work/governor.conf"
kill -HUP "$pid"
for _ in $(seq 50); do
        journald_json MESSAGE_ID=dfb5af60b98441fb9e672fa18cb7c7bc | grep -q . && break
        sleep 0.1
done
journald_json MESSAGE_ID=dfb5af60b98441fb9e672fa18cb7c7bc | grep -q . || fail "no reload entry"

# SIGHUP with an invalid file: refused with FILE:LINE, old config kept, daemon alive
cp "$work/governor.conf" "$work/good.conf"
printf 'priority = lots\n' >>"$work/governor.conf"
bad_line=$(grep -n '^priority = lots' "$work/governor.conf" | cut -d: -f1)
kill -HUP "$pid"
for _ in $(seq 50); do
        journald_json MESSAGE_ID=030576bcf08b4d38a5189b9ce2863dda | grep -q . && break
        sleep 0.1
done
journald_json MESSAGE_ID=030576bcf08b4d38a5189b9ce2863dda | grep -q "\"GOVERNOR_ERROR\":\"$work/governor.conf:$bad_line:" \
        || fail "refusal does not name FILE:LINE: $(journald_json MESSAGE_ID=030576bcf08b4d38a5189b9ce2863dda)"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "daemon died on an invalid reload"

# SIGTERM: exit 0, with a stopping entry
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
journald_json MESSAGE_ID=f0f436e6e6cb49c3afa2a62f59c216c4 | grep -q . || fail "no stopping entry"
echo "PASS: triggers registered, journald fields, reload, refused reload, SIGTERM exit 0"
