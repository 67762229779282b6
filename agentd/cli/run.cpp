// Dispatch: parse the command line, find the command, check its options and arguments, run it.
#include "agentd/cli/cli.hpp"

#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/safe_stream.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

namespace agentd::cli {
namespace {

const std::vector<std::string> k_global = {"socket", "config", "db", "json", "ids", "timeout", "help", "version"};

constexpr const char* k_global_help =
    "Global options:\n"
    "  --socket PATH   agentd's socket (default: daemon.socket_path of --config, else\n"
    "                  $AGENTD_SOCKET, else /run/agentd/agentd.sock)\n"
    "  --config FILE   agentd's config file (for the socket and database paths)\n"
    "  --db PATH       the database, for db stats / db check\n"
    "  --json          machine-readable output (the API's JSON, names and ids)\n"
    "  --ids           tables show the upstream ids next to the names\n"
    "  --timeout S     deadline per request (default 10s; for wait: the whole wait, 60s)\n"
    "  --help, -h      help; `agentctl COMMAND --help` for a command\n"
    "  --version       print agentctl's version\n";

std::string name_of(const command_spec& c) {
    std::string n;
    for (auto& w : c.words) n += (n.empty() ? "" : " ") + w;
    return n;
}

std::string usage_of(const command_spec& c) {
    std::string u = "agentctl " + name_of(c);
    if (!c.args.empty()) u += " " + c.args;
    for (auto& o : c.options) u += " [--" + o + " ...]";
    return u;
}

void print_overview(std::ostream& out) {
    out << "agentctl: operate agentd (ticket agency daemon) through its local socket\n\n"
           "Usage: agentctl COMMAND [ARGS] [options]\n\nCommands:\n";
    std::size_t w = 0;
    for (auto& c : command_table()) w = std::max(w, name_of(c).size() + 1 + c.args.size());
    for (auto& c : command_table()) {
        auto head = name_of(c) + (c.args.empty() ? "" : " " + c.args);
        out << "  " << head << std::string(w - head.size() + 2, ' ') << c.summary << "\n";
    }
    out << "\n" << k_global_help << "\n" << k_exit_codes_help;
}

void print_command_help(std::ostream& out, const command_spec& c) {
    out << "Usage: " << usage_of(c) << "\n\n" << c.help << "\n" << k_global_help << "\n" << k_exit_codes_help;
}

// The command whose words start `words`, the longest match first.
const command_spec* find_command(const std::vector<std::string>& words) {
    const command_spec* best = nullptr;
    for (auto& c : command_table()) {
        if (c.words.size() > words.size()) continue;
        if (!std::equal(c.words.begin(), c.words.end(), words.begin())) continue;
        if (!best || c.words.size() > best->words.size()) best = &c;
    }
    return best;
}

int dispatch(const result<parsed_args>& parsed, std::ostream& out, std::ostream& err) {
    if (!parsed) {
        err << "agentctl: " << parsed.error().message << " (see agentctl --help)\n";
        return exit_usage;
    }
    if (parsed->flag("version")) {
        out << "agentctl " << k_version << "\n";
        return exit_ok;
    }
    if (parsed->words.empty()) {
        print_overview(parsed->flag("help") ? out : err);
        return parsed->flag("help") ? exit_ok : exit_usage;
    }
    if (parsed->words[0] == "help") {
        std::vector<std::string> rest(parsed->words.begin() + 1, parsed->words.end());
        if (auto* c = rest.empty() ? nullptr : find_command(rest)) print_command_help(out, *c);
        else print_overview(out);
        return exit_ok;
    }
    const command_spec* cmd = find_command(parsed->words);
    if (!cmd) {
        std::string what = parsed->words[0];
        for (auto& c : command_table())
            if (c.words.size() > 1 && c.words[0] == what) {
                err << "agentctl: " << what << " needs a subcommand: ";
                for (auto& d : command_table())
                    if (d.words[0] == what) err << name_of(d) << "; ";
                err << "see agentctl --help\n";
                return exit_usage;
            }
        err << "agentctl: unknown command '" << what << "' (see agentctl --help)\n";
        return exit_usage;
    }
    if (parsed->flag("help")) {
        print_command_help(out, *cmd);
        return exit_ok;
    }
    for (auto& [name, value] : parsed->options) {
        bool known = std::find(k_global.begin(), k_global.end(), name) != k_global.end() ||
                     std::find(cmd->options.begin(), cmd->options.end(), name) != cmd->options.end();
        if (!known) {
            err << "agentctl: " << name_of(*cmd) << " has no option --" << name << "\nUsage: " << usage_of(*cmd) << "\n";
            return exit_usage;
        }
    }
    positionals pos(parsed->words.begin() + static_cast<std::ptrdiff_t>(cmd->words.size()), parsed->words.end());
    if (pos.size() < cmd->min_args || pos.size() > cmd->max_args) {
        err << "agentctl: " << name_of(*cmd) << " takes " << (cmd->args.empty() ? std::string("no arguments") : cmd->args)
            << "\nUsage: " << usage_of(*cmd) << "\n";
        return exit_usage;
    }
    context ctx(*parsed, out, err);
    if (auto t = parsed->get("timeout")) {
        auto s = parse_seconds(*t);
        if (!s || *s <= 0) {
            err << "agentctl: --timeout: " << (s ? std::string("must be above zero") : s.error().message) << "\n";
            return exit_usage;
        }
        ctx.set_timeout(std::chrono::milliseconds(static_cast<long long>(std::ceil(*s * 1000))));
    }
    return cmd->fn(ctx, pos);
}

}  // namespace

// Everything printed, by every command and on every path, goes through the safe streams.
int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    safe_streambuf err_buf(err, safe_streambuf::mode::text);
    std::ostream safe_err(&err_buf);
    auto parsed = parse_args(argv);
    safe_streambuf out_buf(out, parsed && parsed->flag("json") ? safe_streambuf::mode::json : safe_streambuf::mode::text);
    std::ostream safe_out(&out_buf);
    return dispatch(parsed, safe_out, safe_err);
}

}  // namespace agentd::cli
