#include "agentd/app/reservation_names.hpp"

namespace agentd::app {

const mirror::seat_names* reservation_namer::lookup(const api::reservation& r, const std::string& area,
                                                    const std::string& band, const std::string& ticket_type) {
    auto [it, added] = seen_.try_emplace({r.client, r.instance, area, band, ticket_type});
    if (added && mirror_) it->second = mirror_->names_of(r.client, r.instance, area, band, ticket_type);
    return it->second ? &*it->second : nullptr;
}

void reservation_namer::name(api::reservation& r) {
    static const std::string none;
    // A reservation without seats yet still names its event and instance.
    if (r.seats.empty()) {
        if (auto* n = lookup(r, none, none, none)) {
            r.event_name = n->event_name;
            r.instance_start = n->instance_start;
        }
        return;
    }
    for (auto& s : r.seats) {
        auto* n = lookup(r, s.area, s.price_band, s.ticket_type);
        if (!n) return;  // an instance the mirror does not know: no names at all
        r.event_name = n->event_name;
        r.instance_start = n->instance_start;
        s.area_name = n->area;
        s.price_band_name = n->price_band;
        s.ticket_type_name = n->ticket_type;
    }
}

}  // namespace agentd::app
