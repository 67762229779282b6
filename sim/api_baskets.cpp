// Basket and order endpoints (docs/upstream-contract.md U8-U11, U14).
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include <charconv>

namespace agentd::sim {
namespace {

constexpr std::size_t k_max_tickets = 100;

std::string_view sv(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

outcome<void> confirm_gone(const client_state& cs, std::string_view id, int account, bool conflict) {
    auto n = cs.confirmed_order(id);
    if (n && conflict) {
        auto* o = cs.order_by_number(*n);
        if (o && o->account == account) return api_fail(409, 100, "This basket has already been confirmed.");
    }
    return api_fail(404, 0, "Basket not found.");
}

// One entry of POST baskets/{id}/tickets, checked against the catalogue.
outcome<ticket_request> parse_ticket(const client& c, const rapidjson::Value& v, sys_time now) {
    if (!v.IsObject()) return api_fail(400, 0, "The request is invalid: each ticket must be an object.");
    auto inst_it = v.FindMember("instance");
    auto type_it = v.FindMember("type");
    if (type_it == v.MemberEnd()) type_it = v.FindMember("ticketType");
    if (inst_it == v.MemberEnd() || !inst_it->value.IsString())
        return api_fail(400, 0, "The request is invalid: instance is required.");
    if (type_it == v.MemberEnd() || !type_it->value.IsString())
        return api_fail(400, 0, "The request is invalid: type is required.");
    auto seat_it = v.FindMember("seat");
    auto plan_it = v.FindMember("seatingPlan");
    bool has_seat = seat_it != v.MemberEnd() && !seat_it->value.IsNull();
    bool has_plan = plan_it != v.MemberEnd() && !plan_it->value.IsNull();
    if (has_seat == has_plan) return api_fail(400, 0, "The request is invalid: give either seat or seatingPlan.");
    auto inst = visible_instance(c, sv(inst_it->value));
    if (!inst) return inst.error();
    auto& in = c.instances[*inst];
    auto& p = c.plans[in.plan];
    auto t = c.type_by_id.find(std::string(sv(type_it->value)));
    if (t == c.type_by_id.end()) return api_fail(400, 0, "The request is invalid: unknown ticket type.");
    ticket_request r;
    r.instance = *inst;
    r.type = std::uint16_t(t->second);
    if (has_seat) {
        std::uint64_t n = 0;
        if (seat_it->value.IsUint64()) n = seat_it->value.GetUint64();
        else if (seat_it->value.IsString()) {
            auto s = sv(seat_it->value);
            auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc{} || ptr != s.data() + s.size()) return api_fail(400, 0, "The request is invalid: bad seat id.");
        } else
            return api_fail(400, 0, "The request is invalid: bad seat id.");
        if (n < p.seat_id_base || n - p.seat_id_base >= p.capacity() ||
            p.areas[p.slots[n - p.seat_id_base].area].kind != area_kind::reserved)
            return api_fail(400, 0, "The request is invalid: seat " + std::to_string(n) + " is not in this instance's plan.");
        r.slot = std::uint32_t(n - p.seat_id_base);
    } else {
        if (!plan_it->value.IsString()) return api_fail(400, 0, "The request is invalid: bad seatingPlan.");
        auto a = c.area_by_id.find(std::string(sv(plan_it->value)));
        if (a == c.area_by_id.end() || (a->second >> 16) != in.plan ||
            p.areas[a->second & 0xffff].kind != area_kind::unreserved)
            return api_fail(400, 0, "The request is invalid: seatingPlan is not an unreserved area of this instance.");
        r.reserved = false;
        r.area = a->second & 0xffff;
    }
    if (!on_sale_to_agents(in, now)) return api_fail(409, 21, "This instance is not on sale to agents.");
    return r;
}

http_response basket_json(const client& c, const basket& b, int status = 200) {
    json_out j;
    write_basket(j, c, b);
    return json_response(status, j.take());
}

http_response tickets_json(const client& c, const std::vector<ticket>& ts) {
    json_out j;
    j.w.StartArray();
    for (auto& t : ts) write_ticket(j, c, t, false);
    j.w.EndArray();
    return json_response(200, j.take());
}

}  // namespace

http_response simulator::create_basket(call& c) {
    rapidjson::Document doc;
    if (!c.body.empty()) {
        if (auto r = parse_body(c.body, doc); !r) return error_response(r.error());
        if (!doc.IsObject()) return error_response(api_fail(400, 0, "The request is invalid: expected an object."));
    }
    auto& b = c.cs->create_basket(c.account, c.now, policy_);
    return basket_json(*c.c, b, 201);
}

outcome<basket*> simulator::open_basket(call& c) {
    auto found = c.cs->find_basket(c.seg[1], c.account, c.now);
    if (found) return found;
    if (c.endpoint == "confirm") return confirm_gone(*c.cs, c.seg[1], c.account, settings_.confirm_again_conflict).error();
    return api_fail(404, 0, "Basket not found.");
}

http_response simulator::get_basket(call& c) {
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    return basket_json(*c.c, b);
}

http_response simulator::patch_basket(call& c) {
    rapidjson::Document doc;
    if (auto r = parse_body(c.body, doc); !r) return error_response(r.error());
    if (!doc.IsObject()) return error_response(api_fail(400, 0, "The request is invalid: expected an object."));
    auto ac = doc.FindMember("agentCustomer");
    std::string stored;
    if (ac != doc.MemberEnd()) {
        if (!ac->value.IsObject() && !ac->value.IsNull())
            return error_response(api_fail(400, 0, "The request is invalid: agentCustomer must be an object."));
        if (ac->value.IsObject()) {
            for (auto m = ac->value.MemberBegin(); m != ac->value.MemberEnd(); ++m)
                if (!m->value.IsString() && !m->value.IsNull())
                    return error_response(api_fail(400, 0, "The request is invalid: agentCustomer fields must be strings."));
            rapidjson::StringBuffer sb;
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            ac->value.Accept(w);
            stored.assign(sb.GetString(), sb.GetSize());
        }
    }
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    // Every PATCH is a modifying call (docs/upstream-contract.md U9), an empty one included: it restarts a
    // sliding lifetime even when it changes nothing.
    if (ac != doc.MemberEnd()) c.cs->set_agent_customer(b, std::move(stored), c.now, policy_);
    else c.cs->touch_basket(b, c.now, policy_);
    return basket_json(*c.c, b);
}

http_response simulator::add_tickets(call& c) {
    rapidjson::Document doc;
    if (auto r = parse_body(c.body, doc); !r) return error_response(r.error());
    if (!doc.IsArray()) return error_response(api_fail(400, 0, "The request is invalid: expected an array of tickets."));
    if (doc.Empty() || doc.Size() > k_max_tickets)
        return error_response(api_fail(400, 0, "The request is invalid: 1 to 100 tickets per request."));
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    std::vector<ticket_request> reqs;
    for (auto& v : doc.GetArray()) {
        auto r = parse_ticket(*c.c, v, c.now);
        if (!r) return error_response(r.error());
        reqs.push_back(*r);
    }
    auto added = c.cs->add_tickets(b, reqs, c.now, policy_);
    if (!added) return error_response(added.error());
    return tickets_json(*c.c, *added);
}

http_response simulator::add_best_available(call& c) {
    rapidjson::Document doc;
    if (auto r = parse_body(c.body, doc); !r) return error_response(r.error());
    if (!doc.IsObject()) return error_response(api_fail(400, 0, "The request is invalid: expected an object."));
    auto inst_it = doc.FindMember("instance"), q_it = doc.FindMember("quantity"), type_it = doc.FindMember("type"),
         band_it = doc.FindMember("priceBand"), locked_it = doc.FindMember("includeLocked");
    if (inst_it == doc.MemberEnd() || !inst_it->value.IsString() || q_it == doc.MemberEnd() || !q_it->value.IsUint() ||
        type_it == doc.MemberEnd() || !type_it->value.IsString())
        return error_response(api_fail(400, 0, "The request is invalid: instance, quantity and type are required."));
    auto q = q_it->value.GetUint();
    if (q < 1 || q > 50) return error_response(api_fail(400, 0, "The request is invalid: quantity must be 1..50."));
    int band = -1;
    if (band_it != doc.MemberEnd() && !band_it->value.IsNull()) {
        auto bi = band_it->value.IsString() ? c.c->band_by_id.find(std::string(sv(band_it->value))) : c.c->band_by_id.end();
        if (bi == c.c->band_by_id.end()) return error_response(api_fail(400, 0, "The request is invalid: unknown priceBand."));
        band = int(bi->second);
    }
    bool locked = false;
    if (locked_it != doc.MemberEnd() && !locked_it->value.IsNull()) {
        if (!locked_it->value.IsBool()) return error_response(api_fail(400, 0, "The request is invalid: includeLocked must be a boolean."));
        locked = locked_it->value.GetBool();
    }
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    auto inst = visible_instance(*c.c, sv(inst_it->value));
    if (!inst) return error_response(inst.error());
    auto t = c.c->type_by_id.find(std::string(sv(type_it->value)));
    if (t == c.c->type_by_id.end()) return error_response(api_fail(400, 0, "The request is invalid: unknown ticket type."));
    if (!on_sale_to_agents(c.c->instances[*inst], c.now))
        return error_response(api_fail(409, 21, "This instance is not on sale to agents."));
    auto seats = c.cs->best_available(*inst, q, band, -1, locked ? c.account : -1);
    if (seats.empty()) return error_response(api_fail(409, 22, "Best Available Seats not possible for this event instance."));
    std::vector<ticket_request> reqs;
    for (auto s : seats) reqs.push_back(ticket_request{*inst, true, s, 0, std::uint16_t(t->second)});
    auto added = c.cs->add_tickets(b, reqs, c.now, policy_);
    if (!added) return error_response(added.error());
    return tickets_json(*c.c, *added);
}

http_response simulator::remove_tickets(call& c) {
    auto it = c.query.find("ticketIds");
    if (it == c.query.end() || it->second.empty())
        return error_response(api_fail(400, 0, "The request is invalid: ticketIds is required."));
    std::vector<std::string> ids;
    std::string_view rest = it->second;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto id = rest.substr(0, comma);
        if (!id.empty()) ids.emplace_back(id);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (ids.empty() || ids.size() > k_max_tickets)
        return error_response(api_fail(400, 0, "The request is invalid: ticketIds is required."));
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    if (auto r = c.cs->remove_tickets(b, ids, c.now, policy_); !r) return error_response(r.error());
    return basket_json(*c.c, b);
}

http_response simulator::clear_basket(call& c) {
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    c.cs->clear(b, c.now, policy_);
    return basket_json(*c.c, b);
}

http_response simulator::confirm(call& c) {
    rapidjson::Document doc;
    if (!c.body.empty()) {
        if (auto r = parse_body(c.body, doc); !r) return error_response(r.error());
        if (!doc.IsObject()) return error_response(api_fail(400, 0, "The request is invalid: expected an object."));
    }
    auto found = open_basket(c);
    if (!found) return error_response(found.error());
    basket& b = **found;
    auto o = c.cs->confirm(b, c.now);
    if (!o) return error_response(o.error());
    json_out j;
    write_order(j, *c.c, **o);
    return json_response(200, j.take());
}

http_response simulator::get_order(call& c) {
    auto* o = c.cs->find_order(c.seg[1], c.account);
    if (!o) return error_response(api_fail(404, 0, "Order not found."));
    json_out j;
    write_order(j, *c.c, *o);
    return json_response(200, j.take());
}

}  // namespace agentd::sim
