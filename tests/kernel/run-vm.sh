#!/bin/bash
# Boot the kernel lab VM once for one scenario and judge it.
#
#   run-vm.sh [--mem MB] [--timeout SECONDS] [--log FILE] [--raw] [--append ARGS] INITRD SCENARIO
#
# Boots Debian's kernel under qemu (TCG: KVM hangs with the stock kernel on
# these hosts) with the initramfs built by mkinitramfs.sh; the guest's /init
# runs /scenarios/SCENARIO.sh and powers off. The serial console is captured
# to --log (default: a temp file, printed on failure). The host enforces
# SECONDS (default 150) by killing qemu.
#
# Verdict: exit 0 when the console shows "RESULT name=SCENARIO status=pass"
# and no "status=fail" line; 1 otherwise. --raw: print the console and exit
# 0 whatever it says (benchmarks parse it themselves).
# A missing qemu or kernel fails under CI (CI set) and exits 77 (skip)
# elsewhere, saying why.
set -uo pipefail

mem_mb=512
timeout_sec=150
log=
raw=0
append_extra=
while [ $# -gt 2 ]; do
        case $1 in
        --mem) mem_mb=$2; shift 2 ;;
        --timeout) timeout_sec=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --raw) raw=1; shift ;;
        --append) append_extra=$2; shift 2 ;;
        *) echo "run-vm: unknown option $1" >&2; exit 2 ;;
        esac
done
[ $# -eq 2 ] || { echo "usage: run-vm.sh [options] INITRD SCENARIO" >&2; exit 2; }
initrd=$1
scenario=$2

unavailable() {
        if [ -n "${CI:-}" ]; then
                echo "run-vm: $* — required under CI" >&2
                exit 1
        fi
        echo "run-vm: SKIP: $*" >&2
        exit 77
}

qemu=${QEMU:-$(command -v qemu-system-x86_64 || true)}
[ -n "$qemu" ] || unavailable "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
kernel=${KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] ||
        unavailable "no readable /boot/vmlinuz-* (apt-get install linux-image-amd64)"
[ -r "$initrd" ] || { echo "run-vm: initramfs $initrd missing" >&2; exit 1; }
[ -s "$initrd" ] || unavailable "empty initramfs: busybox-static was missing when it was built"

own_log=0
if [ -z "$log" ]; then
        log=$(mktemp "${TMPDIR:-/tmp}/sutazai-vm.XXXXXX")
        own_log=1
fi

# The guest's own deadline stays below the host's so the guest can still
# report a verdict for a hung scenario.
guest_deadline=$((timeout_sec > 30 ? timeout_sec - 20 : timeout_sec))
start=$(date +%s)
timeout -s KILL "$timeout_sec" "$qemu" -accel tcg -m "$mem_mb" -smp 1 -nographic -no-reboot \
        -nodefaults -serial stdio -display none \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0 psi=1 quiet panic=-1 oops=panic scenario=$scenario deadline=$guest_deadline $append_extra" \
        </dev/null >"$log" 2>&1
qemu_rc=$?
elapsed=$(($(date +%s) - start))
# The serial console writes CRLF.
sed -i 's/\r$//' "$log"

if [ "$raw" = 1 ]; then
        cat "$log"
        [ "$own_log" = 1 ] && rm -f "$log"
        exit 0
fi

verdict=1
if [ "$qemu_rc" = 137 ]; then
        echo "run-vm: $scenario: qemu killed after ${timeout_sec}s" >&2
elif grep -q "^RESULT name=$scenario status=pass" "$log" && ! grep -q "status=fail" "$log"; then
        verdict=0
fi
grep '^RESULT ' "$log"
echo "run-vm: $scenario: $([ $verdict = 0 ] && echo pass || echo FAIL) in ${elapsed}s (qemu exit $qemu_rc)"
if [ "$verdict" != 0 ]; then
        echo "---- console of $scenario ----"
        cat "$log"
fi
[ "$own_log" = 1 ] && rm -f "$log"
exit $verdict
