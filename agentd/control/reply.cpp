#include "agentd/control/reply.hpp"

#include "agentd/api/json.hpp"
#include "agentd/core/time.hpp"

namespace agentd::control {

int http_status(errc c) noexcept {
    switch (c) {
    case errc::ok: return 200;
    case errc::decode_error: return 400;
    case errc::invalid_argument: return 422;
    case errc::not_found: return 404;
    case errc::conflict: return 409;
    case errc::permission_denied:
    case errc::auth_failed: return 403;
    case errc::too_large: return 413;
    case errc::rate_limited: return 429;
    case errc::unavailable:
    case errc::timeout:
    case errc::cancelled:
    case errc::io_error:
    case errc::upstream_transient:
    case errc::do_not_transact: return 503;
    case errc::upstream_permanent: return 502;
    case errc::corrupt:
    case errc::config_error:
    case errc::internal: return 500;
    }
    return 500;
}

reply error_reply(const error& e) {
    reply r = error_reply(http_status(e.code), to_string(e.code), e.message, e.retryable());
    if (e.retry_at) {
        api::error_body b{std::string(to_string(e.code)), e.message, e.retryable(), format_iso_utc(*e.retry_at)};
        r.body = api::to_json(b);
    }
    return r;
}

reply error_reply(int status, std::string_view code, std::string message, bool retryable) {
    reply r;
    r.status = status;
    r.body = api::to_json(api::error_body{std::string(code), std::move(message), retryable, std::nullopt});
    return r;
}

}  // namespace agentd::control
