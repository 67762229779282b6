// control/server_settings: everything the local API server needs to know, as a plain struct.
// Only the composition root fills it (from `[api]` and `[[channel]]` in the config file).
// Thread-safe: a plain value, copied into the server.
#pragma once

#include "agentd/control/upstream_gate.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::control {

enum class role { sales, admin };

// One `[[channel]]`: which peers (by uid, else by gid) act as this channel, and what they may do.
struct channel_entry {
    std::string name;
    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    control::role role = role::sales;
    int weight = 1;  // used by the queue's fairness, carried here for completeness
    upstream_limits upstream;  // create/confirm/extend/release charged to this channel
};

struct server_settings {
    std::string socket_path = "/run/agentd/agentd.sock";
    unsigned socket_mode = 0660;
    std::size_t max_body = 64 * 1024;     // bytes; larger bodies get 413
    std::size_t max_header = 16 * 1024;   // bytes; larger headers get 431
    double requests_per_second = 200;     // per channel, token bucket rate
    double burst = 400;                   // per channel, token bucket size
    std::size_t max_connections = 4096;   // beyond: 503 and close
    std::size_t max_connections_per_uid = 64;  // per peer uid, so one peer cannot take every slot
    bool metrics_open = false;            // true: every mapped channel may read /metrics, not only admins
    std::chrono::milliseconds idle_timeout{60'000};    // keep-alive idle before the next request
    std::chrono::milliseconds header_timeout{10'000};  // first byte to complete request (slow-loris)
    std::chrono::milliseconds write_timeout{10'000};   // one answer or one feed write
    std::chrono::milliseconds longpoll_max{30'000};    // cap on `wait=` of a reservation long-poll
    std::size_t feed_buffer = 4096;                    // events queued per feed subscriber
    std::chrono::milliseconds feed_heartbeat{15'000};
    std::string version = "0.1.0";
    std::vector<channel_entry> channels;
};

}  // namespace agentd::control
