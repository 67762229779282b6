// api/types: the local API's wire types, shared by the daemon (control) and agentctl. Plain
// values; money is already formatted as decimal text and times as UTC ISO 8601 with 'Z' so the
// codecs never round. Codecs live in api/json.hpp. Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace agentd::api {

struct error_body {
    std::string code;  // stable snake_case code, see docs/local-api.md
    std::string message;
    bool retryable = false;
    std::optional<std::string> retry_at;  // "retryAt": when the request may succeed (a window's end)
};

struct sync_progress {
    bool initial_complete = false;
    std::int64_t clients_done = 0, clients_total = 0, instances_done = 0, instances_total = 0;
};

// A client's do-not-transact windows at the moment of the answer (docs/windows.md).
struct client_window {
    bool inside = false;                         // upstream writes stopped now
    std::optional<std::string> name, ends_at;    // the window in force and when writes resume
    bool reads_blocked = false;                  // upstream reads stopped too
    bool refuse_creates = false;                 // creates refused (else queued)
    std::optional<std::string> next_name, next_start, next_end;
};

struct client_state {
    std::string name;
    std::string state;  // "ok", "syncing", "degraded", "disabled"
    std::optional<std::string> last_success;
    std::optional<std::string> last_error;
    double lag_seconds = 0;
    double budget_left = 0;
    std::optional<client_window> window{};  // only for a client with windows configured
};

struct queue_state {
    std::int64_t depth = 0;
    std::vector<std::pair<std::string, std::int64_t>> by_state;
};

// Which node drives a venue (several nodes on one database; docs/scale-out.md).
struct venue_lease {
    std::string client, node;
    std::int64_t epoch = 0;
    std::string expires_at;  // database clock
    bool live = false;       // not expired at the read
};

struct health {
    std::string status = "starting";  // "ok" | "starting" | "degraded"
    std::string version;
    std::int64_t uptime_seconds = 0;
    bool ready = false;
    sync_progress sync;
    std::vector<client_state> clients;
    queue_state queue;
    // Set only when several nodes share the database: this node's name and every venue's lease.
    std::optional<std::string> node;
    std::vector<venue_lease> leases;
    // The queue counts every channel's reservations: a sales channel's view leaves it out.
    bool include_queue = true;
};

struct event_query {
    std::string client;
    std::optional<std::string> from, to, search;
};

struct event {
    std::string id, client, name;
    std::string description;
    std::optional<std::string> first_instance, last_instance;
    bool on_sale = false;
};

struct instance_query {
    std::string client;
    std::optional<std::string> from, to, event;
};

struct instance_summary {
    std::string id, client, event, event_name;
    std::string start;      // venue-local "YYYY-MM-DDTHH:MM:SS"
    std::string start_utc;  // ISO 8601 Z
    bool on_sale = false, cancelled = false;
    std::int64_t available = 0;
};

struct price {
    std::string price_band, ticket_type, ticket_type_name, price;
    std::string price_band_name{};  // from the mirror; "" when unknown (initialised: brace lists may omit it)
};

struct area_availability {
    std::string area, name;
    std::int64_t available = 0, capacity = 0;
};

struct availability {
    std::int64_t available = 0, capacity = 0, locked = 0;
    std::vector<area_availability> areas;
};

struct instance {
    std::string id, client, event, event_name, start, start_utc, plan;
    bool on_sale = false, cancelled = false;
    std::vector<price> prices;
    availability avail;
    double availability_age = 0;  // seconds since availability was last confirmed upstream
    std::string availability_confirmed_at;
};

struct seat {
    std::string id, name, area, row, price_band, status;  // status: available|locked|sold|held
    std::optional<double> x, y;
};

struct seat_plan {
    std::string instance, plan, confirmed_at;
    std::vector<seat> seats;
};

struct ticket_request {
    std::string seat, ticket_type;
};

struct best_available {
    std::int64_t quantity = 0;
    std::string ticket_type;
    std::optional<std::string> price_band, area;
};

struct reservation_request {
    std::string client, instance;
    std::vector<ticket_request> tickets;  // either tickets ...
    std::optional<best_available> best;   // ... or best available
};

struct reserved_seat {
    std::string seat, name, area, price_band, ticket_type, price;
    std::optional<std::string> barcode;
    // Human names from the mirror next to the ids above; "" when the mirror does not know them.
    std::string area_name{}, price_band_name{}, ticket_type_name{};
};

struct reservation {
    std::string id, channel, state;
    std::int64_t version = 0;
    std::string client, instance;
    reservation_request request;
    std::vector<reserved_seat> seats;
    std::optional<std::string> total, expires_at, order_id;
    std::optional<std::string> reference;       // the channel's reference, once confirm was asked
    std::optional<std::string> settled_by;      // upstream_order | already_confirmed | operator
    std::optional<std::string> order_mismatch;  // how the order differs from the hold
    std::optional<error_body> error;  // code + message; retryable is not sent here
    std::string created_at, updated_at;
    std::string event_name{}, instance_start{};  // from the mirror; "" when unknown
    std::string pool{};  // the allocation pool it was filled for ("" for a normal placement)
};

struct reservation_filter {
    std::optional<std::string> state, channel, client;
};

struct customer {
    std::string first_name, last_name, address_line1;
};

struct confirm_request {
    customer cust;
    std::string reference;
};

struct extend_request {
    std::int64_t seconds = 0;  // 0: the default hold extension
};

struct history_entry {
    std::int64_t version = 0;
    std::string state, at, note;
};

// One feed row as the server streams it. `data` is the kind's payload (below) as api encoded
// it when the change was committed (to_json of feed_reservation, feed_mirror_change, ...); the
// server forwards it without re-encoding, and decode_feed_data reads it back.
struct feed_event {
    std::uint64_t seq = 0;
    std::string kind;  // "reservation", "event", "instance", "price_list", "plan", "availability", "sync"
    std::string data;
};

// The data of a feed event of kind "reservation": which reservation moved to which state.
// Deliberately small (no seats, customer or barcodes): the full reservation is one GET away,
// where channel scoping applies.
struct feed_reservation {
    std::string id, channel, state;
    std::int64_t version = 0;
    std::string pool{};  // set for a pool's hold, filled or drawn (docs/pools.md)
};

// Kinds "event" and "instance": an entity of a client's mirror was added, changed, restored
// or removed. `id` is the event's or instance's id, read with GET /v1/clients/{client}/...
struct feed_mirror_change {
    std::string client, id;
    std::string change;  // "added" | "changed" | "restored" | "removed"
};

// Kind "price_list": a price list was stored, with this many prices.
struct feed_price_list {
    std::string client, id;
    std::int64_t prices = 0;
};

// Kind "plan": a seating plan was stored, with this many seats.
struct feed_plan {
    std::string client, id;
    std::int64_t seats = 0;
};

// Kind "availability": an instance's availability changed; `available` only when the
// totals were read, `seats_changed` counts seats whose status changed.
struct feed_availability {
    std::string client, id;  // id: the instance
    std::optional<std::int64_t> available;
    std::int64_t seats_changed = 0;
};

// Kind "sync" (admin only): a sync refused to apply a listing of `refused` entities.
struct feed_sync {
    std::string client;
    std::string refused;  // "event" | "instance"
    std::string reason;
};

struct metric_sample {
    std::string name, help, type;  // type: "gauge" | "counter"
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
};

struct metrics_snapshot {
    std::vector<metric_sample> samples;
};

struct admin_sync_request {
    std::string client;
    std::optional<std::string> instance;
};

struct admin_sync_answer {
    bool accepted = false;
    std::string message;
};

struct orphan_basket {
    std::string client, basket, created_at;
};

struct reconcile_report {
    std::vector<reservation> confirm_unknown;   // each with its reason in error.message
    std::vector<orphan_basket> orphan_baskets;
    std::vector<reservation> order_mismatch;    // confirmed, but the order differs from the hold
    std::vector<reservation> sold_unread;       // proven sold ("already confirmed"), order not read
    // Ledger gaps (reservation ids): confirmed without a sale entry, and a sale entry whose
    // reservation is not confirmed.
    std::vector<std::string> ledger_missing, ledger_orphaned;
};

// GET /v1/pools (admin): each allocation pool and its ready holds (docs/pools.md), one row per
// pool and instance (an event pool has one per instance it covers or still holds).
struct pool_view {
    std::string name, client, instance;
    std::optional<std::string> event;  // set for an event pool
    std::string phase;  // waiting | filling | ready | capped | paused | draining | removed
    std::int64_t target = 0, target_seats = 0;
    std::int64_t ready = 0, filling = 0, releasing = 0;
    std::int64_t drawn = 0, failed_fills = 0, seats_held = 0;
    std::optional<std::string> next_expiry, fill_at;  // ISO 8601 UTC
};

struct pool_report {
    std::vector<pool_view> pools;
};

// GET /v1/ledger: the agent's books summed per group (docs/ledger.md). Amounts are decimal
// text in the currency named beside them ("35.50"), never floats.
struct ledger_query {
    std::optional<std::string> client, channel, from, to;  // from inclusive, to exclusive (UTC)
    std::string by = "client";                              // day|week|month|client|channel|event|pool
};

struct ledger_row {
    std::string key, label, currency;
    std::int64_t orders = 0, tickets = 0;
    std::string face, commission, net;
};

struct ledger_report {
    ledger_query query;
    std::vector<ledger_row> groups;
    std::vector<ledger_row> totals;  // one per currency
    std::int64_t entries = 0;
};

// GET /v1/ledger/entries: the entries of one client, for reconciliation against a statement.
struct ledger_entry {
    std::int64_t entry = 0;
    std::optional<std::int64_t> corrects;
    std::string kind, order_id, reservation, channel, account, event, event_name, instance, instance_start;
    std::string confirmed_at, confirmed_local, settled_by, amounts_from, reference, note;
    std::optional<std::string> pool;  // the allocation pool drawn from; null for a normal sale
    std::int64_t tickets = 0;
    std::string face, commission, net;
};

// Column names of the venue's statement CSV (config: client.statement_*_column).
struct statement_columns {
    std::string order_id = "order_id", tickets = "tickets", total = "total", commission = "agent_discount", net = "net";
};

struct ledger_entries {
    std::string client, currency, timezone;
    statement_columns columns;
    std::vector<ledger_entry> entries;
};

// The last feed event a too-slow reader gets before it is disconnected.
struct feed_overflow {
    std::uint64_t last_seq = 0;
    std::string message = "reader too slow; reconnect with since=lastSeq";
};

// An operator settles a confirm_unknown reservation from the venue's records.
struct resolve_request {
    bool sold = false;
    std::string order_id;  // required when sold
    std::string note;
};

// The answer to a create: the reservation, and whether the idempotency key matched an earlier
// request (then nothing new was written).
struct created_reservation {
    api::reservation reservation;
    bool replayed = false;
};

// ---- agentctl's own --json documents (the daemon does not serve these) ----

// `config check --json`: {"ok":true,"file","clients","channels","effective"} or
// {"ok":false,"file","error"}.
struct config_check_report {
    std::string file;
    bool ok = false;
    std::string error;                       // when !ok
    std::int64_t clients = 0, channels = 0;  // when ok
    std::string effective;                   // when ok: the effective settings, secrets redacted
};

// `db stats --json`.
struct db_stats_report {
    std::string path;
    std::int64_t schema_version = 0, binary_schema_version = 0;
    std::int64_t page_size = 0, page_count = 0, freelist_count = 0;
    std::uint64_t file_bytes = 0, wal_bytes = 0;
    std::vector<std::pair<std::string, std::int64_t>> tables;  // rows per table, in this order
};

// `db check --json`.
struct db_check_report {
    std::string path;
    bool ok = false;
    std::vector<std::string> problems;
};

// One row of `instances --json`: the API's summary plus the availability's age in seconds
// (from the instance's detail; absent when it was not read).
struct instance_with_age {
    instance_summary summary;
    std::optional<double> availability_age;
};

// `reservation ID --json`: {"history":[...],"reservation":{...}}.
struct reservation_with_history {
    std::vector<history_entry> history;
    api::reservation reservation;
};

// Any feed event's data, as decode_feed_data reads it by kind; the last two are the control
// events the server itself sends ("overflow", "error").
using feed_data = std::variant<feed_reservation, feed_mirror_change, feed_price_list, feed_plan, feed_availability,
                               feed_sync, feed_overflow, error_body>;

}  // namespace agentd::api
