# debmirror.sh — a Debian 12 root filesystem built once per machine with
# debootstrap --variant=minbase from this machine's configured apt mirror
# (no other network), cached outside the clone: the host suite's VM base
# (tests/host/mkbase.sh) and the package test's chroot
# (tests/package/mkchroot.sh). Sourced by bash scripts under set -eu.
#
#   debmirror_begin NAME CACHE LOCK DIR
#           DIR/root already built: print it and exit 0. Otherwise check for
#           root and debootstrap and take the lock CACHE/LOCK (held until the
#           script exits; concurrent callers wait instead of building twice),
#           then print it and exit 0 if the lock's holder built it meanwhile.
#           NAME prefixes messages.
#   debmirror_bootstrap DIR PACKAGES
#           debootstrap bookworm into DIR/root (DIR emptied first) with the
#           comma-separated PACKAGES; its log in DIR/debootstrap.log
#   debmirror_done DIR
#           drop the apt caches, mark DIR built, print DIR/root
#
# DEBMIRROR_SH is this file's path: a cache key must hash it too, since a
# change here changes what is built.

DEBMIRROR_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
DEBMIRROR_SUITE=bookworm
debmirror_name=debmirror

debmirror_die() {
        echo "$debmirror_name: $*" >&2
        exit 1
}

# The first Debian (not -security) URI of this machine's apt sources.
debmirror_url() {
        local m=
        m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
                awk '{for (i = 2; i <= NF; i++) print $i}' | grep -v security | head -n 1 || true)
        [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null |
                sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' | grep -v security | head -n 1 || true)
        echo "$m"
}

debmirror_begin() { # NAME CACHE LOCK DIR
        debmirror_name=$1
        local cache=$2 lock=$3 dir=$4
        if [ -f "$dir/done" ]; then
                echo "$dir/root"
                exit 0
        fi
        [ "$(id -u)" = 0 ] || debmirror_die "needs root (debootstrap, chroot)"
        command -v debootstrap >/dev/null || debmirror_die "debootstrap missing (apt-get install debootstrap)"
        mkdir -p "$cache"
        exec 9>"$cache/$lock"
        flock 9
        if [ -f "$dir/done" ]; then # built by whoever held the lock
                echo "$dir/root"
                exit 0
        fi
}

debmirror_bootstrap() { # DIR PACKAGES
        local dir=$1 packages=$2 url
        url=$(debmirror_url)
        [ -n "$url" ] ||
                debmirror_die "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
        rm -rf "$dir"
        mkdir -p "$dir"
        echo "$debmirror_name: debootstrap $DEBMIRROR_SUITE from $url into $dir/root (once per machine; a few minutes)" >&2
        debootstrap --variant=minbase --include="$packages" "$DEBMIRROR_SUITE" "$dir/root" "$url" \
                >"$dir/debootstrap.log" 2>&1 || {
                tail -n 30 "$dir/debootstrap.log" >&2
                debmirror_die "debootstrap failed (log: $dir/debootstrap.log)"
        }
}

debmirror_done() { # DIR
        local dir=$1
        rm -rf "$dir"/root/var/cache/apt/archives/*.deb "$dir"/root/var/lib/apt/lists/*
        touch "$dir/done"
        echo "$dir/root"
}
