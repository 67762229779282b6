// /_sim/locks (not Spektrix): lock seats of an instance as an agency allocation for given
// accounts, return them to sale, and list the seats that carry a lock. Called by control()
// under the simulator mutex.
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include <algorithm>
#include <charconv>

namespace agentd::sim {
namespace {

http_response bad(std::string msg) { return error_response(api_fail(400, 0, std::move(msg))); }

std::string text(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

void write_accounts(json_out& j, const client& c, std::uint64_t mask) {
    j.key("accounts").w.StartArray();
    for (std::size_t a = 0; a < c.accounts.size() && a < 64; ++a)
        if (mask >> a & 1U) j.w.String(c.accounts[a].login.c_str());
    j.w.EndArray();
}

}  // namespace

http_response simulator::control_locks(const http_request& r, const std::map<std::string, std::string>& q) {
    json_out j;
    if (r.method == "GET") {
        auto it = q.find("client");
        if (it == q.end()) return bad("locks needs client=");
        auto ci = world_.client_by_name.find(it->second);
        if (ci == world_.client_by_name.end()) return error_response(api_fail(404, 0, "client not found"));
        auto& c = world_.clients[ci->second];
        auto& cs = *states_[ci->second];
        cs.expire(clock_.now());
        std::vector<std::uint64_t> keys;
        for (auto& [k, l] : cs.locks()) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        j.w.StartObject();
        j.kv("client", c.name).key("lockTypes").w.StartArray();
        for (auto& t : c.lock_types) {
            j.w.StartObject();
            j.kv("id", t.id).kv("name", t.name);
            j.w.EndObject();
        }
        j.w.EndArray();
        j.key("seats").w.StartArray();
        for (auto k : keys) {
            auto inst = std::uint32_t(k >> 32), slot = std::uint32_t(k);
            auto l = cs.locks().at(k);
            auto& p = c.plans[c.instances[inst].plan];
            j.w.StartObject();
            j.kv("instance", c.instances[inst].id).kv("seat", seat_id(p, slot)).kv("seatName", seat_name(p, slot));
            j.kv("lockType", c.lock_types[l.type].id).kv("status", to_string(cs.state(inst, slot)));
            write_accounts(j, c, l.accounts);
            j.w.EndObject();
        }
        j.w.EndArray();
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method != "POST") return error_response(api_fail(404, 0, "unknown control endpoint"));
    rapidjson::Document doc;
    if (auto p = parse_body(r.body, doc); !p) return error_response(p.error());
    if (!doc.IsObject()) return bad("expected a JSON object");
    auto inst_it = doc.FindMember("instance"), seats_it = doc.FindMember("seats");
    if (inst_it == doc.MemberEnd() || !inst_it->value.IsString() || seats_it == doc.MemberEnd() || !seats_it->value.IsArray())
        return bad("locks needs \"instance\" and \"seats\" (an array of seat ids)");
    const auto id = text(inst_it->value);
    for (std::size_t ci = 0; ci < states_.size(); ++ci) {
        auto& c = world_.clients[ci];
        auto found = c.instance_by_id.find(id);
        if (found == c.instance_by_id.end()) continue;
        const auto inst = found->second;
        auto& p = c.plans[c.instances[inst].plan];
        auto& cs = *states_[ci];
        cs.expire(clock_.now());
        std::vector<std::uint32_t> slots;
        for (auto& v : seats_it->value.GetArray()) {
            if (!v.IsString()) return bad("seats: expected strings");
            auto s = text(v);
            std::uint64_t n = 0;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc{} || end != s.data() + s.size() || n < p.seat_id_base || n - p.seat_id_base >= p.capacity() ||
                p.areas[p.slots[n - p.seat_id_base].area].kind != area_kind::reserved)
                return bad("seats: " + s.substr(0, 40) + " is not a seat of this instance");
            slots.push_back(std::uint32_t(n - p.seat_id_base));
        }
        if (auto u = doc.FindMember("unlock"); u != doc.MemberEnd() && u->value.IsBool() && u->value.GetBool()) {
            if (auto done = cs.unlock_seats(inst, slots); !done) return error_response(done.error());
            j.w.StartObject();
            j.kv("instance", id).kv("unlocked", std::uint32_t(slots.size()));
            j.w.EndObject();
            return json_response(200, j.take());
        }
        seat_lock lock{k_agency_lock, 0};
        if (auto t = doc.FindMember("lockType"); t != doc.MemberEnd()) {
            auto ti = t->value.IsString() ? std::find_if(c.lock_types.begin(), c.lock_types.end(),
                                                         [&](const lock_type& x) { return x.id == text(t->value); })
                                          : c.lock_types.end();
            if (ti == c.lock_types.end()) return bad("lockType: not a lock type of client " + c.name);
            lock.type = std::uint16_t(ti - c.lock_types.begin());
        }
        if (auto a = doc.FindMember("accounts"); a != doc.MemberEnd()) {
            if (!a->value.IsArray()) return bad("accounts: expected an array of agent logins");
            for (auto& v : a->value.GetArray()) {
                const int k = v.IsString() ? c.account_index(text(v)) : -1;
                if (k < 0 || k >= 64) return bad("accounts: not an agent login of client " + c.name);
                lock.accounts |= 1ULL << k;
            }
        } else if (lock.type == k_agency_lock) {
            lock.accounts = 1;  // the client's first account
        }
        if (auto done = cs.lock_seats(inst, slots, lock); !done) return error_response(done.error());
        j.w.StartObject();
        j.kv("instance", id).key("lockType").w.StartObject();
        j.kv("id", c.lock_types[lock.type].id).kv("name", c.lock_types[lock.type].name);
        j.w.EndObject();
        j.key("seats").w.StartArray();
        for (auto s : slots) j.w.String(seat_id(p, s).c_str());
        j.w.EndArray();
        write_accounts(j, c, lock.accounts);
        j.w.EndObject();
        return json_response(200, j.take());
    }
    return error_response(api_fail(404, 0, "instance not found"));
}

}  // namespace agentd::sim
