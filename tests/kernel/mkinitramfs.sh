#!/bin/bash
# Build the kernel lab's initramfs (cpio newc, gzip).
#
#   mkinitramfs.sh OUTPUT GOVERNOR HOG LABTOOL [SOURCE_DIR]
#
# Holds: busybox-static with its applet links, /init, the scenario scripts,
# the governor, hog and labtool with every shared library ldd resolves (and
# the dynamic loader), and earlyoom with its libraries when installed (containment
# benchmark). The layout mirrors Debian's merged /usr so the loader paths the
# binaries carry resolve unchanged. Rebuilt only when an input is newer than
# OUTPUT (meson also tracks the inputs of its custom_target).
set -euo pipefail

out=$1
governor=$2
hog=$3
labtool=$4
src=${5:-$(cd "$(dirname "$0")" && pwd)}
busybox=${BUSYBOX:-/bin/busybox}
earlyoom=${EARLYOOM:-/usr/bin/earlyoom}

die() { echo "mkinitramfs: $*" >&2; exit 1; }
# A machine without busybox-static cannot run the lab: under CI that is a
# failure; elsewhere an empty OUTPUT tells run-vm.sh to skip (77).
if [ ! -x "$busybox" ]; then
        [ -n "${CI:-}" ] && die "$busybox missing (apt-get install busybox-static)"
        echo "mkinitramfs: $busybox missing (apt-get install busybox-static); kernel tests will skip" >&2
        : >"$out"
        exit 0
fi
[ -x "$governor" ] || die "governor $governor missing"
[ -x "$hog" ] || die "hog $hog missing"
[ -x "$labtool" ] || die "labtool $labtool missing"
case $(ldd "$busybox" 2>&1 || true) in
*"not a dynamic"*) ;;
*) die "$busybox is not static (apt-get install busybox-static)" ;;
esac

inputs=("$governor" "$hog" "$labtool" "$busybox" "$src/init" "$src/scenarios"/* "$0")
[ -x "$earlyoom" ] && inputs+=("$earlyoom")
if [ -f "$out" ]; then
        stale=0
        for f in "${inputs[@]}"; do
                [ "$f" -nt "$out" ] && stale=1
        done
        [ "$stale" = 0 ] && exit 0
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/sutazai-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,etc,scenarios,var/lib}
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

install -m 755 "$busybox" "$root/usr/bin/busybox"
for applet in $("$busybox" --list); do
        [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done

# Copy a dynamically linked program and everything ldd resolves for it;
# libraries land at the exact path ldd names (symlinks dereferenced).
copy_with_libs() {
        local bin=$1 dest=$2 lib
        install -m 755 "$bin" "$root$dest"
        while read -r lib; do
                [ -n "$lib" ] || continue
                mkdir -p "$root$(dirname "$lib")"
                [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
        done < <(ldd "$bin" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}')
}

copy_with_libs "$governor" /usr/sbin/sutazai-governor
copy_with_libs "$hog" /usr/bin/hog
copy_with_libs "$labtool" /usr/bin/labtool
[ -x "$earlyoom" ] && copy_with_libs "$earlyoom" /usr/bin/earlyoom

install -m 755 "$src/init" "$root/init"
install -m 644 "$src/scenarios"/* "$root/scenarios/"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

tmp_out="$out.tmp.$$"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
        gzip -1 >"$tmp_out"
mv "$tmp_out" "$out"
