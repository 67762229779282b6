// control/change_signal: wakes every coroutine waiting for "something changed" (long-polls).
// `notify` cancels the waiters' timers; `wait` returns at the deadline or on a notification.
// Threading: the server's network thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <list>

namespace agentd::control {

class change_signal {
public:
    void notify() noexcept {
        for (auto* t : waiters_) t->cancel();
    }
    // True when woken by notify (or cancellation); false when the deadline passed or the
    // signal is closed.
    boost::asio::awaitable<bool> wait(boost::asio::steady_timer::time_point deadline);
    // At shutdown: wakes every waiter and makes all later waits return false at once.
    void close() noexcept {
        closed_ = true;
        notify();
    }
    std::size_t waiters() const noexcept { return waiters_.size(); }

private:
    std::list<boost::asio::steady_timer*> waiters_;
    bool closed_ = false;
};

}  // namespace agentd::control
