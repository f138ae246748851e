#!/bin/bash
# Build (once per machine) the host suite's base root filesystem: Debian 12
# from this machine's configured apt mirror, debootstrap --variant=minbase with
# packages.txt, prepared to boot under qemu from /dev/vda with no network.
#
#   mkbase.sh [CACHE_DIR]     prints the base root directory on stdout
#
# CACHE_DIR defaults to $HOST_VM_CACHE or /var/cache/sutazai-governor/host-vm.
# The base lives in CACHE_DIR/<sha256 of packages.txt, this script and
# tests/lib/debmirror.sh>/root and is reused while they are unchanged, so
# reruns (and fresh clones in CI on the same machine) skip the minutes
# debootstrap takes. Concurrent callers wait on a lock instead of building
# twice. Needs root and debootstrap.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/debmirror.sh
. "$here/../lib/debmirror.sh"
cache=${1:-${HOST_VM_CACHE:-/var/cache/sutazai-governor/host-vm}}

die() { debmirror_die "$*"; }
log() { echo "mkbase: $*" >&2; }

key=$(cat "$here/packages.txt" "$0" "$DEBMIRROR_SH" | sha256sum | cut -c1-16)
dir=$cache/$key
root=$dir/root
debmirror_begin mkbase "$cache" lock "$dir"
debmirror_bootstrap "$dir" "$(grep -v '^#' "$here/packages.txt" | grep -v '^[[:space:]]*$' | paste -sd, -)"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
in_root update-initramfs -c -k all >"$dir/initramfs.log" 2>&1 ||
        in_root update-initramfs -u -k all >>"$dir/initramfs.log" 2>&1 ||
        die "update-initramfs failed (log: $dir/initramfs.log)"
umount "$root/proc"
trap - EXIT

echo "/dev/vda / ext4 rw,relatime 0 1" >"$root/etc/fstab"
: >"$root/etc/machine-id"
echo sutazai-host >"$root/etc/hostname"
# No network in the VM: no iptables, no bridge. Docker 20.10 picks the
# systemd cgroup driver by itself on cgroup v2 under systemd (the test
# checks "docker info" says so), so no exec-opts here.
mkdir -p "$root/etc/docker"
echo '{"iptables": false, "ip6tables": false, "bridge": "none"}' >"$root/etc/docker/daemon.json"
# The peers are measured one at a time by the benchmark, never by default;
# timers that would compete for the two cores are masked.
in_root systemctl disable earlyoom.service systemd-oomd.service systemd-oomd.socket >/dev/null 2>&1 || true
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
         dpkg-db-backup.timer systemd-tmpfiles-clean.timer getty@tty1.service \
         systemd-networkd-wait-online.service; do
        in_root systemctl mask "$u" >/dev/null 2>&1 || true
done
ls "$root"/boot/vmlinuz-* >/dev/null 2>&1 || die "no kernel in $root/boot"
ls "$root"/boot/initrd.img-* >/dev/null 2>&1 || die "no initrd in $root/boot"
log "base ready: $root"
# Docker's images and the guest's writes live on the image, not in RAM:
# the apt caches go.
debmirror_done "$dir"
