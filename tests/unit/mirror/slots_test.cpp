// mirror/slots: no more holders than slots, waiters served in arrival order, and a cancelled
// waiter leaves without a slot (and without taking one from the next waiter).
#include "agentd/mirror/slots.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <vector>

namespace asio = boost::asio;
using agentd::mirror::request_slots;

namespace {

// Takes a slot, records the order, yields a few times so others run meanwhile, gives it back.
asio::awaitable<void> holder(request_slots& s, int id, int& holding, int& most, std::vector<int>& order) {
    if (!co_await s.acquire()) co_return;
    order.push_back(id);
    most = std::max(most, ++holding);
    for (int i = 0; i < 3; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    --holding;
    s.release();
}

}  // namespace

TEST_CASE("request slots cap the holders and serve waiters in arrival order") {
    asio::io_context io;
    request_slots s(2);
    int holding = 0, most = 0;
    std::vector<int> order;
    for (int id = 0; id < 6; ++id) asio::co_spawn(io, holder(s, id, holding, most, order), asio::detached);
    io.run();
    CHECK(most == 2);
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(s.in_use() == 0);
}

TEST_CASE("a cancelled waiter gets no slot and the next waiter still does") {
    asio::io_context io;
    request_slots s(1);
    bool first = false, cancelled_got = true, third = false;
    asio::cancellation_signal cancel;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first = co_await s.acquire();
        // Hold the slot until the second waiter has been cancelled.
        for (int i = 0; i < 3; ++i) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        s.release();
    }, asio::detached);
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { cancelled_got = co_await s.acquire(); },
                   asio::bind_cancellation_slot(cancel.slot(), asio::detached));
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        third = co_await s.acquire();
        if (third) s.release();
    }, asio::detached);
    asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
    io.run();
    CHECK(first);
    CHECK_FALSE(cancelled_got);
    CHECK(third);
    CHECK(s.in_use() == 0);
}
