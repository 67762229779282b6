#include "agentd/core/error.hpp"

namespace agentd {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "agentd"; }
    std::string message(int ev) const override { return std::string(to_string(static_cast<errc>(ev))); }
};

}  // namespace

const boost::system::error_category& agentd_category() noexcept {
    static const category c;
    return c;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), agentd_category()};
}

std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::permission_denied: return "permission_denied";
    case errc::auth_failed: return "auth_failed";
    case errc::rate_limited: return "rate_limited";
    case errc::unavailable: return "unavailable";
    case errc::timeout: return "timeout";
    case errc::cancelled: return "cancelled";
    case errc::decode_error: return "decode_error";
    case errc::too_large: return "too_large";
    case errc::io_error: return "io_error";
    case errc::corrupt: return "corrupt";
    case errc::config_error: return "config_error";
    case errc::upstream_transient: return "upstream_transient";
    case errc::upstream_permanent: return "upstream_permanent";
    case errc::internal: return "internal";
    case errc::do_not_transact: return "do_not_transact";
    }
    return "unknown";
}

bool is_retryable(errc e) noexcept {
    switch (e) {
    case errc::rate_limited:
    case errc::unavailable:
    case errc::timeout:
    case errc::upstream_transient:
    case errc::io_error:
    case errc::do_not_transact:
        return true;
    default:
        return false;
    }
}

error error::wrap(std::string_view context) const {
    std::string m;
    m.reserve(context.size() + 2 + message.size());
    m.append(context);
    if (!message.empty()) {
        m.append(": ");
        m.append(message);
    }
    error out{code, std::move(m)};
    out.retry_at = retry_at;
    return out;
}

error_exception::error_exception(error e)
    : std::runtime_error(std::string(to_string(e.code)) + ": " + e.message), err_(std::move(e)) {}

void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw error_exception(e);
}

}  // namespace agentd
