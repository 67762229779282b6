// agentd's main(): command line only; everything else is app::run_daemon.
#include "agentd/app/daemon.hpp"
#include "man/roff.hpp"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

const char* k_help = R"(agentd - Spektrix Agency API inventory mirror and reservation queue for ticket agents

Usage: agentd [--config FILE] [--log-level LEVEL]
       agentd --help | --version

Options:
  --config FILE      configuration file (default /etc/agentd/agentd.toml);
                     every option is documented in conf/agentd.toml.example
  --log-level LEVEL  debug, info, warn or error; overrides [daemon] log_level
  --help             this text
  --version          print the version and exit

Signals:
  SIGTERM, SIGINT    graceful stop: stop accepting, drain within [daemon] drain_timeout,
                     close the database; a second signal forces an immediate exit
  SIGHUP             reload the configuration; a bad file is refused and the running one kept

Exit status:
  0  stopped cleanly
  1  runtime failure
  2  bad command line
  3  configuration invalid (the message names the file, line and option)
  4  database unusable, newer than this binary, or in use by another agentd
  5  the API socket cannot be bound (another agentd answers there)
  6  forced exit by a second stop signal

Under systemd (Type=notify) agentd reports READY=1 once the database is open and in-flight
reservations are recovered, STATUS= with sync progress, WATCHDOG=1 and STOPPING=1.
Check a configuration without starting: agentctl config check FILE
)";

}  // namespace

int main(int argc, char** argv) {
    agentd::app::daemon_options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "agentd: %s needs a value (see --help)\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--man") {
            // Hidden: agentd(8) from this help text; the build writes it into the package.
            auto page = agentd::man::from_help(k_help, "8", agentd::app::k_version, "System Administration", "Description");
            page.sections.emplace_back("FILES", ".TP\n.B /etc/agentd/agentd.toml\nthe configuration, see agentd.toml(5).\n"
                                                ".TP\n.B /var/lib/agentd\nthe database (state directory, user agentd only).\n"
                                                ".TP\n.B /run/agentd/agentd.sock\nthe local API socket (group agentd).\n"
                                                ".TP\n.B /usr/lib/systemd/system/agentd.service\nthe systemd unit.\n");
            page.sections.emplace_back("SEE ALSO", "agentctl(8), agentd.toml(5), agentd\\-sim(1), systemd.service(5)\n");
            std::fputs(agentd::man::render(page).c_str(), stdout);
            return 0;
        }
        if (a == "--help" || a == "-h") {
            std::fputs(k_help, stdout);
            return 0;
        } else if (a == "--version") {
            std::printf("agentd %s\n", agentd::app::k_version);
            return 0;
        } else if (a == "--config" || a == "-c") {
            const char* v = value("--config");
            if (!v) return agentd::app::exit_usage;
            o.config_path = v;
        } else if (a.rfind("--config=", 0) == 0) {
            o.config_path = a.substr(9);
        } else if (a == "--log-level") {
            const char* v = value("--log-level");
            if (!v) return agentd::app::exit_usage;
            o.log_level = v;
        } else {
            std::fprintf(stderr, "agentd: unknown argument '%s' (see --help)\n", a.c_str());
            return agentd::app::exit_usage;
        }
    }
    return agentd::app::run_daemon(o);
}
