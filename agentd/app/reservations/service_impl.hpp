// app/reservations/service_impl: the state behind reservation_service, shared by its
// front (channel-facing methods, reservation_service.cpp) and its worker (worker.cpp,
// recovery.cpp). Private to app/reservations. Threading: the executor's single thread only.
#pragma once

#include "agentd/app/defer.hpp"
#include "agentd/app/reservations/reservation_service.hpp"
#include "agentd/app/reservations/timing.hpp"
#include "agentd/domain/fair_queue.hpp"
#include "agentd/domain/hold.hpp"
#include "agentd/domain/placement.hpp"
#include "agentd/domain/reservation.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/reservation_store.hpp"
#include "agentd/upstream/client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace agentd::app {

// Accumulates the time a drive spends awaiting upstream, to report daemon time without it.
struct upstream_stopwatch {
    std::chrono::steady_clock::duration upstream{};
};

struct reservation_service::impl {
    impl(boost::asio::any_io_executor ex, store::database& db, std::string db_path, config::reservation_settings s,
         std::vector<config::channel_settings> channels, std::vector<res_client> clients,
         const domain::catalogue_view& catalogue, const agentd::clock& clock,
         std::function<void(std::uint64_t)> on_feed, std::function<void(std::string_view, std::string_view)> on_activity);

    // Changes the stored record in the job's transaction after the domain transition.
    using amend_fn = std::function<void(store::reservation_row&)>;
    struct applied {
        store::reservation_row row;
        std::int64_t feed_seq = 0;
    };

    // Job and amend factories live outside coroutine bodies: GCC 12 miscompiles by-value
    // lambda captures created inside a coroutine (seen as a double free).
    static std::function<result<applied>(store::write_txn&)> transition_job(std::string id, domain::event ev,
                                                                            amend_fn amend, std::string note,
                                                                            sys_time now);
    static amend_fn set_error_code(std::string code);
    static amend_fn set_details(std::vector<store::ticket_detail> details);

    // The reader connection, opened on first use.
    result<store::connection*> reader();
    result<store::reservation_row> load(std::string_view id);
    // One durable transition: load, domain::transition at clock.now(), amend, save, history,
    // feed, all in one writer job with synchronous=FULL; then on_feed. Resumes on ex.
    boost::asio::awaitable<result<applied>> apply(std::string id, domain::event ev, amend_fn amend = {},
                                                  std::string note = {});
    // Runs `job` durably on the writer thread and resumes on ex with its outcome.
    // `on_done` (optional) sees the outcome on ex just before the awaiting coroutine resumes.
    template <class R>
    boost::asio::awaitable<result<R>> run_job(std::function<result<R>(store::write_txn&)> job,
                                              std::function<void(const result<R>&)> on_done = {});

    upstream::client* client_for(const store::reservation_row& row) const;
    upstream::call_options write_options(bool retry_safe) const;
    upstream::call_options read_options() const;

    // Starts a drive of `id` as a child unless one runs; a running drive looks again when done.
    void start_drive(std::string id, std::optional<std::string> queued_client = std::nullopt);
    boost::asio::awaitable<void> drive(std::string id, std::optional<std::string> queued_client);
    // One step for the reservation's current state; returns when no upstream work is left.
    boost::asio::awaitable<void> step(std::string id);
    boost::asio::awaitable<void> place(store::reservation_row row, upstream_stopwatch& sw);
    boost::asio::awaitable<void> confirm_upstream(store::reservation_row row, upstream_stopwatch& sw);
    boost::asio::awaitable<void> clear_upstream(store::reservation_row row);
    boost::asio::awaitable<std::size_t> expire_pass();
    boost::asio::awaitable<void> expiry_loop();
    boost::asio::awaitable<void> worker_loop();
    boost::asio::awaitable<result<void>> recover();
    // Queues a `queued` reservation (creation, requeue, recovery).
    void enqueue(const store::reservation_row& row);
    void wake();

    boost::asio::any_io_executor ex;
    store::database& db;
    std::string db_path;
    config::reservation_settings settings;
    domain::hold_settings hold;
    domain::request_limits limits;
    domain::placement_retry_policy retry_policy;
    std::vector<res_client> clients;
    const domain::catalogue_view& catalogue;
    const agentd::clock& clock;
    std::function<void(std::uint64_t)> on_feed;
    std::function<void(std::string_view, std::string_view)> on_activity;

    std::optional<store::reader> rd;
    domain::fair_queue<std::string> queue;
    std::size_t max_total = 0, max_per_channel = 0;
    std::size_t pending_total = 0;  // creates submitted but not yet committed
    std::map<std::string, std::size_t, std::less<>> pending_per_channel;
    net::task_group children;
    boost::asio::steady_timer wake_timer;
    bool wake_pending = false;
    std::set<std::string, std::less<>> busy, again;
    std::int64_t in_flight = 0;
    bool recovering = false;  // confirming is resolved by reading back, never by a fresh PATCH
    timing_log place_timing, confirm_timing;          // excluding upstream time
    timing_log place_cpu_timing, confirm_cpu_timing;  // excluding upstream and durable-commit waits
    // Time each reservation's transitions spent waiting for their durable commit, since the
    // drive that measures it last reset it.
    std::map<std::string, std::chrono::steady_clock::duration, std::less<>> commit_wait;
};

}  // namespace agentd::app

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentd::app {

template <class R>
boost::asio::awaitable<result<R>> reservation_service::impl::run_job(std::function<result<R>(store::write_txn&)> job,
                                   std::function<void(const result<R>&)> on_done) {
    namespace asio = boost::asio;
    auto initiate = [this, job = std::move(job), on_done = std::move(on_done)](auto handler) mutable {
        using handler_t = decltype(handler);
        auto h = std::make_shared<handler_t>(std::move(handler));
        // Keeps the io_context running while the writer thread holds the job.
        auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
        auto deliver = [h, work, on_done = std::move(on_done)](result<R> v) {
            asio::post(work, [h, on_done, v = std::move(v)]() mutable {
                if (on_done) on_done(v);
                (*h)(std::move(v));
            });
        };
        auto submitted = db.submit<R>(std::move(job), deliver, store::job_options{.durable = true});
        if (!submitted) deliver(result<R>(submitted.error()));
    };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(result<R>)>(std::move(initiate),
                                                                                 asio::use_awaitable);
}

}  // namespace agentd::app
