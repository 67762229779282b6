// upstream/failure: how an upstream call fails. A failure has a class that tells callers what
// to do (retry, surface, reconcile), the HTTP status and upstream `errorCode` when there was an
// answer, and a "verb object: cause" message. Plain values, thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <boost/system/result.hpp>

#include <chrono>

#include <string>
#include <string_view>

namespace agentd::upstream {

enum class error_class {
    transient,     // 5xx, reset, truncated answer: may succeed later
    permanent,     // 400/403/other 4xx: will not change on retry
    auth,          // 401: credentials or signature refused
    not_found,     // 404: unknown id or expired basket
    conflict,      // 409: seat unavailable, already confirmed...
    rate_limited,  // 429 (after retries were exhausted or not allowed)
    decode,        // the answer did not have the expected shape
    timeout,       // a step or the call's deadline passed
    cancelled,     // the caller or shutdown cancelled the call
};

std::string_view to_string(error_class c) noexcept;

struct failure {
    error_class cls = error_class::permanent;
    int http_status = 0;  // 0 when no answer arrived
    int error_code = 0;   // upstream `errorCode`, 0 when absent
    std::string message;  // "add tickets to basket X: 409 seat unavailable"
    // Refused before anything was sent: an argument (an id for the path or body) was not
    // acceptable. Class permanent; to_error() gives invalid_argument.
    bool invalid_argument = false;
    bool sent = true;  // false: provably no byte of any attempt reached the upstream
    // Held back by a do-not-transact window before anything was sent (class transient,
    // sent = false): the call may go once the window ends at `held_until`.
    bool held_back = false;
    std::chrono::system_clock::time_point held_until{};

    // Whether this call may have changed upstream state although it failed: an attempt was
    // sent and no definite refusal came back (5xx, timeout, reset, an unreadable 2xx). A 4xx
    // or 429 answer, an invalid argument, or nothing sent at all, proves this call changed
    // nothing. The one place that says it; callers decide what an earlier attempt may have done.
    bool may_have_applied() const noexcept;

    // Whether the same call may succeed later (transient, rate_limited, timeout).
    bool retryable() const noexcept;
    agentd::error to_error() const;
};

template <class T>
using result = boost::system::result<T, failure>;

[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

}  // namespace agentd::upstream
