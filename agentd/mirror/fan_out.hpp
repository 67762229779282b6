// mirror/fan_out: runs body(0) ... body(n-1) in up to `lanes` coroutines at once (each lane takes
// the next index when its previous body ends) and completes when every body has ended. The
// lanes are tasks of the service's task group, so a shutdown cancels and awaits them even if
// the waiter is gone; they own their shared state, never the waiter's frame. A waiter that is
// cancelled stops waiting at once (its lanes are cancelled by the same shutdown).
// Threading: the io_context thread only.
#pragma once

#include "agentd/net/task_group.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace agentd::mirror {

namespace fan_out_detail {

struct state {
    state(boost::asio::any_io_executor ex, std::size_t count, std::function<boost::asio::awaitable<void>(std::size_t)> b)
        : n(count), body(std::move(b)), done(ex, boost::asio::steady_timer::time_point::max()) {}
    std::size_t n;
    std::size_t next = 0;
    int running = 0;
    std::function<boost::asio::awaitable<void>(std::size_t)> body;
    boost::asio::steady_timer done;  // cancelled when the last lane ends
};

struct lane_end {
    explicit lane_end(state& s) : st(s) {}
    ~lane_end() {
        if (--st.running == 0) st.done.cancel();
    }
    lane_end(const lane_end&) = delete;
    lane_end& operator=(const lane_end&) = delete;
    state& st;
};

inline boost::asio::awaitable<void> lane(std::shared_ptr<state> s) {
    lane_end end{*s};
    while (s->next < s->n) {
        const std::size_t i = s->next++;
        co_await s->body(i);
    }
}

}  // namespace fan_out_detail

inline boost::asio::awaitable<void> fan_out(net::task_group& group, boost::asio::any_io_executor ex, std::size_t n,
                                            int lanes, std::function<boost::asio::awaitable<void>(std::size_t)> body,
                                            std::string name) {
    if (n == 0) co_return;
    auto s = std::make_shared<fan_out_detail::state>(ex, n, std::move(body));
    const std::size_t width = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(lanes, 1)));
    for (std::size_t k = 0; k < width; ++k) {
        ++s->running;
        auto task = fan_out_detail::lane(s);
        group.spawn(std::move(task), name);
    }
    // Lanes that ran to their end inline (nothing to await) have already counted down; the
    // others can end only after this coroutine suspends, so their wake cannot be missed.
    if (s->running == 0) co_return;
    boost::system::error_code ec;
    co_await s->done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace agentd::mirror
