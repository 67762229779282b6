// The request budget: reservation waiters are served before sync waiters, a 429 pauses and
// halves the rate, deadlines and cancellation end a wait cleanly.
#include "agentd/upstream/budget.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <vector>

using namespace agentd;
using namespace agentd::upstream;
namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
template <class F>
void run(asio::io_context& ioc, F f) {
    std::exception_ptr err;
    asio::co_spawn(ioc, f(), [&](std::exception_ptr e) { err = e; });
    ioc.run_for(20s);
    if (err) std::rethrow_exception(err);
}
}  // namespace

TEST_CASE("reservation waiters are served before sync waiters that came first") {
    asio::io_context ioc;
    budget b(ioc.get_executor(), 1200, 1);  // 20/s, burst 1
    std::vector<std::string> order;
    auto take = [&](priority p, std::string name) -> asio::awaitable<void> {
        auto r = co_await b.acquire(p, steady::now() + 5s);
        CHECK(r.has_value());
        order.push_back(name);
    };
    run(ioc, [&]() -> asio::awaitable<void> {
        auto first = co_await b.acquire(priority::sync, steady::now() + 5s);  // drains the bucket
        CHECK(first.has_value());
        using namespace asio::experimental::awaitable_operators;
        co_await (take(priority::sync, "sync1") && take(priority::sync, "sync2") &&
                  take(priority::reservation, "res1") && take(priority::reservation, "res2"));
    });
    CHECK(order == std::vector<std::string>{"res1", "res2", "sync1", "sync2"});
    auto s = b.snapshot();
    CHECK(s.granted == 5);
    CHECK(s.waiting_sync == 0);
    CHECK(s.waiting_reservation == 0);
}

TEST_CASE("a deadline ends the wait with class timeout and leaves the queue clean") {
    asio::io_context ioc;
    budget b(ioc.get_executor(), 1, 1);  // one per minute
    run(ioc, [&]() -> asio::awaitable<void> {
        CHECK((co_await b.acquire(priority::sync, steady::now() + 1s)).has_value());
        auto r = co_await b.acquire(priority::reservation, steady::now() + 50ms);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::timeout);
    });
    CHECK(b.snapshot().waiting_reservation == 0);
}

TEST_CASE("cancelling the awaiting coroutine ends the wait with class cancelled") {
    asio::io_context ioc;
    budget b(ioc.get_executor(), 1, 1);
    run(ioc, [&]() -> asio::awaitable<void> {
        CHECK((co_await b.acquire(priority::sync, steady::now() + 1s)).has_value());
        using namespace asio::experimental::awaitable_operators;
        asio::steady_timer t(ioc, 30ms);
        auto raced = co_await (b.acquire(priority::sync, steady::now() + 10s) || t.async_wait(asio::use_awaitable));
        CHECK(raced.index() == 1);
    });
    CHECK(b.snapshot().waiting_sync == 0);
}

TEST_CASE("a 429 pauses everyone until Retry-After and halves the rate for a while") {
    asio::io_context ioc;
    budget b(ioc.get_executor(), 600, 5, 60s);
    auto before = b.snapshot();
    CHECK(before.rate_per_minute == doctest::Approx(600));
    b.on_rate_limited(200ms);
    auto s = b.snapshot();
    CHECK(s.rate_per_minute == doctest::Approx(300));
    CHECK(s.rate_limited == 1);
    CHECK(s.paused_until > steady::now());
    steady::time_point granted_at{};
    run(ioc, [&]() -> asio::awaitable<void> {
        auto r = co_await b.acquire(priority::reservation, steady::now() + 5s);
        CHECK(r.has_value());
        granted_at = steady::now();
    });
    CHECK(granted_at >= s.paused_until);  // tokens were there; the pause alone held the call back
    b.on_rate_limited(0ms);
    CHECK(b.snapshot().rate_per_minute == doctest::Approx(150));
}
