#!/bin/bash
# The host suite's driver inside the VM (sutazai-host-test.service).
# The kernel command line chooses what runs:
#   sutazai.test=suite:RUNS[:LIST]   scenarios (LIST of a,b,c,d; default all),
#                                    RUNS runaways each for c and d
#   sutazai.test=bench:RUNS:GUARD,.. the containment benchmark (guards: none,
#                                    governor, governor-frozen, earlyoom, oomd)
set -u
here=/usr/local/lib/sutazai-host-test
. $here/lib.sh
. $here/unit.sh
. $here/limits.sh
. $here/runaway.sh

: >"$RESULTS"
mode=$(sed -n 's/.*sutazai\.test=\([^ ]*\).*/\1/p' /proc/cmdline)
IFS=: read -r kind runs list <<<"$mode"
say "START mode=$mode kernel=$(uname -r) mem_kb=$(awk '/^MemTotal/{print $2}' /proc/meminfo)"
check "docker-active" wait_for 120000 systemctl -q is-active docker.service
import_image
check "image-imported" docker image inspect bb:latest >/dev/null
verdict setup
case $kind in
suite)
        list=,${list:-a,b,c,d},
        [[ $list == *,a,* ]] && unit_start
        [[ $list == *,b,* ]] && limits_scenario
        [[ $list == *,c,* ]] && runaway_scenario contained 0 "${runs:-5}"
        [[ $list == *,d,* ]] && runaway_scenario dockerd-frozen 1 "${runs:-5}"
        [[ $list == *,a,* ]] && unit_final
        ;;
bench)
        bench_all "${runs:-20}" ${list//,/ }
        ;;
*)
        say "RESULT name=driver status=fail unknown-mode=$mode"
        ;;
esac
journalctl -q -b -u $GOVERNOR --no-pager | tail -n 200 | sed 's/^/GOVLOG /'
say DONE
flush_results
