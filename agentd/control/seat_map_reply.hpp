// control/seat_map_reply: the answer of GET /v1/clients/{c}/instances/{id}/seatmap.svg: the
// instance's plan from the backend drawn by api::to_svg, with the areas' names from the
// instance, optionally limited to the areas in `include` (comma-separated area ids; one not in
// the plan is invalid_argument). Threading: the network thread only (plain backend reads).
#pragma once

#include "agentd/control/backend.hpp"
#include "agentd/control/reply.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace agentd::control {

reply seat_map_reply(backend& be, std::string_view client, std::string_view instance,
                     const std::optional<std::string>& include);

}  // namespace agentd::control
