// upstream/settings: plain settings for one venue client's upstream connection and its agent
// accounts. The composition root maps the config file onto these; nothing here reads files.
// Plain values, thread-safe to copy.
#pragma once

#include "agentd/core/backoff.hpp"
#include "agentd/core/secret.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace agentd::upstream {

// One deadline per network step; `overall` bounds a whole call including retries unless the
// caller's call_options::deadline is shorter.
struct timeouts {
    std::chrono::milliseconds resolve{5'000};
    std::chrono::milliseconds connect{5'000};
    std::chrono::milliseconds tls{5'000};
    std::chrono::milliseconds request{10'000};  // write, read headers, read body: each step
    std::chrono::milliseconds overall{15'000};
    std::chrono::milliseconds idle{30'000};     // keep-alive connections idle longer are closed
};

// JSON property names of the end customer on PATCH baskets/{id} (docs/upstream-contract.md U10: configurable).
struct agent_customer_fields {
    std::string object = "agentCustomer";
    std::string first_name = "firstName";
    std::string last_name = "lastName";
    std::string address_line1 = "addressLine1";
    std::string reference = "reference";
};

// One venue client (shared by all agent accounts of that client).
struct client_settings {
    std::string base_url = "https://system.spektrix.com";  // http:// only when said explicitly
    std::string client_name;                               // the `{client}` path segment
    double requests_per_minute = 600;
    double burst = 0;          // tokens; 0 = ten seconds' worth (at least 1)
    int max_connections = 4;
    timeouts timeout;
    std::size_t max_response_bytes = 16 * 1024 * 1024;
    std::string ca_file;       // PEM bundle for private CAs; empty = system trust store
    bool insecure_skip_verify_for_tests = false;  // test flag only; never set from config
    agent_customer_fields customer_fields;
    // Key of a seat in the per-seat status holding its lock type id (INFERRED, configurable).
    std::string seat_lock_type_field = "lockTypeId";
    backoff_policy backoff{};  // retries of retry-safe calls
    // After a 429 the rate is halved (floor: 1/min) and comes back after this quiet period.
    std::chrono::seconds shrink_for{60};
    std::chrono::seconds max_retry_after{120};
};

// One agent account (a credential pair) of a client.
struct account_settings {
    std::string login;
    agentd::secret secret;  // base64, as issued by the venue
};

}  // namespace agentd::upstream
