#include "agentd/control/change_signal.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentd::control {

boost::asio::awaitable<bool> change_signal::wait(boost::asio::steady_timer::time_point deadline) {
    if (closed_) co_return false;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, deadline);
    waiters_.push_back(&timer);
    auto it = std::prev(waiters_.end());
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    waiters_.erase(it);
    co_return !closed_ && ec == boost::asio::error::operation_aborted;
}

}  // namespace agentd::control
