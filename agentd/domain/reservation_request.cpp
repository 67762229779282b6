#include "agentd/domain/reservation_request.hpp"

#include "agentd/core/id.hpp"
#include "agentd/domain/diff.hpp"

#include <algorithm>
#include <set>

namespace agentd::domain {

namespace {

error bad(std::string field, std::string cause) {
    return fail(errc::invalid_argument, "validate reservation request: " + field + ": " + cause);
}

std::string shown(std::string_view id) { return std::string(id.substr(0, 64)); }

result<void> check_id(std::string_view field, std::string_view v, bool required) {
    if (v.empty()) {
        if (required) return bad(std::string(field), "required");
        return {};
    }
    if (!valid_id(v)) return bad(std::string(field), "not a valid id");
    return {};
}

std::vector<seat_request> sorted_tickets(const reservation_request& r) {
    auto t = r.tickets;
    std::sort(t.begin(), t.end(), [](const seat_request& a, const seat_request& b) {
        return a.seat != b.seat ? a.seat < b.seat : a.ticket_type < b.ticket_type;
    });
    return t;
}

}  // namespace

result<void> validate_shape(const reservation_request& r, const request_limits& limits) {
    if (auto ok = check_id("client", r.client, true); !ok) return ok;
    if (auto ok = check_id("instance", r.instance, true); !ok) return ok;
    const bool has_seats = !r.tickets.empty();
    const bool has_best = r.best_available.has_value();
    if (has_seats && has_best) return bad("tickets", "give either tickets or bestAvailable, not both");
    if (!has_seats && !has_best) return bad("tickets", "give either tickets or bestAvailable");
    if (has_seats) {
        if (static_cast<long>(r.tickets.size()) > limits.max_quantity)
            return bad("tickets", "at most " + std::to_string(limits.max_quantity) + " seats per request");
        std::set<std::string_view> seen;
        for (std::size_t i = 0; i < r.tickets.size(); ++i) {
            const auto& t = r.tickets[i];
            std::string at = "tickets[" + std::to_string(i) + "]";
            if (auto ok = check_id(at + ".seat", t.seat, true); !ok) return ok;
            if (auto ok = check_id(at + ".ticketType", t.ticket_type, true); !ok) return ok;
            if (!seen.insert(t.seat).second) return bad(at + ".seat", "duplicate seat " + t.seat);
        }
        return {};
    }
    const auto& b = *r.best_available;
    if (b.quantity < 1 || b.quantity > limits.max_quantity)
        return bad("bestAvailable.quantity", "must be 1.." + std::to_string(limits.max_quantity));
    if (auto ok = check_id("bestAvailable.ticketType", b.ticket_type, true); !ok) return ok;
    if (auto ok = check_id("bestAvailable.priceBand", b.price_band, false); !ok) return ok;
    if (auto ok = check_id("bestAvailable.area", b.area, false); !ok) return ok;
    if (!b.price_band.empty() && !b.area.empty())
        return bad("bestAvailable", "give priceBand or area, not both");
    return {};
}

result<void> validate_request(const reservation_request& r, const request_limits& limits, const catalogue_view& cat,
                              sys_time now) {
    if (auto ok = validate_shape(r, limits); !ok) return ok;
    const instance_facts* f = cat.find_instance(r.client, r.instance);
    if (!f) return fail(errc::not_found, "validate reservation request: instance " + r.instance + " of client " +
                                             r.client + ": unknown");
    if (f->cancelled) return fail(errc::conflict, "validate reservation request: instance " + r.instance + ": cancelled");
    if (!f->on_sale_to_agents)
        return fail(errc::conflict, "validate reservation request: instance " + r.instance + ": not on sale to agents");
    if (f->start && now >= *f->start)
        return fail(errc::conflict, "validate reservation request: instance " + r.instance + ": already started");
    if (r.best_available) {
        const auto& b = *r.best_available;
        if (!f->ticket_types.contains(b.ticket_type))
            return bad("bestAvailable.ticketType", "not in the price list: " + shown(b.ticket_type));
        if (!b.price_band.empty() && !f->price_bands.contains(b.price_band))
            return bad("bestAvailable.priceBand", "unknown price band " + shown(b.price_band));
        if (!b.area.empty() && !f->areas.contains(b.area))
            return bad("bestAvailable.area", "unknown area " + shown(b.area));
        return {};
    }
    for (std::size_t i = 0; i < r.tickets.size(); ++i) {
        const auto& t = r.tickets[i];
        std::string at = "tickets[" + std::to_string(i) + "]";
        if (!f->seats.contains(t.seat)) return bad(at + ".seat", "unknown seat " + shown(t.seat));
        if (!f->ticket_types.contains(t.ticket_type))
            return bad(at + ".ticketType", "not in the price list: " + shown(t.ticket_type));
    }
    return {};
}

std::string canonical_request(const reservation_request& r) {
    // Length-prefixed fields: no separator can be forged by an id.
    std::string out;
    auto put = [&out](std::string_view tag, std::string_view v) {
        out += tag;
        out += std::to_string(v.size());
        out += ':';
        out += v;
        out += ';';
    };
    put("c", r.client);
    put("i", r.instance);
    if (r.best_available) {
        const auto& b = *r.best_available;
        put("bq", std::to_string(b.quantity));
        put("bt", b.ticket_type);
        put("bp", b.price_band);
        put("ba", b.area);
    } else {
        for (const auto& t : sorted_tickets(r)) {
            put("s", t.seat);
            put("t", t.ticket_type);
        }
    }
    return out;
}

std::uint64_t request_hash(const reservation_request& r) { return fnv1a64(canonical_request(r)); }

result<void> compare_requests(const reservation_request& stored, const reservation_request& incoming) {
    auto differs = [](std::string_view what) {
        return fail(errc::conflict, "reuse idempotency key: request differs (" + std::string(what) + ")");
    };
    if (stored.client != incoming.client) return differs("client");
    if (stored.instance != incoming.instance) return differs("instance");
    if (stored.best_available.has_value() != incoming.best_available.has_value()) return differs("request form");
    if (stored.best_available) {
        if (!(*stored.best_available == *incoming.best_available)) return differs("bestAvailable");
        return {};
    }
    if (sorted_tickets(stored) != sorted_tickets(incoming)) return differs("tickets");
    return {};
}

result<void> compare_request_hash(std::uint64_t stored_hash, const reservation_request& incoming) {
    if (request_hash(incoming) != stored_hash)
        return fail(errc::conflict, "reuse idempotency key: request differs from the first use");
    return {};
}

}  // namespace agentd::domain
