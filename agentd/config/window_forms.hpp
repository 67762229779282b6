// config/window_forms: internal to config. Reads the text forms of a [[client.window]] (times of
// day, weekday lists, one-off date-times) into the parsed fields of window_settings, and the
// date or date-time bounds of a [[pool]]'s range in the same forms, and the comma lists and
// numbers the [[pool]] options share with them. Pure functions, thread-safe.
#pragma once

#include "agentd/config/settings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::config::detail {

// "a, b,,c" -> {"a", " b", "", "c"}: the items between commas, untrimmed; a trailing comma
// adds none.
std::vector<std::string_view> comma_items(std::string_view text);
// Decimal digits only (no sign, no blanks) as an int.
std::optional<int> digits(std::string_view text);

// "HH:MM", 00:00..23:59: minutes after midnight.
std::optional<int> parse_time_of_day(std::string_view text);
// "mon,wed", "mon-fri", "sat,sun", "daily" or "" (every day), any case: bit 0 = Monday.
std::optional<std::uint8_t> parse_weekdays(std::string_view text);
// "YYYY-MM-DDTHH:MM[:SS]" with an optional trailing 'Z' (then utc is set).
struct wall_time {
    std::chrono::sys_seconds at{};
    bool utc = false;
};
std::optional<wall_time> parse_wall_time(std::string_view text);
// parse_wall_time's forms, or a bare date "YYYY-MM-DD": its first second, or its last when
// `end_of_day` (an inclusive upper bound means through the end of that day).
std::optional<wall_time> parse_date_or_wall_time(std::string_view text, bool end_of_day);

// Fills the parsed fields of `w` from its text; on a bad form returns the option key at fault
// and what is wrong.
std::optional<std::pair<std::string, std::string>> finish_window(window_settings& w);

}  // namespace agentd::config::detail
