// Decoders of api/json.hpp for the daemon's answers that only agentctl reads (listings,
// instance detail, seat plan, history, reconcile, sync). Lenient like a client should be: a
// missing member reads as empty, but a member of the wrong type is a decode_error.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"

namespace agentd::api {

using namespace detail;

namespace {

std::string text(const value& o, const std::string& p, std::string_view n) { return opt_string(o, p, n).value_or(""); }
std::int64_t integer(const value& o, const std::string& p, std::string_view n) { return opt_int(o, p, n).value_or(0); }
bool boolean(const value& o, const std::string& p, std::string_view n) { return opt_bool(o, p, n, false); }

// Calls f(object, path) for each element of the array `n`, each of which must be an object.
template <class F>
void each_object(const value& o, const std::string& p, std::string_view n, F&& f) {
    each(o, p, n, [&](const value& v, const std::string& path) { f(object(v, path), path); });
}

}  // namespace

template <>
result<std::vector<client_state>> from_json(std::string_view t) {
    return decode<std::vector<client_state>>(t, [](const value& o) {
        std::vector<client_state> v;
        each_object(o, "", "clients", [&](const value& c, const std::string& p) {
            auto s = read_client_state(c, p);
            s.state = text(c, p, "state");
            v.push_back(std::move(s));
        });
        return v;
    });
}

template <>
result<std::vector<event>> from_json(std::string_view t) {
    return decode<std::vector<event>>(t, [](const value& o) {
        std::vector<event> v;
        each_object(o, "", "events", [&](const value& e, const std::string& p) {
            v.push_back({text(e, p, "id"), text(e, p, "client"), text(e, p, "name"), text(e, p, "description"),
                         opt_string(e, p, "firstInstance"), opt_string(e, p, "lastInstance"), boolean(e, p, "onSale")});
        });
        return v;
    });
}

namespace {

instance_summary read_summary(const value& i, const std::string& p) {
    return {text(i, p, "id"),       text(i, p, "client"),         text(i, p, "event"),
            text(i, p, "eventName"), text(i, p, "start"),         text(i, p, "startUtc"),
            boolean(i, p, "onSale"), boolean(i, p, "cancelled"), integer(i, p, "available")};
}

}  // namespace

template <>
result<std::vector<instance_summary>> from_json(std::string_view t) {
    return decode<std::vector<instance_summary>>(t, [](const value& o) {
        std::vector<instance_summary> v;
        each_object(o, "", "instances", [&](const value& i, const std::string& p) { v.push_back(read_summary(i, p)); });
        return v;
    });
}

template <>
result<instance> from_json(std::string_view t) {
    return decode<instance>(t, [](const value& o) {
        instance i;
        i.id = text(o, "", "id");
        i.client = text(o, "", "client");
        i.event = text(o, "", "event");
        i.event_name = text(o, "", "eventName");
        i.start = text(o, "", "start");
        i.start_utc = text(o, "", "startUtc");
        i.plan = text(o, "", "plan");
        i.on_sale = boolean(o, "", "onSale");
        i.cancelled = boolean(o, "", "cancelled");
        each_object(o, "", "prices", [&](const value& p, const std::string& path) {
            i.prices.push_back({text(p, path, "priceBand"), text(p, path, "ticketType"), text(p, path, "ticketTypeName"),
                                text(p, path, "price"), text(p, path, "priceBandName")});
        });
        if (auto* a = member(o, "availability")) {
            object(*a, "availability");
            i.avail.available = integer(*a, "availability", "available");
            i.avail.capacity = integer(*a, "availability", "capacity");
            i.avail.locked = integer(*a, "availability", "locked");
            each_object(*a, "availability", "areas", [&](const value& r, const std::string& p) {
                i.avail.areas.push_back({text(r, p, "area"), text(r, p, "name"), integer(r, p, "available"),
                                         integer(r, p, "capacity")});
            });
        }
        i.availability_age = opt_number(o, "", "availabilityAge").value_or(0);
        i.availability_confirmed_at = text(o, "", "availabilityConfirmedAt");
        return i;
    });
}

template <>
result<seat_plan> from_json(std::string_view t) {
    return decode<seat_plan>(t, [](const value& o) {
        seat_plan s{text(o, "", "instance"), text(o, "", "plan"), text(o, "", "confirmedAt"), {}};
        each_object(o, "", "seats", [&](const value& e, const std::string& p) {
            s.seats.push_back({text(e, p, "id"), text(e, p, "name"), text(e, p, "area"), text(e, p, "row"),
                               text(e, p, "priceBand"), text(e, p, "status"), opt_number(e, p, "x"), opt_number(e, p, "y")});
        });
        return s;
    });
}

template <>
result<std::vector<history_entry>> from_json(std::string_view t) {
    return decode<std::vector<history_entry>>(t, [](const value& o) {
        std::vector<history_entry> v;
        each_object(o, "", "history", [&](const value& h, const std::string& p) {
            v.push_back({integer(h, p, "version"), text(h, p, "state"), text(h, p, "at"), text(h, p, "note")});
        });
        return v;
    });
}

template <>
result<reconcile_report> from_json(std::string_view t) {
    return decode<reconcile_report>(t, [](const value& o) {
        reconcile_report r;
        auto reservations = [&](std::string_view name, std::vector<reservation>& into) {
            each_object(o, "", name, [&](const value& v, const std::string& p) { into.push_back(read_reservation(v, p)); });
        };
        reservations("confirmUnknown", r.confirm_unknown);
        each_object(o, "", "orphanBaskets", [&](const value& b, const std::string& p) {
            r.orphan_baskets.push_back({text(b, p, "client"), text(b, p, "basket"), text(b, p, "createdAt")});
        });
        reservations("orderMismatch", r.order_mismatch);
        reservations("soldUnread", r.sold_unread);
        // A named pair, not a structured binding: Clang 14 (the sanitizer build) cannot capture
        // a binding in a lambda.
        for (const auto& list : {std::pair{"ledgerMissing", &r.ledger_missing}, std::pair{"ledgerOrphaned", &r.ledger_orphaned}}) {
            auto* into = list.second;
            each(o, "", list.first, [&](const value& v, const std::string& p) {
                if (!v.IsString()) bad(errc::decode_error, p, "expected a string");
                into->emplace_back(v.GetString(), v.GetStringLength());
            });
        }
        return r;
    });
}

template <>
result<admin_sync_answer> from_json(std::string_view t) {
    return decode<admin_sync_answer>(t, [](const value& o) {
        return admin_sync_answer{boolean(o, "", "accepted"), text(o, "", "message")};
    });
}

}  // namespace agentd::api
