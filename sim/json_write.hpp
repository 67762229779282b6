// Private to sim/*.cpp (pulls in RapidJSON): the JSON writer and the shapes shared by several
// handlers (tickets, baskets, orders, money). Threading: none; a writer per response.
#pragma once

#include "sim/state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace agentd::sim {

class json_out {
public:
    rapidjson::Writer<rapidjson::StringBuffer> w{buf_};

    json_out& key(std::string_view k) { w.Key(k.data(), rapidjson::SizeType(k.size())); return *this; }
    json_out& str(std::string_view v) { w.String(v.data(), rapidjson::SizeType(v.size())); return *this; }
    json_out& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
    json_out& kv(std::string_view k, const char* v) { return key(k).str(v); }
    json_out& kv(std::string_view k, const std::string& v) { return key(k).str(v); }
    json_out& kv(std::string_view k, bool v) { key(k); w.Bool(v); return *this; }
    json_out& kv(std::string_view k, std::int64_t v) { key(k); w.Int64(v); return *this; }
    json_out& kv(std::string_view k, std::uint32_t v) { key(k); w.Uint(v); return *this; }
    json_out& kv(std::string_view k, int v) { key(k); w.Int(v); return *this; }
    json_out& null(std::string_view k) { key(k); w.Null(); return *this; }
    json_out& money(std::string_view k, std::int64_t minor) { key(k); return money(minor); }
    json_out& money(std::int64_t minor);
    // A JSON value already serialised (e.g. the stored agentCustomer); empty → null.
    json_out& raw(std::string_view k, std::string_view json);
    json_out& ref(std::string_view k, std::string_view id) {
        key(k);
        w.StartObject();
        kv("id", id);
        w.EndObject();
        return *this;
    }
    std::string take() { return std::string(buf_.GetString(), buf_.GetSize()); }

private:
    rapidjson::StringBuffer buf_;
};

// "35.5", "40.0", "12.25": a JSON decimal number from minor units.
std::string format_money(std::int64_t minor);

void write_ticket(json_out& j, const client& c, const ticket& t, bool with_barcode);
void write_basket(json_out& j, const client& c, const basket& b);
void write_order(json_out& j, const client& c, const order& o);
void write_counts(json_out& j, const client& c, const counts& k);

std::string iso_local(sys_time t);  // YYYY-MM-DDTHH:MM:SS (venue local == UTC)
std::string iso_utc(sys_time t);    // ...Z

}  // namespace agentd::sim
