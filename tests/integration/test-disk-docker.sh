#!/bin/bash
# test-disk-docker — the real daemon against a private dockerd whose data
# root is on a small tmpfs mounted by the test, filled past emergency:
#   - dry-run first: the plan is logged (LRU order), nothing is deleted, and
#     image last use learned from a container event survives a restart
#     (STATE_DIR/images.json);
#   - then for real: old logs pruned, journalctl run with the fixed argv and
#     an empty environment, stopped containers and dangling images removed,
#     LRU eviction of unused images down to the low mark — the least
#     recently used first (an image created earlier but used recently
#     stays); running containers, their images, keep_image images and
#     volumes are kept.
#
# env: GOVERNOR (the daemon binary), SOURCE_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/governor.sh
. "$here/../lib/governor.sh"
gov_init test-disk-docker dockerd
set -e # (as before the library: a failing step stops the test)
BUSYBOX=${BUSYBOX:-/bin/busybox}

image_exists() { dk image inspect "$1" >/dev/null 2>&1; }

mkdir -p "$T/fs" "$T/state"
mount -t tmpfs -o size=100m tmpfs "$T/fs" || die "cannot mount tmpfs"
gov_dockerd_start "$T/fs/d"

# An image per name: busybox (so containers can run) plus a payload that
# makes the id unique and the size chosen. Created times one second apart.
mk_image() { # NAME:TAG PAYLOAD_BYTES
        local dir="$T/img"
        rm -rf "$dir"
        mkdir -p "$dir/bin"
        cp "$BUSYBOX" "$dir/bin/busybox"
        ln -s busybox "$dir/bin/sh"
        ln -s busybox "$dir/bin/true"
        ln -s busybox "$dir/bin/sleep"
        head -c "$2" /dev/urandom >"$dir/payload"
        tar -C "$dir" -c . | dk import - "$1" >/dev/null || die "import $1"
        rm -rf "$dir"
}
mk_image img-c:1 100000 # created first, but used recently: must stay
sleep 1.1
mk_image img-a:1 26000000 # least recently used: evicted, and enough to reach low
sleep 1.1
mk_image img-b:1 100000
mk_image keep-me:1 100000 # unused but in keep_image
mk_image dang:1 100000
mk_image dang:1 100001 # the first dang:1 is now dangling
[ -n "$(dk images -q -f dangling=true)" ] || die "no dangling image to test with"
dangling_id=$(dk images -q --no-trunc -f dangling=true)

dk volume create keepvol >/dev/null || die "volume"
dk run -d --name running --network none -v keepvol:/data bb:latest sleep 1000 >/dev/null || die "run"
dk run --name stopped --network none bb:latest true || die "run stopped"

# logs and a fake journalctl that records how it was run
mkdir -p "$T/fs/logs"
head -c 100000 /dev/zero >"$T/fs/logs/old.log"
touch -d '3 days ago' "$T/fs/logs/old.log"
echo fresh >"$T/fs/logs/fresh.log"
cat >"$T/fake-journalctl" <<EOF
#!/bin/sh
printf '%s\n' "\$0" "\$@" >"$T/journalctl.args"
env >"$T/journalctl.env"
echo "Vacuuming done, freed 1.0M of archived journals from /var/log/journal."
EOF
chmod +x "$T/fake-journalctl"

cat >"$T/governor.conf" <<CONF
[governor]
interval = 200ms
docker_socket = $D/docker.sock
state_dir = $T/state
control_socket = $T/control.sock
metrics_file = $T/metrics.prom

[disk:$T/fs]
warning = 50%
critical = 55%
emergency = 60%
low = 45%
hold = 0s
cooldown = 1h
container_min_age = 0s
image_min_age = 0s
keep_image = keep-me*

[logs:app]
dir = $T/fs/logs
pattern = *.log
max_age = 1d

[journal]
journalctl = $T/fake-journalctl
vacuum_size = 500M
vacuum_time = 14d
CONF

start_governor_connected() { # [ARGS...]: until it is connected to dockerd
        SECRET_TEST_VARIABLE=leak SUTAZAI_GOVERNOR_LOG_FIELDS=1 \
                start_governor "$T/governor.conf" "$T/state" "$@"
        wait_connected_with
}
wait_for_log() { # PATTERN SECONDS
        for _ in $(seq $(($2 * 10))); do
                grep -q -- "$1" "$LOG" && return 0
                kill -0 "$gov_pid" 2>/dev/null || die "governor died"
                sleep 0.1
        done
        die "no \"$1\" in the log within $2 s"
}
wait_for_log_after() { # FIRST_PATTERN PATTERN SECONDS: PATTERN on a line after FIRST
        for _ in $(seq $(($3 * 10))); do
                sed -n "\\|$1|,\$p" "$LOG" | grep -q -- "$2" && return 0
                sleep 0.1
        done
        die "no \"$2\" after \"$1\" in the log within $3 s"
}
fill_to() { # PERCENT
        local blocks free bsize want
        read -r blocks free bsize <<<"$(stat -f -c '%b %f %S' "$T/fs")"
        want=$((blocks * bsize * $1 / 100 - (blocks - free) * bsize))
        # fallocate: the whole size at once, so the daemon sees one step
        [ "$want" -gt 0 ] && fallocate -l "$want" "$T/fs/filler.$1"
        df "$T/fs" | tail -1
}
usage_percent() {
        df --output=pcent "$T/fs" | tail -1 | tr -dc 0-9
}

# --- dry-run: learn a use of img-c, plan everything, delete nothing
start_governor_connected --dry-run
dk run --rm --network none img-c:1 true || die "run img-c"
sleep 0.5
fill_to 66
wait_for_log "would remove image sha256:" 60
wait_for_log_after "would remove image sha256:" "cleanup $T/fs (dry-run) done" 30
grep "would remove" "$LOG"
image_exists img-a:1 || fail "dry-run removed img-a"
dk inspect stopped >/dev/null 2>&1 || fail "dry-run removed the stopped container"
image_exists "$dangling_id" || fail "dry-run removed the dangling image"
[ -e "$T/fs/logs/old.log" ] || fail "dry-run removed a log"
[ -e "$T/journalctl.args" ] && fail "dry-run ran journalctl"
# per-file lines are debug detail (issue 13): the section's summary says it
grep -q "cleanup prune-logs (dry-run): 1 file(s) would be removed in $T/fs/logs" "$LOG" ||
        fail "dry-run did not plan the old log"
grep -q "would remove container stopped" "$LOG" || fail "dry-run did not plan the stopped container"
first_evict=$(grep -m1 "would remove image sha256:.* .*least recently used" "$LOG")
echo "$first_evict" | grep -q "img-a:1" || fail "LRU plan should start with img-a: $first_evict"
# the operator's view: sutazai-govctl cleanup --dry-run lists, deletes nothing
out=$(ctl --json cleanup --dry-run) || fail "govctl cleanup --dry-run failed: $out"
echo "$out" | head -c 3000
echo
for want in '"dry_run":[[:space:]]*true' "$T/fs/logs/old.log" '"target":[[:space:]]*"stopped ' 'img-a:1'; do
        echo "$out" | grep -Eq -- "$want" || fail "govctl cleanup --dry-run lacks $want"
done
echo "$out" | grep -q 'fresh.log' && fail "govctl cleanup --dry-run lists a fresh log"
image_exists img-a:1 || fail "govctl dry-run removed img-a"
[ -e "$T/fs/logs/old.log" ] || fail "govctl dry-run removed a log"
stop_governor
grep -q "$(dk image inspect -f '{{.Id}}' img-c:1)" "$T/state/images.json" ||
        fail "img-c's use not persisted in images.json"

# --- for real
start_governor_connected
# At start-up Docker may not be connected yet: that run prunes logs only, and
# the Docker stages follow once it connects. Wait for the run that evicted.
wait_for_log "removed image sha256:.* img-a:1" 90
wait_for_log_after "removed image sha256:.* img-a:1" "cleanup $T/fs done" 30
cat "$LOG"

[ -e "$T/fs/logs/old.log" ] && fail "old log kept"
[ -e "$T/fs/logs/fresh.log" ] || fail "fresh log removed"
printf '%s\n' "$T/fake-journalctl" --vacuum-size=500M --vacuum-time=14d | cmp -s - "$T/journalctl.args" ||
        fail "journalctl argv: $(cat "$T/journalctl.args" 2>/dev/null)"
grep -q SECRET_TEST_VARIABLE "$T/journalctl.env" && fail "journalctl inherited the environment"
grep -Eq '^(PATH|HOME|DOCKER_HOST)=' "$T/journalctl.env" && fail "journalctl environment not empty"

dk inspect stopped >/dev/null 2>&1 && fail "stopped container not pruned"
dk inspect running >/dev/null 2>&1 || fail "running container removed"
image_exists "$dangling_id" && fail "dangling image not pruned"
image_exists bb:latest || fail "the running container's image removed"
image_exists keep-me:1 || fail "keep_image image removed"
dk volume inspect keepvol >/dev/null 2>&1 || fail "volume removed"
image_exists img-a:1 && fail "least recently used image img-a not evicted"
image_exists img-c:1 || fail "img-c (used recently) evicted: LRU ignored last use"
image_exists img-b:1 || fail "img-b evicted although the disk was under low after img-a"
[ "$(usage_percent)" -le 45 ] || fail "disk not under the low mark: $(usage_percent)%"
grep -q "removed image sha256:.* img-a:1" "$LOG" || fail "eviction not logged with the image"
grep -q "GOVERNOR_ACTION=evict-image" "$LOG" || fail "no structured evict-image entry"
grep -q "GOVERNOR_ACTION=prune-containers" "$LOG" || fail "no structured prune-containers entry"
# history has the stages with their bytes
hist=$(ctl --json history) || fail "govctl history failed"
for kind in prune-logs vacuum-journal prune-containers prune-images evict-image; do
        echo "$hist" | grep -Eq "\"kind\":[[:space:]]*\"$kind\"" || fail "no $kind in the history"
done
# cleanup now, for real, answers with what it did (nothing old is left)
out=$(ctl --json cleanup) || fail "govctl cleanup failed: $out"
echo "$out" | grep -Eq '"dry_run":[[:space:]]*false' || fail "govctl cleanup answer: $out"
dk inspect running >/dev/null 2>&1 || fail "govctl cleanup removed the running container"
image_exists keep-me:1 || fail "govctl cleanup removed a keep_image image"
stop_governor

if [ "$failures" -ne 0 ]; then
        cut -c1-300 "$LOG" >&2 # the whole log, not only gov_cleanup's tail
fi
gov_finish "all disk docker checks"
