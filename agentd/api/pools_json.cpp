// Codec of GET /v1/pools (docs/local-api.md, docs/pools.md). The decoder is agentctl's, lenient
// like json_read_answers.cpp.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"

namespace agentd::api {

using namespace detail;

std::string to_json(const pool_report& r) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "pools");
        w.StartArray();
        for (const auto& p : r.pools) {
            w.StartObject();
            kv(w, "name", p.name);
            kv(w, "client", p.client);
            kv(w, "instance", p.instance);
            kv(w, "event", p.event);
            kv(w, "phase", p.phase);
            kv(w, "target", p.target);
            kv(w, "targetSeats", p.target_seats);
            kv(w, "ready", p.ready);
            kv(w, "filling", p.filling);
            kv(w, "releasing", p.releasing);
            kv(w, "drawn", p.drawn);
            kv(w, "failedFills", p.failed_fills);
            kv(w, "seatsHeld", p.seats_held);
            kv(w, "nextExpiry", p.next_expiry);
            kv(w, "fillAt", p.fill_at);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

template <>
result<pool_report> from_json(std::string_view text) {
    return decode<pool_report>(text, [](const value& o) {
        pool_report r;
        each(o, "", "pools", [&](const value& v, const std::string& p) {
            object(v, p);
            pool_view x;
            x.name = req_string(v, p, "name");
            x.client = opt_string(v, p, "client").value_or("");
            x.instance = opt_string(v, p, "instance").value_or("");
            x.event = opt_string(v, p, "event");
            x.phase = opt_string(v, p, "phase").value_or("");
            x.target = opt_int(v, p, "target").value_or(0);
            x.target_seats = opt_int(v, p, "targetSeats").value_or(0);
            x.ready = opt_int(v, p, "ready").value_or(0);
            x.filling = opt_int(v, p, "filling").value_or(0);
            x.releasing = opt_int(v, p, "releasing").value_or(0);
            x.drawn = opt_int(v, p, "drawn").value_or(0);
            x.failed_fills = opt_int(v, p, "failedFills").value_or(0);
            x.seats_held = opt_int(v, p, "seatsHeld").value_or(0);
            x.next_expiry = opt_string(v, p, "nextExpiry");
            x.fill_at = opt_string(v, p, "fillAt");
            r.pools.push_back(std::move(x));
        });
        return r;
    });
}

}  // namespace agentd::api
