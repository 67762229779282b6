// Text forms of durations and sizes, shared by the option table, the loader and messages.
#include "agentd/config/options.hpp"

#include <charconv>

namespace agentd::config {

std::optional<duration> parse_duration(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == 0 || i > 9) return std::nullopt;  // 9 digits cannot overflow in any unit
    std::int64_t n = 0;
    std::from_chars(text.data(), text.data() + i, n);
    std::string_view unit = text.substr(i);
    std::int64_t ms_per = 0;
    if (unit == "ms") ms_per = 1;
    else if (unit == "s") ms_per = 1000;
    else if (unit == "m" || unit == "min") ms_per = 60 * 1000;
    else if (unit == "h") ms_per = 3600 * 1000;
    else if (unit == "d") ms_per = 86400 * 1000;
    else return std::nullopt;
    return duration(n * ms_per);
}

std::string format_duration(duration d) {
    auto ms = d.count();
    if (ms == 0) return "0s";
    struct unit { std::int64_t ms; const char* name; };
    for (auto u : {unit{86400000, "d"}, unit{3600000, "h"}, unit{60000, "m"}, unit{1000, "s"}})
        if (ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
    return std::to_string(ms) + "ms";
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == 0 || i > 9) return std::nullopt;  // 9 digits cannot overflow in any unit
    std::uint64_t n = 0;
    std::from_chars(text.data(), text.data() + i, n);
    std::string_view unit = text.substr(i);
    if (unit.empty() || unit == "B") return n;
    if (unit == "KiB") return n << 10;
    if (unit == "MiB") return n << 20;
    if (unit == "GiB") return n << 30;
    return std::nullopt;
}

std::string format_size(std::uint64_t b) {
    if (b != 0 && b % (1ull << 30) == 0) return std::to_string(b >> 30) + "GiB";
    if (b != 0 && b % (1ull << 20) == 0) return std::to_string(b >> 20) + "MiB";
    if (b != 0 && b % (1ull << 10) == 0) return std::to_string(b >> 10) + "KiB";
    return std::to_string(b) + "B";
}

}  // namespace agentd::config
