// api/json_detail: the RapidJSON helpers shared by the api codec files (json_read*.cpp,
// json_write*.cpp, feed_json.cpp). Private to agentd/api: nothing outside this folder includes
// it, so RapidJSON stays inside api. Decoders unwind a failure as `bad_field` to the one catch
// in `decode`, which turns it into a result; nothing escapes. Pure functions, thread-safe.
#pragma once

#include "agentd/api/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentd::api::detail {

// ---- writing ----

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, std::string_view s);
void key(writer& w, std::string_view k);
void kv(writer& w, std::string_view k, std::string_view v);
void kv(writer& w, std::string_view k, const std::string& v);
void kv(writer& w, std::string_view k, const char* v) = delete;  // would pick bool
void kv(writer& w, std::string_view k, std::int64_t v);
void kv(writer& w, std::string_view k, bool v);
// RapidJSON refuses NaN/Inf (and would leave the document broken): null instead.
void kv(writer& w, std::string_view k, double v);
// null when absent.
void kv(writer& w, std::string_view k, const std::optional<std::string>& v);

template <class F>
std::string build(F&& f) {
    rapidjson::StringBuffer sb;
    writer w(sb);
    f(w);
    return std::string(sb.GetString(), sb.GetSize());
}

// Shared element writers (json_write.cpp) for documents that embed them.
void write(writer& w, const reservation& r);
void write(writer& w, const instance_summary& i);
void members(writer& w, const instance_summary& i);  // without the braces, to extend it
// With `age_placeholder`, availabilityAge is written as k_age_placeholder (json_parts.hpp).
void write(writer& w, const instance& i, bool age_placeholder);
// Never part of a valid document (a raw control character outside any string), so the one
// occurrence is where the age goes.
inline constexpr std::string_view k_age_placeholder = "\x01";
void write(writer& w, const history_entry& h);

// ---- reading ----

using value = rapidjson::Value;

struct bad_field {
    error err;
};

[[noreturn]] void bad(errc c, const std::string& path, std::string_view what);
std::string join(const std::string& path, std::string_view name);
std::string index(const std::string& path, std::size_t i);
const value& object(const value& v, const std::string& path);
// The member, or nullptr when absent or null.
const value* member(const value& obj, std::string_view name);
std::optional<std::string> opt_string(const value& obj, const std::string& path, std::string_view name);
std::string req_string(const value& obj, const std::string& path, std::string_view name);
std::string req_id(const value& obj, const std::string& path, std::string_view name);
std::optional<std::int64_t> opt_int(const value& obj, const std::string& path, std::string_view name);
std::int64_t req_int(const value& obj, const std::string& path, std::string_view name);
bool opt_bool(const value& obj, const std::string& path, std::string_view name, bool dflt);
std::optional<double> opt_number(const value& obj, const std::string& path, std::string_view name);

// One entry of a health or clients answer's "clients" list.
client_state read_client_state(const value& c, const std::string& path);

// Calls f(element, "path[i]") for each element of the array member `name` (absent: none).
template <class F>
void each(const value& obj, const std::string& path, std::string_view name, F&& f) {
    auto* m = member(obj, name);
    if (!m) return;
    auto p = join(path, name);
    if (!m->IsArray()) bad(errc::decode_error, p, "expected an array");
    for (rapidjson::SizeType i = 0; i < m->Size(); ++i) f((*m)[i], index(p, i));
}

// Parses `text` with the depth limit of json.hpp into `doc`; the error when it is not JSON.
std::optional<error> parse(std::string_view text, rapidjson::Document& doc);

template <class T, class F>
result<T> decode(std::string_view text, F&& f) {
    rapidjson::Document doc;
    if (auto e = parse(text, doc)) return *e;
    try {
        return f(object(doc, ""));
    } catch (const bad_field& b) {
        return b.err;
    }
}

// Element readers shared by several documents (json_read.cpp).
reservation read_reservation(const value& o, const std::string& path);

}  // namespace agentd::api::detail
