// reservations/service: the durable reservation queue. Channels' requests are validated
// against the mirror's catalogue, written `queued` with synchronous=FULL (that commit is the
// acknowledgement) and driven upstream by a worker: FIFO per client, weighted across channels,
// a bounded number of upstream operations in flight per client. Every transition is one
// durable store job (history + feed in the same transaction) computed by domain::transition
// inside the job, so concurrent drivers of one reservation can never both win.
// Money safety (see docs/reservations.md): the customer is set on the basket and the basket is
// proven to hold exactly the held tickets before every confirm; the confirm is durably marked
// as sent before its first byte leaves and from then on is only ever settled by proof (the
// order, "already confirmed", "empty basket") or by an operator (resolve); the order is
// compared with the hold. Hold deadlines derive from the send time of the last applied call.
// Threading: every method runs on the executor's single thread; store completions are posted
// back to it. run() owns the worker's child coroutines and awaits them when cancelled.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/domain/reservation_request.hpp"
#include "agentd/domain/seat_choice.hpp"
#include "agentd/domain/window_schedule.hpp"
#include "agentd/reservations/pools.hpp"
#include "agentd/reservations/settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::store {
class database;
class write_txn;
}
namespace agentd::upstream {
class client;
}

namespace agentd::reservations {

struct res_client {
    std::string name;
    std::vector<std::pair<std::string /*account*/, upstream::client*>> accounts;  // first is the default
    bool order_total_is_net = false;  // the venue's ticket `total` already has agentDiscount taken off
    best_available_form best_available = best_available_form::automatic;  // [[client]] basket_best_available
};

// Daemon time of one operation, excluding the time spent awaiting upstream calls.
struct op_timing_summary {
    std::size_t samples = 0;
    double p50_us = 0, p99_us = 0, max_us = 0;
};

struct reservation_stats {
    std::int64_t queue_depth = 0;
    std::int64_t in_flight = 0;  // upstream drives running now
    std::int64_t answered_locally = 0;  // rejected `unavailable` without an upstream request
    std::vector<std::pair<std::string, std::int64_t>> by_state;
    // Daemon time per operation excluding upstream time (durable commits included), and the
    // same also excluding the waits for durable commits (fsync; disk-bound, not CPU).
    op_timing_summary placement, confirmation;
    op_timing_summary placement_cpu, confirmation_cpu;
};

// What a client's do-not-transact windows say at `now`. While one is in force the service sends
// nothing upstream for that client: drives wait for its end (queued work keeps its place and
// its attempts), creates are queued or refused (errc::do_not_transact with retry_at) as the
// window says, extends are refused, and holds that would end inside a coming window end before
// it (their deadline moves earlier: history and feed show it).
using window_query = std::function<domain::window_state(std::string_view client, sys_time now)>;

// Test seam: called with the ordinal (1, 2, ...) of every reservation write job before it runs;
// an error makes that job fail as a full disk would (nothing written).
using write_fault = std::function<std::optional<error>(std::uint64_t job)>;
// Test seam: called with the reservation's id the moment it is judged sold out locally, before
// anything is written or sent, so a test can compare the world with the verdict right then.
using sold_out_witness = std::function<void(const std::string& id)>;

// Venue ownership when several nodes share one database (docs/scale-out.md). The service
// drives (places, confirms, releases, expires, recovers) only reservations of clients `owns`
// accepts; `fence` runs inside every such write job, in its transaction, on the writer
// thread, and fails it when this node no longer holds the venue. Intake (create, confirm,
// release, resolve) works for every client: it writes the durable row, the owner drives it.
// Unset: every client is owned and nothing is fenced (one node).
struct ownership_hooks {
    std::function<bool(std::string_view client)> owns;
    std::function<result<void>(store::write_txn&, std::string_view client)> fence;
    std::string owner_hint;  // how a refusal names who drives a venue ("another node")
};

class reservation_service {
public:
    reservation_service(boost::asio::any_io_executor ex, store::database& db, std::string db_path, settings s,
                        std::vector<res_client> clients, const domain::catalogue_view& catalogue,
                        const agentd::clock& clock, std::function<void(std::uint64_t feed_seq)> on_feed,
                        std::function<void(std::string_view client, std::string_view instance)> on_activity);
    ~reservation_service();
    reservation_service(const reservation_service&) = delete;
    reservation_service& operator=(const reservation_service&) = delete;

    // Writes `queued` durably (the ack) and queues it. A retry with the same (channel, key)
    // returns the first reservation with replayed = true, before any other check; a different
    // request under that key is errc::conflict. Queue or channel backlog full:
    // errc::unavailable / errc::rate_limited (retryable), nothing written.
    boost::asio::awaitable<result<api::created_reservation>> create(std::string channel, std::string idempotency_key,
                                                                    api::reservation_request req);
    result<api::reservation> get(std::string_view id);
    result<std::vector<api::reservation>> list(const api::reservation_filter& f);
    result<std::vector<api::history_entry>> history(std::string_view id);
    // Durable `confirming` (the ack); the upstream confirm follows in the worker. A retry with
    // the same customer and reference answers the reservation as it stands.
    boost::asio::awaitable<result<api::reservation>> confirm(std::string id, api::confirm_request req);
    // Touches the basket upstream (restarting a sliding lifetime), then durably moves the
    // deadline. Serialised with the reservation's drive; at most once per extend_min_interval.
    boost::asio::awaitable<result<api::reservation>> extend(std::string id, api::extend_request req);
    // Durable `releasing` for a held reservation (the clear follows), `cancelled` when still
    // queued without a basket, a pending cancel while placing. A retry answers as it stands.
    boost::asio::awaitable<result<api::reservation>> release(std::string id);
    // Operator settlement of a confirm_unknown reservation (errc::conflict for any other state).
    boost::asio::awaitable<result<api::reservation>> resolve(std::string id, api::resolve_request req);
    result<api::reconcile_report> reconcile();
    // Before READY: resolves every reservation left in placing/confirming/releasing from its
    // basket and re-queues `queued` ones. Needs no run() yet.
    boost::asio::awaitable<result<void>> recover();
    // Worker, expiry and rescan loops until cancelled; then lets confirms already sent finish
    // (up to settings.drain_timeout), cancels and awaits its children.
    boost::asio::awaitable<void> run();
    // Coroutines of this service still alive (run()'s children, recover()'s drives). Non-zero
    // after run() returned means one outlived its bound: the service must not be destroyed.
    std::size_t tasks_left() const noexcept;
    // One expiry pass (run() does this periodically): every held reservation whose deadline
    // has passed starts releasing. Returns how many.
    boost::asio::awaitable<std::size_t> expire_due();

    // Set before recover() and run().
    void set_ownership(ownership_hooks h);
    // A client this node just took over: the restart recovery for its reservations only
    // (in-flight ones settled from their baskets, queued ones queued, hold deadlines re-armed).
    boost::asio::awaitable<result<void>> recover_client(std::string client);
    // A client this node just lost: its queued entries leave this node's queue at once; drives
    // already running find every upstream call and write refused and end.
    void drop_client(std::string_view client);
    // A reservation written on another node (seen in the feed): driven here if its client is
    // owned and it needs work.
    void pick_up(std::string_view id);
    // Allocation pools (docs/pools.md): the configured set, replaced on reload. A pool no longer
    // configured is drained (its ready holds released); a changed target is met from then on.
    void set_pools(pool_settings p);
    // The filler asks before each fill of a client's pools (say, not inside a do-not-transact
    // window); keeping ready holds alive and draining go on regardless. Default: always.
    void set_pool_gate(std::function<bool(std::string_view client)> may_fill);
    std::vector<pool_status> pools() const;

    // The version this process last committed for `id` (create or transition), while the
    // reservation is not final; nullopt when unknown (then read it). Every write of a
    // reservation goes through this service, so an equal version means an unchanged row.
    std::optional<std::int64_t> known_version(std::string_view id) const;
    reservation_stats stats() const;
    void set_write_fault(write_fault f);
    void set_sold_out_witness(sold_out_witness w);
    // The mirror's seat status (seated instances), for answering placements locally and for
    // choosing seats; without it only upstream's own recent answers are used. Must outlive
    // the service; set before run().
    void set_seat_view(const domain::seat_status_view* v);
    // Set before run(); unset: no windows.
    void set_windows(window_query q);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace agentd::reservations
