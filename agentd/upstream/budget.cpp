#include "agentd/upstream/budget.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace agentd::upstream {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

struct budget::waiter {
    asio::steady_timer timer;
    std::chrono::system_clock::time_point arrival{};
};

namespace {
double per_second(double rpm) { return std::max(rpm, 1.0) / 60.0; }
}  // namespace

budget::budget(asio::any_io_executor ex, double requests_per_minute, double burst, std::chrono::seconds shrink_for)
    : ex_(std::move(ex)),
      configured_rpm_(std::max(requests_per_minute, 1.0)),
      bucket_(per_second(requests_per_minute), burst > 0 ? burst : std::max(1.0, per_second(requests_per_minute) * 10),
              steady::now()),
      shrink_for_(shrink_for) {}

bool budget::is_head(const waiter* w) const {
    if (!reservation_.empty()) return reservation_.front() == w;
    return !sync_.empty() && sync_.front() == w;
}

void budget::wake_head() {
    if (!reservation_.empty()) reservation_.front()->timer.cancel();
    else if (!sync_.empty()) sync_.front()->timer.cancel();
}

void budget::restore_rate(time_point now) {
    if (now >= shrunk_until_ && bucket_.rate() < per_second(configured_rpm_))
        bucket_.set_rate(per_second(configured_rpm_), now);
}

void budget::set_configured_rate(double requests_per_minute) {
    auto now = std::chrono::steady_clock::now();
    configured_rpm_ = std::max(requests_per_minute, 1.0);
    if (now >= shrunk_until_ || bucket_.rate() > per_second(configured_rpm_))
        bucket_.set_rate(per_second(configured_rpm_), now);
    wake_head();
}

asio::awaitable<result<void>> budget::acquire(priority p, time_point deadline,
                                              std::optional<std::chrono::system_clock::time_point> arrival) {
    auto& queue = p == priority::reservation ? reservation_ : sync_;
    waiter w{asio::steady_timer(ex_), arrival.value_or(std::chrono::system_clock::now())};
    if (p == priority::reservation) {
        // Behind every waiter that arrived no later: FIFO among equals.
        auto at = std::find_if(queue.begin(), queue.end(), [&](const waiter* o) { return o->arrival > w.arrival; });
        queue.insert(at, &w);
    } else {
        queue.push_back(&w);
    }
    auto leave = [&] {
        bool was_head = is_head(&w);
        queue.erase(std::remove(queue.begin(), queue.end(), &w), queue.end());
        if (was_head) wake_head();
    };
    for (;;) {
        auto now = steady::now();
        restore_rate(now);
        if (is_head(&w)) {
            if (now >= paused_until_ && bucket_.try_take(now)) {
                leave();
                ++granted_;
                co_return result<void>{};
            }
            auto until = now < paused_until_ ? paused_until_ : now + bucket_.wait_time(now);
            w.timer.expires_at(std::min(until, deadline));
        } else {
            w.timer.expires_at(deadline);
        }
        if (now >= deadline) {
            leave();
            co_return failure{error_class::timeout, 0, 0, "wait for request budget: deadline passed"};
        }
        co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
        // Our own cancel() (a wake-up) and a cancelled caller both arrive as operation_aborted;
        // the caller's cancellation state tells them apart.
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
            leave();
            co_return failure{error_class::cancelled, 0, 0, "wait for request budget: cancelled"};
        }
    }
}

void budget::on_rate_limited(steady::duration retry_after) {
    auto now = steady::now();
    ++rate_limited_;
    paused_until_ = std::max(paused_until_, now + retry_after);
    bucket_.set_rate(std::max(bucket_.rate() / 2, 1.0 / 60.0), now);
    shrunk_until_ = now + shrink_for_;
    wake_head();
}

budget_snapshot budget::snapshot() {
    auto now = steady::now();
    restore_rate(now);
    budget_snapshot s;
    s.tokens = bucket_.available(now);
    s.rate_per_minute = bucket_.rate() * 60.0;
    s.configured_per_minute = configured_rpm_;
    s.paused_until = paused_until_;
    s.granted = granted_;
    s.rate_limited = rate_limited_;
    s.waiting_reservation = static_cast<int>(reservation_.size());
    s.waiting_sync = static_cast<int>(sync_.size());
    return s;
}

}  // namespace agentd::upstream
