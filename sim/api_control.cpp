// The /_sim/ control and audit API (not Spektrix): unsigned, loopback only, plain JSON.
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include "agentd/core/money.hpp"
#include "agentd/core/time.hpp"

#include <algorithm>
#include <optional>

namespace agentd::sim {
namespace {

http_response bad(std::string msg) { return error_response(api_fail(400, 0, std::move(msg))); }

void write_seat_ref(json_out& j, const client& c, std::uint32_t inst, std::uint32_t slot) {
    auto& p = c.plans[c.instances[inst].plan];
    j.kv("instance", c.instances[inst].id).kv("seat", seat_id(p, slot)).kv("seatName", seat_name(p, slot));
    j.kv("area", p.areas[p.slots[slot].area].id);
}

// A ticket as the audits show it: what an outside check of "seat, price, customer and total
// agree" needs, without the API's presentation fields.
void write_audit_ticket(json_out& j, const client& c, const ticket& t, bool with_barcode) {
    j.w.StartObject();
    j.kv("id", t.id);
    write_seat_ref(j, c, t.instance, t.slot);
    j.kv("type", c.types[t.type].id).kv("band", c.bands[t.band].id);
    j.money("price", t.price).money("agentDiscount", agent_discount_of(c, t.price));
    if (with_barcode) j.kv("barcode", t.barcode);
    j.w.EndObject();
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
    std::string out = "\"";
    for (char ch : v) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

// The venue's statement of one client's orders confirmed in [from, to): what a venue invoices
// the agent for. Amounts are decimal in major units; net = total - agent discount.
http_response statement_csv(const client& c, const std::map<std::string, order>& orders, std::string_view account,
                            std::optional<sys_time> from, std::optional<sys_time> to) {
    std::vector<const order*> rows;
    for (auto& [id, o] : orders) {
        if (!account.empty() && c.accounts[std::size_t(o.account)].login != account) continue;
        if ((from && o.confirmed < *from) || (to && o.confirmed >= *to)) continue;
        rows.push_back(&o);
    }
    std::sort(rows.begin(), rows.end(), [](const order* a, const order* b) {
        return a->confirmed != b->confirmed ? a->confirmed < b->confirmed : a->id < b->id;
    });
    std::string out = "order_id,confirmed_at,tickets,total,agent_discount,net\r\n";
    for (const order* o : rows) {
        std::int64_t total = 0, discount = 0;
        for (auto& t : o->tickets) {
            total += t.price;
            discount += agent_discount_of(c, t.price);
        }
        out += csv_field(o->id) + "," + iso_utc(o->confirmed) + "," + std::to_string(o->tickets.size()) + "," +
               agentd::format_money(money{total}) + "," + agentd::format_money(money{discount}) + "," +
               agentd::format_money(money{total - discount}) + "\r\n";
    }
    http_response r;
    r.body = std::move(out);
    r.headers.emplace_back("Content-Type", "text/csv; charset=utf-8");
    return r;
}

}  // namespace

http_response simulator::control(const http_request& r, std::string_view path, std::string_view query) {
    std::map<std::string, std::string> q;
    if (!parse_query(query, q)) return bad("bad query string");
    std::string what(path.size() > 6 ? path.substr(6) : std::string_view{});
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    auto only = q.count("client") ? q["client"] : std::string{};
    auto only_account = q.count("account") ? q["account"] : std::string{};
    auto skip_account = [&](const client& c, int account) {
        return !only_account.empty() && c.accounts[std::size_t(account)].login != only_account;
    };
    json_out j;
    if (what == "locks") return control_locks(r, q);
    if (r.method == "GET" && what == "baskets") {
        for (auto& s : states_) s->expire(now);
        j.w.StartArray();
        for (std::size_t i = 0; i < states_.size(); ++i) {
            auto& c = world_.clients[i];
            if (!only.empty() && only != c.name) continue;
            for (auto& [id, b] : states_[i]->baskets()) {
                if (skip_account(c, b.account)) continue;
                j.w.StartObject();
                j.kv("client", c.name).kv("id", id).kv("account", c.accounts[std::size_t(b.account)].login);
                j.raw("agentCustomer", b.agent_customer).money("total", b.total());
                j.kv("createdUtc", iso_utc(b.created)).kv("lastTouchedUtc", iso_utc(b.touched));
                j.kv("expiresUtc", iso_utc(b.expires));
                j.key("tickets").w.StartArray();
                for (auto& t : b.tickets) write_audit_ticket(j, c, t, false);
                j.w.EndArray();
                j.w.EndObject();
            }
        }
        j.w.EndArray();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "statement") {
        if (only.empty()) return bad("statement needs client=");
        std::optional<sys_time> from, to;
        for (auto [key, into] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
            if (!q.count(key) || q[key].empty()) continue;
            auto t = parse_iso(q[key]);
            if (!t) return bad(std::string("statement: bad ") + key + " (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
            *into = *t;
        }
        for (std::size_t i = 0; i < states_.size(); ++i)
            if (world_.clients[i].name == only) return statement_csv(world_.clients[i], states_[i]->orders(), only_account, from, to);
        return error_response(api_fail(404, 0, "client not found"));
    }
    if (r.method == "GET" && what == "orders") {
        j.w.StartArray();
        for (std::size_t i = 0; i < states_.size(); ++i) {
            auto& c = world_.clients[i];
            if (!only.empty() && only != c.name) continue;
            for (auto& [id, o] : states_[i]->orders()) {
                if (skip_account(c, o.account)) continue;
                j.w.StartObject();
                j.kv("client", c.name).kv("id", id).kv("account", c.accounts[std::size_t(o.account)].login);
                j.kv("basket", o.basket_id).raw("agentCustomer", o.agent_customer).money("total", o.total());
                j.kv("confirmedUtc", iso_utc(o.confirmed));
                j.key("tickets").w.StartArray();
                for (auto& t : o.tickets) write_audit_ticket(j, c, t, true);
                j.w.EndArray();
                j.w.EndObject();
            }
        }
        j.w.EndArray();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "seats") {
        auto id = q["instance"];
        for (std::size_t i = 0; i < states_.size(); ++i) {
            auto& c = world_.clients[i];
            auto it = c.instance_by_id.find(id);
            if (it == c.instance_by_id.end()) continue;
            states_[i]->expire(now);
            auto& p = c.plans[c.instances[it->second].plan];
            j.w.StartArray();
            for (std::uint32_t s = 0; s < p.capacity(); ++s) {
                auto st = states_[i]->state(it->second, s);
                j.w.StartObject();
                j.kv("id", seat_id(p, s)).kv("name", seat_name(p, s)).kv("area", p.areas[p.slots[s].area].id);
                j.kv("status", to_string(st));
                auto h = states_[i]->holder_of(it->second, s);
                const basket* b = h && h->kind == holder_kind::basket ? states_[i]->basket_by_number(h->number) : nullptr;
                const order* o = h && h->kind == holder_kind::order ? states_[i]->order_by_number(h->number) : nullptr;
                if (b) j.kv("basket", b->id);
                else j.null("basket");
                if (o) j.kv("order", o->id);
                else j.null("order");
                if (b) j.kv("owner", c.accounts[std::size_t(b->account)].login);
                else if (o) j.kv("owner", c.accounts[std::size_t(o->account)].login);
                else if (h) j.kv("owner", "public");
                else j.null("owner");
                if (auto l = states_[i]->lock_of(it->second, s)) j.kv("lockType", c.lock_types[l->type].id);
                else if (st == seat_state::locked) j.kv("lockType", c.lock_types[k_house_lock].id);
                else j.null("lockType");
                j.w.EndObject();
            }
            j.w.EndArray();
            return json_response(200, j.take());
        }
        return error_response(api_fail(404, 0, "instance not found"));
    }
    if (r.method == "GET" && what == "late") return late_audit();
    if (r.method == "GET" && what == "invariants") {
        std::vector<std::string> v;
        for (auto& s : states_) {
            s->expire(now);
            auto more = s->invariants();
            v.insert(v.end(), more.begin(), more.end());
        }
        j.w.StartObject();
        j.kv("ok", v.empty());
        j.key("violations").w.StartArray();
        for (std::size_t k = 0; k < v.size() && k < 1000; ++k) j.str(v[k]);
        j.w.EndArray();
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "stats") {
        j.w.StartObject();
        j.key("requests").w.StartArray();
        for (auto& [k, n] : stats_) {
            j.w.StartObject();
            j.kv("endpoint", k.first).kv("status", k.second).key("count").w.Uint64(n);
            j.w.EndObject();
        }
        j.w.EndArray();
        j.kv("clients", std::uint32_t(world_.clients.size())).key("seats").w.Uint64(world_.total_slots());
        j.kv("nowUtc", iso_utc(now));
        j.key("maxInFlight").w.Int(in_flight_max_.load());
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "nodes") {
        // Milliseconds since the simulator started, so tests can compare without wall clocks.
        auto ms = [&](std::chrono::steady_clock::time_point t) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(t - nodes_.started()).count();
        };
        std::int64_t min_gap_ms = 1000;
        if (q.count("min_gap_ms")) {
            try {
                min_gap_ms = std::stoll(q["min_gap_ms"]);
            } catch (const std::exception&) {
                return bad("min_gap_ms: expected milliseconds");
            }
        }
        auto write_handover = [&](const node_log::handover& h) {
            j.w.StartObject();
            j.kv("client", h.client).kv("from", h.from).kv("to", h.to);
            j.key("gapMs").w.Int64(std::chrono::duration_cast<std::chrono::milliseconds>(h.gap).count());
            j.key("atMs").w.Int64(ms(h.at));
            j.w.EndObject();
        };
        j.w.StartObject();
        j.key("clients").w.StartArray();
        for (const auto& [client, ts] : nodes_.tenures()) {
            if (!only.empty() && client != only) continue;
            j.w.StartObject();
            j.kv("client", client);
            j.key("tenures").w.StartArray();
            for (const auto& t : ts) {
                j.w.StartObject();
                j.kv("node", t.node);
                j.key("firstMs").w.Int64(ms(t.first));
                j.key("lastMs").w.Int64(ms(t.last));
                j.key("requests").w.Uint64(t.requests);
                j.w.EndObject();
            }
            j.w.EndArray();
            j.w.EndObject();
        }
        j.w.EndArray();
        j.key("handovers").w.StartArray();
        for (const auto& h : nodes_.handovers())
            if (only.empty() || h.client == only) write_handover(h);
        j.w.EndArray();
        j.key("overlaps").w.StartArray();
        for (const auto& h : nodes_.overlaps(std::chrono::milliseconds(min_gap_ms)))
            if (only.empty() || h.client == only) write_handover(h);
        j.w.EndArray();
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "maintenance") {
        j.w.StartArray();
        for (auto& c : world_.clients) {
            if (!only.empty() && only != c.name) continue;
            auto m = maintenance_.count(c.name) ? maintenance_.at(c.name) : maintenance{};
            j.w.StartObject();
            j.kv("client", c.name).kv("on", m.on);
            j.key("refusedReads").w.Uint64(m.refused_reads);
            j.key("refusedWrites").w.Uint64(m.refused_writes);
            j.w.EndObject();
        }
        j.w.EndArray();
        return json_response(200, j.take());
    }
    if (r.method == "GET" && what == "faults") {
        j.w.StartArray();
        for (auto& f : faults_) {
            j.w.StartObject();
            j.kv("client", f.client).kv("endpoint", f.endpoint);
            for (auto& [k, v] : fault_numbers(f.spec)) j.key(k).w.Double(v);
            j.kv("late_mode", f.spec.late == late_mode::hold ? "hold" : "504");
            j.key("nth").w.Uint64(f.nth);
            j.kv("persist", f.persist);
            j.key("matched").w.Uint64(f.matched);
            j.key("fired").w.Uint64(f.fired);
            j.w.EndObject();
        }
        j.w.EndArray();
        return json_response(200, j.take());
    }
    rapidjson::Document doc;
    if (r.method != "GET") {
        if (auto p = parse_body(r.body.empty() ? std::string_view("{}") : std::string_view(r.body), doc); !p)
            return error_response(p.error());
        if (!doc.IsObject()) return bad("expected a JSON object");
    }
    auto num = [&](const char* k, double& out) -> bool {
        auto it = doc.FindMember(k);
        if (it == doc.MemberEnd()) return true;
        if (!it->value.IsNumber()) return false;
        out = it->value.GetDouble();
        return true;
    };
    auto str = [&](const char* k) -> std::string {
        auto it = doc.FindMember(k);
        return it != doc.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : "*";
    };
    if (r.method == "PUT" && what == "faults") {
        if (auto c = doc.FindMember("clear"); c != doc.MemberEnd() && c->value.IsBool() && c->value.GetBool()) {
            faults_.clear();
            return json_response(200, R"({"ok":true,"rules":0})");
        }
        fault_fields fields;
        for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
            fault_value v;
            auto& x = m->value;
            if (x.IsNumber()) v.is_number = true, v.number = x.GetDouble();
            if (x.IsInt64()) v.is_integer = true, v.integer = x.GetInt64();
            if (x.IsBool()) v.is_bool = true, v.boolean = x.GetBool();
            if (x.IsString()) v.is_string = true, v.text.assign(x.GetString(), x.GetStringLength());
            fields.emplace_back(std::string(m->name.GetString(), m->name.GetStringLength()), std::move(v));
        }
        auto rule = fault_from_fields(fields);
        if (!rule) return bad(rule.error().message);
        faults_.push_back(*rule);
        return json_response(200, R"({"ok":true,"rules":)" + std::to_string(faults_.size()) + "}");
    }
    if (r.method == "POST" && what == "maintenance") {
        auto name = str("client");
        auto on = doc.FindMember("on");
        if (on == doc.MemberEnd() || !on->value.IsBool()) return bad("maintenance needs \"on\": true or false");
        if (!world_.client_by_name.count(name)) return error_response(api_fail(404, 0, "client not found"));
        auto& m = maintenance_[name];
        m.on = on->value.GetBool();
        j.w.StartObject();
        j.kv("client", name).kv("on", m.on);
        j.key("refusedReads").w.Uint64(m.refused_reads);
        j.key("refusedWrites").w.Uint64(m.refused_writes);
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method == "POST" && what == "clock") {
        double s = 0;
        if (!num("advance_seconds", s) || s < 0 || s > 1e9) return bad("advance_seconds must be a non-negative number");
        clock_.advance(std::chrono::seconds(std::int64_t(s)));
        std::size_t expired = 0;
        for (auto& st : states_) expired += st->expire(clock_.now());
        j.w.StartObject();
        j.kv("nowUtc", iso_utc(clock_.now())).key("expired").w.Uint64(expired);
        j.w.EndObject();
        return json_response(200, j.take());
    }
    if (r.method == "POST" && what == "public-sales") {
        double rate = -1, take = 0, give = 0;
        if (!num("rate", rate) || !num("take", take) || !num("return", give) || take < 0 || give < 0 || take > 1e7 || give > 1e7)
            return bad("rate, take and return must be non-negative numbers");
        if (rate >= 0) public_rate_ = rate;
        std::uint32_t moved = 0;
        if (take > 0 || give > 0) {
            auto id = str("instance");
            bool found = false;
            for (std::size_t i = 0; i < states_.size(); ++i) {
                auto it = world_.clients[i].instance_by_id.find(id);
                if (it == world_.clients[i].instance_by_id.end()) continue;
                found = true;
                moved += states_[i]->public_take(it->second, std::uint32_t(take), rng_);
                moved += states_[i]->public_return(it->second, std::uint32_t(give), rng_);
            }
            if (!found) return error_response(api_fail(404, 0, "instance not found"));
        }
        j.w.StartObject();
        j.kv("moved", moved).key("rate").w.Double(public_rate_);
        j.w.EndObject();
        return json_response(200, j.take());
    }
    return error_response(api_fail(404, 0, "unknown control endpoint"));
}

}  // namespace agentd::sim
