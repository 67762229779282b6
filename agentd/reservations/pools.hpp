// reservations/pools: allocation pools (docs/pools.md) in the service's own vocabulary. A pool
// keeps a target number of ready holds of given sizes for one client and instance (an event pool:
// for each instance of an event, optionally within a range of starts); each ready
// hold is an ordinary reservation owned by the pseudo-channel "pool:<name>" (so placing, crash
// recovery, expiry and releasing are the reservation machinery's), kept alive by extending it,
// and handed to a channel whose request it satisfies by one durable `drawn` transition, with no
// upstream call. The composition root maps the config file onto these plain values.
// Plain values; the service reads them on its executor's thread only.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/domain/reservation_request.hpp"

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
    std::string instance;  // exactly one of instance and event
    // An event pool keeps its target for each instance of the event the mirror knows whose
    // start is within [from, to] (either bound open when absent).
    std::string event;
    std::optional<sys_time> from, to;
    std::string ticket_type;
    std::string price_band;  // at most one of band / area; both empty: anywhere
    std::string area;
    std::vector<pool_size> sizes;
    // On-sale grab: nothing is filled before this moment; at it the whole target is asked for
    // at once through the reservation lane of the request budget.
    std::optional<sys_time> fill_at;
    // The grab's fills start this long before fill_at: their baskets are made ahead, and each
    // placement waits for fill_at before it asks for seats (place.cpp).
    std::chrono::milliseconds grab_lead{0};
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

// Whether an event pool's range takes an instance starting at `start` (an instance pool's, and
// an unbounded range, take any; a bounded range never takes an unknown start).
bool starts_in_range(const pool_spec& p, std::optional<sys_time> start);

// The instances a pool keeps holds for, of those `known` (the mirror's instances of its event,
// soonest first): in range, not cancelled, on sale to agents, not within drain_before of `now`.
// An instance pool covers its one instance; this is only asked of event pools.
std::vector<std::string> covered_instances(const pool_spec& p, const std::vector<domain::event_instance>& known, sys_time now);

// What `agentctl pools` and GET /v1/pools show of one pool, per instance: an event pool has a
// row for each instance it covers or still holds seats of (and one with an empty instance while
// it covers none).
struct pool_status {
    std::string name, client, instance, event;
    std::string phase;  // waiting | filling | ready | capped | paused | draining | removed
    std::int64_t target = 0, target_seats = 0;
    std::int64_t ready = 0, filling = 0, releasing = 0;
    std::int64_t drawn = 0, failed = 0;  // of this instance, since the pool was first filled (durable counts)
    // The same over all the pool's instances, also those it no longer has a row for: the
    // metrics' counters, which must not go down when an event's instance leaves the pool.
    std::int64_t pool_drawn = 0, pool_failed = 0;
    std::int64_t seats_held = 0;
    std::optional<sys_time> next_expiry, fill_at;
};

}  // namespace agentd::reservations
