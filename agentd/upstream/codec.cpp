// JSON decoding with RapidJSON's DOM. Seat-status lists and plans are decoded by the streaming
// handlers of codec_stream.cpp; their DOM decoders stay here as the reference those are tested
// and fuzzed against. Numbers are parsed as strings (kParseNumbersAsStringsFlag) so
// money is read digit by digit and integers are range-checked by from_chars; parsing is
// iterative so nesting depth cannot exhaust the stack, and UTF-8 is validated.
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/codec_reference.hpp"

#include "agentd/core/time.hpp"
#include "agentd/upstream/ids.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>

namespace agentd::upstream::codec {
namespace {

namespace rj = rapidjson;
constexpr unsigned parse_flags = rj::kParseIterativeFlag | rj::kParseNumbersAsStringsFlag | rj::kParseValidateEncodingFlag;
constexpr int max_area_depth = 16;

// Thrown inside this file only and turned into a `decode` failure at each entry point.
struct decode_error {
    std::string field;
    std::string what;
};

std::string_view sv(const rj::Value& v) { return {v.GetString(), v.GetStringLength()}; }

const rj::Value* find(const rj::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

const rj::Value& need(const rj::Value& obj, const char* key) {
    const rj::Value* v = find(obj, key);
    if (!v) throw decode_error{key, "missing"};
    return *v;
}

void expect_object(const rj::Value& v, const char* field) {
    if (!v.IsObject()) throw decode_error{field, "expected object"};
}

const rj::Value& expect_array(const rj::Value& v, const char* field) {
    if (!v.IsArray()) throw decode_error{field, "expected array"};
    return v;
}

// Strings and numbers (numbers arrive as strings) are both accepted where text is wanted:
// seat ids are numbers in some payloads.
std::string text_of(const rj::Value& v, const char* field) {
    if (!v.IsString()) throw decode_error{field, "expected string"};
    return std::string(sv(v));
}
std::string req_text(const rj::Value& o, const char* k) { return text_of(need(o, k), k); }
std::string opt_text(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    return v ? text_of(*v, k) : std::string();
}
std::optional<std::string> maybe_text(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    if (!v) return std::nullopt;
    return text_of(*v, k);
}

// Ids (strings, or numbers kept as their text) must pass the token rule of upstream/ids.hpp;
// the value is never echoed, it may be the hostile part.
std::string id_of(const rj::Value& v, const char* field) {
    std::string s = text_of(v, field);
    if (!valid_upstream_id(s)) throw decode_error{field, "not a valid id"};
    return s;
}
std::string req_id(const rj::Value& o, const char* k) { return id_of(need(o, k), k); }
// An optional id kept as text where "" already means "none" (a price's id, a ticket's plan).
std::string opt_id(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    if (!v || (v->IsString() && v->GetStringLength() == 0)) return {};
    return id_of(*v, k);
}

std::int64_t int_of(const rj::Value& v, const char* field) {
    if (!v.IsString()) throw decode_error{field, "expected integer"};
    auto s = sv(v);
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc::result_out_of_range) throw decode_error{field, "integer out of range"};
    if (ec != std::errc() || p != s.data() + s.size()) throw decode_error{field, "expected integer"};
    return out;
}
std::int64_t opt_int(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    return v ? int_of(*v, k) : 0;
}

bool bool_of(const rj::Value& v, const char* field) {
    if (!v.IsBool()) throw decode_error{field, "expected boolean"};
    return v.GetBool();
}
bool opt_bool(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    return v ? bool_of(*v, k) : false;
}

// Every amount agentd reads (prices, ticket and order totals) is a price: never negative.
money money_of(const rj::Value& v, const char* field) {
    if (!v.IsString()) throw decode_error{field, "expected decimal number"};
    auto m = parse_price(sv(v), 2);
    if (!m) throw decode_error{field, m.error().message};
    return *m;
}

money add_amounts(money a, money b, const char* field) {
    auto s = checked_add(a, b);
    if (!s) throw decode_error{field, "sum out of range"};
    return *s;
}

// `{id}` (optionally expanded) or a bare id string.
std::string ref_id(const rj::Value& v, const char* field) {
    if (v.IsObject()) return req_id(v, "id");
    if (v.IsString()) return id_of(v, field);
    throw decode_error{field, "expected {id} or string"};
}
std::string req_ref(const rj::Value& o, const char* k) { return ref_id(need(o, k), k); }
std::optional<std::string> maybe_ref(const rj::Value& o, const char* k) {
    const rj::Value* v = find(o, k);
    if (!v) return std::nullopt;
    return ref_id(*v, k);
}

named_ref named_of(const rj::Value& v, const char* field) {
    expect_object(v, field);
    return named_ref{req_id(v, "id"), opt_text(v, "name")};
}

template <class T, class F>
std::vector<T> array_of(const rj::Value& v, const char* field, F&& item) {
    expect_array(v, field);
    std::vector<T> out;
    out.reserve(v.Size());
    for (const auto& e : v.GetArray()) {
        expect_object(e, field);
        out.push_back(item(e));
    }
    return out;
}

event event_of(const rj::Value& o) {
    expect_object(o, "event");
    event e;
    e.id = req_id(o, "id");
    e.name = req_text(o, "name");
    e.description = opt_text(o, "description");
    e.duration_minutes = opt_int(o, "duration");
    e.image_url = opt_text(o, "imageUrl");
    e.is_on_sale = opt_bool(o, "isOnSale");
    e.instance_dates = opt_text(o, "instanceDates");
    e.first_instance_local = opt_text(o, "firstInstanceDateTime");
    e.last_instance_local = opt_text(o, "lastInstanceDateTime");
    return e;
}

instance instance_of(const rj::Value& o) {
    expect_object(o, "instance");
    instance i;
    i.id = req_id(o, "id");
    i.event_id = req_ref(o, "event");
    i.plan_id = req_id(o, "planId");
    i.price_list_id = req_ref(o, "priceList");
    i.start_local = req_text(o, "start");
    auto utc = parse_iso(text_of(need(o, "startUtc"), "startUtc"));
    if (!utc) throw decode_error{"startUtc", "expected ISO 8601 time"};
    i.start_utc = *utc;
    i.is_on_sale = opt_bool(o, "isOnSale");
    i.cancelled = opt_bool(o, "cancelled");
    i.has_best_available_overlay = opt_bool(o, "hasBestAvailableOverlay");
    i.web_instance_id = maybe_text(o, "webInstanceId");
    return i;
}

price price_of(const rj::Value& o) {
    price p;
    p.id = opt_id(o, "id");
    p.ticket_type = named_of(need(o, "ticketType"), "ticketType");
    p.band = named_of(need(o, "priceBand"), "priceBand");
    p.amount = money_of(need(o, "amount"), "amount");
    p.is_band_default = opt_bool(o, "isBandDefault");
    return p;
}

seat seat_of(const rj::Value& o) {
    seat s;
    s.id = req_id(o, "id");
    s.name = opt_text(o, "name");
    s.row = opt_text(o, "row");
    s.number = opt_int(o, "number");
    s.x = opt_int(o, "x");
    s.y = opt_int(o, "y");
    s.band_id = maybe_ref(o, "priceBand");
    if (!s.band_id) s.band_id = maybe_ref(o, "band");
    return s;
}

area area_of(const rj::Value& o, int depth) {
    if (depth > max_area_depth) throw decode_error{"areas", "nested too deeply"};
    expect_object(o, "areas");
    area a;
    a.id = req_id(o, "id");
    a.name = opt_text(o, "name");
    auto type = opt_text(o, "type");
    a.reserved = type != "Unreserved";
    a.capacity = opt_int(o, "capacity");
    a.band_id = maybe_ref(o, "priceBand");
    if (!a.band_id) a.band_id = maybe_ref(o, "band");
    if (const auto* v = find(o, "areas")) {
        expect_array(*v, "areas");
        for (const auto& c : v->GetArray()) a.children.push_back(area_of(c, depth + 1));
    }
    if (const auto* v = find(o, "seats")) a.seats = array_of<seat>(*v, "seats", seat_of);
    return a;
}

status_counts counts_of(const rj::Value& o) {
    status_counts c;
    c.capacity = opt_int(o, "capacity");
    c.available = opt_int(o, "available");
    c.wheelchair_available = opt_int(o, "wheelchairAvailable");
    c.special_available = opt_int(o, "specialAvailable");
    c.in_basket = opt_int(o, "inBasket");
    c.in_other_basket = opt_int(o, "inOtherBasket");
    c.locked = opt_int(o, "locked");
    c.reserved = opt_int(o, "reserved");
    c.sold = opt_int(o, "sold");
    c.scanned = opt_int(o, "scanned");
    c.masked = opt_int(o, "masked");
    c.unavailable = opt_int(o, "unavailable");
    return c;
}

band_status band_status_of(const rj::Value& o) {
    band_status b;
    // Bands are `{id,name,...counts}` or `{band:{id,name},...counts}`.
    if (const auto* inner = find(o, "band")) {
        auto n = named_of(*inner, "band");
        b.id = n.id;
        b.name = n.name;
    } else {
        b.id = req_id(o, "id");
        b.name = opt_text(o, "name");
    }
    b.counts = counts_of(o);
    return b;
}

std::vector<band_status> bands_of(const rj::Value& o) {
    if (const auto* v = find(o, "bands")) return array_of<band_status>(*v, "bands", band_status_of);
    return {};
}

area_status area_status_of(const rj::Value& o) {
    area_status a;
    a.id = req_id(o, "id");
    a.name = opt_text(o, "name");
    a.counts = counts_of(o);
    a.bands = bands_of(o);
    return a;
}

std::optional<agent_customer> customer_of(const rj::Value& o, const agent_customer_fields& f) {
    const rj::Value* v = find(o, f.object.c_str());
    if (!v) return std::nullopt;
    expect_object(*v, f.object.c_str());
    agent_customer c;
    c.first_name = opt_text(*v, f.first_name.c_str());
    c.last_name = opt_text(*v, f.last_name.c_str());
    c.address_line1 = opt_text(*v, f.address_line1.c_str());
    c.reference = opt_text(*v, f.reference.c_str());
    return c;
}

ticket ticket_of(const rj::Value& o) {
    ticket t;
    t.id = req_id(o, "id");
    t.instance_id = req_ref(o, "instance");
    if (auto e = maybe_ref(o, "event")) t.event_id = *e;
    t.seat_id = maybe_ref(o, "seat");
    t.seat_name = opt_text(o, "seatName");
    t.plan_id = opt_id(o, "planId");
    if (auto b = maybe_ref(o, "band")) t.band_id = *b;
    if (auto ty = maybe_ref(o, "type")) t.type_id = *ty;
    else if (auto old = maybe_ref(o, "ticketType")) t.type_id = *old;
    else throw decode_error{"type", "missing"};
    t.price = money_of(need(o, "price"), "price");
    t.total = find(o, "total") ? money_of(need(o, "total"), "total") : t.price;
    if (find(o, "agentDiscount")) t.agent_discount = money_of(need(o, "agentDiscount"), "agentDiscount");
    if (t.agent_discount > t.total) throw decode_error{"agentDiscount", "greater than the ticket's total"};
    t.barcode = maybe_text(o, "barcode");
    return t;
}

// A ticket list whose prices or totals could not be added up in int64 minor units is refused
// here, so every consumer may sum them with plain arithmetic.
std::vector<ticket> ticket_list(const rj::Value& v) {
    auto out = array_of<ticket>(v, "tickets", ticket_of);
    money prices, totals, discounts;
    for (const auto& t : out) {
        prices = add_amounts(prices, t.price, "price");
        totals = add_amounts(totals, t.total, "total");
        discounts = add_amounts(discounts, t.agent_discount, "agentDiscount");
    }
    return out;
}

std::vector<ticket> tickets_in(const rj::Value& o) {
    if (const auto* v = find(o, "tickets")) return ticket_list(*v);
    return {};
}

// Parses and runs `body` on the root; every failure names the entity and the field.
template <class T, class F>
result<T> decode(std::string_view json, const char* what, F&& body) {
    rj::Document doc;
    doc.Parse<parse_flags>(json.data(), json.size());
    if (doc.HasParseError()) {
        return failure{error_class::decode, 0, 0,
                       std::string("decode ") + what + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) +
                           ": " + rj::GetParseError_En(doc.GetParseError())};
    }
    try {
        return body(static_cast<const rj::Value&>(doc));
    } catch (const decode_error& e) {
        return failure{error_class::decode, 0, 0, std::string("decode ") + what + ": field '" + e.field + "': " + e.what};
    }
}

}  // namespace

result<std::vector<event>> decode_events(std::string_view json) {
    return decode<std::vector<event>>(json, "events", [](const rj::Value& v) { return array_of<event>(v, "events", event_of); });
}
result<event> decode_event(std::string_view json) {
    return decode<event>(json, "event", [](const rj::Value& v) { return event_of(v); });
}
result<std::vector<instance>> decode_instances(std::string_view json) {
    return decode<std::vector<instance>>(json, "instances", [](const rj::Value& v) { return array_of<instance>(v, "instances", instance_of); });
}
result<instance> decode_instance(std::string_view json) {
    return decode<instance>(json, "instance", [](const rj::Value& v) { return instance_of(v); });
}
result<price_list> decode_price_list(std::string_view json) {
    return decode<price_list>(json, "price list", [](const rj::Value& v) {
        expect_object(v, "priceList");
        price_list p;
        p.id = req_id(v, "id");
        p.prices = array_of<price>(need(v, "prices"), "prices", price_of);
        return p;
    });
}
result<plan> reference::decode_plan(std::string_view json) {
    return decode<plan>(json, "plan", [](const rj::Value& v) { return area_of(v, 0); });
}
result<instance_status> decode_instance_status(std::string_view json) {
    return decode<instance_status>(json, "instance status", [](const rj::Value& v) {
        expect_object(v, "status");
        instance_status s;
        s.name = opt_text(v, "name");
        s.counts = counts_of(v);
        s.bands = bands_of(v);
        if (const auto* a = find(v, "areas")) s.areas = array_of<area_status>(*a, "areas", area_status_of);
        return s;
    });
}
result<std::vector<seat_status>> reference::decode_seat_statuses(std::string_view json, std::string_view lock_field) {
    const std::string field(lock_field);
    // A lock field named like id or status reads nothing, as in the stream decoder.
    const bool reads = field != "id" && field != "status";
    return decode<std::vector<seat_status>>(json, "seat status", [&](const rj::Value& v) {
        return array_of<seat_status>(v, "seats", [&](const rj::Value& o) {
            seat_status s{req_id(o, "id"), parse_seat_state(req_text(o, "status")), {}};
            // Optional and only informative: anything but an id leaves the lock type unknown.
            if (const auto* l = reads ? find(o, field.c_str()) : nullptr; l && l->IsString() && valid_upstream_id(sv(*l)))
                s.lock_type = std::string(sv(*l));
            return s;
        });
    });
}
result<std::vector<best_seat>> decode_best_available(std::string_view json) {
    return decode<std::vector<best_seat>>(json, "best available", [](const rj::Value& v) {
        return array_of<best_seat>(v, "seats", [](const rj::Value& o) {
            best_seat s{req_id(o, "id"), maybe_ref(o, "area"), maybe_ref(o, "priceBand")};
            if (!s.band_id) s.band_id = maybe_ref(o, "band");
            return s;
        });
    });
}
result<basket> decode_basket(std::string_view json, const agent_customer_fields& f) {
    return decode<basket>(json, "basket", [&](const rj::Value& v) {
        expect_object(v, "basket");
        basket b;
        b.id = find(v, "id") ? req_id(v, "id") : req_id(v, "basketId");
        b.hash = opt_text(v, "hash");
        b.tickets = tickets_in(v);
        b.customer = customer_of(v, f);
        return b;
    });
}
result<std::vector<ticket>> decode_tickets(std::string_view json) {
    return decode<std::vector<ticket>>(json, "tickets", [](const rj::Value& v) { return ticket_list(v); });
}
result<order> decode_order(std::string_view json, const agent_customer_fields& f) {
    return decode<order>(json, "order", [&](const rj::Value& v) {
        expect_object(v, "order");
        order o;
        o.id = req_id(v, "id");
        o.tickets = tickets_in(v);
        if (find(v, "total")) o.total = money_of(need(v, "total"), "total");
        else for (const auto& t : o.tickets) o.total = add_amounts(o.total, t.total, "total");
        o.customer = customer_of(v, f);
        return o;
    });
}

error_body decode_error_body(std::string_view json) {
    error_body out;
    rj::Document doc;
    doc.Parse<parse_flags>(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject()) return out;
    try {
        out.message = opt_text(doc, "message");
        std::int64_t code = opt_int(doc, "errorCode");
        if (code >= INT32_MIN && code <= INT32_MAX) out.error_code = static_cast<int>(code);
    } catch (const decode_error&) {
    }
    if (out.message.size() > 200) out.message.resize(200);
    return out;
}

}  // namespace agentd::upstream::codec
