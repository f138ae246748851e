# shellcheck shell=bash
# helperpid.sh — the governor's Docker helper (sourced by tests/lib/governor.sh
# and tests/bench/bench-footprint.sh; no other effect).
#
#   helper_pid_of PID   the pid of PID's child running sutazai-governor-docker;
#                       status 1 when it has none
helper_pid_of() {
        local p
        for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
                case "$(readlink /proc/"$p"/exe 2>/dev/null)" in
                */sutazai-governor-docker) echo "$p"; return 0 ;;
                esac
        done
        return 1
}
