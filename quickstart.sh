#!/bin/bash
# quickstart.sh — the README's two commands.
#
#   sudo ./quickstart.sh run    install build dependencies, build, run the governor
#                               in the foreground on this host with conf/governor.conf
#   sudo ./quickstart.sh test   install everything the suites use, build, run every
#                               suite (unit, integration, kernel, host), the unit and
#                               integration suites again under ASan/UBSan, and every
#                               fuzzer for a bounded time; fails on any failure or skip
#
# Debian 12 packages only. Every real component a test needs (dockerd,
# journald, a qemu VM) is started and stopped by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_PACKAGES=(meson ninja-build pkg-config gcc libc6-dev libsystemd-dev libcgroup-dev
                libcurl4-openssl-dev libcjson-dev libinih-dev)
TEST_PACKAGES=(docker.io busybox-static qemu-system-x86 linux-image-amd64 systemd util-linux
               python3 cpio prometheus earlyoom clang libclang-rt-14-dev iproute2 procps
               jq debootstrap lintian dpkg-dev debhelper dbus-daemon)
# host suite: debootstrap builds the VM's base, mkfs.ext4 -d its image
TEST_PACKAGES+=(debootstrap e2fsprogs)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

die() { echo "quickstart: $*" >&2; exit 1; }

install_packages() {
        local missing=()
        for p in "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
                        || missing+=("$p")
        done
        [ ${#missing[@]} -eq 0 ] && return 0
        [ "$(id -u)" = 0 ] || die "needs root to install: ${missing[*]}"
        echo "quickstart: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() { # build DIR [meson options...]
        local dir=$1
        shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@"
        fi
        ninja -C "$dir"
}

# Totals of one meson test run from its testlog.json: "ok fail skip".
count_results() {
        python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(ok, fail, skip)
PY
}

passed=0 failed=0 skipped=0
run_suites() { # run_suites DIR SUITE...
        local dir=$1
        shift
        local args=()
        for s in "$@"; do args+=(--suite "$s"); done
        local rc=0
        meson test -C "$dir" --print-errorlogs --num-processes 2 "${args[@]}" || rc=$?
        read -r ok fail skip < <(count_results "$dir")
        passed=$((passed + ok)) failed=$((failed + fail)) skipped=$((skipped + skip))
        if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then failed=$((failed + 1)); fi
}

case "${1:-}" in
run)
        install_packages "${BUILD_PACKAGES[@]}"
        build build
        exec build/src/sutazai-governor --config conf/governor.conf
        ;;
test)
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        build build
        run_suites build unit integration kernel
        # host: a debootstrap'd Debian 12 VM; its base image is cached in
        # /var/cache/sutazai-governor/host-vm (built once per machine, minutes)
        run_suites build host
        build build-asan -Db_sanitize=address,undefined -Db_lundef=false
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                run_suites build-asan unit integration
        if [ -x tests/fuzz/run-fuzzers.sh ]; then
                if CC=clang tests/fuzz/run-fuzzers.sh build-fuzz "$FUZZ_SECONDS"; then
                        passed=$((passed + 1))
                else
                        failed=$((failed + 1))
                fi
        fi
        echo
        echo "quickstart: unit, integration, kernel and host suites; unit and integration under ASan/UBSan; fuzzers ${FUZZ_SECONDS}s each"
        echo "tests: $passed passed, $failed failed, $skipped skipped"
        # a skipped suite proves nothing: skips fail the run
        [ "$failed" = 0 ] && [ "$skipped" = 0 ]
        ;;
*)
        echo "usage: $0 run|test" >&2
        exit 2
        ;;
esac
