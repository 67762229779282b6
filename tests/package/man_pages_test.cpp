// package_man: the man pages and the completion the build wrote (<build>/man, what the .deb
// ships) say what the tables and the binaries' --help say: every option of the option table is
// in agentd.toml(5), every agentctl command's usage and help line in agentctl(8), every line of
// `agentd --help` / `agentd-sim --help` in agentd(8) / agentd-sim(1); and the bash completion
// offers the commands, their options and the running daemon's client names.
#include "agentd/cli/commands.hpp"
#include "agentd/config/options.hpp"
#include "man/pages.hpp"
#include "man/roff.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <sstream>

using namespace agentd;
using namespace std::chrono_literals;

namespace {

std::string man_dir() { return test::bin_dir() + "/../man"; }

std::string collapse(std::string_view s) {
    std::string out;
    for (char c : s) {
        bool space = c == ' ' || c == '\n' || c == '\t';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Standard output of a short-lived command (its status checked by the caller's CHECKs on it).
std::string output_of(const std::vector<std::string>& argv, std::vector<std::string> env = {}) {
    test::child_process p(argv, {}, std::move(env));
    std::string out;
    while (auto line = p.read_line(20s)) out += *line + "\n";
    auto status = p.wait(20s);
    REQUIRE(status.has_value());
    CHECK_MESSAGE(*status == 0, argv[0]);
    return out;
}

// Every non-empty line of `text` (white space collapsed) appears in the page as the reader sees it.
void check_lines_in(const std::string& text, const std::string& page_text, const std::string& page) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto want = collapse(line.rfind("Usage: ", 0) == 0 ? line.substr(7) : line);  // under SYNOPSIS
        if (want.empty()) continue;
        if (want.back() == ':' && line.front() != ' ') continue;  // headings become section names
        CHECK_MESSAGE(page_text.find(want) != std::string::npos, page << " lacks: " << want);
    }
}

}  // namespace

TEST_CASE("the generated pages are the ones the binaries print") {
    CHECK(test::read_file(man_dir() + "/agentctl.8") == man::agentctl_page());
    CHECK(test::read_file(man_dir() + "/agentd.toml.5") == man::agentd_toml_page());
    CHECK(test::read_file(man_dir() + "/agentctl.bash-completion") == man::agentctl_bash_completion());
    CHECK(test::read_file(man_dir() + "/agentd.8") == output_of({test::bin_dir() + "/agentd", "--man"}));
    CHECK(test::read_file(man_dir() + "/agentd-sim.1") == output_of({test::bin_dir() + "/agentd-sim", "--man"}));
}

TEST_CASE("agentd.toml(5) documents every option of the table") {
    auto page = man::plain_text(test::read_file(man_dir() + "/agentd.toml.5"));
    std::size_t n = 0;
    for (auto& o : config::option_table()) {
        auto header = (o.section == "client" || o.section == "client.account" || o.section == "client.window" ||
                        o.section == "channel")
                          ? "[[" + o.section + "]]" : "[" + o.section + "]";
        // The option's entry follows its section header, in table order.
        auto at = page.find(header);
        REQUIRE_MESSAGE(at != std::string::npos, header);
        CHECK_MESSAGE(page.find(o.key + " " + collapse(o.doc), at) != std::string::npos, o.name());
        if (!o.default_text.empty())
            CHECK_MESSAGE(page.find("default " + o.default_text, at) != std::string::npos, o.name());
        if (!o.bounds_text.empty())
            CHECK_MESSAGE(page.find("range " + o.bounds_text, at) != std::string::npos, o.name());
        ++n;
    }
    CHECK(n > 30);
}

TEST_CASE("agentctl(8) carries every command's usage, summary and help") {
    auto page = man::plain_text(test::read_file(man_dir() + "/agentctl.8"));
    for (auto& c : cli::command_table()) {
        std::string name;
        for (auto& w : c.words) name += (name.empty() ? "" : " ") + w;
        CAPTURE(name);
        CHECK(page.find("agentctl " + name + (c.args.empty() ? "" : " " + c.args)) != std::string::npos);
        for (auto& o : c.options) CHECK(page.find("--" + o) != std::string::npos);
        CHECK(page.find(collapse(c.summary)) != std::string::npos);
        check_lines_in(c.help, page, "agentctl(8)");
    }
    // The global options and exit codes as `agentctl --help` prints them.
    auto help = output_of({test::bin_dir() + "/agentctl", "--help"});
    check_lines_in(help.substr(help.find("Global options:")), page, "agentctl(8)");
}

TEST_CASE("agentd(8) and agentd-sim(1) carry every line of --help") {
    auto agentd = man::plain_text(test::read_file(man_dir() + "/agentd.8"));
    auto help = output_of({test::bin_dir() + "/agentd", "--help"});
    check_lines_in(help.substr(help.find('\n') + 1), agentd, "agentd(8)");
    CHECK(agentd.find("agentd - Spektrix Agency API") != std::string::npos);
    auto sim = man::plain_text(test::read_file(man_dir() + "/agentd-sim.1"));
    auto sim_help = output_of({test::bin_dir() + "/agentd-sim", "--help"});
    check_lines_in(sim_help.substr(sim_help.find('\n') + 1), sim, "agentd-sim(1)");
}

TEST_CASE("roff escaping keeps text literal") {
    CHECK(man::escape(".leading dot") == "\\&.leading dot");
    CHECK(man::escape("--json a\\b") == "\\-\\-json a\\eb");
    auto roff = man::from_help_body("  --width N       terminal columns\n                  (default 100)\ntext\n");
    CHECK(roff.find(".TP\n.B \\-\\-width N\nterminal columns\n(default 100)\n") != std::string::npos);
    CHECK(man::plain_text(roff) == "--width N terminal columns (default 100) text");
}

// The completion script in bash: COMP_WORDS as bash would fill them, COMPREPLY printed.
std::string complete(const std::string& script, const std::string& words, int cword) {
    std::string program = "source '" + script + "'; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                          std::to_string(cword) + "; _agentctl; for r in \"${COMPREPLY[@]}\"; do echo \"$r\"; done";
    return output_of({"/bin/bash", "-c", program});
}

TEST_CASE("bash completion: commands, options, and client names from the running daemon") {
    auto script = man_dir() + "/agentctl.bash-completion";
    auto ctl = test::bin_dir() + "/agentctl";
    auto first = complete(script, "'" + ctl + "' ''", 1);
    for (auto& c : cli::command_table()) CHECK_MESSAGE(first.find(c.words[0] + "\n") != std::string::npos, c.words[0]);
    CHECK(complete(script, "'" + ctl + "' sy", 1) == "sync\n");
    CHECK(complete(script, "'" + ctl + "' sync ''", 2) == "now\n");
    auto hold_opts = complete(script, "'" + ctl + "' hold --", 2);
    CHECK(hold_opts.find("--ticket-type\n") != std::string::npos);
    CHECK(hold_opts.find("--socket\n") != std::string::npos);
    CHECK(complete(script, "'" + ctl + "' clients --na", 2) == "--names\n");

    test::temp_dir dir;
    auto sim = test::start_sim(dir);
    auto daemon = test::start_daemon(dir, test::write_daemon_config(dir, sim));
    auto sock = dir.file("agentd.sock");
    REQUIRE(test::wait_for_daemon(sock, 30s));
    std::string names;
    for (auto& c : sim.clients) names += c.name + "\n";
    CHECK(output_of({ctl, "--socket", sock, "clients", "--names"}) == names);
    // The socket given on the command line is the one asked; the client is the first argument.
    auto offered = complete(script, "'" + ctl + "' --socket '" + sock + "' seats ''", 4);
    CHECK(offered == names);
    CHECK(complete(script, "'" + ctl + "' --socket '" + sock + "' events --client ''", 5) == names);
    // No daemon: nothing offered, and no error text on the terminal.
    CHECK(complete(script, "'" + ctl + "' --socket '" + dir.file("none.sock") + "' seats ''", 4).empty());
}
