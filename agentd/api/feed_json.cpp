// Feed event data codecs of api/json.hpp: the payload of each feed kind, written once when the
// change commits (by the reservation service and the mirror) and read back by the server's
// scoping, agentctl and tests. docs/local-api.md shows each shape; tests/unit/api decodes and
// re-encodes every documented example.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"

#include <array>

namespace agentd::api {

using namespace detail;

namespace {

std::int64_t count(const value& o, std::string_view name) {
    auto n = req_int(o, "", name);
    if (n < 0) bad(errc::invalid_argument, std::string(name), "must not be negative");
    return n;
}

std::string change_name(const value& o) {
    static constexpr std::array<std::string_view, 4> k_changes{"added", "changed", "restored", "removed"};
    auto c = req_string(o, "", "change");
    for (auto k : k_changes)
        if (c == k) return c;
    bad(errc::invalid_argument, "change", "expected added, changed, restored or removed");
}

}  // namespace

std::string to_json(const feed_reservation& r) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "id", r.id);
        kv(w, "channel", r.channel);
        kv(w, "state", r.state);
        kv(w, "version", r.version);
        if (!r.pool.empty()) kv(w, "pool", r.pool);
        w.EndObject();
    });
}

std::string to_json(const feed_mirror_change& c) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", c.client);
        kv(w, "id", c.id);
        kv(w, "change", c.change);
        w.EndObject();
    });
}

std::string to_json(const feed_price_list& p) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", p.client);
        kv(w, "id", p.id);
        kv(w, "prices", p.prices);
        w.EndObject();
    });
}

std::string to_json(const feed_plan& p) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", p.client);
        kv(w, "id", p.id);
        kv(w, "seats", p.seats);
        w.EndObject();
    });
}

std::string to_json(const feed_availability& a) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", a.client);
        kv(w, "id", a.id);
        if (a.available) kv(w, "available", *a.available);
        kv(w, "seatsChanged", a.seats_changed);
        w.EndObject();
    });
}

std::string to_json(const feed_sync& s) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", s.client);
        kv(w, "refused", s.refused);
        kv(w, "reason", s.reason);
        w.EndObject();
    });
}

std::string to_json(const feed_overflow& o) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "lastSeq");
        w.Uint64(o.last_seq);
        kv(w, "message", o.message);
        w.EndObject();
    });
}

std::string to_json(const feed_data& d) {
    return std::visit([](const auto& v) { return to_json(v); }, d);
}

template <>
result<feed_reservation> from_json(std::string_view text) {
    return decode<feed_reservation>(text, [](const value& o) {
        feed_reservation r{req_string(o, "", "id"), req_string(o, "", "channel"), req_string(o, "", "state"),
                           req_int(o, "", "version")};
        r.pool = opt_string(o, "", "pool").value_or("");
        if (r.version < 1) bad(errc::invalid_argument, "version", "must be at least 1");
        return r;
    });
}

template <>
result<feed_mirror_change> from_json(std::string_view text) {
    return decode<feed_mirror_change>(text, [](const value& o) {
        return feed_mirror_change{req_string(o, "", "client"), req_string(o, "", "id"), change_name(o)};
    });
}

template <>
result<feed_price_list> from_json(std::string_view text) {
    return decode<feed_price_list>(text, [](const value& o) {
        return feed_price_list{req_string(o, "", "client"), req_string(o, "", "id"), count(o, "prices")};
    });
}

template <>
result<feed_plan> from_json(std::string_view text) {
    return decode<feed_plan>(text, [](const value& o) {
        return feed_plan{req_string(o, "", "client"), req_string(o, "", "id"), count(o, "seats")};
    });
}

template <>
result<feed_availability> from_json(std::string_view text) {
    return decode<feed_availability>(text, [](const value& o) {
        feed_availability a{req_string(o, "", "client"), req_string(o, "", "id"), std::nullopt, count(o, "seatsChanged")};
        if (member(o, "available")) a.available = count(o, "available");
        return a;
    });
}

template <>
result<feed_sync> from_json(std::string_view text) {
    return decode<feed_sync>(text, [](const value& o) {
        return feed_sync{req_string(o, "", "client"), req_string(o, "", "refused"), req_string(o, "", "reason")};
    });
}

template <>
result<feed_overflow> from_json(std::string_view text) {
    return decode<feed_overflow>(text, [](const value& o) {
        auto* s = member(o, "lastSeq");
        if (!s) bad(errc::invalid_argument, "lastSeq", "missing");
        if (!s->IsUint64()) bad(errc::decode_error, "lastSeq", "expected a non-negative integer");
        return feed_overflow{s->GetUint64(), req_string(o, "", "message")};
    });
}

namespace {

template <class T>
result<feed_data> as_data(std::string_view text) {
    auto r = from_json<T>(text);
    if (!r) return r.error();
    return feed_data{std::move(*r)};
}

}  // namespace

result<feed_data> decode_feed_data(std::string_view kind, std::string_view data) {
    if (kind == "reservation") return as_data<feed_reservation>(data);
    if (kind == "event" || kind == "instance") return as_data<feed_mirror_change>(data);
    if (kind == "price_list") return as_data<feed_price_list>(data);
    if (kind == "plan") return as_data<feed_plan>(data);
    if (kind == "availability") return as_data<feed_availability>(data);
    if (kind == "sync") return as_data<feed_sync>(data);
    if (kind == "overflow") return as_data<feed_overflow>(data);
    if (kind == "error") return as_data<error_body>(data);
    return fail(errc::invalid_argument, "feed event kind " + json_quote(kind) + ": not a kind the feed sends");
}

}  // namespace agentd::api
