// app/reservations/worker_support: small helpers shared by the worker's files (worker.cpp,
// settle.cpp): how a failed call looks to the placement rules, bounded pauses, and timing of
// upstream calls. Private to app/reservations. Threading: the executor's thread.
#pragma once

#include "agentd/app/reservations/service_impl.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

namespace agentd::app::worker_support {
namespace asio = boost::asio;
using domain::upstream_failure;
using sc = std::chrono::steady_clock;

constexpr int k_max_place_attempts = 5;  // requeues after transient failures, then rejected
constexpr int k_max_write_retries = 3;   // provably-not-applied retries of one write

// How a failed call looks to the placement rules. A write whose answer was lost (reset,
// truncated or undecodable body, 500) may have been applied: ambiguous.
inline upstream_failure map_failure(const upstream::failure& f, bool write) {
    using ec = upstream::error_class;
    switch (f.cls) {
    case ec::transient:
        if (!write || f.http_status == 503 || f.http_status == 429) return upstream_failure::transient;
        return upstream_failure::ambiguous;
    case ec::rate_limited: return upstream_failure::transient;
    case ec::permanent:
    case ec::auth: return upstream_failure::permanent;
    case ec::not_found: return upstream_failure::not_found;
    case ec::conflict: return upstream_failure::conflict;
    case ec::decode: return write ? upstream_failure::ambiguous : upstream_failure::transient;
    case ec::timeout:
    case ec::cancelled: return upstream_failure::timeout;
    }
    return upstream_failure::ambiguous;
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

// Times an upstream call into the drive's stopwatch.
template <class T>
asio::awaitable<upstream::result<T>> timed(upstream_stopwatch& sw, upstream::call<T> c) {
    const auto start = sc::now();
    auto r = co_await std::move(c);
    sw.upstream += sc::now() - start;
    co_return r;
}


}  // namespace agentd::app::worker_support
