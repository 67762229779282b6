// reservations/driver_support: small helpers shared by the driver's files: how a failed call
// looks to the domain rules, bounded pauses, cancellation checks and timing of upstream calls.
// Private to reservations/. Threading: the executor's thread.
#pragma once

#include "agentd/reservations/service_impl.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

namespace agentd::reservations::driver_support {
namespace asio = boost::asio;
using domain::upstream_failure;
using sc = std::chrono::steady_clock;

// How a failed call looks to the domain rules. Whether it may have been applied is the
// upstream failure's own verdict (failure::may_have_applied); `write` says whether applying
// would have changed anything.
inline upstream_failure map_failure(const upstream::failure& f, bool write) {
    using ec = upstream::error_class;
    switch (f.cls) {
    case ec::permanent:
    case ec::auth: return upstream_failure::permanent;
    case ec::not_found: return upstream_failure::not_found;
    case ec::conflict: return upstream_failure::conflict;
    case ec::rate_limited: return upstream_failure::not_sent;
    case ec::transient:
    case ec::decode:
    case ec::timeout:
    case ec::cancelled:
        if (!f.may_have_applied()) return upstream_failure::not_sent;
        if (!write) return upstream_failure::transient;
        return f.cls == ec::timeout || f.cls == ec::cancelled ? upstream_failure::timeout : upstream_failure::ambiguous;
    }
    return upstream_failure::ambiguous;
}

// Whether driving a reservation in this state calls upstream (and so waits out a window). A
// pending cancel of a queued one is local.
inline bool goes_upstream(const domain::reservation& r) {
    using rs = domain::reservation_state;
    return r.state == rs::placing || r.state == rs::confirming || r.state == rs::releasing ||
           (r.state == rs::queued && !r.cancel_pending);
}

inline std::string reject_code(std::optional<domain::reject_reason> r) {
    return r ? std::string(domain::to_string(*r)) : std::string("refused");
}

inline asio::awaitable<bool> cancelled() {
    auto cs = co_await asio::this_coro::cancellation_state;
    co_return cs.cancelled() != asio::cancellation_type::none;
}

inline asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// A retry pause inside a drive, timed apart so the daemon-time figures count work, not waiting.
inline asio::awaitable<void> pause(upstream_stopwatch& sw, std::chrono::milliseconds d) {
    const auto start = sc::now();
    co_await pause(d);
    sw.backoff += sc::now() - start;
}

// Times an upstream call into the drive's stopwatch.
template <class T>
asio::awaitable<upstream::result<T>> timed(upstream_stopwatch& sw, upstream::call<T> c) {
    const auto start = sc::now();
    auto r = co_await std::move(c);
    sw.upstream += sc::now() - start;
    co_return r;
}

// The domain's view of a basket's or an order's tickets.
inline std::vector<domain::basket_ticket> tickets_of(const std::vector<upstream::ticket>& ts) {
    std::vector<domain::basket_ticket> out;
    out.reserve(ts.size());
    for (const auto& t : ts) out.push_back({t.id, t.seat_id.value_or(t.plan_id), t.price});
    return out;
}

}  // namespace agentd::reservations::driver_support
