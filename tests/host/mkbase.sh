#!/bin/bash
# Build (once per machine) the host suite's base root filesystem: Debian 12
# from this machine's configured apt mirror, debootstrap --variant=minbase with
# packages.txt, prepared to boot under qemu from /dev/vda with no network.
#
#   mkbase.sh [CACHE_DIR]     prints the base root directory on stdout
#
# CACHE_DIR defaults to $HOST_VM_CACHE or /var/cache/sutazai-governor/host-vm.
# The base lives in CACHE_DIR/<sha256 of packages.txt + this script>/root and
# is reused while both are unchanged, so reruns (and fresh clones in CI on
# the same machine) skip the minutes debootstrap takes. Concurrent callers
# wait on a lock instead of building twice. Needs root and debootstrap.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${HOST_VM_CACHE:-/var/cache/sutazai-governor/host-vm}}
suite=bookworm

die() { echo "mkbase: $*" >&2; exit 1; }
log() { echo "mkbase: $*" >&2; }

key=$(cat "$here/packages.txt" "$0" | sha256sum | cut -c1-16)
dir=$cache/$key
if [ -f "$dir/done" ]; then
        echo "$dir/root"
        exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"

# The first Debian (not -security) URI of this machine's apt sources.
mirror() {
        local m=
        m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
                awk '{for (i = 2; i <= NF; i++) print $i}' | grep -v security | head -n 1 || true)
        [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null |
                sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' | grep -v security | head -n 1 || true)
        echo "$m"
}

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
if [ -f "$dir/done" ]; then # built by whoever held the lock
        echo "$dir/root"
        exit 0
fi

url=$(mirror)
[ -n "$url" ] || die "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
pkgs=$(grep -v '^#' "$here/packages.txt" | grep -v '^[[:space:]]*$' | paste -sd, -)
rm -rf "$dir"
mkdir -p "$dir"
root=$dir/root
log "debootstrap $suite from $url into $root (once per machine; a few minutes)"
debootstrap --variant=minbase --include="$pkgs" "$suite" "$root" "$url" >"$dir/debootstrap.log" 2>&1 ||
        { tail -n 30 "$dir/debootstrap.log" >&2; die "debootstrap failed (log: $dir/debootstrap.log)"; }

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
# Docker's images and the guest's writes live on the image, not in RAM.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
ls "$root"/boot/vmlinuz-* >/dev/null 2>&1 || die "no kernel in $root/boot"
ls "$root"/boot/initrd.img-* >/dev/null 2>&1 || die "no initrd in $root/boot"
touch "$dir/done"
log "base ready: $root"
echo "$root"
