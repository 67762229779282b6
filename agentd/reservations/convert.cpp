#include "agentd/reservations/convert.hpp"

#include "agentd/api/json.hpp"
#include "agentd/core/money.hpp"
#include "agentd/core/time.hpp"

#include <cstdio>
#include <limits>
#include <random>

namespace agentd::reservations {

domain::reservation_request to_domain(const api::reservation_request& r) {
    domain::reservation_request d;
    d.client = r.client;
    d.instance = r.instance;
    for (const auto& t : r.tickets) d.tickets.push_back({t.seat, t.ticket_type});
    if (r.best) {
        domain::best_available_request b;
        // Out-of-range quantities stay out of range so validate_shape names them.
        b.quantity = r.best->quantity > std::numeric_limits<int>::max() || r.best->quantity < 0
                         ? -1
                         : static_cast<int>(r.best->quantity);
        b.ticket_type = r.best->ticket_type;
        b.price_band = r.best->price_band.value_or("");
        b.area = r.best->area.value_or("");
        d.best_available = std::move(b);
    }
    return d;
}

api::reservation_request to_api(const domain::reservation_request& r) {
    api::reservation_request a;
    a.client = r.client;
    a.instance = r.instance;
    for (const auto& t : r.tickets) a.tickets.push_back({t.seat, t.ticket_type});
    if (r.best_available) {
        api::best_available b;
        b.quantity = r.best_available->quantity;
        b.ticket_type = r.best_available->ticket_type;
        if (!r.best_available->price_band.empty()) b.price_band = r.best_available->price_band;
        if (!r.best_available->area.empty()) b.area = r.best_available->area;
        a.best = std::move(b);
    }
    return a;
}

api::reservation to_api(const store::reservation_row& row) {
    using rs = domain::reservation_state;
    const auto& r = row.rec;
    api::reservation a;
    a.id = row.id;
    a.channel = row.channel;
    a.state = std::string(domain::to_string(r.state));
    a.version = static_cast<std::int64_t>(r.version);
    a.client = row.client;
    a.instance = row.instance;
    a.request = to_api(row.request);
    for (std::size_t i = 0; i < r.seats.size(); ++i) {
        const auto& s = r.seats[i];
        api::reserved_seat out;
        out.seat = s.seat;
        out.ticket_type = s.ticket_type;
        out.price = format_money(s.price);
        if (i < row.details.size()) {
            out.name = row.details[i].seat_name;
            out.area = row.details[i].area;
            out.price_band = row.details[i].price_band;
        }
        if (!s.barcode.empty()) out.barcode = s.barcode;
        a.seats.push_back(std::move(out));
    }
    if (!r.seats.empty()) a.total = format_money(r.total);
    if (r.expires_at && (r.state == rs::held || r.state == rs::confirming)) a.expires_at = format_iso_utc(*r.expires_at);
    if (!r.order_id.empty()) a.order_id = r.order_id;
    if (r.customer && !r.customer->reference.empty()) a.reference = r.customer->reference;
    if (!r.settled_by.empty()) a.settled_by = r.settled_by;
    if (!r.order_mismatch.empty()) a.order_mismatch = r.order_mismatch;
    const std::string& message = !r.reason.empty() ? r.reason : r.last_error;
    if (!message.empty()) {
        api::error_body e;
        e.code = row.error_code.empty() ? std::string(domain::to_string(r.state)) : row.error_code;
        e.message = message;
        a.error = std::move(e);
    }
    a.created_at = format_iso_utc_ms(r.created_at);
    a.updated_at = format_iso_utc_ms(r.updated_at);
    a.pool = row.pool;
    return a;
}

std::string new_reservation_id(sys_time now) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "r_%011llx%016llx", static_cast<unsigned long long>(ms),
                  static_cast<unsigned long long>(rng()));
    return buf;
}

std::string feed_payload(const store::reservation_row& row) {
    return api::to_json(api::feed_reservation{row.id, row.channel, std::string(domain::to_string(row.rec.state)),
                                              static_cast<std::int64_t>(row.rec.version), row.pool});
}

}  // namespace agentd::reservations
