// mirror/slots: how many of a client's sync requests may be in flight at once. Every sync read
// takes a slot for its whole call (budget wait, retries included), so the sync fills the
// client's connection pool and no more: a reservation request then never queues in the pool
// behind a backlog of sync reads, and the budget (upstream::budget) still serves reservations
// first. Waiters are served in arrival order.
// Threading: the io_context thread only.
#pragma once

#include "agentd/upstream/client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <string>

namespace agentd::mirror {

class request_slots {
public:
    explicit request_slots(int limit) : limit_(limit < 1 ? 1 : limit) {}
    request_slots(const request_slots&) = delete;
    request_slots& operator=(const request_slots&) = delete;

    // Waits for a free slot; false when the waiting coroutine was cancelled (no slot taken).
    boost::asio::awaitable<bool> acquire();
    void release();

    int limit() const noexcept { return limit_; }
    int in_use() const noexcept { return used_; }

    // Runs `call` (not yet started: awaitables start when awaited) inside a slot.
    template <class T>
    boost::asio::awaitable<upstream::result<T>> run(upstream::call<T> call) {
        if (!co_await acquire())
            co_return upstream::failure{upstream::error_class::cancelled, 0, 0, "sync read: cancelled"};
        held h{*this};
        co_return co_await std::move(call);
    }

private:
    struct waiter;
    struct held {
        explicit held(request_slots& s) : slots(s) {}
        ~held() { slots.release(); }
        held(const held&) = delete;
        held& operator=(const held&) = delete;
        request_slots& slots;
    };
    int limit_;
    int used_ = 0;
    std::deque<waiter*> waiters_;
};

}  // namespace agentd::mirror
