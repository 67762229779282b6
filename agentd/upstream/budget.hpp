// upstream/budget: the request budget of one venue client, shared by its agent accounts. A
// token bucket (requests/min) serves waiting reservation calls before sync calls, FIFO within
// a priority. A 429 pauses the whole client until Retry-After and halves the rate for a while.
// Threading: io_context thread only; must outlive every acquire() it started.
#pragma once

#include "agentd/core/token_bucket.hpp"
#include "agentd/upstream/call_options.hpp"
#include "agentd/upstream/failure.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace agentd::upstream {

struct budget_snapshot {
    double tokens = 0;
    double rate_per_minute = 0;        // current (shrunk after 429s)
    double configured_per_minute = 0;
    std::chrono::steady_clock::time_point paused_until{};
    std::uint64_t granted = 0;
    std::uint64_t rate_limited = 0;    // 429s seen
    int waiting_reservation = 0;
    int waiting_sync = 0;
};

class budget {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // burst <= 0: ten seconds' worth of requests, at least 1.
    budget(boost::asio::any_io_executor ex, double requests_per_minute, double burst = 0,
           std::chrono::seconds shrink_for = std::chrono::seconds(60));
    budget(const budget&) = delete;
    budget& operator=(const budget&) = delete;

    // Waits for one token. Fails with `timeout` when the deadline passes first, `cancelled`
    // when the awaiting coroutine is cancelled. Reservation waiters are served by `arrival`
    // (oldest first, FIFO among equals; unset: now), sync waiters FIFO.
    boost::asio::awaitable<result<void>> acquire(priority p, time_point deadline,
                                                 std::optional<std::chrono::system_clock::time_point> arrival = {});

    // A 429 arrived: pause everyone until now + retry_after, halve the rate until
    // `shrink_for` passes without another 429.
    void on_rate_limited(std::chrono::steady_clock::duration retry_after);

    budget_snapshot snapshot();

    // SIGHUP reload: a new configured rate. Applies at once unless a 429 shrink is in force,
    // in which case it is where the rate comes back to.
    void set_configured_rate(double requests_per_minute);

    struct waiter;

private:
    bool is_head(const waiter* w) const;
    void wake_head();
    void restore_rate(time_point now);

    boost::asio::any_io_executor ex_;
    double configured_rpm_;
    token_bucket bucket_;
    std::chrono::seconds shrink_for_;
    time_point paused_until_{};
    time_point shrunk_until_{};
    std::deque<waiter*> reservation_;
    std::deque<waiter*> sync_;
    std::uint64_t granted_ = 0;
    std::uint64_t rate_limited_ = 0;
};

}  // namespace agentd::upstream
