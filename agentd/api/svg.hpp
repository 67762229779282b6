// api/svg: the SVG seat map of an instance for sales channels (GET .../seatmap.svg and
// `agentctl seats --svg`), and the XML escaper it uses. api owns every wire format, so the
// escaping policy lives here next to the JSON one: names are text, never markup.
//
// The map: one box per area (stacked in the plan's order, since plan coordinates are per area),
// seats at their plan coordinates scaled so the tightest seat pitch is 10 px, row names at the
// left, a legend with per-status counts at the foot. Every seat is one short element whose id is
// the seat id and whose <title> is the seat name, grouped in one <g> per status so the colour
// is one CSS rule, not an attribute per seat. Seats without usable coordinates (unreserved
// areas, all on one point) are laid out in a grid. Pure functions, thread-safe.
#pragma once

#include "agentd/api/types.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::api {

struct seat_map_svg_options {
    std::vector<std::string> areas;                               // draw only these area ids (empty: all)
    std::vector<std::pair<std::string, std::string>> area_names;  // area id → name, for headings
    std::string title;                                            // the map's <title>, e.g. event and start
};

// The statuses the map distinguishes, in legend order, with their CSS class and colour
// (documented in docs/local-api.md; tests check rendered pixels against these).
struct seat_map_status {
    std::string_view status, css_class, colour, label;
};
inline constexpr seat_map_status k_seat_map_statuses[] = {
    {"available", "a", "#1e9e4a", "available"},
    {"held", "h", "#f0a000", "held"},
    {"locked", "l", "#8e44ad", "locked"},
    {"sold", "s", "#9aa0a6", "sold"},
    {"", "u", "#e0e0e0", "unavailable"},  // any other status
};

// Index into k_seat_map_statuses for a seat status; unknown statuses map to the last entry.
std::size_t seat_map_status_index(std::string_view status) noexcept;

std::string to_svg(const seat_plan& plan, const seat_map_svg_options& opt);

// Text for XML character data and attribute values: & < > " ' escaped; C0 controls other than
// tab, LF and CR (not allowed in XML 1.0) and invalid UTF-8 become U+FFFD; DEL and C1 controls
// become numeric references, inert when the document is shown as text.
std::string xml_escape(std::string_view text);

}  // namespace agentd::api
