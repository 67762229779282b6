// app/daemon: the composition root. Builds every part from the config file in a written order
// and tears it down in the reverse one:
//   load config → open store (lock, migrate) → venue ownership → upstream clients → mirror view,
//   sync, queue → socket server → recover in-flight reservations → READY=1 → run loops (and,
//   with several nodes on one database, the lease loop and the feed follower) → on
//   SIGTERM/SIGINT: STOPPING=1 → stop accepting → cancel loops → bounded drain → release
//   leases → close store → exit.
// A second SIGTERM/SIGINT forces an immediate exit; SIGHUP reloads what can change live.
// Threading: one io_context thread runs the network, the loops and the server; the store has
// its own writer thread.
#pragma once

#include <optional>
#include <string>

namespace agentd::app {

// Process exit codes (documented in `agentd --help`).
enum exit_code : int {
    exit_ok = 0,
    exit_failure = 1,        // runtime failure after start-up
    exit_usage = 2,          // bad command line
    exit_config = 3,         // configuration invalid
    exit_database = 4,       // database unusable, newer than this binary, or in use by another agentd
    exit_socket = 5,         // the API socket cannot be bound (another daemon answers there)
    exit_forced = 6,         // a second stop signal forced exit before the drain finished
};

struct daemon_options {
    std::string config_path = "/etc/agentd/agentd.toml";
    std::optional<std::string> log_level;  // overrides [daemon] log_level
};

int run_daemon(const daemon_options& o);

inline constexpr const char* k_version = "0.1.0";

}  // namespace agentd::app
