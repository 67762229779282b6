// control/backend: what the local API server needs from the rest of the daemon. Owned by
// control (its consumer); the composition root implements it over the store and the queue;
// tests use an in-memory fake (tests/support/control_fake_backend.hpp).
//
// Contract:
// - Every method is called on the server's single network thread. Plain methods must be fast
//   (SQLite reader point reads, microseconds); anything that must wait for a durable commit is
//   an awaitable and may suspend without blocking the thread.
// - Errors are values: not_found for unknown ids, invalid_argument for requests that are well
//   formed but unacceptable, conflict for a state that forbids the transition, rate_limited /
//   unavailable (retryable) when the queue is full or the store is busy. The message is shown
//   to the caller: no secrets.
// - create_reservation is idempotent per (channel, idempotency key): a retry with the same key
//   returns the first reservation with `replayed = true` (and conflict if the key was used for
//   a different request).
// - Channel scoping is done by the server before calling confirm/extend/release; the backend
//   need not check it.
// - Feed: rows have strictly increasing `seq`; `feed_since(seq, limit)` returns rows with
//   seq > `seq`, oldest first. Whenever new rows are durable, the backend calls
//   `server::notify_feed(last_seq)` (thread-safe). Reservation transitions are feed rows, and
//   the same notification wakes long-polls.
// - Cancellation: if an awaitable is cancelled (shutdown), an operation already made durable
//   stays done; the caller will see it on the next read.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::control {

using created_reservation = api::created_reservation;

class backend {
public:
    virtual ~backend() = default;

    virtual result<api::health> health() = 0;
    virtual result<std::vector<api::client_state>> clients() = 0;
    virtual result<std::vector<api::event>> events(const api::event_query& q) = 0;
    virtual result<std::vector<api::instance_summary>> instances(const api::instance_query& q) = 0;
    virtual result<api::instance> instance(std::string_view client, std::string_view id) = 0;
    virtual result<api::seat_plan> seats(std::string_view client, std::string_view id) = 0;
    // The same four answers already encoded (api::to_json of the values above), which is what
    // the server sends. The defaults encode; the daemon serves them from a cache of encoded
    // answers that a committed change evicts (mirror/answer_cache.hpp).
    virtual result<std::string> events_json(const api::event_query& q);
    virtual result<std::string> instances_json(const api::instance_query& q);
    virtual result<std::string> instance_json(std::string_view client, std::string_view id);
    virtual result<std::string> seats_json(std::string_view client, std::string_view id);

    // Durable `queued` reservation for `channel` (state queued, version 1) or the replay.
    virtual boost::asio::awaitable<result<created_reservation>> create_reservation(
        std::string channel, std::string idempotency_key, api::reservation_request req) = 0;
    virtual result<api::reservation> reservation(std::string_view id) = 0;
    // The reservation's version as last committed by this process, when known without a read
    // (a long-poll skips re-reading on other reservations' changes); nullopt: read it.
    virtual std::optional<std::int64_t> reservation_version(std::string_view) { return std::nullopt; }
    virtual result<std::vector<api::reservation>> reservations(const api::reservation_filter& f) = 0;
    virtual result<std::vector<api::history_entry>> reservation_history(std::string_view id) = 0;
    // Durable `confirming` / extended `held` / `releasing` (or `cancelled` when still queued).
    virtual boost::asio::awaitable<result<api::reservation>> confirm_reservation(std::string id, api::confirm_request req) = 0;
    virtual boost::asio::awaitable<result<api::reservation>> extend_reservation(std::string id, api::extend_request req) = 0;
    virtual boost::asio::awaitable<result<api::reservation>> release_reservation(std::string id) = 0;

    virtual result<std::vector<api::feed_event>> feed_since(std::uint64_t seq, std::size_t limit) = 0;
    virtual result<api::metrics_snapshot> metrics() = 0;

    // Admin: ask the sync scheduler for an immediate refresh; list what needs reconciliation.
    virtual boost::asio::awaitable<result<api::admin_sync_answer>> request_sync(api::admin_sync_request req) = 0;
    virtual result<api::reconcile_report> reconcile() = 0;
    // Admin: the allocation pools (docs/pools.md); none unless the daemon has pools.
    virtual result<api::pool_report> pools() { return api::pool_report{}; }
    // Operator settlement of a confirm_unknown reservation (admin only).
    virtual boost::asio::awaitable<result<api::reservation>> resolve_reservation(std::string id,
                                                                                 api::resolve_request req) = 0;
    // Admin: the sales ledger summed per group, and one client's entries (docs/ledger.md). These
    // scan the matching entries on the network thread (about 0.2 s for 100,000: bench_ledger),
    // an admin's month-end read, not a sales channel's.
    virtual result<api::ledger_report> ledger(const api::ledger_query& q) = 0;
    virtual result<api::ledger_entries> ledger_entries(const api::ledger_query& q) = 0;
};

}  // namespace agentd::control
