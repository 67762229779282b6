// config/settings: the validated settings every module receives. Plain values filled by
// config::load_*; modules never read the file themselves. Defaults, bounds and docs live in
// the option table (config/options.hpp), not here. Thread-safe to read once built.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/secret.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentd::config {

using duration = std::chrono::milliseconds;

struct daemon_settings {
    std::string socket_path;
    std::string database;
    std::string log_level;  // one of debug, info, warn, error, off
    duration drain_timeout{};
    std::uint32_t socket_mode = 0;  // permission bits, parsed from an octal string
    duration feed_retention{};      // 0: kept forever
    duration history_retention{};   // of finished reservations; 0: kept forever
    std::string node;               // this node's name among nodes sharing a database; empty: the host name
    duration lease_ttl{};           // venue lease lifetime when several nodes share a database
};

struct sync_settings {
    duration catalogue_interval{};
    std::int64_t catalogue_days_ahead = 0;
    duration tier_24h{};
    duration tier_7d{};
    duration tier_30d{};
    duration tier_later{};
    duration hot_window{};
    std::int64_t tombstone_after = 0;
    double max_removal_share = 0;
    bool seat_status = false;
    std::int64_t max_parallel_per_client = 0;

    friend bool operator==(const sync_settings&, const sync_settings&) = default;
};

struct reservation_settings {
    duration basket_lifetime{};
    std::string basket_lifetime_mode;  // sliding | absolute
    duration expiry_margin{};
    duration max_hold{};
    std::int64_t max_quantity = 0;
    std::int64_t queue_limit = 0;
    std::int64_t channel_backlog_limit = 0;
    std::int64_t inflight_per_client = 0;
    std::int64_t best_available_retries = 0;
    duration confirm_timeout{};
    duration extend_min_interval{};
    duration local_sold_out_max_age{};
    bool choose_seats_from_mirror = false;

    friend bool operator==(const reservation_settings&, const reservation_settings&) = default;
};

struct api_settings {
    std::uint64_t max_body = 0;    // bytes
    std::uint64_t max_header = 0;  // bytes
    std::int64_t requests_per_second = 0;  // per channel
    std::int64_t burst = 0;
    std::int64_t max_connections = 0;
    duration idle_timeout{};
    duration header_timeout{};
    duration longpoll_max{};
    std::int64_t feed_buffer = 0;  // events
    duration feed_heartbeat{};
    std::int64_t max_connections_per_uid = 0;
    bool metrics_open = false;
    std::uint64_t answer_cache = 0;  // bytes
};

struct account_settings {
    std::string name;
    std::string login;
    std::string secret_file;        // as written in the file (may be empty)
    std::string secret_credential;  // systemd credential name (may be empty)
    agentd::secret secret;          // the loaded base64 key, whitespace-trimmed
};

// A do-not-transact window (docs/windows.md). The text fields are as written; the loader checks
// them and fills the parsed fields below.
struct window_settings {
    std::string name;
    std::string start, end;  // "HH:MM" (recurring, local) or "YYYY-MM-DDTHH:MM[:SS][Z]" (one-off)
    std::string days;        // recurring only: "mon,tue", "mon-fri", ""/"daily" for every day
    bool reads = false;      // true: upstream reads stop too
    std::string creates;     // queue | refuse
    bool recurring = true;
    int start_minute = 0, end_minute = 0;  // after local midnight
    std::uint8_t weekdays = 0x7f;          // bit 0 = Monday
    std::chrono::sys_seconds from{}, until{};  // one-off: wall times, local unless *_utc
    bool from_utc = false, until_utc = false;

    friend bool operator==(const window_settings&, const window_settings&) = default;
};

struct client_settings {
    std::string name;
    std::string base_url;
    bool allow_insecure_http = false;  // an http:// base_url is refused unless this is set
    std::int64_t requests_per_minute = 0;
    std::int64_t request_burst = 0;  // 0: ten seconds' worth of requests_per_minute
    std::int64_t max_connections = 0;
    std::string ca_file;
    duration connect_timeout{};
    duration request_timeout{};
    std::uint64_t max_response = 0;  // bytes
    std::string customer_first_name_field;
    std::string customer_last_name_field;
    std::string customer_address_field;
    std::string customer_reference_field;
    // The agent's books for this venue (docs/ledger.md).
    std::string currency;
    bool order_total_is_net = false;
    std::string timezone;
    std::string statement_order_id_column, statement_tickets_column, statement_total_column;
    std::string statement_commission_column, statement_net_column;
    std::int64_t pool_max_seats = 0;  // seats this client's pools may hold together (docs/pools.md)
    std::string allocation_lock_types;  // lock type ids that are the agent's allocation, comma-separated
    std::string seat_lock_type_field;   // per-seat status key holding a Locked seat's lock type id
    std::string basket_best_available;  // auto|always|never (docs/reservations.md)
    std::vector<account_settings> accounts;
    std::vector<window_settings> windows;
};

enum class channel_role { sales, admin };

struct channel_settings {
    std::string name;
    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    channel_role role = channel_role::sales;
    std::int64_t weight = 1;
    std::int64_t upstream_per_minute = 0;  // create/confirm/extend/release requests
    std::int64_t upstream_burst = 0;
    std::int64_t upstream_concurrency = 0;
};

// One [[pool]] (docs/pools.md): a target of ready holds for a client's instance, or for each
// instance of an event (optionally those starting within [from, to]).
struct pool_settings {
    std::string name, client, instance, ticket_type, price_band, area;
    std::string event;     // exactly one of instance and event
    std::string from, to;  // as written: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]", venue time (trailing Z: UTC)
    std::string sizes;    // as written: "10x2, 4x4"
    std::string fill_at;  // as written: ISO 8601 UTC, or "" (fill as soon as on sale)
    duration drain_before{};
    duration grab_lead{};  // an on-sale grab's baskets are created this long before fill_at
    bool locked_only = false;  // hold only seats locked for the agent (docs/pools.md)
    std::string lock_types;    // as written; empty: the client's allocation_lock_types
    // Parsed from the text above by the loader.
    std::vector<std::pair<int, int>> size_list;  // (count, quantity)
    std::vector<std::string> lock_type_ids;      // locked_only: lock_types, else the client's allocation_lock_types
    std::optional<sys_time> fill_at_time;
    // Inclusive bounds of the instance start as wall times, local unless *_utc; a bare date
    // in `to` is its last second.
    std::optional<std::chrono::sys_seconds> from_at, to_at;
    bool from_utc = false, to_utc = false;

    friend bool operator==(const pool_settings&, const pool_settings&) = default;
};

struct settings {
    daemon_settings daemon;
    sync_settings sync;
    reservation_settings reservations;
    api_settings api;
    std::vector<client_settings> clients;
    std::vector<channel_settings> channels;
    std::vector<pool_settings> pools;
};

}  // namespace agentd::config
