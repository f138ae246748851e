#!/bin/bash
# meson install's configuration step (conf/install-conf.sh) under a DESTDIR:
# the first install gets governor.conf, governor.conf.d/ and the SutazAI
# drop-in; a second install keeps an edited governor.conf and does not bring
# back a drop-in the operator deleted.
set -euo pipefail
SOURCE_DIR=${SOURCE_DIR:?source tree}
conf=$SOURCE_DIR/conf
work=$(mktemp -d /tmp/sutazai-install-conf.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { DESTDIR=$work "$conf/install-conf.sh" /etc/sutazai "$conf/governor.conf" \
        "$conf/governor.conf.d/sutazai.conf" >/dev/null; }

run
cmp -s "$work/etc/sutazai/governor.conf" "$conf/governor.conf" || fail "governor.conf not installed"
cmp -s "$work/etc/sutazai/governor.conf.d/sutazai.conf" "$conf/governor.conf.d/sutazai.conf" ||
        fail "drop-in not installed"
echo "# edited" >>"$work/etc/sutazai/governor.conf"
rm "$work/etc/sutazai/governor.conf.d/sutazai.conf"
run
grep -q "# edited" "$work/etc/sutazai/governor.conf" || fail "a second install overwrote governor.conf"
[ -d "$work/etc/sutazai/governor.conf.d" ] || fail "governor.conf.d/ missing"
[ ! -e "$work/etc/sutazai/governor.conf.d/sutazai.conf" ] || fail "deleted drop-in came back"
echo PASS
