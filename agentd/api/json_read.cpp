// Decoders of api/json.hpp. Inside this file a decode failure unwinds as `bad_field` to the
// one catch in `decode`, which turns it into a result; nothing escapes.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"
#include "agentd/core/id.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>

#include <cstring>

namespace agentd::api {

namespace detail {

client_state read_client_state(const value& c, const std::string& p) {
    object(c, p);
    client_state s;
    s.name = req_string(c, p, "name");
    s.state = opt_string(c, p, "state").value_or("");
    s.last_success = opt_string(c, p, "lastSuccess");
    s.last_error = opt_string(c, p, "lastError");
    s.lag_seconds = opt_number(c, p, "lagSeconds").value_or(0);
    s.budget_left = opt_number(c, p, "budgetLeft").value_or(0);
    if (auto* w = member(c, "window")) {
        const auto wp = join(p, "window");
        object(*w, wp);
        client_window win;
        win.inside = opt_bool(*w, wp, "inside", false);
        win.name = opt_string(*w, wp, "name");
        win.ends_at = opt_string(*w, wp, "endsAt");
        win.reads_blocked = opt_bool(*w, wp, "readsBlocked", false);
        win.refuse_creates = opt_bool(*w, wp, "refuseCreates", false);
        if (auto* n = member(*w, "next")) {
            const auto np = join(wp, "next");
            object(*n, np);
            win.next_name = opt_string(*n, np, "name");
            win.next_start = opt_string(*n, np, "start");
            win.next_end = opt_string(*n, np, "end");
        }
        s.window = std::move(win);
    }
    return s;
}

void bad(errc c, const std::string& path, std::string_view what) {
    throw bad_field{error{c, (path.empty() ? std::string("body") : path) + ": " + std::string(what)}};
}

std::string join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

const value& object(const value& v, const std::string& path) {
    if (!v.IsObject()) bad(errc::decode_error, path, "expected an object");
    return v;
}

const value* member(const value& obj, std::string_view name) {
    auto it = obj.FindMember(rapidjson::StringRef(name.data(), name.size()));
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::optional<std::string> opt_string(const value& obj, const std::string& path, std::string_view name) {
    auto* m = member(obj, name);
    if (!m) return std::nullopt;
    if (!m->IsString()) bad(errc::decode_error, join(path, name), "expected a string");
    // JSON may carry \u0000; a C string (libpq's text parameters, logs, upstream bodies) would
    // end there, so two engines would store two different values.
    if (std::memchr(m->GetString(), '\0', m->GetStringLength()))
        bad(errc::invalid_argument, join(path, name), "must not contain a NUL character");
    return std::string(m->GetString(), m->GetStringLength());
}

std::string req_string(const value& obj, const std::string& path, std::string_view name) {
    auto s = opt_string(obj, path, name);
    if (!s) bad(errc::invalid_argument, join(path, name), "missing");
    return *s;
}

std::string req_id(const value& obj, const std::string& path, std::string_view name) {
    auto s = req_string(obj, path, name);
    if (!valid_id(s)) bad(errc::invalid_argument, join(path, name), "not a valid id");
    return s;
}

std::optional<std::int64_t> opt_int(const value& obj, const std::string& path, std::string_view name) {
    auto* m = member(obj, name);
    if (!m) return std::nullopt;
    if (!m->IsInt64()) bad(errc::decode_error, join(path, name), "expected an integer");
    return m->GetInt64();
}

std::int64_t req_int(const value& obj, const std::string& path, std::string_view name) {
    auto i = opt_int(obj, path, name);
    if (!i) bad(errc::invalid_argument, join(path, name), "missing");
    return *i;
}

bool opt_bool(const value& obj, const std::string& path, std::string_view name, bool dflt) {
    auto* m = member(obj, name);
    if (!m) return dflt;
    if (!m->IsBool()) bad(errc::decode_error, join(path, name), "expected a boolean");
    return m->GetBool();
}

std::optional<double> opt_number(const value& obj, const std::string& path, std::string_view name) {
    auto* m = member(obj, name);
    if (!m) return std::nullopt;
    if (!m->IsNumber()) bad(errc::decode_error, join(path, name), "expected a number");
    return m->GetDouble();
}

namespace {

// Forwards SAX events to the document while counting nesting; refusing one more level makes
// the reader stop. With kParseIterativeFlag the reader keeps its own stack on the heap, so no
// input reaches the machine stack's limit.
struct depth_limited {
    rapidjson::Document& doc;
    int depth = 0;
    bool too_deep = false;

    bool Null() { return doc.Null(); }
    bool Bool(bool b) { return doc.Bool(b); }
    bool Int(int i) { return doc.Int(i); }
    bool Uint(unsigned u) { return doc.Uint(u); }
    bool Int64(std::int64_t i) { return doc.Int64(i); }
    bool Uint64(std::uint64_t u) { return doc.Uint64(u); }
    bool Double(double d) { return doc.Double(d); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc.RawNumber(s, n, copy); }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
    bool StartObject() { return enter() && doc.StartObject(); }
    bool EndObject(rapidjson::SizeType n) { return --depth, doc.EndObject(n); }
    bool StartArray() { return enter() && doc.StartArray(); }
    bool EndArray(rapidjson::SizeType n) { return --depth, doc.EndArray(n); }

    bool enter() {
        if (++depth <= k_max_json_depth) return true;
        too_deep = true;
        return false;
    }
};

}  // namespace

std::optional<error> parse(std::string_view text, rapidjson::Document& doc) {
    rapidjson::ParseResult parsed;
    bool too_deep = false;
    auto generate = [&](rapidjson::Document& d) {
        depth_limited h{d};
        rapidjson::Reader reader;
        rapidjson::MemoryStream ms(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
        // Full precision: a number we encode must decode to the same double (fuzzed round trip).
        // Valid UTF-8 only: what one engine stores, the other must too (PostgreSQL refuses it).
        parsed = reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag |
                              rapidjson::kParseValidateEncodingFlag>(in, h);
        too_deep = h.too_deep;
        return !parsed.IsError();
    };
    doc.Populate(generate);
    if (too_deep)
        return error{errc::decode_error, "body: JSON nested deeper than " + std::to_string(k_max_json_depth) + " levels"};
    if (parsed.IsError()) {
        return error{errc::decode_error, "body: malformed JSON at offset " + std::to_string(parsed.Offset()) + ": " +
                                             rapidjson::GetParseError_En(parsed.Code())};
    }
    return std::nullopt;
}

namespace {

reservation_request read_request(const value& o, const std::string& path, bool strict) {
    reservation_request r;
    r.client = strict ? req_id(o, path, "client") : req_string(o, path, "client");
    r.instance = strict ? req_id(o, path, "instance") : req_string(o, path, "instance");
    each(o, path, "tickets", [&](const value& t, const std::string& p) {
        object(t, p);
        r.tickets.push_back({strict ? req_id(t, p, "seat") : req_string(t, p, "seat"),
                             strict ? req_id(t, p, "ticketType") : req_string(t, p, "ticketType")});
    });
    if (auto* b = member(o, "bestAvailable")) {
        auto p = join(path, "bestAvailable");
        object(*b, p);
        best_available ba;
        ba.quantity = req_int(*b, p, "quantity");
        ba.ticket_type = strict ? req_id(*b, p, "ticketType") : req_string(*b, p, "ticketType");
        ba.price_band = opt_string(*b, p, "priceBand");
        ba.area = opt_string(*b, p, "area");
        if (strict && (ba.quantity < 1 || ba.quantity > 50)) bad(errc::invalid_argument, join(p, "quantity"), "must be 1..50");
        r.best = std::move(ba);
    }
    if (strict) {
        if (r.best && !r.tickets.empty()) bad(errc::invalid_argument, path, "give either tickets or bestAvailable, not both");
        if (!r.best && r.tickets.empty()) bad(errc::invalid_argument, join(path, "tickets"), "missing (or give bestAvailable)");
        if (r.tickets.size() > 50) bad(errc::invalid_argument, join(path, "tickets"), "at most 50 tickets per reservation");
    }
    return r;
}

}  // namespace

reservation read_reservation(const value& o, const std::string& path) {
    reservation r;
    r.id = req_string(o, path, "id");
    r.channel = req_string(o, path, "channel");
    r.state = req_string(o, path, "state");
    r.version = req_int(o, path, "version");
    r.client = req_string(o, path, "client");
    r.instance = req_string(o, path, "instance");
    if (auto* q = member(o, "request")) r.request = read_request(object(*q, join(path, "request")), join(path, "request"), false);
    each(o, path, "seats", [&](const value& s, const std::string& p) {
        object(s, p);
        r.seats.push_back({req_string(s, p, "seat"), opt_string(s, p, "name").value_or(""),
                           opt_string(s, p, "area").value_or(""), opt_string(s, p, "priceBand").value_or(""),
                           opt_string(s, p, "ticketType").value_or(""), opt_string(s, p, "price").value_or(""),
                           opt_string(s, p, "barcode"), opt_string(s, p, "areaName").value_or(""),
                           opt_string(s, p, "priceBandName").value_or(""),
                           opt_string(s, p, "ticketTypeName").value_or("")});
    });
    r.total = opt_string(o, path, "total");
    r.expires_at = opt_string(o, path, "expiresAt");
    r.order_id = opt_string(o, path, "orderId");
    r.reference = opt_string(o, path, "reference");
    r.settled_by = opt_string(o, path, "settledBy");
    r.order_mismatch = opt_string(o, path, "orderMismatch");
    r.pool = opt_string(o, path, "pool").value_or("");
    if (auto* e = member(o, "error")) {
        auto p = join(path, "error");
        object(*e, p);
        r.error = error_body{req_string(*e, p, "code"), opt_string(*e, p, "message").value_or(""), false, std::nullopt};
    }
    r.created_at = opt_string(o, path, "createdAt").value_or("");
    r.updated_at = opt_string(o, path, "updatedAt").value_or("");
    r.event_name = opt_string(o, path, "eventName").value_or("");
    r.instance_start = opt_string(o, path, "instanceStart").value_or("");
    return r;
}

}  // namespace detail

using namespace detail;

template <>
result<reservation_request> from_json(std::string_view text) {
    return decode<reservation_request>(text, [](const value& o) { return read_request(o, "", true); });
}

template <>
result<confirm_request> from_json(std::string_view text) {
    return decode<confirm_request>(text, [](const value& o) {
        confirm_request c;
        auto* cu = member(o, "customer");
        if (!cu) bad(errc::invalid_argument, "customer", "missing");
        object(*cu, "customer");
        c.cust.first_name = req_string(*cu, "customer", "firstName");
        c.cust.last_name = req_string(*cu, "customer", "lastName");
        c.cust.address_line1 = opt_string(*cu, "customer", "addressLine1").value_or("");
        c.reference = opt_string(o, "", "reference").value_or("");
        if (c.cust.last_name.empty()) bad(errc::invalid_argument, "customer.lastName", "must not be empty");
        if (c.reference.size() > 64) bad(errc::invalid_argument, "reference", "at most 64 characters");
        return c;
    });
}

template <>
result<extend_request> from_json(std::string_view text) {
    return decode<extend_request>(text, [](const value& o) {
        extend_request e;
        e.seconds = opt_int(o, "", "seconds").value_or(0);
        if (e.seconds < 0 || e.seconds > 3600) bad(errc::invalid_argument, "seconds", "must be 0..3600");
        return e;
    });
}

template <>
result<admin_sync_request> from_json(std::string_view text) {
    return decode<admin_sync_request>(text, [](const value& o) {
        admin_sync_request r;
        r.client = req_id(o, "", "client");
        r.instance = opt_string(o, "", "instance");
        if (r.instance && !valid_id(*r.instance)) bad(errc::invalid_argument, "instance", "not a valid id");
        return r;
    });
}

template <>
result<resolve_request> from_json(std::string_view text) {
    return decode<resolve_request>(text, [](const value& o) {
        resolve_request r;
        auto* sold = member(o, "sold");
        if (!sold) bad(errc::invalid_argument, "sold", "missing (true or false)");
        r.sold = opt_bool(o, "", "sold", false);
        r.order_id = opt_string(o, "", "orderId").value_or("");
        r.note = opt_string(o, "", "note").value_or("");
        if (r.sold && !valid_id(r.order_id)) bad(errc::invalid_argument, "orderId", "required when sold, a valid id");
        if (!r.sold && !r.order_id.empty()) bad(errc::invalid_argument, "orderId", "only when sold");
        if (r.note.size() > 512) bad(errc::invalid_argument, "note", "at most 512 characters");
        return r;
    });
}

template <>
result<error_body> from_json(std::string_view text) {
    return decode<error_body>(text, [](const value& o) {
        auto* e = member(o, "error");
        if (!e) bad(errc::invalid_argument, "error", "missing");
        object(*e, "error");
        return error_body{req_string(*e, "error", "code"), opt_string(*e, "error", "message").value_or(""),
                          opt_bool(*e, "error", "retryable", false), opt_string(*e, "error", "retryAt")};
    });
}

template <>
result<reservation> from_json(std::string_view text) {
    return decode<reservation>(text, [](const value& o) { return read_reservation(o, ""); });
}

template <>
result<std::vector<reservation>> from_json(std::string_view text) {
    return decode<std::vector<reservation>>(text, [](const value& o) {
        std::vector<reservation> v;
        each(o, "", "reservations", [&](const value& r, const std::string& p) { v.push_back(read_reservation(object(r, p), p)); });
        return v;
    });
}

template <>
result<health> from_json(std::string_view text) {
    return decode<health>(text, [](const value& o) {
        health h;
        h.status = req_string(o, "", "status");
        h.version = opt_string(o, "", "version").value_or("");
        h.uptime_seconds = opt_int(o, "", "uptimeSeconds").value_or(0);
        h.ready = opt_bool(o, "", "ready", false);
        if (auto* s = member(o, "sync")) {
            object(*s, "sync");
            h.sync.initial_complete = opt_bool(*s, "sync", "initialComplete", false);
            h.sync.clients_done = opt_int(*s, "sync", "clientsDone").value_or(0);
            h.sync.clients_total = opt_int(*s, "sync", "clientsTotal").value_or(0);
            h.sync.instances_done = opt_int(*s, "sync", "instancesDone").value_or(0);
            h.sync.instances_total = opt_int(*s, "sync", "instancesTotal").value_or(0);
        }
        each(o, "", "clients", [&](const value& c, const std::string& p) { h.clients.push_back(read_client_state(c, p)); });
        h.include_queue = member(o, "queue") != nullptr;
        if (auto* q = member(o, "queue")) {
            object(*q, "queue");
            h.queue.depth = opt_int(*q, "queue", "depth").value_or(0);
            if (auto* b = member(*q, "byState")) {
                object(*b, "queue.byState");
                for (auto it = b->MemberBegin(); it != b->MemberEnd(); ++it) {
                    if (!it->value.IsInt64()) bad(errc::decode_error, "queue.byState", "expected integers");
                    h.queue.by_state.emplace_back(it->name.GetString(), it->value.GetInt64());
                }
            }
        }
        h.node = opt_string(o, "", "node");
        each(o, "", "leases", [&](const value& l, const std::string& p) {
            object(l, p);
            h.leases.push_back({req_string(l, p, "client"), req_string(l, p, "node"), opt_int(l, p, "epoch").value_or(0),
                                opt_string(l, p, "expiresAt").value_or(""), opt_bool(l, p, "live", false)});
        });
        return h;
    });
}

}  // namespace agentd::api
