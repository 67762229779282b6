// agentctl(8): the command table and agentctl's --help text, rendered with man/roff.
#include "man/pages.hpp"

#include "agentd/cli/cli.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "man/roff.hpp"

#include <sstream>

namespace agentd::man {
namespace {

std::string name_of(const cli::command_spec& c) {
    std::string n;
    for (auto& w : c.words) n += (n.empty() ? "" : " ") + w;
    return n;
}

// A section of `agentctl --help` as agentctl prints it, so the page cannot drift from it.
std::string help_section(const std::string& heading) {
    std::ostringstream out, err;
    cli::run({"--help"}, out, err);
    for (auto& [h, body] : split_sections(out.str()))
        if (h == heading) return body;
    return {};
}

}  // namespace

std::string agentctl_page() {
    page p{"agentctl", "8", cli::k_version, "System Administration",
           "operate agentd (ticket agency daemon) through its local socket", {}};
    p.sections.emplace_back("SYNOPSIS", ".B agentctl\n.I COMMAND\n[\\fIARGS\\fR] [\\fIoptions\\fR]\n");
    p.sections.emplace_back(
        "DESCRIPTION",
        "agentctl talks to a running agentd(8) over its local socket (HTTP over a Unix socket, the\n"
        "local API) and prints tables, or the API's JSON with \\fB\\-\\-json\\fR. The offline commands\n"
        "(\\fBconfig check\\fR, \\fBdb stats\\fR, \\fBdb check\\fR) read files and need no daemon.\n"
        "Which commands a caller may use depends on its channel's role in agentd.toml(5).\n");
    std::string cmds;
    for (auto& c : cli::command_table()) {
        std::string head = "agentctl " + name_of(c) + (c.args.empty() ? "" : " " + c.args);
        for (auto& o : c.options) head += " [--" + o + " ...]";
        cmds += ".SS \"" + escape(head) + "\"\n" + escape(c.summary) + ".\n.PP\n" + from_help_body(c.help);
    }
    p.sections.emplace_back("COMMANDS", cmds);
    p.sections.emplace_back("GLOBAL OPTIONS", from_help_body(help_section("Global options")));
    std::string codes;
    for (auto& [h, body] : split_sections(cli::k_exit_codes_help))
        if (h == "Exit codes") codes = from_help_body(body);
    p.sections.emplace_back("EXIT STATUS", codes);
    p.sections.emplace_back("ENVIRONMENT", ".TP\n.B AGENTD_SOCKET\nthe socket when neither \\fB\\-\\-socket\\fR nor "
                                           "\\fB\\-\\-config\\fR names one.\n");
    p.sections.emplace_back("FILES",
                            ".TP\n.B /run/agentd/agentd.sock\nagentd's socket (group agentd).\n"
                            ".TP\n.B /etc/agentd/agentd.toml\nagentd's configuration.\n"
                            ".TP\n.B /usr/share/bash\\-completion/completions/agentctl\nbash completion: commands, "
                            "options and the running daemon's client names.\n");
    p.sections.emplace_back("SEE ALSO", "agentd(8), agentd.toml(5), agentd\\-sim(1)\n");
    return render(p);
}

}  // namespace agentd::man
