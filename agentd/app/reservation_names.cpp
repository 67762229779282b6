#include "agentd/app/reservation_names.hpp"

#include "agentd/mirror/view.hpp"

namespace agentd::app {

const api::instance* reservation_namer::instance(const std::string& client, const std::string& id) {
    auto [it, added] = seen_.try_emplace({client, id});
    if (added && mirror_) {
        auto i = mirror_->instance(client, id);
        if (i) it->second = std::move(*i);
    }
    return it->second ? &*it->second : nullptr;
}

void reservation_namer::name(api::reservation& r) {
    auto* i = instance(r.client, r.instance);
    if (!i) return;
    r.event_name = i->event_name;
    r.instance_start = i->start;
    for (auto& s : r.seats) {
        for (auto& a : i->avail.areas)
            if (a.area == s.area) s.area_name = a.name;
        for (auto& p : i->prices) {
            if (p.price_band == s.price_band && !p.price_band_name.empty()) s.price_band_name = p.price_band_name;
            if (p.ticket_type == s.ticket_type && !p.ticket_type_name.empty()) s.ticket_type_name = p.ticket_type_name;
        }
    }
}

}  // namespace agentd::app
