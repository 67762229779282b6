// agentd-sim: the Spektrix Agency API simulator. Composition root: reads settings, builds the
// world, prints one ready line on stdout, serves until SIGINT/SIGTERM (exit 0).
#include "agentd/log/log.hpp"
#include "man/roff.hpp"
#include "sim/config.hpp"
#include "sim/server.hpp"
#include "sim/simulator.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <string_view>

using namespace agentd;

namespace {

// Until the server's own signal handling is in place (world generation can take seconds),
// an interrupt ends the process cleanly rather than by the default action.
extern "C" void early_exit(int) { std::_Exit(0); }

std::int64_t basis_points(double percent) { return std::llround(percent * 100); }

result<void> apply_overrides(sim::world& w, const sim::settings& s) {
    for (auto& c : w.clients) c.agent_discount_bp = basis_points(s.agent_discount_percent);
    for (std::size_t i = 0; i < s.client_overrides.size() && i < w.clients.size(); ++i) {
        auto& o = s.client_overrides[i];
        auto& c = w.clients[i];
        if (o.agent_discount_percent >= 0) c.agent_discount_bp = basis_points(o.agent_discount_percent);
        if (!o.name.empty()) {
            w.client_by_name.erase(c.name);
            c.name = o.name;
            w.client_by_name[c.name] = std::uint32_t(i);
        }
        if (!o.accounts.empty()) {
            c.accounts.clear();
            for (auto& a : o.accounts) {
                bool ok = false;
                auto key = sim::base64_decode(a.secret, ok);
                if (!ok) return fail(errc::config_error, "configure client " + c.name + ": secret is not base64");
                c.accounts.push_back({a.login, a.secret, key});
            }
        }
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string_view(argv[1]) == "--version") {
        std::cout << "agentd-sim " << AGENTD_SIM_VERSION << "\n";
        return 0;
    }
    if (argc == 2 && std::string_view(argv[1]) == "--man") {
        // Hidden: agentd-sim(1) from the --help text; the build writes it into the package.
        auto page = man::from_help(sim::usage(), "1", AGENTD_SIM_VERSION, "User Commands", "Options");
        page.sections.insert(page.sections.begin(), {"SYNOPSIS", ".B agentd\\-sim\n[\\fIOPTIONS\\fR]\n"});
        page.sections.emplace_back("FILES", ".TP\n.B /usr/share/doc/agentd\\-sim/examples/sim.toml.example\n"
                                            "every setting of \\fB\\-\\-config\\fR \\fIFILE\\fR.\n");
        page.sections.emplace_back("SEE ALSO", "agentd(8), agentctl(8)\n");
        std::cout << man::render(page);
        return 0;
    }
    bool help = false;
    auto s = sim::parse_command_line(argc, argv, help);
    if (!s) {
        std::cerr << "agentd-sim: " << s.error().message << "\n";
        return 2;
    }
    if (help) {
        std::cout << sim::usage();
        return 0;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGINT, early_exit);
    std::signal(SIGTERM, early_exit);
    auto t0 = std::chrono::steady_clock::now();
    sim::world_spec spec{s->seed, s->size, s->clients, std::chrono::system_clock::now()};
    auto w = sim::generate_world(spec);
    if (auto r = apply_overrides(w, *s); !r) {
        std::cerr << "agentd-sim: " << r.error().message << "\n";
        return 2;
    }
    auto seats = w.total_slots();
    auto clients = w.clients.size();
    sim::simulator simulator(std::move(w), *s);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    log::info("sim", "generate", "world ready", {{"clients", clients}, {"seats", seats}, {"ms", ms}});

    sim::server srv(simulator, {s->listen, s->tls_cert, s->tls_key, s->max_body, s->threads});
    auto base = srv.start();
    if (!base) {
        std::cerr << "agentd-sim: " << base.error().message << "\n";
        return 1;
    }
    std::cout << simulator.ready_line(*base) << std::endl;
    srv.run();
    log::info("sim", "shutdown", "stopped", {});
    return 0;
}
