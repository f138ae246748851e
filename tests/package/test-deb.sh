#!/bin/bash
# The Debian package, end to end: build it from this source tree with
# dpkg-buildpackage, lintian finds no error, install it into a clean Debian 12
# chroot (mkchroot.sh, cached outside the clone) with a policy-rc.d, and check
# what an operator relies on: the conffiles, the sutazai-gov group, the units
# enabled, the journal catalog compiled, `--check-config` passing on the
# shipped configuration; an operator's edit and a deleted drop-in survive a
# reinstall; remove and purge clean up. With DEB_TEST_HOST_VM=1 the same
# .deb is installed in the host suite's VM (tests/host/run-host.sh,
# HOST_VM_DEB) and the service must run there under systemd.
set -euo pipefail

SOURCE_DIR=${SOURCE_DIR:?source tree}
here=$SOURCE_DIR/tests/package

skip() {
        # a skip outside CI says what is missing; in CI it is a failure
        if [ -n "${CI:-}" ]; then
                echo "FAIL: $*" >&2
                exit 1
        fi
        echo "SKIP: $*" >&2
        exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
for tool in dpkg-buildpackage dh lintian debootstrap tar; do
        command -v "$tool" >/dev/null ||
                skip "$tool missing (apt-get install dpkg-dev debhelper lintian debootstrap)"
done

work=$(mktemp -d /tmp/sutazai-deb-test.XXXXXX)
root=$work/root
cleanup() {
        umount "$root/proc" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT

# -- build from exactly the files of this tree (tracked or new, not ignored)
mkdir "$work/src"
if git -C "$SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$SOURCE_DIR" ls-files -z -co --exclude-standard |
                tar -C "$SOURCE_DIR" --null -T - -cf - | tar -C "$work/src" -xf -
else
        tar -C "$SOURCE_DIR" --exclude='./build*' -cf - . | tar -C "$work/src" -xf -
fi
(cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
        { tail -n 40 "$work/build.log" >&2; fail "dpkg-buildpackage failed"; }
deb=$(ls "$work"/sutazai-governor_*_*.deb)
changes=$(ls "$work"/sutazai-governor_*.changes)
echo "built $(basename "$deb")"
lintian --fail-on error "$changes" >"$work/lintian.log" 2>&1 ||
        { cat "$work/lintian.log" >&2; fail "lintian reports errors"; }
grep -E '^E: ' "$work/lintian.log" && fail "lintian reports errors"

# -- the package's own contents
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./etc/sutazai/governor.conf ./etc/sutazai/governor.conf.d/ \
         ./etc/sutazai/governor.conf.d/sutazai.conf ./usr/sbin/sutazai-governor \
         ./usr/libexec/sutazai-governor-docker \
         ./usr/bin/sutazai-govctl ./usr/lib/sysusers.d/sutazai-governor.conf \
         ./usr/lib/systemd/catalog/sutazai-governor.catalog \
         ./lib/systemd/system/sutazai-governor.service ./lib/systemd/system/sutazai-governor.socket; do
        grep -qxF "$f" <<<"$contents" || fail "package lacks $f"
done
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/sutazai-governor.service)
grep -qx 'ExecStart=/usr/sbin/sutazai-governor --config /etc/sutazai/governor.conf' <<<"$unit" ||
        fail "unit's ExecStart does not name the installed paths: $(grep ExecStart <<<"$unit")"

# -- a clean Debian 12
base=$("$here/mkchroot.sh")
cp -a "$base" "$root"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
cp "$deb" "$root/tmp/pkg.deb"

in_root getent group sutazai-gov >/dev/null && fail "clean root already has group sutazai-gov"
in_root dpkg -i /tmp/pkg.deb >"$work/install.log" 2>&1 ||
        { cat "$work/install.log" >&2; fail "dpkg -i failed in a clean Debian 12"; }
echo "installed into a clean Debian 12 chroot"

conffiles=$(in_root dpkg-query -W -f='${Conffiles}\n' sutazai-governor)
for f in /etc/sutazai/governor.conf /etc/sutazai/governor.conf.d/sutazai.conf; do
        grep -q "^ $f " <<<"$conffiles" || fail "$f is not a conffile: $conffiles"
done
[ -d "$root/etc/sutazai/governor.conf.d" ] || fail "governor.conf.d/ not shipped"
in_root getent group sutazai-gov >/dev/null || fail "group sutazai-gov not created (sysusers)"
for u in sutazai-governor.service sutazai-governor.socket; do
        state=$(in_root systemctl is-enabled "$u" 2>&1 || true)
        [ "$state" = enabled ] || fail "$u is '$state', not enabled"
done
[ -L "$root/etc/systemd/system/multi-user.target.wants/sutazai-governor.service" ] ||
        fail "no multi-user.target.wants link"
# systemd's dpkg trigger on /usr/lib/systemd/catalog runs journalctl --update-catalog
in_root journalctl --list-catalog 80124a2fa0084fdead76cbd2eed75ffa 2>/dev/null |
        grep -q 'sutazai-governor started' || fail "journal catalog not compiled into the database"
out=$(in_root sutazai-governor --check-config --config /etc/sutazai/governor.conf 2>&1) ||
        fail "--check-config on the shipped configuration: $out"
grep -q "configuration OK" <<<"$out" || fail "--check-config said: $out"
echo "conffiles, group, enabled units, catalog, --check-config: ok"

# -- an operator's changes survive a reinstall (an upgrade to the same files)
echo "# operator's edit" >>"$root/etc/sutazai/governor.conf"
rm "$root/etc/sutazai/governor.conf.d/sutazai.conf"
in_root dpkg -i /tmp/pkg.deb >"$work/reinstall.log" 2>&1 ||
        { cat "$work/reinstall.log" >&2; fail "reinstall failed"; }
grep -q "operator's edit" "$root/etc/sutazai/governor.conf" || fail "reinstall overwrote governor.conf"
[ ! -e "$root/etc/sutazai/governor.conf.d/sutazai.conf" ] ||
        fail "reinstall brought back a deleted drop-in"

# -- remove keeps the configuration; purge removes it and the enablement
in_root dpkg --remove sutazai-governor >"$work/remove.log" 2>&1 ||
        { cat "$work/remove.log" >&2; fail "dpkg --remove failed"; }
[ ! -e "$root/usr/sbin/sutazai-governor" ] || fail "remove left the binary"
[ -e "$root/etc/sutazai/governor.conf" ] || fail "remove deleted the configuration"
in_root dpkg --purge sutazai-governor >"$work/purge.log" 2>&1 ||
        { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
[ ! -e "$root/etc/sutazai/governor.conf" ] || fail "purge left governor.conf"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/sutazai-governor.service" ] ||
        fail "purge left the enablement link"
echo "reinstall keeps edits; remove and purge: ok"

# -- the service under a real systemd: the host suite's VM (tests/host/)
# boots with this .deb installed in place of meson install. Minutes of TCG,
# so only with DEB_TEST_HOST_VM=1: the host suite's deb-host-vm test sets it,
# the integration suite's deb-package test stays with the chroot.
if [ "${DEB_TEST_HOST_VM:-0}" = 1 ]; then
        [ -x "$SOURCE_DIR/tests/host/run-host.sh" ] || fail "DEB_TEST_HOST_VM=1 but no tests/host/run-host.sh"
        HOST_VM_DEB=$deb "$SOURCE_DIR/tests/host/run-host.sh" --mode suite:1:a,b "$SOURCE_DIR" "$work/vm" ||
                fail "the package did not run in the host VM"
        echo "service ran in the host VM from the package"
fi
echo "PASS"
