#!/bin/bash

__inbox_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__inbox_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__inbox_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__inbox_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_inbox() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    open|serve|doctor|agent|number|clinic|template|canned|appointment|deadletter|patient|backup|restore|sync|login|demo|conformance|help)
        # Offer subcommand argument completions
        "_inbox_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'open serve doctor agent number clinic template canned appointment deadletter patient backup restore sync login demo conformance help' -- "${cur}"))
        ;;
    esac
}

_inbox_open() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --mirror --theme)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--mirror')
        return
        ;;
    '--theme')
        return
        ;;
    esac
}

_inbox_serve() {
    repeating_flags=()
    non_repeating_flags=(--no-bot --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database --port --host --public-url --metrics-host --metrics-port --max-connections)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    '--port')
        return
        ;;
    '--host')
        return
        ;;
    '--public-url')
        return
        ;;
    '--metrics-host')
        return
        ;;
    '--metrics-port')
        return
        ;;
    '--max-connections')
        return
        ;;
    esac
}

_inbox_doctor() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --mirror --db --public-url)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--mirror')
        return
        ;;
    '--db')
        return
        ;;
    '--public-url')
        return
        ;;
    esac
}

_inbox_agent() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|revoke|rotate-token|rename|set-role)
        # Offer subcommand argument completions
        "_inbox_agent_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list revoke rotate-token rename set-role' -- "${cur}"))
        ;;
    esac
}

_inbox_agent_add() {
    repeating_flags=()
    non_repeating_flags=(--admin --version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_agent_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_agent_revoke() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_agent_rotate-token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_agent_rename() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_agent_set-role() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_number() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|set)
        # Offer subcommand argument completions
        "_inbox_number_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add set' -- "${cur}"))
        ;;
    esac
}

_inbox_number_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --provider --ref --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--provider')
        return
        ;;
    '--ref')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_number_set() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--label --greeting --menu --ai-hook --handoff-words --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--label')
        return
        ;;
    '--greeting')
        return
        ;;
    '--menu')
        return
        ;;
    '--ai-hook')
        return
        ;;
    '--handoff-words')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_clinic() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ai-hook|marketing-limit)
        # Offer subcommand argument completions
        "_inbox_clinic_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ai-hook marketing-limit' -- "${cur}"))
        ;;
    esac
}

_inbox_clinic_ai-hook() {
    repeating_flags=()
    non_repeating_flags=(--clear --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_clinic_marketing-limit() {
    repeating_flags=()
    non_repeating_flags=(--standard --version -h --help)
    repeating_options=()
    non_repeating_options=(--per-day --per-30-days --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--per-day')
        return
        ;;
    '--per-30-days')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_template() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|import|list)
        # Offer subcommand argument completions
        "_inbox_template_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add import list' -- "${cur}"))
        ;;
    esac
}

_inbox_template_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --language --category --body --twilio-content-sid --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--language')
        return
        ;;
    '--category')
        return
        ;;
    '--body')
        return
        ;;
    '--twilio-content-sid')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_template_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_template_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_canned() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|import|list|remove)
        # Offer subcommand argument completions
        "_inbox_canned_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add import list remove' -- "${cur}"))
        ;;
    esac
}

_inbox_canned_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --body --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--body')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_canned_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_canned_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_canned_remove() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_appointment() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|import|list|cancel)
        # Offer subcommand argument completions
        "_inbox_appointment_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add import list cancel' -- "${cur}"))
        ;;
    esac
}

_inbox_appointment_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --phone --name --time --doctor --template --language --number --id --time-zone --db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--phone')
        return
        ;;
    '--name')
        return
        ;;
    '--time')
        return
        ;;
    '--doctor')
        return
        ;;
    '--template')
        return
        ;;
    '--language')
        return
        ;;
    '--number')
        return
        ;;
    '--id')
        return
        ;;
    '--time-zone')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_appointment_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --time-zone --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--time-zone')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_appointment_list() {
    repeating_flags=()
    non_repeating_flags=(--all --version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_appointment_cancel() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--clinic --db --database)
    __inbox_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_deadletter() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|retry)
        # Offer subcommand argument completions
        "_inbox_deadletter_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list retry' -- "${cur}"))
        ;;
    esac
}

_inbox_deadletter_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_deadletter_retry() {
    repeating_flags=()
    non_repeating_flags=(--all --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database)
    __inbox_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_inbox_patient() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    erase)
        # Offer subcommand argument completions
        "_inbox_patient_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'erase' -- "${cur}"))
        ;;
    esac
}

_inbox_patient_erase() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--phone --clinic --db --database --media-dir)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--phone')
        return
        ;;
    '--clinic')
        return
        ;;
    '--db')
        return
        ;;
    '--database')
        return
        ;;
    '--media-dir')
        return
        ;;
    esac
}

_inbox_backup() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --to --media-dir)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--to')
        return
        ;;
    '--media-dir')
        return
        ;;
    esac
}

_inbox_restore() {
    repeating_flags=()
    non_repeating_flags=(--force --version -h --help)
    repeating_options=()
    non_repeating_options=(--from --db --media-dir)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--db')
        return
        ;;
    '--media-dir')
        return
        ;;
    esac
}

_inbox_sync() {
    repeating_flags=()
    non_repeating_flags=(--once --version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --mirror)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--mirror')
        return
        ;;
    esac
}

_inbox_login() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --mirror)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--mirror')
        return
        ;;
    esac
}

_inbox_demo() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--theme --pace)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--theme')
        return
        ;;
    '--pace')
        return
        ;;
    esac
}

_inbox_conformance() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --second-token --foreign-token --seed-twilio --seed-number --seed-url --races)
    __inbox_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--second-token')
        return
        ;;
    '--foreign-token')
        return
        ;;
    '--seed-twilio')
        return
        ;;
    '--seed-number')
        return
        ;;
    '--seed-url')
        return
        ;;
    '--races')
        return
        ;;
    esac
}

_inbox_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __inbox_offer_flags_options -1
}

complete -o filenames -F _inbox inbox
