#!/bin/bash
# Build the libFuzzer targets with clang in BUILD-DIR and run every fuzz-*
# for SECONDS each on its corpus (tests/fuzz/corpus/NAME/). Fails if nothing
# was built, or on any crash, leak, UB report, timeout or OOM; the input that
# did it is kept as BUILD-DIR/fuzz-artifacts/NAME-*.
#
#   CC=clang tests/fuzz/run-fuzzers.sh build-fuzz 20
#
# The committed corpora are only read: new inputs go to a temporary
# directory that is removed at the end.
set -euo pipefail

usage() { echo "usage: $0 BUILD-DIR SECONDS" >&2; exit 2; }
[ $# -eq 2 ] || usage
dir=$1
seconds=$2
case $seconds in '' | *[!0-9]*) usage ;; esac

src=$(cd "$(dirname "$0")/../.." && pwd)
fuzz_src=$src/tests/fuzz
export CC=${CC:-clang}

# -Dwerror=false: the gcc build enforces warnings; here a clang-only warning
# in some module must not stop the crash hunt.
if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$src" -Dfuzzing=true -Dwerror=false -Db_lundef=false
else
        # Always reconfigure: the targets are chosen by which fuzz-*.c exist,
        # which meson only looks at when it configures.
        meson setup --reconfigure "$dir" "$src" -Dfuzzing=true -Dwerror=false -Db_lundef=false
fi

# Build only the fuzz targets: an unrelated module that does not build with
# clang must not hide the fuzzers.
targets=()
for c in "$fuzz_src"/fuzz-*.c; do
        [ -e "$c" ] || continue
        name=$(basename "$c" .c)
        if meson introspect "$dir" --targets |
                python3 -c 'import json,sys; sys.exit(0 if any(t["name"]==sys.argv[1] for t in json.load(sys.stdin)) else 1)' "$name"; then
                targets+=("tests/fuzz/$name")
        else
                echo "run-fuzzers: $name.c has no target (see warnings in tests/fuzz/meson.build)" >&2
        fi
done
[ ${#targets[@]} -gt 0 ] || { echo "run-fuzzers: no fuzz targets built" >&2; exit 1; }
ninja -C "$dir" -j2 "${targets[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=$dir/fuzz-artifacts
mkdir -p "$artifacts"

failed=()
for t in "${targets[@]}"; do
        exe=$dir/$t
        name=${t##*/fuzz-}
        corpus=("$work/$name")
        mkdir -p "$work/$name"
        [ -d "$fuzz_src/corpus/$name" ] && corpus+=("$fuzz_src/corpus/$name")
        echo "run-fuzzers: fuzz-$name for ${seconds}s"
        if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
           "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
                  -artifact_prefix="$artifacts/$name-" -print_final_stats=1 \
                  "${corpus[@]}" >"$work/$name.log" 2>&1; then
                grep -E '^(Done|stat::number_of_executed_units)' "$work/$name.log" || true
        else
                echo "run-fuzzers: fuzz-$name FAILED; its log:" >&2
                tail -n 60 "$work/$name.log" >&2
                failed+=("$name")
        fi
done

if [ ${#failed[@]} -gt 0 ]; then
        echo "run-fuzzers: failed: ${failed[*]} (inputs in $artifacts)" >&2
        exit 1
fi
echo "run-fuzzers: ${#targets[@]} fuzzer(s) ran ${seconds}s each, no crash or leak"
