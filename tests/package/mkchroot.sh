#!/bin/bash
# Build (once per machine) a clean Debian 12 chroot to install the package
# into: debootstrap --variant=minbase from this machine's apt mirror, plus
# systemd (systemd-sysusers, deb-systemd-helper, the catalog trigger) and the
# governor's run-time libraries, so that `dpkg -i` needs no network.
#
#   mkchroot.sh [CACHE_DIR]     prints the pristine root directory on stdout
#
# CACHE_DIR defaults to $PACKAGE_CHROOT_CACHE or /var/cache/sutazai-governor.
# The root lives in CACHE_DIR/chroot-<sha256 of this script>/root, outside the
# clone, and is reused while this script is unchanged; callers copy it before
# installing anything. Concurrent callers wait on a lock.
set -euo pipefail

cache=${1:-${PACKAGE_CHROOT_CACHE:-/var/cache/sutazai-governor}}
suite=bookworm
packages=systemd,systemd-sysv,libsystemd0,libcurl4,libcjson1,libinih1,libcgroup2

die() { echo "mkchroot: $*" >&2; exit 1; }

key=$(sha256sum "$0" | cut -c1-16)
dir=$cache/chroot-$key
if [ -f "$dir/done" ]; then
        echo "$dir/root"
        exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (debootstrap)"
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
exec 9>"$cache/chroot.lock"
flock 9
if [ -f "$dir/done" ]; then # built by whoever held the lock
        echo "$dir/root"
        exit 0
fi
url=$(mirror)
[ -n "$url" ] || die "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
rm -rf "$dir"
mkdir -p "$dir"
echo "mkchroot: debootstrap $suite from $url into $dir/root (once per machine)" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$dir/root" "$url" \
        >"$dir/debootstrap.log" 2>&1 ||
        { tail -n 30 "$dir/debootstrap.log" >&2; die "debootstrap failed (log: $dir/debootstrap.log)"; }
rm -rf "$dir"/root/var/cache/apt/archives/*.deb "$dir"/root/var/lib/apt/lists/*
touch "$dir/done"
echo "$dir/root"
