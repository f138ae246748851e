#!/bin/bash
# Run every benchmark and print its table; also write them, with the
# machine they ran on, to BUILD_DIR/PERFORMANCE.md (tests/bench/PERFORMANCE.md
# is that file, checked in with its prose).
#
#   tests/bench/run-all.sh BUILD_DIR [RUNS]
#
# RUNS: VM runs per containment mode and latency (default 5). Needs root
# (footprint creates cgroups), qemu-system-x86, linux-image-amd64,
# busybox-static and earlyoom; the production-like VM (bench-host.sh) also
# debootstrap and its base image (built once per machine). Takes about 30
# minutes on 2 cores with RUNS 5; the record uses 20.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: run-all.sh BUILD_DIR [RUNS]" >&2; exit 2; }
build=$(cd "$1" && pwd)
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/PERFORMANCE.md

ninja -C "$build" src/sutazai-governor src/sutazai-govctl tests/bench/bench-tick tests/kernel/initramfs.gz >/dev/null ||
        { echo "run-all: build failed" >&2; exit 1; }

machine() {
        echo "Measured $(date -u +%Y-%m-%d) on $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r),"
        echo "$(nproc) × $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo),"
        echo "$(awk '/^MemTotal/{printf "%.0f GiB", $2/1024/1024}' /proc/meminfo) RAM; VM benchmarks: Debian's $(basename "$(ls -1 /boot/vmlinuz-* | sort -V | tail -n 1)")"
        echo "under qemu $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}') TCG (no KVM), 1 vCPU, 512 MiB, no swap;"
        local buildtype
        buildtype=$(meson introspect "$build" --buildoptions 2>/dev/null | tr '{' '\n' |
                grep '"name": "buildtype"' | grep -o '"value": "[a-z]*"' | cut -d'"' -f4)
        echo "governor $(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown), meson buildtype ${buildtype:-unknown}."
}

status=0
section() { # TITLE COMMAND...
        local title=$1 rc
        shift
        echo "### $title"
        echo
        "$@"
        rc=$?
        case $rc in
        0) ;;
        77) echo "(skipped: a part is missing on this machine)" ;;
        *) echo "(failed: exit $rc)"; status=1 ;;
        esac
        echo
}

{
        echo "## Performance"
        echo
        machine
        echo
        echo "Reproduce: \`tests/bench/run-all.sh BUILD_DIR $runs\`."
        echo
        section "Detection latency and containment (real kernel, VM)" "$here/bench-kernel.sh" "$build" "$runs"
        section "Footprint beside earlyoom (this host)" "$here/bench-footprint.sh" "$build" 60
        section "Kernel OOM killer first: what the governor tells the kernel (VM)" "$here/bench-oom-protect.sh" "$build" "$runs"
        section "Containment on a production-like VM (systemd, Docker's systemd driver)" \
                "$here/bench-host.sh" "$build" "$runs"
        echo "### Scale: one tick (sample + decide) over N cgroups, fixture tree on tmpfs"
        echo
        "$build/tests/bench/bench-tick" || status=1
        echo
        section "Stalls: the event loop and status under each fault of issue 13 (this host)" \
                "$here/bench-stall.sh" "$build" 10
        if [ -x "$here/bench-start-to-limit.sh" ]; then
                ninja -C "$build" tests/bench/bench-start-to-limit >/dev/null
                section "Start-to-limit latency for containers (real dockerd)" "$here/bench-start-to-limit.sh" "$build" 50
        fi
} > >(tee "$out")
wait $!
echo "run-all: tables written to $out" >&2
exit $status
