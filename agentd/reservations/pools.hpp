// reservations/pools: allocation pools (docs/pools.md) in the service's own vocabulary. A pool
// keeps a target number of ready holds of given sizes for one client and instance; each ready
// hold is an ordinary reservation owned by the pseudo-channel "pool:<name>" (so placing, crash
// recovery, expiry and releasing are the reservation machinery's), kept alive by extending it,
// and handed to a channel whose request it satisfies by one durable `drawn` transition, with no
// upstream call. The composition root maps the config file onto these plain values.
// Plain values; the service reads them on its executor's thread only.
#pragma once

#include "agentd/core/clock.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agentd::reservations {

struct pool_size {
    int count = 0;     // ready holds of this size
    int quantity = 0;  // seats in each
    friend bool operator==(const pool_size&, const pool_size&) = default;
};

struct pool_spec {
    std::string name;
    std::string client;
    std::string instance;
    std::string ticket_type;
    std::string price_band;  // at most one of band / area; both empty: anywhere
    std::string area;
    std::vector<pool_size> sizes;
    // On-sale grab: nothing is filled before this moment; at it the whole target is asked for
    // at once through the reservation lane of the request budget.
    std::optional<sys_time> fill_at;
    // Ready holds are released this long before the performance starts.
    std::chrono::seconds drain_before{2 * 60 * 60};
    // Non-empty: a locked_only pool. It holds only seats the mirror shows locked with one of
    // these lock types, chosen adjacent and added explicitly; with none free a fill fails
    // (rejected, so it counts and backs off) and never falls back to open seats.
    std::vector<std::string> lock_types;
    friend bool operator==(const pool_spec&, const pool_spec&) = default;
};

struct pool_settings {
    std::vector<pool_spec> pools;
    std::map<std::string, std::int64_t, std::less<>> client_max_seats;  // per client: seats held by its pools
    // A hold is kept alive once less than this is left of it (and at most once per
    // reservations.extend_min_interval); it is not handed to a channel with less than
    // min_draw_left to run.
    std::chrono::seconds keep_alive_below{5 * 60};
    std::chrono::seconds min_draw_left{60};
    std::chrono::milliseconds pass_interval{1'000};
    friend bool operator==(const pool_settings&, const pool_settings&) = default;
};

// What `agentctl pools` and GET /v1/pools show of one pool.
struct pool_status {
    std::string name, client, instance;
    std::string phase;  // waiting (before fill_at) | filling | ready | paused | draining | removed
    std::int64_t target = 0, target_seats = 0;
    std::int64_t ready = 0, filling = 0, releasing = 0;
    std::int64_t drawn = 0, failed = 0;  // since the pool was first filled (durable counts)
    std::int64_t seats_held = 0;
    std::optional<sys_time> next_expiry, fill_at;
};

}  // namespace agentd::reservations
