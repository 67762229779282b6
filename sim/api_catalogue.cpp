// Read-only endpoints: events, instances, price lists, plans, status counts, seat status and
// best available (docs/upstream-contract.md U4-U7).
#include "agentd/core/time.hpp"
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include <charconv>

namespace agentd::sim {
namespace {

// Date filter: YYYY-MM-DD (a "to" date covers the whole day) or an ISO date-time.
outcome<std::optional<sys_time>> date_param(const std::map<std::string, std::string>& q, const char* name, bool upper) {
    auto it = q.find(name);
    if (it == q.end() || it->second.empty()) return std::optional<sys_time>{};
    auto t = parse_iso(it->second);
    if (!t) return api_fail(400, 0, std::string("The request is invalid: ") + name + " is not a date.");
    if (upper && it->second.size() == 10) return std::optional<sys_time>{*t + std::chrono::days(1) - std::chrono::seconds(1)};
    return std::optional<sys_time>{*t};
}

bool in_range(sys_time t, const std::optional<sys_time>& from, const std::optional<sys_time>& to) {
    return (!from || t >= *from) && (!to || t <= *to);
}

void write_event(json_out& j, const client& c, const event& e, sys_time first, sys_time last) {
    j.w.StartObject();
    j.kv("id", e.id).kv("name", e.name).kv("description", e.description);
    j.kv("htmlDescription", "<p>" + e.description + "</p>").kv("duration", e.duration);
    j.kv("imageUrl", "").kv("thumbnailUrl", "").kv("altText", "");
    j.kv("isOnSale", true);
    j.kv("instanceDates", format_date_utc(first) + " - " + format_date_utc(last));
    j.null("webEventId");
    j.kv("firstInstanceDateTime", iso_local(first)).kv("lastInstanceDateTime", iso_local(last));
    j.kv("firstInstanceDateTimeUtc", iso_utc(first)).kv("lastInstanceDateTimeUtc", iso_utc(last));
    (void)c;
    j.w.EndObject();
}

bool event_span(const client& c, const event& e, sys_time& first, sys_time& last) {
    bool any = false;
    for (auto i : e.instances) {
        auto& in = c.instances[i];
        if (!in.agent_visible) continue;
        if (!any || in.start < first) first = in.start;
        if (!any || in.start > last) last = in.start;
        any = true;
    }
    return any;
}

void write_instance(json_out& j, const client& c, const instance& in, sys_time now) {
    auto& p = c.plans[in.plan];
    j.w.StartObject();
    j.kv("id", in.id);
    j.ref("event", c.events[in.event].id);
    j.kv("planId", p.id);
    j.ref("priceList", c.price_lists[c.events[in.event].price_list].id);
    j.kv("start", iso_local(in.start)).kv("startUtc", iso_utc(in.start));
    j.kv("startSellingAtWeb", iso_local(in.agent_sell_from)).kv("startSellingAtWebUtc", iso_utc(in.agent_sell_from));
    j.kv("stopSellingAtWeb", iso_local(in.start)).kv("stopSellingAtWebUtc", iso_utc(in.start));
    j.kv("isOnSale", on_sale_to_agents(in, now));
    j.kv("cancelled", in.cancelled);
    j.null("webInstanceId");
    j.kv("hasBestAvailableOverlay", false);
    j.w.EndObject();
}

void write_area(json_out& j, const client& c, const plan& p, std::uint32_t ai) {
    auto& a = p.areas[ai];
    j.w.StartObject();
    j.kv("id", a.id).kv("name", a.name);
    j.kv("type", a.kind == area_kind::unreserved ? "Unreserved" : "Reserved");
    std::uint32_t cap = a.capacity();
    if (a.kind == area_kind::group) {
        std::vector<std::uint32_t> stack(a.children.begin(), a.children.end());
        cap = 0;
        while (!stack.empty()) {
            auto& x = p.areas[stack.back()];
            stack.pop_back();
            cap += x.capacity();
            stack.insert(stack.end(), x.children.begin(), x.children.end());
        }
    }
    j.kv("capacity", cap);
    j.ref("venue", p.venue_id);
    j.kv("backgroundImageUrl", "").kv("x", 0).kv("y", 0);
    j.null("maxZoomWeb").null("maxZoomMobile");
    if (a.kind == area_kind::unreserved) j.ref("band", c.bands[a.band].id);
    j.key("areas").w.StartArray();
    for (auto ch : a.children) write_area(j, c, p, ch);
    j.w.EndArray();
    if (a.kind == area_kind::unreserved) {
        j.null("seats");
    } else {
        j.key("seats").w.StartArray();
        for (std::uint32_t s = a.slot_begin; s < a.slot_end; ++s) {
            auto& st = p.slots[s];
            bool first = s == a.slot_begin || p.slots[s - 1].row != st.row;
            bool last = s + 1 == a.slot_end || p.slots[s + 1].row != st.row;
            j.w.StartObject();
            j.kv("id", seat_id(p, s)).kv("name", seat_name(p, s)).kv("row", row_label(st.row));
            j.kv("number", std::uint32_t(st.number)).kv("x", std::uint32_t(st.x)).kv("y", std::uint32_t(st.y));
            j.ref("band", c.bands[st.band].id);
            j.key("previousSeatId");
            if (first) j.w.Null();
            else j.w.Uint(p.seat_id_base + s - 1);
            j.key("nextSeatId");
            if (last) j.w.Null();
            else j.w.Uint(p.seat_id_base + s + 1);
            j.kv("previousIsAcrossAisle", false).kv("nextIsAcrossAisle", false).null("tabOrder");
            j.w.EndObject();
        }
        j.w.EndArray();
    }
    j.w.EndObject();
}

outcome<std::uint32_t> quantity_param(const std::map<std::string, std::string>& q) {
    auto it = q.find("quantity");
    std::uint32_t n = 0;
    if (it == q.end()) return api_fail(400, 0, "The request is invalid: quantity is required.");
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    if (ec != std::errc{} || p != it->second.data() + it->second.size() || n < 1 || n > 50)
        return api_fail(400, 0, "The request is invalid: quantity must be 1..50.");
    return outcome<std::uint32_t>(boost::system::in_place_value, n);
}

}  // namespace

http_response simulator::get_events(call& c) {
    auto from = date_param(c.query, "instanceStart_from", false);
    if (!from) return error_response(from.error());
    auto to = date_param(c.query, "instanceStart_to", true);
    if (!to) return error_response(to.error());
    json_out j;
    j.w.StartArray();
    for (auto& e : c.c->events) {
        sys_time first, last;
        bool match = false;
        for (auto i : e.instances) {
            auto& in = c.c->instances[i];
            if (in.agent_visible && in_range(in.start, *from, *to)) match = true;
        }
        if (match && event_span(*c.c, e, first, last)) write_event(j, *c.c, e, first, last);
    }
    j.w.EndArray();
    return json_response(200, j.take());
}

http_response simulator::get_event(call& c) {
    auto it = c.c->event_by_id.find(c.seg[1]);
    sys_time first, last;
    if (it == c.c->event_by_id.end() || !event_span(*c.c, c.c->events[it->second], first, last))
        return error_response(api_fail(404, 0, "Event not found."));
    json_out j;
    write_event(j, *c.c, c.c->events[it->second], first, last);
    return json_response(200, j.take());
}

http_response simulator::get_event_instances(call& c) {
    auto it = c.c->event_by_id.find(c.seg[1]);
    sys_time first, last;
    if (it == c.c->event_by_id.end() || !event_span(*c.c, c.c->events[it->second], first, last))
        return error_response(api_fail(404, 0, "Event not found."));
    auto from = date_param(c.query, "start_from", false);
    if (!from) return error_response(from.error());
    auto to = date_param(c.query, "start_to", true);
    if (!to) return error_response(to.error());
    json_out j;
    j.w.StartArray();
    for (auto i : c.c->events[it->second].instances) {
        auto& in = c.c->instances[i];
        if (in.agent_visible && in_range(in.start, *from, *to)) write_instance(j, *c.c, in, c.now);
    }
    j.w.EndArray();
    return json_response(200, j.take());
}

http_response simulator::get_instance(call& c) {
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    json_out j;
    write_instance(j, *c.c, c.c->instances[*inst], c.now);
    return json_response(200, j.take());
}

http_response simulator::get_price_list(call& c) {
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    auto& pl = c.c->price_lists[c.c->events[c.c->instances[*inst].event].price_list];
    json_out j;
    j.w.StartObject();
    j.kv("id", pl.id);
    j.key("prices").w.StartArray();
    for (std::size_t b = 0; b < c.c->bands.size(); ++b)
        for (std::size_t t = 0; t < c.c->types.size(); ++t) {
            auto k = b * c.c->types.size() + t;
            j.w.StartObject();
            j.kv("id", pl.price_ids[k]).kv("isBandDefault", t == 0).money("amount", pl.amounts[k]);
            j.key("ticketType").w.StartObject();
            j.kv("id", c.c->types[t].id).kv("name", c.c->types[t].name);
            j.w.EndObject();
            j.key("priceBand").w.StartObject();
            j.kv("id", c.c->bands[b].id).kv("name", c.c->bands[b].name);
            j.w.EndObject();
            j.w.EndObject();
        }
    j.w.EndArray();
    j.w.EndObject();
    return json_response(200, j.take());
}

http_response simulator::get_plan(call& c) {
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    auto& p = c.c->plans[c.c->instances[*inst].plan];
    json_out j;
    j.w.StartObject();
    j.kv("id", p.id).kv("name", p.name).kv("type", "Reserved").kv("capacity", p.capacity());
    j.ref("venue", p.venue_id);
    j.kv("backgroundImageUrl", "").kv("x", 0).kv("y", 0);
    j.key("areas").w.StartArray();
    for (std::uint32_t a = 0; a < p.areas.size(); ++a)
        if (p.areas[a].parent < 0) write_area(j, *c.c, p, a);
    j.w.EndArray();
    j.key("seats").w.StartArray();
    j.w.EndArray();
    j.w.EndObject();
    return json_response(200, j.take());
}

http_response simulator::get_status(call& c, bool one_area) {
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    auto& in = c.c->instances[*inst];
    auto& p = c.c->plans[in.plan];
    json_out j;
    if (one_area) {
        auto it = c.c->area_by_id.find(c.seg[4]);
        if (it == c.c->area_by_id.end() || (it->second >> 16) != in.plan) return error_response(api_fail(404, 0, "Area not found."));
        auto ai = it->second & 0xffff;
        j.w.StartObject();
        j.kv("id", p.areas[ai].id).kv("name", p.areas[ai].name);
        write_counts(j, *c.c, c.cs->status(*inst, c.account, int(ai)));
        j.w.EndObject();
        return json_response(200, j.take());
    }
    j.w.StartObject();
    j.kv("id", p.id).kv("name", p.name);
    write_counts(j, *c.c, c.cs->status(*inst, c.account));
    auto child = c.query.find("includeChildPlans");
    if (child != c.query.end() && (child->second == "true" || child->second == "True")) {
        j.key("areas").w.StartArray();
        for (std::uint32_t a = 0; a < p.areas.size(); ++a) {
            if (!p.areas[a].leaf()) continue;
            j.w.StartObject();
            j.kv("id", p.areas[a].id).kv("name", p.areas[a].name);
            write_counts(j, *c.c, c.cs->status(*inst, c.account, int(a)));
            j.w.EndObject();
        }
        j.w.EndArray();
    }
    j.w.EndObject();
    return json_response(200, j.take());
}

http_response simulator::get_seat_status(call& c) {
    if (!settings_.seat_status) return error_response(api_fail(404, 0, "No HTTP resource was found that matches the request URI."));
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    auto& p = c.c->plans[c.c->instances[*inst].plan];
    json_out j;
    j.w.StartArray();
    for (std::uint32_t s = 0; s < p.capacity(); ++s) {
        if (p.areas[p.slots[s].area].kind != area_kind::reserved) continue;
        auto st = c.cs->state(*inst, s);
        std::string_view name = to_string(st);
        if (st == seat_state::in_basket) {
            auto h = c.cs->holder_of(*inst, s);
            auto* b = h ? c.cs->basket_by_number(h->number) : nullptr;
            name = b && b->account == c.account ? "InBasket" : "InOtherBasket";
        }
        j.w.StartObject();
        j.kv("id", seat_id(p, s)).kv("status", name);
        // Which lock holds it (INFERRED field, sim/README.md): a house seat or an allocation.
        if (st == seat_state::locked) {
            auto l = c.cs->lock_of(*inst, s);
            j.kv("lockTypeId", c.c->lock_types[l ? l->type : k_house_lock].id);
        }
        j.w.EndObject();
    }
    j.w.EndArray();
    return json_response(200, j.take());
}

http_response simulator::get_best_available(call& c) {
    auto inst = visible_instance(*c.c, c.seg[1]);
    if (!inst) return error_response(inst.error());
    auto q = quantity_param(c.query);
    if (!q) return error_response(q.error());
    auto& in = c.c->instances[*inst];
    auto& p = c.c->plans[in.plan];
    int band = -1, area = -1;
    if (auto it = c.query.find("priceBand"); it != c.query.end()) {
        auto b = c.c->band_by_id.find(it->second);
        if (b == c.c->band_by_id.end()) return error_response(api_fail(400, 0, "The request is invalid: unknown priceBand."));
        band = int(b->second);
    }
    if (auto it = c.query.find("area"); it != c.query.end()) {
        auto a = c.c->area_by_id.find(it->second);
        if (a == c.c->area_by_id.end() || (a->second >> 16) != in.plan)
            return error_response(api_fail(400, 0, "The request is invalid: unknown area."));
        area = int(a->second & 0xffff);
    }
    auto locked = include_locked(c.query);
    if (!locked) return error_response(locked.error());
    if (!on_sale_to_agents(in, c.now)) return error_response(api_fail(409, 21, "This instance is not on sale to agents."));
    auto seats = c.cs->best_available(*inst, *q, band, area, *locked ? c.account : -1);
    if (seats.empty()) return error_response(api_fail(409, 22, "Best Available Seats not possible for this event instance."));
    json_out j;
    j.w.StartArray();
    for (auto s : seats) {
        j.w.StartObject();
        j.kv("id", seat_id(p, s)).kv("name", seat_name(p, s)).kv("area", p.areas[p.slots[s].area].id);
        j.w.EndObject();
    }
    j.w.EndArray();
    return json_response(200, j.take());
}

}  // namespace agentd::sim
