#!/bin/sh
# meson install step for /etc/sutazai: never overwrite an operator's files.
#
#   install-conf.sh ETCDIR MAIN_CONF DROPIN
#
# ETCDIR is the absolute configuration directory (/etc/sutazai), under
# $DESTDIR when meson stages an install. governor.conf is installed only when
# absent; governor.conf.d/ is always created; the SutazAI drop-in goes in only
# when governor.conf.d/ is created here, so an operator who removed it does
# not get it back on the next install. A package build stages into an empty
# DESTDIR and so gets all three.
set -eu
etc=${DESTDIR:-}$1
main=$2
dropin=$3

mkdir -p "$etc"
if [ -e "$etc/governor.conf" ]; then
        echo "install-conf: kept $etc/governor.conf (the shipped defaults are in $main)"
else
        install -m 0644 "$main" "$etc/governor.conf"
        echo "install-conf: installed $etc/governor.conf"
fi
if [ ! -d "$etc/governor.conf.d" ]; then
        install -d -m 0755 "$etc/governor.conf.d"
        install -m 0644 "$dropin" "$etc/governor.conf.d/$(basename "$dropin")"
        echo "install-conf: installed $etc/governor.conf.d/$(basename "$dropin")"
fi
