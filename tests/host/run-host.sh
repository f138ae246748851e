#!/bin/bash
# The host suite: boot a production-like Debian 12 VM (systemd as PID 1, pure
# cgroup v2, docker.io with the systemd cgroup driver) with the governor from
# this source tree installed and enabled as a package would, run the guest
# driver, and judge its verdict lines.
#
#   run-host.sh [--mode MODE] [--timeout SECONDS] [--log FILE] [--raw] SOURCE_DIR WORK_DIR
#
# MODE is the driver's (guest/driver.sh): suite:RUNS (default suite:5) or
# bench:RUNS:GUARD,...  WORK_DIR keeps the install build dir between runs.
# HOST_VM_DEB=path.deb installs that package with dpkg in place of meson
# install. HOST_VM_CACHE moves the base image cache (mkbase.sh);
# HOST_VM_KEEP=1 keeps the VM's image for a look afterwards.
# HOST_VM_DROPIN=file.conf adds a governor.conf.d drop-in (zz-test.conf):
# for measuring candidate defaults before changing them in src/config-section.c.
#
# Verdict: exit 0 when the results disk shows DONE, at least one RESULT and
# no status=fail. --raw prints the results and exits 0 (benchmarks parse
# them). Needs root, debootstrap, qemu and mkfs.ext4: missing, it fails
# under CI and skips (77) elsewhere.
set -uo pipefail

mode=suite:5
timeout_sec=900
log=
raw=0
while [ $# -gt 2 ]; do
        case $1 in
        --mode) mode=$2; shift 2 ;;
        --timeout) timeout_sec=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --raw) raw=1; shift ;;
        *) echo "run-host: unknown option $1" >&2; exit 2 ;;
        esac
done
[ $# -eq 2 ] || { echo "usage: run-host.sh [options] SOURCE_DIR WORK_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
workdir=$2
here=$src/tests/host
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

unavailable() {
        if [ -n "${CI:-}" ]; then
                echo "run-host: $* — required under CI" >&2
                exit 1
        fi
        echo "run-host: SKIP: $*" >&2
        exit 77
}
die() { echo "run-host: $*" >&2; exit 1; }
step() { echo "run-host: $(date +%T) $*"; }

[ "$(id -u)" = 0 ] || unavailable "needs root (debootstrap, chroot, mkfs)"
for tool in debootstrap qemu-system-x86_64 mkfs.ext4 gcc; do
        command -v $tool >/dev/null || unavailable "$tool missing (./quickstart.sh test installs it)"
done
[ -z "${HOST_VM_DEB:-}" ] || [ -r "$HOST_VM_DEB" ] || die "HOST_VM_DEB=$HOST_VM_DEB unreadable"

start=$(date +%s)
step "base image"
base=$("$here/mkbase.sh") || die "base image failed"

tmp=$(mktemp -d /var/tmp/sutazai-hostvm.XXXXXX)
cleanup() {
        umount "$tmp/root/proc" 2>/dev/null
        if [ "${HOST_VM_KEEP:-0}" = 1 ]; then
                echo "run-host: kept $tmp"
        else
                rm -rf "$tmp"
        fi
}
trap cleanup EXIT
root=$tmp/root
step "copy base $base"
cp -a --reflink=auto "$base" "$root" || die "copying the base failed"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
if [ -n "${HOST_VM_DEB:-}" ]; then
        step "install $HOST_VM_DEB with dpkg"
        cp "$HOST_VM_DEB" "$root/tmp/governor.deb"
        in_root dpkg -i /tmp/governor.deb || die "dpkg -i failed"
        rm -f "$root/tmp/governor.deb"
else
        # A build dir of its own: a package's prefix, not the test build's.
        inst=$workdir/install-build
        step "meson install (prefix /usr, sysconfdir /etc) from $inst"
        if [ ! -f "$inst/build.ninja" ]; then
                meson setup "$inst" "$src" --prefix=/usr --sysconfdir=/etc \
                        --buildtype=debugoptimized -Dtests=false >"$workdir/install-setup.log" 2>&1 ||
                        { cat "$workdir/install-setup.log"; die "meson setup failed"; }
        fi
        DESTDIR="$root" meson install -C "$inst" --quiet >"$workdir/install.log" 2>&1 ||
                { tail -n 40 "$workdir/install.log"; die "meson install failed"; }
fi
[ -x "$root/usr/sbin/sutazai-governor" ] || die "no /usr/sbin/sutazai-governor after install"
# The operator's step from the README: the SutazAI rules as a drop-in.
mkdir -p "$root/etc/sutazai/governor.conf.d"
[ -f "$root/etc/sutazai/governor.conf.d/sutazai.conf" ] ||
        install -m 644 "$src/conf/governor.conf.d/sutazai.conf" "$root/etc/sutazai/governor.conf.d/"
if [ -n "${HOST_VM_DROPIN:-}" ]; then
        install -m 644 "$HOST_VM_DROPIN" "$root/etc/sutazai/governor.conf.d/zz-test.conf" ||
                die "HOST_VM_DROPIN=$HOST_VM_DROPIN unreadable"
fi
in_root systemd-sysusers >/dev/null || die "systemd-sysusers failed"
in_root systemctl enable sutazai-governor.service >/dev/null 2>&1 || die "systemctl enable failed"

step "test driver"
gcc -O2 -static -o "$root/usr/local/bin/hog" "$src/tests/kernel/hog.c" || die "static hog failed"
mkdir -p "$root/usr/local/lib/sutazai-host-test"
install -m 755 "$here/guest/driver.sh" "$root/usr/local/lib/sutazai-host-test/"
install -m 644 "$here/guest/lib.sh" "$here/guest/unit.sh" "$here/guest/limits.sh" \
        "$here/guest/runaway.sh" "$root/usr/local/lib/sutazai-host-test/"
install -m 644 "$here/guest/sutazai-host-test.service" "$root/etc/systemd/system/"
in_root systemctl enable sutazai-host-test.service >/dev/null 2>&1 || die "enabling the driver failed"

step "mkfs.ext4 -d"
image=$tmp/image.raw
results=$tmp/results.raw
kernel=$(ls -1 "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$(ls -1 "$root"/boot/initrd.img-* | sort -V | tail -n 1)
cp "$kernel" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd"
mkfs.ext4 -q -F -L root -d "$root" "$image" 6G || die "mkfs.ext4 failed"
rm -rf "$root"
truncate -s 16M "$results"

own_log=0
if [ -z "$log" ]; then
        log=$tmp/console.log
        own_log=1
fi
step "boot (qemu TCG, 2 CPUs, 2 GiB; mode $mode; at most ${timeout_sec}s)"
timeout -s KILL "$timeout_sec" qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 2048 \
        -nographic -no-reboot -nodefaults -serial stdio -display none \
        -kernel "$tmp/vmlinuz" -initrd "$tmp/initrd" \
        -append "root=/dev/vda rw console=ttyS0 psi=1 quiet panic=-1 systemd.show_status=0 sutazai.test=$mode" \
        -drive file="$image",format=raw,if=virtio \
        -drive file="$results",format=raw,if=virtio \
        </dev/null >"$log" 2>&1
qemu_rc=$?
sed -i 's/\r$//' "$log"
out=$tmp/results.txt
tr -d '\0' <"$results" >"$out"
step "VM done (qemu exit $qemu_rc) after $(($(date +%s) - start))s"

if [ "$raw" = 1 ]; then
        cat "$out"
        exit 0
fi
grep -E '^(CHECK|RESULT|BENCH)' "$out"
verdict=1
if [ "$qemu_rc" = 137 ]; then
        echo "run-host: qemu killed after ${timeout_sec}s"
elif ! grep -q '^DONE' "$out"; then
        echo "run-host: the driver did not finish"
elif grep -q '^RESULT ' "$out" && ! grep -q 'status=fail' "$out"; then
        verdict=0
fi
if [ "$verdict" != 0 ]; then
        echo "---- governor journal (tail) ----"
        grep '^GOVLOG' "$out" | tail -n 80
        echo "---- console (tail) ----"
        tail -n 60 "$log"
fi
exit $verdict
