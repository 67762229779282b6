#include "agentd/upstream/failure.hpp"

#include <stdexcept>

namespace agentd::upstream {

std::string_view to_string(error_class c) noexcept {
    switch (c) {
    case error_class::transient: return "transient";
    case error_class::permanent: return "permanent";
    case error_class::auth: return "auth";
    case error_class::not_found: return "not_found";
    case error_class::conflict: return "conflict";
    case error_class::rate_limited: return "rate_limited";
    case error_class::decode: return "decode";
    case error_class::timeout: return "timeout";
    case error_class::cancelled: return "cancelled";
    }
    return "unknown";
}

bool failure::retryable() const noexcept {
    return cls == error_class::transient || cls == error_class::rate_limited || cls == error_class::timeout;
}

agentd::error failure::to_error() const {
    if (invalid_argument) return agentd::error{errc::invalid_argument, message};
    if (held_back) {
        agentd::error e{errc::do_not_transact, message};
        e.retry_at = held_until;
        return e;
    }
    errc code = errc::upstream_permanent;
    switch (cls) {
    case error_class::transient: code = errc::upstream_transient; break;
    case error_class::permanent: code = errc::upstream_permanent; break;
    case error_class::auth: code = errc::auth_failed; break;
    case error_class::not_found: code = errc::not_found; break;
    case error_class::conflict: code = errc::conflict; break;
    case error_class::rate_limited: code = errc::rate_limited; break;
    case error_class::decode: code = errc::decode_error; break;
    case error_class::timeout: code = errc::timeout; break;
    case error_class::cancelled: code = errc::cancelled; break;
    }
    return agentd::error{code, message};
}

void throw_exception_from_error(const failure& f, const boost::source_location&) {
    throw agentd::error_exception(f.to_error());
}

bool failure::may_have_applied() const noexcept {
    if (!sent || invalid_argument) return false;
    if (http_status == 429) return false;
    if (http_status >= 400 && http_status < 500) return false;
    if (http_status >= 200 && http_status < 300) return true;  // applied, answer unreadable
    return true;  // 5xx (a gateway may answer after the backend committed), or no answer
}

}  // namespace agentd::upstream
