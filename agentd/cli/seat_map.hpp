// cli/seat_map: draws an instance's seating plan as text, one character per seat, from the
// seats' x/y coordinates scaled to a terminal width. Lines are the plan's rows (grouped by area,
// ordered by y), labelled by row name; a legend, per-status counts and the area names follow.
// A pure function of its input, so tests compare it with an expected rendering. Thread-safe.
#pragma once

#include "agentd/api/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::cli {

struct seat_map_options {
    int width = 100;                                              // terminal columns, >= 20
    std::optional<std::string> area;                              // draw only this area id
    std::vector<std::pair<std::string, std::string>> area_names;  // area id → name, for headings
};

// 'o' available, 'H' held by us (in our basket), 'b' in other baskets, 'x' sold or reserved,
// 'L' locked, '.' unavailable or unknown. Accepts the API's lower-case names and Spektrix's
// CamelCase ones ("InBasket", "InOtherBasket").
char seat_symbol(std::string_view status) noexcept;

std::string render_seat_map(const api::seat_plan& plan, const seat_map_options& opt);

}  // namespace agentd::cli
