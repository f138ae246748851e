#!/bin/bash
# Build (once per machine) a clean Debian 12 chroot to install the package
# into: debootstrap --variant=minbase from this machine's apt mirror, plus
# systemd (systemd-sysusers, deb-systemd-helper, the catalog trigger) and the
# governor's run-time libraries, so that `dpkg -i` needs no network.
#
#   mkchroot.sh [CACHE_DIR]     prints the pristine root directory on stdout
#
# CACHE_DIR defaults to $PACKAGE_CHROOT_CACHE or /var/cache/sutazai-governor.
# The root lives in CACHE_DIR/chroot-<sha256 of this script and
# tests/lib/debmirror.sh>/root, outside the clone, and is reused while they
# are unchanged; callers copy it before installing anything. Concurrent
# callers wait on a lock.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/debmirror.sh
. "$here/../lib/debmirror.sh"
cache=${1:-${PACKAGE_CHROOT_CACHE:-/var/cache/sutazai-governor}}
packages=systemd,systemd-sysv,libsystemd0,libcurl4,libcjson1,libinih1,libcgroup2

key=$(cat "$0" "$DEBMIRROR_SH" | sha256sum | cut -c1-16)
dir=$cache/chroot-$key
debmirror_begin mkchroot "$cache" chroot.lock "$dir"
debmirror_bootstrap "$dir" "$packages"
debmirror_done "$dir"
