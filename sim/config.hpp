// Simulator settings: one table of options read from a TOML file (--config) and then from
// command-line flags, which win. Only main.cpp sees this; the rest receives `settings`.
// Threading: plain data.
#pragma once

#include "agentd/core/error.hpp"
#include "sim/world.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace agentd::sim {

enum class late_mode { gateway_504, hold };

// Fault probabilities are 0..1 per request of the matching endpoint. What each field does, and
// what is applied when, is described in sim/README.md ("Faults").
struct fault_spec {
    double latency_ms = 0, latency_jitter_ms = 0;
    double p429 = 0, p500 = 0, p503 = 0, reset = 0, truncate = 0, malformed = 0, commit_drop = 0;
    double p500_after_commit = 0, p503_after_commit = 0;
    double late_apply = 0, late_apply_ms = 200, late_hold_ms = 60000;
    late_mode late = late_mode::gateway_504;
};

struct fault_rule {
    std::string client = "*", endpoint = "*";  // endpoint key, "*" or "writes" (every non-GET)
    fault_spec spec;
    // nth > 0: only the nth matching request since the rule was installed gets the fault (every
    // later one too with persist), each non-zero probability then counting as 1.
    std::uint64_t nth = 0;
    bool persist = false;
    std::uint64_t matched = 0;  // requests that matched client and endpoint so far
    std::uint64_t fired = 0;    // requests this rule gave a fault (latency aside)
};

// One named field of a fault rule as read from TOML or from a PUT /_sim/faults body.
struct fault_value {
    bool is_number = false, is_integer = false, is_bool = false, is_string = false;
    double number = 0;
    std::int64_t integer = 0;
    bool boolean = false;
    std::string text;
};
using fault_fields = std::vector<std::pair<std::string, fault_value>>;

struct account_override {
    std::string login, secret;
};

struct client_override {
    double agent_discount_percent = -1;  // < 0: the global agent_discount_percent
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
    // Generated agency allocations: seats per instance locked for the first N accounts.
    std::uint32_t agency_lock_seats = 0, agency_lock_accounts = 1;
    int threads = 2;
    double agent_discount_percent = 10;  // agentDiscount of every ticket, % of face value
    std::vector<client_override> client_overrides;
    std::vector<fault_rule> faults;
};

std::string usage();
// Applies --config FILE first, then every other flag. `help` is set by --help.
result<settings> parse_command_line(int argc, const char* const* argv, bool& help);
result<void> apply_toml(settings& s, const std::string& path);
// A checked rule from its named fields: unknown names, unknown endpoint keys, wrong types and
// out-of-range values are errors (messages name the field).
result<fault_rule> fault_from_fields(const fault_fields& fields);
// The numeric fields of a spec by name, in the order GET /_sim/faults lists them.
std::vector<std::pair<std::string, double>> fault_numbers(const fault_spec& f);

}  // namespace agentd::sim
