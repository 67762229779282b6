// Request bodies, written once with RapidJSON's Writer: these bytes are what is hashed and sent.
#include "agentd/upstream/codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace agentd::upstream::codec {

namespace rj = rapidjson;

namespace {
template <class F>
std::string write_json(F&& f) {
    rj::StringBuffer buf;
    rj::Writer<rj::StringBuffer> w(buf);
    f(w);
    return std::string(buf.GetString(), buf.GetSize());
}
void key_value(rj::Writer<rj::StringBuffer>& w, std::string_view k, std::string_view v) {
    w.Key(k.data(), static_cast<rj::SizeType>(k.size()));
    w.String(v.data(), static_cast<rj::SizeType>(v.size()));
}
}  // namespace

std::string encode_new_tickets(const std::vector<new_ticket>& tickets) {
    return write_json([&](auto& w) {
        w.StartArray();
        for (const auto& t : tickets) {
            w.StartObject();
            key_value(w, "instance", t.instance_id);
            if (t.seat_id) key_value(w, "seat", *t.seat_id);
            else if (t.area_id) key_value(w, "seatingPlan", *t.area_id);
            key_value(w, "type", t.type_id);
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string encode_basket_best_available(std::string_view instance_id, int quantity, std::string_view type_id,
                                         const std::optional<std::string>& band_id) {
    return write_json([&](auto& w) {
        w.StartObject();
        key_value(w, "instance", instance_id);
        w.Key("quantity");
        w.Int(quantity);
        key_value(w, "type", type_id);
        if (band_id) key_value(w, "priceBand", *band_id);
        w.EndObject();
    });
}

std::string encode_agent_customer_patch(const agent_customer& c, const agent_customer_fields& f) {
    return write_json([&](auto& w) {
        w.StartObject();
        w.Key(f.object.data(), static_cast<rj::SizeType>(f.object.size()));
        w.StartObject();
        key_value(w, f.first_name, c.first_name);
        key_value(w, f.last_name, c.last_name);
        key_value(w, f.address_line1, c.address_line1);
        key_value(w, f.reference, c.reference);
        w.EndObject();
        w.EndObject();
    });
}

std::string encode_confirm() { return R"({"sendConfirmationEmail":false})"; }
std::string encode_empty_object() { return "{}"; }

// Called once per seat of every seat-status list: dispatched on the length first.
seat_state parse_seat_state(std::string_view s) noexcept {
    switch (s.size()) {
        case 4: return s == "Sold" ? seat_state::sold : seat_state::unknown;
        case 6: return s == "Locked" ? seat_state::locked : seat_state::unknown;
        case 8:
            if (s == "InBasket") return seat_state::in_basket;
            return s == "Reserved" ? seat_state::reserved : seat_state::unknown;
        case 9: return s == "Available" ? seat_state::available : seat_state::unknown;
        case 11: return s == "Unavailable" ? seat_state::unavailable : seat_state::unknown;
        case 13: return s == "InOtherBasket" ? seat_state::in_other_basket : seat_state::unknown;
        default: return seat_state::unknown;
    }
}

}  // namespace agentd::upstream::codec
