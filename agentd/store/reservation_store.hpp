// store/reservation_store: the durable reservation queue (tables of 0003_reservations). One
// row per reservation rewritten on every transition, its tickets, an append-only history and
// the ledger of confirmed sales. Every write appends the matching feed entry in the same
// transaction, so a transition, its history row and its feed row commit (or not) together.
// Threading: writes take the write_txn of a database job (writer thread); reads take a
// connection used by one thread (a reader, or the write_txn's connection inside a job).
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/domain/reservation.hpp"
#include "agentd/domain/reservation_request.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store {

class connection;
class write_txn;

// What upstream told about a held seat beyond domain::held_seat; parallel to rec.seats.
struct ticket_detail {
    std::string seat_name;
    std::string area;
    std::string price_band;
};

struct reservation_row {
    std::string id;
    std::string channel;
    std::string idempotency_key;
    std::string client;
    std::string account;
    std::string instance;
    domain::reservation_request request;
    std::uint64_t request_hash = 0;
    domain::reservation rec;
    std::vector<ticket_detail> details;  // same length as rec.seats (missing: empty strings)
    std::string error_code;              // stable code for rec.reason / last_error
    // The pool it was filled for (docs/pools.md); kept once a channel draws it. A pool's ready
    // hold is owned by the channel "pool:<pool>" until then.
    std::string pool;
};

struct history_row {
    std::int64_t version = 0;
    std::string from_state;  // empty for the creating row
    std::string to_state;
    std::string event;
    std::string at;
    std::string note;
};

struct reservation_query {
    std::optional<std::string> state, channel, client;
    std::size_t limit = 1000;  // bound on rows returned
};

// Inserts a new reservation (its version-1 history row and feed entry). errc::conflict when
// (channel, idempotency_key) or the id already exists. Returns the feed seq. `feed_payload` is
// the feed entry's data as the caller encoded it (the local API's wire format is not the
// store's to write); it must not be empty.
result<std::int64_t> insert_reservation(write_txn& t, const reservation_row& row, std::string_view feed_payload);

// Persists `row` (already carrying the outcome's next record) if the stored version is still
// `out.next.version - 1` (errc::conflict otherwise), replaces its tickets, appends history
// and feed (with `feed_payload`, as for insert_reservation), and on `confirmed` writes the
// ledger row. Returns the feed seq. `owner_changed`: the row's channel, idempotency key or
// request differ from the stored ones (a pool draw); only then are those columns written.
result<std::int64_t> save_transition(write_txn& t, const reservation_row& row, const domain::transition_outcome& out,
                                     std::string_view note, std::string_view feed_payload, bool owner_changed);

result<std::optional<reservation_row>> load_reservation(connection& c, std::string_view id);
result<std::optional<reservation_row>> find_reservation_by_key(connection& c, std::string_view channel,
                                                               std::string_view key);
// Newest first.
result<std::vector<reservation_row>> list_reservations(connection& c, const reservation_query& q);
// The listing's SQL for one filter shape (bind: ?1 state, ?2 channel, ?3 client, ?4 limit),
// public so tests can EXPLAIN it.
std::string reservation_list_sql(bool by_state, bool by_channel);
// Ids of reservations in any of `states`, oldest first.
result<std::vector<std::string>> reservation_ids_in_states(connection& c,
                                                           std::span<const domain::reservation_state> states);
result<std::vector<history_row>> load_history(connection& c, std::string_view id);
// Count per state (only states present).
result<std::vector<std::pair<std::string, std::int64_t>>> count_by_state(connection& c);
// Confirmed reservations an operator should look at: the order differs from the hold, or the
// sale was proven without its order id. Oldest first, at most 1000.
result<std::vector<reservation_row>> confirmed_needing_attention(connection& c);
// A pool's reservation not yet drawn by a channel, in any state with its basket still live
// or coming (queued, placing, held, releasing). Oldest first.
struct pool_hold_row {
    std::string id, pool, client, instance;
    domain::reservation_state state = domain::reservation_state::queued;
    int quantity = 0;
    std::optional<sys_time> expires_at;
    sys_time created_at{};
};
result<std::vector<pool_hold_row>> pool_holds(connection& c);

// What became of a pool's reservations so far: drawn by channels, and fills that ended rejected.
struct pool_tally {
    std::int64_t drawn = 0, failed = 0;
};
// Every pool's tally in one pass over the table (the pool column has no index); a pool with no
// reservation yet is absent.
result<std::map<std::string, pool_tally, std::less<>>> pool_tallies(connection& c);
// The same per pool and instance (an event pool's rows in `agentctl pools`).
result<std::map<std::pair<std::string, std::string>, pool_tally>> pool_instance_tallies(connection& c);

// Ledger rows for an order (0 or 1): used by audits and tests.
result<std::int64_t> ledger_count(connection& c);

}  // namespace agentd::store
