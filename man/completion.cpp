// agentctl's bash completion, generated from the command table so a new command or option is
// completed without editing a script by hand.
#include "man/pages.hpp"

#include "agentd/cli/args.hpp"
#include "agentd/cli/commands.hpp"

#include <set>

namespace agentd::man {

std::string agentctl_bash_completion() {
    std::string first_words, cases;
    std::set<std::string> seen;
    // Per command (all its words joined with '_'): options, and whether the first positional
    // argument is a client name (the "C ..." commands).
    for (auto& c : cli::command_table()) {
        if (seen.insert(c.words[0]).second) first_words += (first_words.empty() ? "" : " ") + c.words[0];
        std::string key, opts;
        for (auto& w : c.words) key += (key.empty() ? "" : "_") + w;
        for (auto& o : c.options) opts += (opts.empty() ? "--" : " --") + o;
        bool client_arg = c.args.rfind("C ", 0) == 0 || c.args == "C";
        cases += "        " + key + ") opts=\"" + opts + "\"; client_arg=" + (client_arg ? "1" : "0") + " ;;\n";
    }
    // Options that take a value (nothing to offer but the special cases above them) and flags.
    std::set<std::string> all{"socket", "config", "db", "json", "timeout", "help", "version"};
    for (auto& c : cli::command_table()) all.insert(c.options.begin(), c.options.end());
    std::string valued, flags = "-h";
    for (auto& o : all) {
        if (cli::is_flag(o)) flags += "|--" + o;
        else if (o != "socket" && o != "config" && o != "db" && o != "client") valued += (valued.empty() ? "--" : "|--") + o;
    }
    std::string subwords;
    for (auto& first : seen) {
        std::string subs;
        for (auto& c : cli::command_table())
            if (c.words[0] == first && c.words.size() > 1) subs += (subs.empty() ? "" : " ") + c.words[1];
        if (!subs.empty()) subwords += "        " + first + ") subs=\"" + subs + "\" ;;\n";
    }
    return "# bash completion for agentctl(8). Generated from agentctl's command table; do not edit.\n"
           "# Client names come from the running daemon (agentctl clients --names) when it answers.\n"
           "_agentctl_clients()\n"
           "{\n"
           "    local i args=()\n"
           "    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do\n"
           "        case ${COMP_WORDS[i]} in\n"
           "            --socket|--config) args+=(\"${COMP_WORDS[i]}\" \"${COMP_WORDS[i+1]}\") ;;\n"
           "        esac\n"
           "    done\n"
           "    \"${COMP_WORDS[0]}\" \"${args[@]}\" --timeout 1 clients --names 2>/dev/null\n"
           "}\n"
           "\n"
           "_agentctl()\n"
           "{\n"
           "    local cur prev words=() i w opts=\"\" client_arg=0 subs=\"\"\n"
           "    cur=${COMP_WORDS[COMP_CWORD]}\n"
           "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    local global=\"--socket --config --db --json --timeout --help --version\"\n"
           "    case $prev in\n"
           "        --config|--db) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
           "        --socket) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
           "        --client) COMPREPLY=($(compgen -W \"$(_agentctl_clients)\" -- \"$cur\")); return ;;\n"
           "        " + valued + ") return ;;\n"
           "    esac\n"
           "    # The positional words so far (options and their values left out).\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=${COMP_WORDS[i]}\n"
           "        case $w in\n"
           "            " + flags + "|--*=*) ;;\n"
           "            --*) ((i++)) ;;\n"
           "            *) words+=(\"$w\") ;;\n"
           "        esac\n"
           "    done\n"
           "    if [ ${#words[@]} -eq 0 ]; then\n"
           "        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$global\" -- \"$cur\"));\n"
           "        else COMPREPLY=($(compgen -W \"help " + first_words + "\" -- \"$cur\")); fi\n"
           "        return\n"
           "    fi\n"
           "    case ${words[0]} in\n" + subwords +
           "    esac\n"
           "    if [ -n \"$subs\" ] && [ ${#words[@]} -eq 1 ]; then\n"
           "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
           "        return\n"
           "    fi\n"
           "    local key=${words[0]} nargs=$(( ${#words[@]} - 1 ))\n"
           "    if [ -n \"$subs\" ]; then key=${words[0]}_${words[1]}; nargs=$(( ${#words[@]} - 2 )); fi\n"
           "    case $key in\n" + cases +
           "        help) COMPREPLY=($(compgen -W \"" + first_words + "\" -- \"$cur\")); return ;;\n"
           "    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$opts $global\" -- \"$cur\"))\n"
           "    elif [ \"$client_arg\" = 1 ] && [ $nargs -eq 0 ]; then\n"
           "        COMPREPLY=($(compgen -W \"$(_agentctl_clients)\" -- \"$cur\"))\n"
           "    elif [ \"$key\" = config_check ]; then\n"
           "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -F _agentctl agentctl\n";
}

}  // namespace agentd::man
