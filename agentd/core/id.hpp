// core/id: opaque identifiers. Upstream ids (events, instances, seats, baskets…) are strings
// we never parse; we only bound them and keep them printable so they are safe in SQL text,
// URLs and logs. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace agentd {

using id_string = std::string;

inline constexpr std::size_t k_max_id_length = 128;

// Accepts 1..128 characters from [A-Za-z0-9_.:-]: everything upstream ids, client names and
// our own reservation ids use, nothing that needs escaping in a URL path or a log line.
constexpr bool valid_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > k_max_id_length) return false;
    for (char c : s) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

}  // namespace agentd
