// upstream/types: typed DTOs for the Spektrix Agency API entities (docs/upstream-contract.md) as agentd reads them.
// Ids are opaque strings; money is integer minor units; venue-local times stay text while UTC
// times are parsed. Fields the daemon does not use are not kept. Plain values, thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::upstream {

// Query dates are "YYYY-MM-DD" text (docs/upstream-contract.md U20); callers format them with format_date_utc().
using date_text = std::string;

struct event {
    std::string id;
    std::string name;
    std::string description;
    std::int64_t duration_minutes = 0;
    std::string image_url;
    bool is_on_sale = false;
    std::string instance_dates;
    std::string first_instance_local;  // "YYYY-MM-DDTHH:MM:SS", venue local
    std::string last_instance_local;
};

struct instance {
    std::string id;
    std::string event_id;
    std::string plan_id;
    std::string price_list_id;
    std::string start_local;  // venue local, no offset
    sys_time start_utc{};
    bool is_on_sale = false;
    bool cancelled = false;
    bool has_best_available_overlay = false;
    std::optional<std::string> web_instance_id;
};

struct named_ref {
    std::string id;
    std::string name;
};

struct price {
    std::string id;
    named_ref ticket_type;
    named_ref band;
    money amount;
    bool is_band_default = false;
};

struct price_list {
    std::string id;
    std::vector<price> prices;
};

struct seat {
    std::string id;
    std::string name;
    std::string row;
    std::int64_t number = 0;
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::optional<std::string> band_id;
};

struct area {
    std::string id;
    std::string name;
    bool reserved = true;  // "Reserved" vs "Unreserved"
    std::int64_t capacity = 0;
    std::optional<std::string> band_id;
    std::vector<area> children;
    std::vector<seat> seats;  // empty for unreserved areas (`seats: null`)
};

// A plan is the root area of a seating plan.
using plan = area;

// Counts of docs/upstream-contract.md U5; keys missing upstream read as 0.
struct status_counts {
    std::int64_t capacity = 0;
    std::int64_t available = 0;
    std::int64_t wheelchair_available = 0;
    std::int64_t special_available = 0;
    std::int64_t in_basket = 0;
    std::int64_t in_other_basket = 0;
    std::int64_t locked = 0;
    std::int64_t reserved = 0;
    std::int64_t sold = 0;
    std::int64_t scanned = 0;
    std::int64_t masked = 0;
    std::int64_t unavailable = 0;
};

struct band_status {
    std::string id;
    std::string name;
    status_counts counts;
};

struct area_status {
    std::string id;
    std::string name;
    status_counts counts;
    std::vector<band_status> bands;
};

struct instance_status {
    std::string name;
    status_counts counts;
    std::vector<band_status> bands;
    std::vector<area_status> areas;  // with includeChildPlans
};

enum class seat_state { available, in_basket, in_other_basket, locked, reserved, sold, unavailable, unknown };

struct seat_status {
    std::string id;
    seat_state status = seat_state::unknown;
    // Lock type id of a Locked seat, read from client.seat_lock_type_field (INFERRED: the
    // contract's per-seat status names no lock field); empty when absent or not an id.
    std::string lock_type;
};

// One seat proposed by best-available (docs/upstream-contract.md U7).
struct best_seat {
    std::string id;
    std::optional<std::string> area_id;
    std::optional<std::string> band_id;
};

struct agent_customer {
    std::string first_name;
    std::string last_name;
    std::string address_line1;
    std::string reference;
};

struct ticket {
    std::string id;
    std::string instance_id;
    std::string event_id;
    std::optional<std::string> seat_id;
    std::string seat_name;
    std::string plan_id;  // area/plan of the ticket
    std::string band_id;
    std::string type_id;
    money price;
    money total;
    money agent_discount;  // `agentDiscount`: the agent's commission on this ticket (0 when absent)
    std::optional<std::string> barcode;
};

struct basket {
    std::string id;
    std::string hash;
    std::vector<ticket> tickets;
    std::optional<agent_customer> customer;
};

struct order {
    std::string id;
    money total;
    std::vector<ticket> tickets;
    std::optional<agent_customer> customer;
};

// A ticket to add: a seat of a reserved area, or an unreserved area (sent as `seatingPlan`).
struct new_ticket {
    std::string instance_id;
    std::optional<std::string> seat_id;
    std::optional<std::string> area_id;
    std::string type_id;
};

}  // namespace agentd::upstream
