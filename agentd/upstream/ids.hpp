// upstream/ids: the one rule every upstream id meets before agentd keeps it or puts it in a
// request: an opaque token of 1..64 characters from [A-Za-z0-9_-]. Spektrix ids are
// 33-character alphanumerics ("34001AGQQHTLTHTMBJQGPRQRMLLBGHNMV") and short numeric seat ids,
// so nothing real needs '.', '/', '%', '?', spaces or control characters; refusing them means
// an id can never turn a request into one for another path ("../x") nor carry text into logs
// and terminals. The limit is fixed, not configured: the contract is clear enough.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentd::upstream {

inline constexpr std::size_t k_max_upstream_id = 64;

constexpr bool valid_upstream_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > k_max_upstream_id) return false;
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// A refused id as it may appear in an error message: quoted, at most 24 characters, every
// byte outside the token alphabet as \xNN, so the message itself stays safe to log and print.
std::string quote_id(std::string_view s);

}  // namespace agentd::upstream
