function __inbox_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __inbox_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __inbox_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __inbox_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __inbox_parse_tokens -S
    set -l unparsed_tokens (__inbox_tokens -pc)
    switch $unparsed_tokens[1]
    case 'inbox'
        __inbox_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'open'
            __inbox_parse_subcommand 0 'server=' 'token=' 'mirror=' 'theme=' 'version' 'h/help'
        case 'serve'
            __inbox_parse_subcommand 0 'db=' 'database=' 'port=' 'host=' 'public-url=' 'no-bot' 'metrics-host=' 'metrics-port=' 'max-connections=' 'version' 'h/help'
        case 'doctor'
            __inbox_parse_subcommand 0 'server=' 'token=' 'mirror=' 'db=' 'public-url=' 'version' 'h/help'
        case 'agent'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __inbox_parse_subcommand 1 'clinic=' 'admin' 'db=' 'database=' 'version' 'h/help'
            case 'list'
                __inbox_parse_subcommand 0 'clinic=' 'db=' 'database=' 'version' 'h/help'
            case 'revoke'
                __inbox_parse_subcommand 1 'db=' 'database=' 'version' 'h/help'
            case 'rotate-token'
                __inbox_parse_subcommand 1 'db=' 'database=' 'version' 'h/help'
            case 'rename'
                __inbox_parse_subcommand 2 'db=' 'database=' 'version' 'h/help'
            case 'set-role'
                __inbox_parse_subcommand 2 'db=' 'database=' 'version' 'h/help'
            end
        case 'number'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __inbox_parse_subcommand 1 'clinic=' 'provider=' 'ref=' 'db=' 'database=' 'version' 'h/help'
            case 'set'
                __inbox_parse_subcommand 1 'label=' 'greeting=' 'menu=' 'ai-hook=' 'handoff-words=' 'db=' 'database=' 'version' 'h/help'
            end
        case 'clinic'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'ai-hook'
                __inbox_parse_subcommand 2 'clear' 'db=' 'database=' 'version' 'h/help'
            case 'marketing-limit'
                __inbox_parse_subcommand 1 'per-day=' 'per-30-days=' 'standard' 'db=' 'database=' 'version' 'h/help'
            end
        case 'template'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __inbox_parse_subcommand 1 'clinic=' 'language=' 'category=' 'body=' 'twilio-content-sid=' 'db=' 'database=' 'version' 'h/help'
            case 'import'
                __inbox_parse_subcommand 1 'clinic=' 'db=' 'database=' 'version' 'h/help'
            case 'list'
                __inbox_parse_subcommand 0 'clinic=' 'db=' 'database=' 'version' 'h/help'
            end
        case 'canned'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __inbox_parse_subcommand 1 'clinic=' 'body=' 'db=' 'database=' 'version' 'h/help'
            case 'import'
                __inbox_parse_subcommand 1 'clinic=' 'db=' 'database=' 'version' 'h/help'
            case 'list'
                __inbox_parse_subcommand 0 'clinic=' 'db=' 'database=' 'version' 'h/help'
            case 'remove'
                __inbox_parse_subcommand 1 'clinic=' 'db=' 'database=' 'version' 'h/help'
            end
        case 'appointment'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __inbox_parse_subcommand 0 'clinic=' 'phone=' 'name=' 'time=' 'doctor=' 'template=' 'language=' 'number=' 'id=' 'time-zone=' 'db=' 'database=' 'version' 'h/help'
            case 'import'
                __inbox_parse_subcommand 1 'clinic=' 'time-zone=' 'db=' 'database=' 'version' 'h/help'
            case 'list'
                __inbox_parse_subcommand 0 'clinic=' 'all' 'db=' 'database=' 'version' 'h/help'
            case 'cancel'
                __inbox_parse_subcommand 1 'clinic=' 'db=' 'database=' 'version' 'h/help'
            end
        case 'deadletter'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __inbox_parse_subcommand 0 'db=' 'database=' 'version' 'h/help'
            case 'retry'
                __inbox_parse_subcommand -r 1 'all' 'db=' 'database=' 'version' 'h/help'
            end
        case 'patient'
            __inbox_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'erase'
                __inbox_parse_subcommand 0 'phone=' 'clinic=' 'db=' 'database=' 'media-dir=' 'version' 'h/help'
            end
        case 'backup'
            __inbox_parse_subcommand 0 'db=' 'to=' 'media-dir=' 'version' 'h/help'
        case 'restore'
            __inbox_parse_subcommand 0 'from=' 'db=' 'media-dir=' 'force' 'version' 'h/help'
        case 'sync'
            __inbox_parse_subcommand 0 'once' 'server=' 'token=' 'mirror=' 'version' 'h/help'
        case 'login'
            __inbox_parse_subcommand 0 'server=' 'token=' 'mirror=' 'version' 'h/help'
        case 'demo'
            __inbox_parse_subcommand 0 'theme=' 'pace=' 'version' 'h/help'
        case 'conformance'
            __inbox_parse_subcommand 0 'server=' 'token=' 'second-token=' 'foreign-token=' 'seed-twilio=' 'seed-number=' 'seed-url=' 'races=' 'json' 'version' 'h/help'
        case 'help'
            __inbox_parse_subcommand -r 1 'version'
        end
    end
end

function __inbox_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __inbox_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __inbox_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __inbox_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__inbox_tokens -p)
    if test -z "$(__inbox_tokens -t)"
        set -l index (count (__inbox_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'inbox' -f
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'open' -d 'Open the full-screen inbox (the default).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'serve' -d 'Run the server: provider webhooks, the sync endpoint, agent commands and deliveries.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'doctor' -d 'Check the set-up and say what is wrong (exit status 0 only when everything holds).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'agent' -d 'Manage agents.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'number' -d 'Manage the clinic\'s WhatsApp numbers.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'clinic' -d 'Clinic settings.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'template' -d 'The clinic\'s approved WhatsApp templates, for sends outside the 24-hour window.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'canned' -d 'The clinic\'s canned replies, inserted with /shortcode in the composer.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'appointment' -d 'The clinic\'s appointments, each reminded once by a WhatsApp template.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'deadletter' -d 'Outbound messages that failed for good: inspect and retry them.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'patient' -d 'Patients\' data requests.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'backup' -d 'Copy the server\'s database (consistent, while it runs) and its media files.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'restore' -d 'Restore a backup made by `inbox backup` as the server\'s database (the server must be stopped).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'sync' -d 'Sync the local mirror with the server without opening the inbox.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'login' -d 'Check a token against the server and save it for `inbox` (file mode 0600).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'demo' -d 'Run an embedded server with simulated clinic traffic and open the inbox as its agent.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'conformance' -d 'Check a server against the sync protocol (docs/protocol.md); exit status 0 only when every check passes.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" server' -l 'server' -d 'The inbox server, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" token' -l 'token' -d 'The agent\'s token.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" mirror' -l 'mirror' -d 'The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" theme' -l 'theme' -d 'Theme: dark, light, high-contrast, mono, or a theme file\'s name.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox open" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" port' -l 'port' -d 'Port to listen on (0 picks a free one).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" public-url' -l 'public-url' -d 'The base URL providers call (Twilio signs it); defaults to http://HOST:PORT.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" no-bot' -l 'no-bot' -d 'Do not run the built-in clinic bot.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" metrics-host' -l 'metrics-host' -d 'Serve /metrics on this address instead of the main one (with --metrics-port).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" metrics-port' -l 'metrics-port' -d 'Serve /metrics on this port instead of the main one.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" max-connections' -l 'max-connections' -d 'Open connections above this close the oldest idle one (default: the open-file limit less 128).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" server' -l 'server' -d 'The inbox server, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" token' -l 'token' -d 'The agent\'s token.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" mirror' -l 'mirror' -d 'The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" db' -l 'db' -d 'Check the server\'s set-up over its SQLite database instead of a client\'s.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" public-url' -l 'public-url' -d 'With --db: the public base URL providers call; its /healthz must answer from here.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'add' -d 'Create an agent (and its clinic if new); prints the agent\'s token as the last line.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'list' -d 'List agents: id, role, state, clinic and name.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'revoke' -d 'Revoke an agent: their token stops working at once (held connections included).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'rotate-token' -d 'Give an agent a new token (printed as the last line); the old one stops working at once.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'rename' -d 'Change the name colleagues see.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox agent" -eq 1' -fa 'set-role' -d 'Make an agent an admin, or not.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" clinic' -l 'clinic' -d 'The clinic the agent belongs to.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" admin' -l 'admin' -d 'Make the agent an admin.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent list" clinic' -l 'clinic' -d 'Only this clinic\'s agents.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent list" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent list" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent list" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent revoke" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent revoke" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent revoke" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rotate-token" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rotate-token" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rotate-token" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rotate-token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rename" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rename" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rename" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent rename" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent set-role" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent set-role" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent set-role" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox agent set-role" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox number" -eq 1' -fa 'add' -d 'Register a WhatsApp number (E.164) for a clinic; inbound traffic to it is routed there.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox number" -eq 1' -fa 'set' -d 'Give a number its own bot: desk label, greeting, menu, AI hook and hand-off words.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" clinic' -l 'clinic' -d 'The clinic that owns the number.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" provider' -l 'provider' -d 'twilio, meta, waha or gupshup.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" ref' -l 'ref' -d 'The provider\'s own id for the number (Meta phone_number_id, WAHA session, Gupshup app name).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" label' -l 'label' -d 'The desk agents see beside the number, e.g. "Dental desk".' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" greeting' -l 'greeting' -d 'What the bot says first, before its menu.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" menu' -l 'menu' -d 'The menu options offered, in order: book, reschedule, cancel, status, staff.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" ai-hook' -l 'ai-hook' -d 'This number\'s own AI endpoint (http or https).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" handoff-words' -l 'handoff-words' -d 'Words that hand the patient to staff at once.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox number set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox clinic" -eq 1' -fa 'ai-hook' -d 'Let the clinic\'s own AI answer first instead of the built-in bot.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox clinic" -eq 1' -fa 'marketing-limit' -d 'Show or set how many marketing templates one patient may get.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic ai-hook" clear' -l 'clear' -d 'Go back to the built-in bot.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic ai-hook" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic ai-hook" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic ai-hook" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic ai-hook" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" per-day' -l 'per-day' -d 'At most this many in any 24 hours.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" per-30-days' -l 'per-30-days' -d 'At most this many in any 30 days.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" standard' -l 'standard' -d 'Go back to the standard limits (1 a day, 4 in 30 days).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox clinic marketing-limit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox template" -eq 1' -fa 'add' -d 'Add or replace one template (keyed by name and language).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox template" -eq 1' -fa 'import' -d 'Add or replace every template in a templates.toml file (see README, "Templates").'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox template" -eq 1' -fa 'list' -d 'List the clinic\'s templates.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" language' -l 'language' -d 'Language code, e.g. en, ar, en_US.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" category' -l 'category' -d 'utility, marketing or authentication.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" body' -l 'body' -d 'The approved text with {{1}}…{{n}} parameters.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" twilio-content-sid' -l 'twilio-content-sid' -d 'Twilio Content API id (HX…) of the same template.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template import" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template import" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template import" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template import" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template list" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template list" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template list" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template list" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox template list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox canned" -eq 1' -fa 'add' -d 'Add or replace one canned reply (keyed by shortcode).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox canned" -eq 1' -fa 'import' -d 'Add or replace every canned reply in a canned.toml file ([[canned]] tables with shortcode and body).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox canned" -eq 1' -fa 'list' -d 'List the clinic\'s canned replies.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox canned" -eq 1' -fa 'remove' -d 'Remove a canned reply; agents\' pickers drop it at their next sync.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" body' -l 'body' -d 'The text, with {{name}}, {{first_name}} and {{clinic}} placeholders.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned import" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned import" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned import" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned import" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned list" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned list" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned list" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned list" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned remove" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned remove" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned remove" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned remove" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox canned remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox appointment" -eq 1' -fa 'add' -d 'Add one appointment (adding the patient when new).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox appointment" -eq 1' -fa 'import' -d 'Add every appointment of a CSV file; importing the same file again adds nothing.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox appointment" -eq 1' -fa 'list' -d 'List the clinic\'s appointments from now on, soonest first.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox appointment" -eq 1' -fa 'cancel' -d 'Cancel an appointment: its reminder is never sent.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" phone' -l 'phone' -d 'The patient\'s WhatsApp number, E.164 (+971501234567).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" name' -l 'name' -d 'The patient\'s name.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" time' -l 'time' -d 'When: 2026-12-08 10:30 (clinic time) or 2026-12-08T10:30:00+04:00.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" doctor' -l 'doctor' -d 'The doctor, as patients should read it (Dr Rahman).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" template' -l 'template' -d 'The approved utility template the reminder sends.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" language' -l 'language' -d 'The template\'s language (en, ar, hi…).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" number' -l 'number' -d 'The clinic number the reminder goes out from (default: the clinic\'s first).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" id' -l 'id' -d 'The clinic system\'s own id for it (a second add with it changes nothing).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" time-zone' -l 'time-zone' -d 'The clinic\'s time zone for times without an offset, e.g. Asia/Dubai (default: INBOX_TIME_ZONE, else this machine\'s).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" time-zone' -l 'time-zone' -d 'The clinic\'s time zone for times without an offset, e.g. Asia/Dubai (default: INBOX_TIME_ZONE, else this machine\'s).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" clinic' -l 'clinic' -d 'The clinic.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" all' -l 'all' -d 'Past appointments too.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment cancel" clinic' -l 'clinic' -d 'The clinic (refuses another clinic\'s appointment).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment cancel" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment cancel" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment cancel" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox appointment cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox deadletter" -eq 1' -fa 'list' -d 'List dead letters, newest first (no message text).'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox deadletter" -eq 1' -fa 'retry' -d 'Queue dead letters for delivery again; the running server sends them within seconds.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter list" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter list" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter list" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter retry" all' -l 'all' -d 'Retry every dead letter.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter retry" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter retry" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter retry" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox deadletter retry" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_positional "inbox patient" -eq 1' -fa 'erase' -d 'Erase a patient: messages, attachments (files too), conversations and the patient.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" phone' -l 'phone' -d 'The patient\'s number in E.164 form, e.g. +15557654321.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" clinic' -l 'clinic' -d 'The clinic the patient wrote to.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" database' -l 'database' -d 'The server\'s PostgreSQL database instead of --db (default: INBOX_DATABASE_URL).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" media-dir' -l 'media-dir' -d 'The media directory (default: INBOX_MEDIA_DIR, else <db>.media beside a SQLite database).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox patient erase" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox backup" db' -l 'db' -d 'The server\'s SQLite database.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox backup" to' -l 'to' -d 'The backup file to create (refused if it exists).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox backup" media-dir' -l 'media-dir' -d 'The server\'s media folder (default: <db>.media, or INBOX_MEDIA_DIR).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox backup" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox backup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" from' -l 'from' -d 'The backup file made by `inbox backup`.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" db' -l 'db' -d 'The server\'s SQLite database to create or replace.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" media-dir' -l 'media-dir' -d 'The server\'s media folder (default: <db>.media, or INBOX_MEDIA_DIR).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" force' -l 'force' -d 'Replace an existing database.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox restore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" once' -l 'once' -d 'Pull everything pending, send the outbox, and exit.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" server' -l 'server' -d 'The inbox server, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" token' -l 'token' -d 'The agent\'s token.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" mirror' -l 'mirror' -d 'The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox sync" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox login" server' -l 'server' -d 'The inbox server, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox login" token' -l 'token' -d 'The agent\'s token, as printed by `inbox agent add`.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox login" mirror' -l 'mirror' -d 'The mirror database (default: $XDG_DATA_HOME/inbox/mirror.sqlite).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox login" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox login" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox demo" theme' -l 'theme' -d 'Theme: dark, light, high-contrast, mono.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox demo" pace' -l 'pace' -d 'Seconds between simulated patient messages.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox demo" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox demo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" server' -l 'server' -d 'The server to check, e.g. http://127.0.0.1:8080.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" token' -l 'token' -d 'Agent A\'s token (role agent).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" second-token' -l 'second-token' -d 'Agent B\'s token: another agent (role agent) of A\'s clinic, for the take-over race.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" foreign-token' -l 'foreign-token' -d 'A token of an agent of another clinic, for the isolation checks.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" seed-twilio' -l 'seed-twilio' -d 'Seed two waiting conversations through Twilio webhooks signed with this auth token.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" seed-number' -l 'seed-number' -d 'With --seed-twilio: the clinic\'s Twilio number (E.164) the seeded patients write to.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" seed-url' -l 'seed-url' -d 'With --seed-twilio: the public URL the server signs webhooks against (default: --server).' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" races' -l 'races' -d 'How many take-over races to run.' -rfka ''
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" json' -l 'json' -d 'Print one JSON report at the end instead of a line per check.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" version' -l 'version' -d 'Show the version.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox conformance" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'inbox' -n '__inbox_should_offer_completions_for_flags_or_options "inbox help" version' -l 'version' -d 'Show the version.'
