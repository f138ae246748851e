#!/bin/sh
# test-docker-client.sh DRIVER DOCKERD_SH HELPER — run the Docker client driver
# against a private dockerd in a fresh directory, and remove that dockerd,
# its containers and the directory whatever happens (trap).
set -eu

driver=$1
dockerd_sh=$2
helper=$3

# The checks (root, dockerd, busybox-static) exit 77 with the reason.
. "$dockerd_sh"
dockerd_check

# Short: containerd's socket path under it must fit in sun_path.
dir=$(mktemp -d /tmp/gov-dc.XXXXXX)
cleanup() {
        rc=$?
        if [ "$rc" -ne 0 ] && [ -f "$dir/log" ]; then
                echo "--- dockerd log (tail) ---" >&2
                tail -n 20 "$dir/log" >&2
        fi
        dockerd_clean "$dir"
        exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$driver" "$dockerd_sh" "$dir" "$helper"
