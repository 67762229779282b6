#include "agentd/upstream/ids.hpp"

namespace agentd::upstream {

std::string quote_id(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    constexpr std::size_t shown = 24;
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < shown; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (valid_upstream_id(std::string_view(&s[i], 1))) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out += s.size() > shown ? "\"..." : "\"";
    return out;
}

}  // namespace agentd::upstream
