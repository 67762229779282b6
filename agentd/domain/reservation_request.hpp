// domain/reservation_request: what a channel may ask for, checked against the mirror's
// catalogue (never its availability: holding is done by the upstream call itself), plus the
// canonical form and hash that make Idempotency-Key retries safe.
// Pure functions; the catalogue view is read-only during a call. Thread-safe if the view is.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::domain {

struct seat_request {
    std::string seat;
    std::string ticket_type;
    friend bool operator==(const seat_request&, const seat_request&) = default;
};

// Exactly one of price_band / area may be set (both empty: anywhere in the instance).
struct best_available_request {
    int quantity = 0;
    std::string ticket_type;
    std::string price_band;
    std::string area;
    friend bool operator==(const best_available_request&, const best_available_request&) = default;
};

struct reservation_request {
    std::string client;
    std::string instance;
    std::vector<seat_request> tickets;                   // specific seats, or
    std::optional<best_available_request> best_available;  // best available; never both
};

struct request_limits {
    int max_quantity = 10;  // bound on seats per request, for both forms
};

// What validation needs to know about an instance; built by the store from the mirror.
struct instance_facts {
    bool cancelled = false;
    bool on_sale_to_agents = true;
    std::optional<sys_time> start;       // refused once started
    std::set<std::string> ticket_types;  // in the instance's price list
    std::set<std::string> price_bands;
    std::set<std::string> areas;
    std::set<std::string> seats;         // seats known in the plan (reserved areas)
};

// One instance of an event as the mirror lists it (what an event pool needs to choose from).
struct event_instance {
    std::string id;
    std::optional<sys_time> start;
    bool on_sale_to_agents = false;
    bool cancelled = false;
};

// Read-only catalogue lookup owned by the caller (store-backed in the daemon, a map in tests).
class catalogue_view {
public:
    virtual ~catalogue_view() = default;
    // nullptr when the client or instance is unknown to the mirror.
    virtual const instance_facts* find_instance(std::string_view client, std::string_view instance) const = 0;
    // The instances of an event the mirror knows (not removed upstream), soonest first; empty
    // when the event is unknown. Only event pools ask, so a catalogue without them need not answer.
    virtual std::vector<event_instance> event_instances(std::string_view, std::string_view) const { return {}; }
};

// Shape checks only: ids well formed, exactly one form, quantity 1..max, no duplicate seats.
// errc::invalid_argument naming the field ("tickets[2].seat: duplicate seat 53613").
result<void> validate_shape(const reservation_request& r, const request_limits& limits);

// Shape checks, then against the catalogue: errc::not_found for an unknown instance,
// errc::conflict for cancelled / not on sale to agents / started, errc::invalid_argument
// naming the field for unknown ticket type, band, area or seat.
result<void> validate_request(const reservation_request& r, const request_limits& limits, const catalogue_view& cat,
                              sys_time now);

// Canonical bytes: seats sorted, so the same seats in another order are the same request.
std::string canonical_request(const reservation_request& r);
std::uint64_t request_hash(const reservation_request& r);

// Idempotency: a retry with the same key must carry the same request. Ok when equal,
// errc::conflict "reuse idempotency key: request differs (...)" otherwise.
result<void> compare_requests(const reservation_request& stored, const reservation_request& incoming);
// The same check when only the stored request's hash is at hand.
result<void> compare_request_hash(std::uint64_t stored_hash, const reservation_request& incoming);

}  // namespace agentd::domain
