// Shared JSON shapes (see json_write.hpp).
#include "sim/json_write.hpp"

#include "agentd/core/time.hpp"

namespace agentd::sim {

std::string format_money(std::int64_t minor) {
    std::string sign = minor < 0 ? "-" : "";
    auto v = minor < 0 ? -minor : minor;
    auto units = std::to_string(v / 100);
    auto cents = v % 100;
    if (cents == 0) return sign + units + ".0";
    if (cents % 10 == 0) return sign + units + "." + std::to_string(cents / 10);
    return sign + units + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
}

json_out& json_out::money(std::int64_t minor) {
    auto s = format_money(minor);
    w.RawValue(s.data(), s.size(), rapidjson::kNumberType);
    return *this;
}

json_out& json_out::raw(std::string_view k, std::string_view json) {
    key(k);
    if (json.empty()) w.Null();
    else w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
}

std::string iso_utc(sys_time t) {
    auto s = format_iso_utc(std::chrono::floor<std::chrono::seconds>(t));
    return s;
}

std::string iso_local(sys_time t) {
    auto s = iso_utc(t);
    if (!s.empty() && s.back() == 'Z') s.pop_back();
    return s;
}

void write_ticket(json_out& j, const client& c, const ticket& t, bool with_barcode) {
    auto& in = c.instances[t.instance];
    auto& p = c.plans[in.plan];
    bool reserved = p.areas[p.slots[t.slot].area].kind == area_kind::reserved;
    j.w.StartObject();
    j.kv("id", t.id);
    j.ref("instance", in.id);
    j.ref("event", c.events[in.event].id);
    if (reserved) j.ref("seat", seat_id(p, t.slot));
    else j.null("seat");
    j.kv("seatName", seat_name(p, t.slot));
    j.kv("planName", p.areas[p.slots[t.slot].area].name);
    j.kv("planId", p.areas[p.slots[t.slot].area].id);
    j.ref("band", c.bands[t.band].id);
    j.key("type").w.StartObject();
    j.kv("id", c.types[t.type].id).kv("name", c.types[t.type].name);
    j.w.EndObject();
    j.money("price", t.price).money("originalPrice", t.price).kv("priceOverridden", false);
    j.money("discount", 0).money("agentDiscount", agent_discount_of(c, t.price)).money("total", t.price);
    j.kv("delivered", false);
    if (with_barcode) j.kv("barcode", t.barcode);
    j.w.EndObject();
}

void write_basket(json_out& j, const client& c, const basket& b) {
    j.w.StartObject();
    j.kv("id", b.id).kv("basketId", b.id);
    j.kv("hash", std::to_string(b.number) + "-" + std::to_string(b.version));
    j.key("tickets").w.StartArray();
    for (auto& t : b.tickets) write_ticket(j, c, t, false);
    j.w.EndArray();
    j.key("merchandiseItems").w.StartArray();
    j.w.EndArray();
    j.key("donations").w.StartArray();
    j.w.EndArray();
    j.null("customer");
    j.raw("agentCustomer", b.agent_customer);
    j.money("totalDiscount", 0).money("total", b.total());
    j.w.EndObject();
}

void write_order(json_out& j, const client& c, const order& o) {
    j.w.StartObject();
    j.kv("id", o.id);
    j.raw("agentCustomer", o.agent_customer);
    j.kv("firstTransactionDate", iso_local(o.created)).kv("firstTransactionDateUtc", iso_utc(o.created));
    j.kv("lastTransactionDate", iso_local(o.created)).kv("lastTransactionDateUtc", iso_utc(o.created));
    j.money("totalPaymentCharges", 0).money("totalDeliveryCharges", 0).money("totalTransactionCharges", 0);
    j.money("total", o.total());
    j.key("tickets").w.StartArray();
    for (auto& t : o.tickets) write_ticket(j, c, t, true);
    j.w.EndArray();
    j.key("donations").w.StartArray();
    j.w.EndArray();
    j.w.EndObject();
}

void write_counts(json_out& j, const client& c, const counts& k) {
    j.kv("available", k.available).kv("wheelchairAvailable", 0).kv("specialAvailable", 0).kv("capacity", k.capacity);
    j.key("bands").w.StartArray();
    for (std::size_t b = 0; b < c.bands.size(); ++b) {
        j.w.StartObject();
        j.kv("id", c.bands[b].id).kv("name", c.bands[b].name).kv("available", k.band_available[b]);
        j.w.EndObject();
    }
    j.w.EndArray();
    j.kv("inBasket", k.in_basket).kv("inOtherBasket", k.in_other_basket).kv("locked", k.locked);
    j.kv("reserved", k.reserved).kv("sold", k.sold).kv("scanned", 0).kv("masked", 0).kv("unavailable", k.unavailable);
    // LockedSeatQuantity: {lockType:{id,name}, quantity} (INFERRED, sim/README.md).
    auto quantities = [&](const char* name, const std::vector<std::uint32_t>& by_type) {
        j.key(name).w.StartArray();
        for (std::size_t t = 0; t < by_type.size() && t < c.lock_types.size(); ++t) {
            if (by_type[t] == 0) continue;
            j.w.StartObject();
            j.key("lockType").w.StartObject();
            j.kv("id", c.lock_types[t].id).kv("name", c.lock_types[t].name);
            j.w.EndObject();
            j.kv("quantity", by_type[t]);
            j.w.EndObject();
        }
        j.w.EndArray();
    };
    quantities("lockInformation", k.locked_by_type);
    quantities("lockInfoAvailable", k.lock_available);
    j.key("lockInfoSpecialAvailable").w.StartArray();
    j.w.EndArray();
}

}  // namespace agentd::sim
