// Simulator settings: one table of options read from a TOML file (--config) and then from
// command-line flags, which win. Only main.cpp sees this; the rest receives `settings`.
// Threading: plain data.
#pragma once

#include "agentd/core/error.hpp"
#include "sim/world.hpp"

#include <string>
#include <vector>

namespace agentd::sim {

// Fault probabilities are 0..1 per request of the matching endpoint.
struct fault_spec {
    double latency_ms = 0, latency_jitter_ms = 0;
    double p429 = 0, p500 = 0, p503 = 0, reset = 0, truncate = 0, malformed = 0, commit_drop = 0;
};

struct fault_rule {
    std::string client = "*", endpoint = "*";
    fault_spec spec;
};

struct account_override {
    std::string login, secret;
};

struct client_override {
    std::string name;  // empty: keep the generated name
    std::vector<account_override> accounts;
};

struct settings {
    std::uint64_t seed = 1;
    size_preset size = size_preset::small;
    int clients = 0;
    std::string listen = "127.0.0.1:8780";
    std::string tls_cert, tls_key;
    double time_scale = 1.0;
    double public_sales_rate = 0;  // seat operations per second per client
    double rate = 10, burst = 20;  // per agent account
    bool seat_status = true;
    double basket_ttl = 1200;  // seconds
    bool ttl_sliding = true;
    bool confirm_again_conflict = true;
    bool accept_empty_body_hash = true;
    int skew_seconds = 300;
    std::size_t max_body = 1 << 20;
    bool initial_locks = true;
    int threads = 2;
    std::vector<client_override> client_overrides;
    std::vector<fault_rule> faults;
};

std::string usage();
// Applies --config FILE first, then every other flag. `help` is set by --help.
result<settings> parse_command_line(int argc, const char* const* argv, bool& help);
result<void> apply_toml(settings& s, const std::string& path);
result<fault_rule> fault_from_fields(std::string_view client, std::string_view endpoint, const fault_spec& base);

}  // namespace agentd::sim
