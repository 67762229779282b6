// store/mirror_rows: plain row structs of the mirror tables (migrations/0002_mirror.sql), as the
// store reads and writes them. Times are Unix milliseconds; money is minor units; hashes are
// the 64-bit content hashes of domain/diff. The app maps these to and from upstream and api
// types. Plain values; thread-safe to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::store {

struct mirror_client_row {
    std::string name;
    std::string account;
    std::optional<bool> seat_status;  // nullopt: not yet known
};

// What the diff needs about an entity the mirror already holds.
struct mirror_known_row {
    std::uint64_t hash = 0;
    int misses = 0;
    bool tombstoned = false;
    std::string parent;  // event id of an instance; empty for events
};

struct mirror_event_row {
    std::string id;
    std::string name;
    std::string description;
    std::int64_t duration_minutes = 0;
    std::string image_url;
    bool on_sale = false;
    std::string instance_dates;
    std::string first_local;
    std::string last_local;
    bool tombstoned = false;
};

struct mirror_instance_row {
    std::string id;
    std::string event_id;
    std::string plan_id;
    std::string price_list_id;
    std::string start_local;
    std::string start_utc;  // ISO 8601 'Z'
    bool on_sale = false;
    bool cancelled = false;
    bool tombstoned = false;
    std::string event_name;                 // filled by reads that join the event
    std::optional<std::int64_t> available;  // filled by list reads (instance status row)
};

struct mirror_price_row {
    std::string band_id;
    std::string ticket_type_id;
    std::string band_name;
    std::string ticket_type_name;
    std::int64_t amount_minor = 0;
    bool band_default = false;
};

struct mirror_area_row {
    std::string id;
    std::optional<std::string> parent_id;
    std::string name;
    bool reserved = true;
    std::int64_t capacity = 0;
    std::optional<std::string> band_id;
};

struct mirror_seat_row {
    std::string id;
    std::string area_id;
    std::string name;
    std::string row;
    std::int64_t number = 0;
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::optional<std::string> band_id;
    std::optional<int> status;  // reads: the seat's status in one instance, when known
    std::string lock_type;      // reads: a Locked seat's lock type id, when upstream says
};

// area_id "" is the instance as a whole.
struct mirror_status_row {
    std::string area_id;
    std::string name;
    std::int64_t capacity = 0;
    std::int64_t available = 0;
    std::int64_t locked = 0;
    std::int64_t reserved = 0;
    std::int64_t sold = 0;
    std::int64_t in_basket = 0;
    std::int64_t unavailable = 0;
};

struct mirror_sync_state_row {
    std::string resource;  // "catalogue", "price_list:<id>", "plan:<id>", "avail:<instance>"
    std::optional<std::int64_t> last_attempt;
    std::optional<std::int64_t> last_success;
    std::optional<std::string> last_error;
    std::optional<std::int64_t> next_due;
    std::optional<std::uint64_t> content_hash;
};

// What a reservation answer names next to one seat's ids; "" where the mirror has no name.
struct mirror_seat_names_row {
    std::string event_name;
    std::string start_local;
    std::string area_name;
    std::string price_band_name;
    std::string ticket_type_name;
};

struct mirror_seat_status_input {
    std::string seat_id;
    int status = 0;
    std::string lock_type;  // "" stored as NULL
};

struct mirror_seat_write_counts {
    std::uint64_t rows_offered = 0;  // upserts executed
    std::uint64_t rows_changed = 0;  // rows actually inserted or updated
};

}  // namespace agentd::store
