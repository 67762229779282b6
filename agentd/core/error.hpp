// core/error: the project's error vocabulary. Expected outcomes travel as values
// (`result<T>`); an `error` carries a code from `errc`, a retryable flag derived from the code,
// and human context in "verb object: cause" form. Thread-safe: plain values.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agentd {

enum class errc {
    ok = 0,
    invalid_argument,   // caller's input is malformed or out of range
    not_found,          // a referenced thing does not exist
    conflict,           // state does not allow the operation (e.g. seat taken, already confirmed)
    permission_denied,  // identity is known but may not do this
    auth_failed,        // identity could not be established (bad signature, unknown peer)
    rate_limited,       // slow down; retry later
    unavailable,        // dependency down or overloaded; retry later
    timeout,            // a deadline passed
    cancelled,          // shutdown or caller gave up
    decode_error,       // bytes or JSON did not have the expected shape
    too_large,          // a size bound was exceeded
    io_error,           // local file, socket or database failure
    corrupt,            // local state is inconsistent and needs repair
    config_error,       // configuration is invalid
    upstream_transient, // upstream failed in a way that may succeed on retry
    upstream_permanent, // upstream refused in a way that will not change on retry
    internal,           // a bug: an invariant was broken
    do_not_transact,    // the venue is in a do-not-transact window; retry at error::retry_at
};

const boost::system::error_category& agentd_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

// Stable snake_case name of a code, used in logs and in API error bodies.
std::string_view to_string(errc e) noexcept;

// Whether a caller may reasonably retry the same operation later.
bool is_retryable(errc e) noexcept;

struct error {
    errc code = errc::internal;
    std::string message;  // "verb object: cause"; never contains secrets
    // When the same request may succeed (a do-not-transact window's end); unset: unknown.
    std::optional<std::chrono::system_clock::time_point> retry_at{};

    error() = default;
    error(errc c, std::string msg) : code(c), message(std::move(msg)) {}

    bool retryable() const noexcept { return is_retryable(code); }
    // Prefixes context: error{...}.wrap("load config") -> "load config: <old message>".
    error wrap(std::string_view context) const;
};

[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

class error_exception : public std::runtime_error {
public:
    explicit error_exception(error e);
    const agentd::error& err() const noexcept { return err_; }
private:
    agentd::error err_;
};

template <class T>
using result = boost::system::result<T, error>;

// Convenience for returning failures: `return fail(errc::not_found, "get instance X: unknown");`
inline error fail(errc c, std::string msg) { return error{c, std::move(msg)}; }

}  // namespace agentd

template <>
struct boost::system::is_error_code_enum<agentd::errc> : std::true_type {};
