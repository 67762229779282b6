// net::task_group: cancel reaches every task, wait completes when the group is empty, a task
// that throws is contained.
#include "agentd/net/task_group.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>

namespace asio = boost::asio;

TEST_CASE("task_group cancels its tasks and awaits them") {
    asio::io_context ioc;
    agentd::net::task_group group(ioc.get_executor());
    int ended = 0;
    // Coroutine lambdas are named so their captures outlive the coroutines.
    auto sleeper = [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) ++ended;
    };
    for (int i = 0; i < 3; ++i) group.spawn(sleeper(), "sleeper");
    auto thrower = []() -> asio::awaitable<void> {
        throw std::runtime_error("boom");
        co_return;
    };
    group.spawn(thrower(), "thrower");
    bool waited = false;
    auto canceller = [&]() -> asio::awaitable<void> {
        // Let the tasks start, then cancel them all.
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
        CHECK(group.size() == 3);  // the thrower is gone already
        group.cancel();
        co_await group.wait();
        waited = true;
    };
    asio::co_spawn(ioc, canceller(), asio::detached);
    ioc.run();
    CHECK(waited);
    CHECK(ended == 3);
    CHECK(group.size() == 0);
}

TEST_CASE("task_group wait_until gives up at its deadline") {
    asio::io_context ioc;
    agentd::net::task_group group(ioc.get_executor());
    asio::steady_timer forever(ioc, std::chrono::hours(1));
    auto blocked = [&]() -> asio::awaitable<void> {
        boost::system::error_code ec;
        co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    };
    group.spawn(blocked(), "blocked");
    std::optional<bool> empty;
    auto waiter = [&]() -> asio::awaitable<void> {
        empty = co_await group.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
        forever.cancel();
        co_await group.wait();
    };
    asio::co_spawn(ioc, waiter(), asio::detached);
    ioc.run();
    REQUIRE(empty.has_value());
    CHECK_FALSE(*empty);
    CHECK(group.size() == 0);
}
