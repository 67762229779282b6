#include "agentd/control/seat_map_reply.hpp"

#include "agentd/api/svg.hpp"

#include <algorithm>

namespace agentd::control {

reply seat_map_reply(backend& be, std::string_view client, std::string_view instance,
                     const std::optional<std::string>& include) {
    auto plan = be.seats(client, instance);
    if (!plan) return error_reply(plan.error());
    api::seat_map_svg_options opt;
    if (include) {
        std::string_view rest = *include;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto area = rest.substr(0, comma);
            rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
            if (area.empty()) continue;
            bool known = std::any_of(plan->seats.begin(), plan->seats.end(), [&](const api::seat& s) { return s.area == area; });
            if (!known)
                return error_reply(fail(errc::invalid_argument,
                                        "query include: area " + std::string(area) + " is not in the plan of instance " +
                                            std::string(instance)));
            opt.areas.emplace_back(area);
        }
        if (opt.areas.empty()) return error_reply(fail(errc::invalid_argument, "query include: expected area ids, comma-separated"));
    }
    // Names and the title are a courtesy: the map is still right without them.
    if (auto inst = be.instance(client, instance)) {
        for (auto& a : inst->avail.areas) opt.area_names.emplace_back(a.area, a.name);
        opt.title = inst->event_name.empty() ? inst->id : inst->event_name + ", " + inst->start;
    }
    reply r;
    r.body = api::to_svg(*plan, opt);
    r.content_type = "image/svg+xml; charset=utf-8";
    return r;
}

}  // namespace agentd::control
