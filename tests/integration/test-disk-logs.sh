#!/bin/bash
# test-disk-logs — log pruning on a real, small tmpfs mounted by the test:
# age and pattern; fresh, hidden and non-matching files kept; symlinks to a
# file and to a directory outside (targets intact); a bind mount inside the
# log dir (from another fs and from the same fs) never crossed; names with
# spaces, newlines and invalid UTF-8; max_total oldest first; dry-run deletes
# nothing; a file and a directory swapped for symlinks between scan and
# delete are left alone; inode exhaustion drives the tier.
#
# env: DISK_DRIVER (tests/integration/disk-driver, set by meson)
set -u

if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root to mount a tmpfs" >&2
        exit 77
fi
DRIVER=${DISK_DRIVER:?DISK_DRIVER not set}

T=$(mktemp -d /tmp/test-disk-logs.XXXXXX)
cleanup() {
        # innermost first
        grep " $T/" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do
                umount "$m" 2>/dev/null || umount -l "$m"
        done
        rm -rf "$T"
}
trap cleanup EXIT

failures=0
fail() {
        echo "FAIL: $*" >&2
        failures=$((failures + 1))
}
must_exist() { [ -e "$1" ] || [ -L "$1" ] || fail "$1 should still exist"; }
must_be_gone() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "$1 should be deleted"; }

mkdir -p "$T/fs" "$T/outside/dir" "$T/outside/bound"
mount -t tmpfs -o size=8m,nr_inodes=200 tmpfs "$T/fs" || { echo "cannot mount tmpfs" >&2; exit 1; }
L="$T/fs/logs"
mkdir -p "$L/sub" "$L/bound" "$L/samefs" "$T/fs/other"

OLD='10 days ago'
mk_old() { echo data >"$1" && touch -d "$OLD" "$1"; }

mk_old "$L/old.log"
echo data >"$L/fresh.log"
mk_old "$L/old.txt"
mk_old "$L/.hidden.log"
mk_old "$L/with space.log"
mk_old "$L/new"$'\n'"line.log"
mk_old "$L/bad"$'\xff'".log"
mk_old "$L/sub/nested.log"
# symlinks planted in the log dir: to a file and to a directory outside
mk_old "$T/outside/target.log"
ln -s "$T/outside/target.log" "$L/link-to-file.log"
touch -h -d "$OLD" "$L/link-to-file.log"
mk_old "$T/outside/dir/victim.log"
ln -s "$T/outside/dir" "$L/link-dir"
# a bind mount from another fs, and one from the same tmpfs (same st_dev)
mk_old "$T/outside/bound/mounted.log"
mount --bind "$T/outside/bound" "$L/bound"
mk_old "$T/fs/other/samefs.log"
mount --bind "$T/fs/other" "$L/samefs"

# --- dry-run: plans, deletes nothing
out=$("$DRIVER" prune --dry-run --recursive "$L" '*.log' 604800) || fail "driver dry-run failed"
echo "$out"
echo "$out" | grep -q $'^plan\tage\told.log$' || fail "dry-run did not plan old.log"
echo "$out" | grep -q $'^plan\tage\tnew\\\\nline.log$' || fail "newline name not escaped in plan"
echo "$out" | grep -q $'^plan\tage\tbad\\\\xff.log$' || fail "invalid UTF-8 name not escaped"
echo "$out" | grep -q '^deleted' && fail "dry-run deleted something"
must_exist "$L/old.log"
must_exist "$L/with space.log"
must_exist "$L/sub/nested.log"

# --- non-recursive, real
out=$("$DRIVER" prune "$L" '*.log' 604800) || fail "driver failed"
echo "$out"
echo "$out" | grep -q $'^scanned\t5\tsymlinks=2\tmounts=2' ||
        fail "expected 5 candidates, 2 symlinks and 2 mount points seen"
must_be_gone "$L/old.log"
must_be_gone "$L/with space.log"
must_be_gone "$L/new"$'\n'"line.log"
must_be_gone "$L/bad"$'\xff'".log"
must_exist "$L/fresh.log"
must_exist "$L/old.txt"
must_exist "$L/.hidden.log"
must_exist "$L/sub/nested.log"          # no recursion
must_exist "$L/link-to-file.log"        # the link itself is not a regular file
must_exist "$T/outside/target.log"
must_exist "$T/outside/dir/victim.log"
[ "$(cat "$T/outside/target.log")" = data ] || fail "symlink target changed"

# --- recursive: into sub/, never through link-dir, never into either bind mount
out=$("$DRIVER" prune --recursive "$L" '*.log' 604800) || fail "driver failed"
echo "$out"
echo "$out" | grep -q 'mounts=2' || fail "both bind mounts should be seen and skipped"
must_be_gone "$L/sub/nested.log"
must_exist "$T/outside/dir/victim.log"
must_exist "$L/bound/mounted.log"
must_exist "$T/outside/bound/mounted.log"
must_exist "$L/samefs/samefs.log"
must_exist "$T/fs/other/samefs.log"
must_exist "$L/fresh.log"

# --- max_total: five young 8 KiB files, limit 20 KiB: the three oldest go
M="$T/fs/total"
mkdir "$M"
for i in 1 2 3 4 5; do
        head -c 8192 /dev/zero >"$M/f$i.log"
        touch -d "$((10 - i)) minutes ago" "$M/f$i.log"
done
out=$("$DRIVER" prune --max-total 20480 "$M" '*.log' 604800) || fail "driver failed"
echo "$out"
must_be_gone "$M/f1.log"
must_be_gone "$M/f2.log"
must_be_gone "$M/f3.log"
must_exist "$M/f4.log"
must_exist "$M/f5.log"
echo "$out" | grep -q $'^deleted\tf1.log\t8192$' || fail "bytes freed should be st_blocks*512 = 8192"

# --- a file swapped for a symlink between scan and delete
S="$T/fs/swap"
mkdir -p "$S/subdir"
mk_old "$S/swap.log"
mk_old "$S/subdir/inner.log"
mk_old "$T/outside/precious.log"
mkdir -p "$T/outside/precious-dir"
mk_old "$T/outside/precious-dir/inner.log"
mkfifo "$T/driver-in"
"$DRIVER" prune --recursive --pause "$S" '*.log' 604800 <"$T/driver-in" >"$T/driver-out" &
drv_pid=$!
exec 3>"$T/driver-in"
i=0
until grep -q '^PAUSE$' "$T/driver-out"; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || { fail "driver never paused"; break; }
        sleep 0.1
done
rm "$S/swap.log"
ln -s "$T/outside/precious.log" "$S/swap.log"
mv "$S/subdir" "$S/subdir.moved"
ln -s "$T/outside/precious-dir" "$S/subdir"
echo go >&3
exec 3>&-
wait "$drv_pid" || fail "driver failed in the swap test"
out=$(cat "$T/driver-out")
echo "$out"
echo "$out" | grep -q $'^kept\tswap.log\tESTALE$' || fail "swapped file not detected"
echo "$out" | grep -q $'^kept\tsubdir/inner.log\tESTALE$' || fail "swapped directory not detected"
must_exist "$T/outside/precious.log"
must_exist "$T/outside/precious-dir/inner.log"
must_exist "$S/swap.log" # the planted link is left alone too
[ "$(cat "$T/outside/precious.log")" = data ] || fail "symlink target changed"

# unlinkat() on a symlink removes the link itself, never its target: the
# kernel guarantee the confinement relies on, checked here directly.
ln -s "$T/outside/precious.log" "$T/fs/direct-link"
rm -f "$T/fs/direct-link" # coreutils rm is unlinkat(AT_FDCWD, path, 0)
must_exist "$T/outside/precious.log"

# --- the top directory itself may not be a symlink
ln -s "$L" "$T/fs/logs-link"
out=$("$DRIVER" prune "$T/fs/logs-link" '*.log' 0)
echo "$out" | grep -Eq $'^error\t(Not a directory|Too many levels of symbolic links)' ||
        fail "a symlinked top directory must be refused"

# --- inode exhaustion drives the tier (blocks nearly empty)
out=$("$DRIVER" usage "$T/fs" 80 90 95)
echo "before: $out"
echo "$out" | grep -q 'tier=normal' || fail "fresh tmpfs should be normal"
I="$T/fs/inodes"
mkdir "$I"
n=0
while { : >"$I/f$n"; } 2>/dev/null; do n=$((n + 1)); done
out=$("$DRIVER" usage "$T/fs" 80 90 95)
echo "after $n files: $out"
echo "$out" | grep -q 'tier=emergency' || fail "inode exhaustion should reach emergency"
echo "$out" | grep -Eq 'blocks=[0-9]\.' || fail "blocks should be nearly empty (< 10%)"

if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
fi
echo "all disk log checks passed"
