# bash completion for sutazai-govctl(1)
# Installed to $datadir/bash-completion/completions/sutazai-govctl.

_sutazai_govctl_socket()
{
        local i
        for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
                case ${COMP_WORDS[i]} in
                -s | --socket)
                        printf '%s' "${COMP_WORDS[i + 1]}"
                        return
                        ;;
                --socket=*)
                        printf '%s' "${COMP_WORDS[i]#--socket=}"
                        return
                        ;;
                esac
        done
}

# Rule and container names from the running daemon (reading verbs only need
# the sutazai-gov group); nothing when the daemon cannot be asked.
_sutazai_govctl_names()
{
        local sock args=()
        sock=$(_sutazai_govctl_socket)
        [[ -n $sock ]] && args=(--socket "$sock")
        command -v jq >/dev/null 2>&1 || return
        sutazai-govctl "${args[@]}" --json status 2>/dev/null |
                jq -r '(.containers[] | select(.rule != null) | .name, .rule), .overrides[].name' 2>/dev/null |
                sort -u
}

_sutazai_govctl()
{
        local cur prev verb i
        local verbs="status history set-limit clear pause resume cleanup reload metrics"
        local global="--socket --json --help --version"
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}

        case $prev in
        -s | --socket)
                COMPREPLY=($(compgen -f -- "$cur"))
                return
                ;;
        --for)
                COMPREPLY=($(compgen -W "30s 5m 10m 30m 1h 2h 1d" -- "$cur"))
                return
                ;;
        -n | --count)
                COMPREPLY=($(compgen -W "10 20 50 100 0" -- "$cur"))
                return
                ;;
        esac

        for ((i = 1; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                -s | --socket) ((i++)) ;;
                -*) ;;
                *)
                        verb=${COMP_WORDS[i]}
                        break
                        ;;
                esac
        done

        if [[ -z $verb ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "$global" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
                fi
                return
        fi

        case $verb in
        history) COMPREPLY=($(compgen -W "-n --count --json --help" -- "$cur")) ;;
        pause) COMPREPLY=($(compgen -W "--for --json --help" -- "$cur")) ;;
        cleanup) COMPREPLY=($(compgen -W "--dry-run --json --help" -- "$cur")) ;;
        set-limit | clear)
                if [[ $cur == -* ]]; then
                        if [[ $verb == set-limit ]]; then
                                COMPREPLY=($(compgen -W "--for --json --help" -- "$cur"))
                        else
                                COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
                        fi
                elif [[ ${COMP_WORDS[COMP_CWORD - 1]} == "$verb" ]]; then
                        local IFS=$'\n'
                        COMPREPLY=($(compgen -W "$(_sutazai_govctl_names)" -- "$cur"))
                elif [[ $verb == set-limit ]]; then
                        COMPREPLY=($(compgen -W "256M 512M 1G 2G 4G 8G 12G 16G max" -- "$cur"))
                fi
                ;;
        *) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
        esac
}

complete -F _sutazai_govctl sutazai-govctl
