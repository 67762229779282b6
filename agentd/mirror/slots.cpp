#include "agentd/mirror/slots.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace agentd::mirror {

namespace asio = boost::asio;

struct request_slots::waiter {
    asio::steady_timer timer;
    bool granted = false;
};

asio::awaitable<bool> request_slots::acquire() {
    if (used_ < limit_ && waiters_.empty()) {
        ++used_;
        co_return true;
    }
    auto ex = co_await asio::this_coro::executor;
    waiter w{asio::steady_timer(ex, asio::steady_timer::time_point::max())};
    waiters_.push_back(&w);
    co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (w.granted) co_return true;
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), &w), waiters_.end());
    co_return false;
}

void request_slots::release() {
    // The slot passes straight to the first waiter, so a newcomer cannot overtake it.
    if (!waiters_.empty()) {
        auto* w = waiters_.front();
        waiters_.pop_front();
        w->granted = true;
        w->timer.cancel();
        return;
    }
    --used_;
}

}  // namespace agentd::mirror
