// reservations/service_impl: the state behind reservation_service, shared by its roles: intake
// (intake.cpp: create, confirm, extend, release, resolve), the driver (driver.cpp: worker,
// expiry and rescan loops, recovery; place.cpp and settle.cpp: the upstream steps) and
// transitions (transitions.cpp: the one way to apply a transition and await a writer job).
// Private to reservations/. Threading: the executor's single thread only.
#pragma once

#include "agentd/domain/fair_queue.hpp"
#include "agentd/domain/hold.hpp"
#include "agentd/domain/placement.hpp"
#include "agentd/domain/reservation.hpp"
#include "agentd/domain/settlement.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/reservations/local_answer.hpp"
#include "agentd/reservations/pools.hpp"
#include "agentd/reservations/service.hpp"
#include "agentd/reservations/timing.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/lazy_reader.hpp"
#include "agentd/store/reservation_store.hpp"
#include "agentd/upstream/client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>

namespace agentd::reservations {

// Accumulates the time a drive spends awaiting upstream, to report daemon time without it.
struct upstream_stopwatch {
    std::chrono::steady_clock::duration upstream{};
    std::chrono::steady_clock::duration backoff{};  // retry pauses: waiting, not daemon work
};

struct reservation_service::impl {
    impl(boost::asio::any_io_executor ex, store::database& db, std::string db_path, settings s,
         std::vector<res_client> clients, const domain::catalogue_view& catalogue, const agentd::clock& clock,
         std::function<void(std::uint64_t)> on_feed, std::function<void(std::string_view, std::string_view)> on_activity);

    // --- transitions (transitions.cpp) ---
    // Changes the stored record in the job's transaction after the domain transition.
    using amend_fn = std::function<void(store::reservation_row&)>;
    struct applied {
        store::reservation_row row;
        std::int64_t feed_seq = 0;
    };
    // Built outside any coroutine body: GCC 12 mishandles lambdas with by-value captures that
    // are created inside a coroutine and outlive its current suspension.
    // `fence` (empty for intake events and on one node) runs first in the job's transaction.
    using fence_fn = std::function<result<void>(store::write_txn&, std::string_view client)>;
    static std::function<result<applied>(store::write_txn&)> transition_job(std::string id, domain::event ev,
                                                                            amend_fn amend, std::string note,
                                                                            sys_time now, fence_fn fence);
    static amend_fn set_error_code(std::string code);
    static amend_fn set_details(std::vector<store::ticket_detail> details);

    // The reader connection, opened on first use.
    result<store::connection*> reader();
    result<store::reservation_row> load(std::string_view id);
    // One durable transition: load, domain::transition at clock.now(), amend, save, history,
    // feed, all in one writer job with synchronous=FULL; then on_feed. Resumes on ex.
    boost::asio::awaitable<result<applied>> apply(std::string id, domain::event ev, amend_fn amend = {},
                                                  std::string note = {});
    // For an outcome upstream already has: retries the local write (full disk, full writer
    // queue) with backoff until it is stored, the transition is refused (errc::conflict and
    // the like: the stored state moved on) or the service stops. Never repeats an upstream call.
    boost::asio::awaitable<result<applied>> record(std::string id, domain::event ev, amend_fn amend = {},
                                                   std::string note = {});
    // Runs `job` durably on the writer thread and resumes on ex with its outcome; the write
    // fault seam applies here. `on_done` (optional) sees the outcome on ex first.
    template <class R>
    boost::asio::awaitable<result<R>> run_job(std::function<result<R>(store::write_txn&)> job,
                                              std::function<void(const result<R>&)> on_done = {});

    // --- driver (driver.cpp, place.cpp, settle.cpp) ---
    // The configured client of that name; null when there is none.
    const res_client* client_named(std::string_view name) const;
    upstream::client* client_for(const store::reservation_row& row) const;
    bool total_is_net_for(const store::reservation_row& row) const;
    upstream::call_options write_options(bool retry_safe) const;
    upstream::call_options read_options() const;
    std::chrono::milliseconds backoff_delay(int attempt);

    // Starts a drive of `id` as a child unless one runs; a running drive looks again when done.
    void start_drive(std::string id, std::optional<std::string> queued_client = std::nullopt);
    boost::asio::awaitable<void> drive(std::string id, std::optional<std::string> queued_client);
    boost::asio::awaitable<void> place(store::reservation_row row, upstream_stopwatch& sw);
    boost::asio::awaitable<void> confirm_upstream(store::reservation_row row, upstream_stopwatch& sw);
    boost::asio::awaitable<void> clear_upstream(store::reservation_row row);
    boost::asio::awaitable<std::size_t> expire_pass();
    boost::asio::awaitable<void> expiry_loop();
    boost::asio::awaitable<void> rescan_loop();
    // --- do-not-transact windows (windows.cpp) ---
    domain::window_state window_now(std::string_view client) const;
    // Waits while a window stops writes for `client`; false when cancelled meanwhile.
    boost::asio::awaitable<bool> wait_out_window(std::string client);
    // A held reservation whose deadline falls inside the coming window ends before it.
    boost::asio::awaitable<void> clip_for_window(const store::reservation_row& row);
    window_query windows;
    boost::asio::awaitable<void> worker_loop();
    // Every owned client's in-flight reservations, or only `client`'s.
    boost::asio::awaitable<result<void>> recover(std::optional<std::string> client = std::nullopt);
    // Whether this node drives `client` (always, without ownership hooks).
    bool owned(std::string_view client) const { return !ownership.owns || ownership.owns(client); }
    // Queues a `queued` reservation (creation, requeue, recovery, rescan). Never refused: the
    // bounds were checked when it was acknowledged.
    void enqueue(const store::reservation_row& row);
    void wake();
    // The monotonic deadline of a hold: wall deadlines are persisted, but a wall-clock step
    // must neither release holds early nor keep them past upstream's lifetime.
    // `sent` (wall and monotonic time of the call the deadline runs from) fixes the countdown
    // at the moment of that call; without it an existing countdown is kept, and a missing one
    // (after a start) is derived from the wall clock once.
    struct sent_at {
        sys_time wall;
        std::chrono::steady_clock::time_point mono;
    };
    void note_deadline(const store::reservation_row& row, std::optional<sent_at> sent = std::nullopt);
    bool deadline_passed(const store::reservation_row& row) const;

    boost::asio::any_io_executor ex;
    store::database& db;
    std::string db_path;
    settings cfg;
    std::vector<res_client> clients;
    const domain::catalogue_view& catalogue;
    const agentd::clock& clock;
    std::function<void(std::uint64_t)> on_feed;
    std::function<void(std::string_view, std::string_view)> on_activity;
    write_fault fault;
    ownership_hooks ownership;
    sold_out_witness witness;
    std::uint64_t jobs_submitted = 0;
    // Committed versions of reservations not yet final (see known_version).
    std::map<std::string, std::int64_t, std::less<>> versions;
    void note_version(const store::reservation_row& row);

    store::lazy_reader rd;
    domain::fair_queue<std::string> queue;
    std::size_t pending_total = 0;  // creates submitted but not yet committed
    std::map<std::string, std::size_t, std::less<>> pending_per_channel;
    net::task_group children;
    boost::asio::steady_timer wake_timer;
    bool wake_pending = false;
    bool stopping = false;
    std::set<std::string, std::less<>> busy, again;
    std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> hold_deadlines;  // monotonic
    std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> last_extend;
    std::map<std::string, int, std::less<>> release_attempts;  // backoff of failed clears
    std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> release_not_before;
    // Baskets that saw a write with no definite answer; once released they are swept again.
    std::set<std::string, std::less<>> ambiguous_baskets;
    std::set<std::pair<std::string, std::string>> basket_form_refused_on;  // (client, instance)
    struct sweep {
        std::string id, basket;
        std::chrono::steady_clock::time_point due;
    };
    std::vector<sweep> sweeps;
    boost::asio::awaitable<void> run_sweeps();

    // The bodies of reservation_service::extend and ::release, shared with the pool filler.
    boost::asio::awaitable<result<api::reservation>> extend_hold(std::string id, std::int64_t seconds);
    boost::asio::awaitable<result<api::reservation>> release_hold(std::string id);
    // A pool's hold is kept as long as the pool wants it (max_hold counts from the draw).
    const domain::hold_settings& hold_for(const store::reservation_row& row) const;

    // --- pools (pools.cpp, pool_fill.cpp) ---
    struct drawn_hold {
        store::reservation_row row;
        bool replayed = false;
    };
    // Hands a ready pool hold satisfying `req` to the channel, or nothing.
    boost::asio::awaitable<std::optional<drawn_hold>> draw(std::string channel, std::string key,
                                                           domain::reservation_request req);
    boost::asio::awaitable<void> pool_loop();
    boost::asio::awaitable<void> pool_pass();
    boost::asio::awaitable<bool> fill_one(const pool_spec& p, const std::string& instance, int quantity);
    void wake_pools();
    // Time a hold has left, by the stricter of the monotonic countdown and the wall deadline.
    std::chrono::steady_clock::duration hold_left(const std::string& id, std::optional<sys_time> expires_at) const;
    struct pool_runtime {
        std::string phase = "waiting";
        std::map<std::string, std::string, std::less<>> instance_phase;  // an event pool's, per instance
        std::chrono::steady_clock::time_point fill_not_before{};
        std::int64_t failed_seen = -1;
        int backoff_step = 0;
        // A locked_only pool's lock types, kept after a reload removed the pool so that its
        // fills still in flight never fall back to open seats.
        std::vector<std::string> lock_types;
    };
    pool_settings pools_cfg;
    std::function<bool(std::string_view)> may_fill;
    std::map<std::string, pool_runtime, std::less<>> pool_rt;
    domain::hold_settings pool_hold;
    boost::asio::steady_timer pool_timer;
    std::uint64_t fills = 0;

    // --- local answers (local_answer.cpp) ---
    domain::local_claims claims_for(const store::reservation_row& row);
    domain::local_verdict judge_locally(const store::reservation_row& row);
    // Seats for a best-available request picked from a young mirror picture; empty otherwise.
    std::vector<std::string> choose_from_mirror(const store::reservation_row& row);
    // The pool of that name in the current configuration; null when a reload removed it.
    const pool_spec* configured_pool(std::string_view name) const;
    // The lock types of a fill of a locked_only pool (docs/pools.md); null for any other row.
    const std::vector<std::string>* allocation_of(const store::reservation_row& row) const;
    // The opening of an on-sale grab this row is an early fill of, while it is still ahead.
    std::optional<sys_time> grab_opening(const store::reservation_row& row) const;
    // Whether this best-available try asks upstream to pick and add the seats in one write
    // (POST baskets/{id}/tickets/best-available) rather than query, then add (docs/reservations.md).
    bool basket_best_available(const store::reservation_row& row);
    // The basket form was refused where the query form found seats: this instance uses the
    // query form from now on.
    void basket_form_refused(const store::reservation_row& row);
    // One placement try's add: the seats in `nts`, or (basket form) the request's quantity of
    // seats the venue picks into the row's basket.
    upstream::call<std::vector<upstream::ticket>> add_seats(upstream::client& up, const store::reservation_row& row,
                                                            std::vector<upstream::new_ticket> nts, bool basket_form,
                                                            upstream::call_options o);
    // A fill of a pool that is neither configured nor still draining (removed, then a restart):
    // it must add no seats, since nothing says which seats that pool could hold.
    bool fill_of_gone_pool(const store::reservation_row& row) const;
    // A replayed create whose row is queued but known to no queue or drive: its first try's
    // commit succeeded although the answer said it failed (a connection lost during COMMIT on
    // PostgreSQL). Queued now rather than at the next rescan.
    void drive_if_orphaned(const store::reservation_row& row);
    void note_placing(const store::reservation_row& row);
    void note_chosen(const std::string& id, const std::vector<std::string>& seats);
    void placing_done(const std::string& id, const store::reservation_row& row);
    // Seats of the row's instance may be free again from now on (sent: when the call left).
    void note_freed(const store::reservation_row& row);
    // Keeps the held-seat picture (local.held) in step with a committed transition.
    void note_committed(const store::reservation_row& row);
    void note_scarcity(const store::reservation_row& row, sys_time sent);
    void park(const store::reservation_row& row);
    // A reservation just acknowledged: counted as taking its seats if it may win, answered at
    // once (outside the queue and its in-flight bound) if it provably cannot.
    void admit(const store::reservation_row& row);
    boost::asio::awaitable<void> reject_at_once(std::string id);
    void wake_parked(const std::string& client, const std::string& instance);
    boost::asio::awaitable<void> answer_sold_out(std::string id, bool placing);
    local_answer_state local;
    std::int64_t in_flight = 0;
    std::int64_t confirms_sent_in_flight = 0;  // drives past confirm_sending: drained on stop
    std::mt19937_64 rng{std::random_device{}()};
    timing_log place_timing, confirm_timing;          // excluding upstream time
    timing_log place_cpu_timing, confirm_cpu_timing;  // excluding upstream and durable-commit waits
    // Time each reservation's transitions spent waiting for their durable commit, since the
    // drive that measures it last reset it.
    std::map<std::string, std::chrono::steady_clock::duration, std::less<>> commit_wait;
};

}  // namespace agentd::reservations

#include "agentd/store/await_job.hpp"

namespace agentd::reservations {

namespace impl_detail {

template <class R>
std::function<result<R>(store::write_txn&)> failing_job(error e) {
    return [e = std::move(e)](store::write_txn&) -> result<R> { return e; };
}

template <class R>
boost::asio::awaitable<result<R>> await_durable(store::database& db, std::function<result<R>(store::write_txn&)> job,
                                                std::function<void(const result<R>&)> on_done) {
    const store::job_options durable{.durable = true};
    auto r = co_await store::await_job<R>(db, std::move(job), durable);
    if (on_done) on_done(r);
    co_return r;
}

}  // namespace impl_detail

// Not a coroutine: the fault seam counts the job when it is submitted, not when awaited.
template <class R>
boost::asio::awaitable<result<R>> reservation_service::impl::run_job(std::function<result<R>(store::write_txn&)> job,
                                                                    std::function<void(const result<R>&)> on_done) {
    ++jobs_submitted;
    // An injected fault fails inside the writer like a full disk: the job's savepoint rolls back.
    if (fault)
        if (auto injected = fault(jobs_submitted)) job = impl_detail::failing_job<R>(std::move(*injected));
    return impl_detail::await_durable<R>(db, std::move(job), std::move(on_done));
}

}  // namespace agentd::reservations
