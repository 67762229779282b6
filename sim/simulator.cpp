// Request routing, signature check, rate limit and background work (see simulator.hpp); the
// faults are applied in faults.cpp.
#include "sim/simulator.hpp"

#include "agentd/log/log.hpp"
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include <rapidjson/error/en.h>

#include <cmath>

namespace agentd::sim {

sim_clock::sim_clock(double scale)
    : start_wall_(std::chrono::system_clock::now()), start_steady_(std::chrono::steady_clock::now()), scale_(scale) {}

sys_time sim_clock::now() const noexcept {
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_steady_).count() * scale_;
    return start_wall_ + std::chrono::duration_cast<sys_time::duration>(std::chrono::duration<double>(elapsed)) +
           std::chrono::seconds(offset_.load());
}

http_response json_response(int status, std::string body) {
    http_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

http_response error_response(const api_error& e) {
    json_out j;
    j.w.StartObject();
    j.kv("message", e.message);
    if (e.code != 0) j.kv("errorCode", e.code);
    j.w.EndObject();
    return json_response(e.status, j.take());
}

outcome<void> parse_body(std::string_view body, rapidjson::Document& doc) {
    // Iterative: a body of nothing but brackets must not recurse a stack frame per level.
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (doc.HasParseError())
        return api_fail(400, 0, std::string("The request is invalid: malformed JSON (") +
                                    rapidjson::GetParseError_En(doc.GetParseError()) + ").");
    return {};
}

std::string percent_decode(std::string_view s, bool& ok) {
    ok = true;
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out.push_back(' ');
        else if (s[i] == '%') {
            auto hex = [](char ch) -> int {
                if (ch >= '0' && ch <= '9') return ch - '0';
                if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
                if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
                return -1;
            };
            if (i + 2 >= s.size()) {
                ok = false;
                return {};
            }
            int a = hex(s[i + 1]), b = hex(s[i + 2]);
            if (a < 0 || b < 0) { ok = false; return {}; }
            out.push_back(char(a * 16 + b));
            i += 2;
        } else out.push_back(s[i]);
    }
    return out;
}

bool parse_query(std::string_view q, std::map<std::string, std::string>& out) {
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        bool ok1 = true, ok2 = true;
        auto k = percent_decode(part.substr(0, eq), ok1);
        auto v = eq == std::string_view::npos ? std::string{} : percent_decode(part.substr(eq + 1), ok2);
        if (!ok1 || !ok2) return false;
        out[k] = v;
    }
    return true;
}

outcome<std::uint32_t> visible_instance(const client& c, std::string_view id) {
    auto it = c.instance_by_id.find(std::string(id));
    if (it == c.instance_by_id.end()) return api_fail(404, 0, "Instance not found.");
    if (!c.instances[it->second].agent_visible) return api_fail(403, 0, "This instance is not available to agents.");
    return outcome<std::uint32_t>(boost::system::in_place_value, it->second);
}

outcome<bool> include_locked(const std::map<std::string, std::string>& query) {
    auto it = query.find("includeLocked");
    if (it == query.end() || it->second == "false" || it->second == "False") return {boost::system::in_place_value, false};
    if (it->second == "true" || it->second == "True") return {boost::system::in_place_value, true};
    return api_fail(400, 0, "The request is invalid: includeLocked must be true or false.");
}

bool on_sale_to_agents(const instance& in, sys_time now) {
    return !in.cancelled && in.agent_on_sale && now >= in.agent_sell_from && now < in.start;
}

simulator::simulator(world w, const settings& s)
    : world_(std::move(w)), settings_(s), clock_(s.time_scale), rng_(s.seed ^ 0x5eed), public_rate_(s.public_sales_rate),
      last_tick_(std::chrono::steady_clock::now()) {
    policy_.ttl = std::chrono::duration_cast<sys_time::duration>(std::chrono::duration<double>(s.basket_ttl));
    policy_.sliding = s.ttl_sliding;
    sig_policy_.skew = std::chrono::seconds(s.skew_seconds);
    sig_policy_.accept_empty_body_hash = s.accept_empty_body_hash;
    faults_ = s.faults;
    for (std::size_t i = 0; i < world_.clients.size(); ++i) {
        states_.push_back(std::make_unique<client_state>(world_.clients[i], s.seed, s.initial_locks && s.size != size_preset::tiny,
                                                         lock_plan{s.agency_lock_seats, s.agency_lock_accounts}));
        public_budget_.push_back(0);
    }
}

void simulator::count(std::string_view endpoint, int status) { ++stats_[{std::string(endpoint), status}]; }

void simulator::request_started() {
    const int now = ++in_flight_;
    int seen = in_flight_max_.load();
    while (now > seen && !in_flight_max_.compare_exchange_weak(seen, now)) {
    }
}

void simulator::request_finished() { --in_flight_; }

namespace {

std::string route(const std::string& method, const std::vector<std::string>& s) {
    auto n = s.size();
    if (n == 0) return "unknown";
    const auto& a = s[0];
    if (method == "GET") {
        if (a == "events" && n == 1) return "events";
        if (a == "events" && n == 2) return "event";
        if (a == "events" && n == 3 && s[2] == "instances") return "event_instances";
        if (a == "instances" && n == 2) return "instance";
        if (a == "instances" && n == 3 && s[2] == "price-list") return "price_list";
        if (a == "instances" && n == 3 && s[2] == "plan") return "plan";
        if (a == "instances" && n == 3 && s[2] == "status") return "status";
        if (a == "instances" && n == 5 && s[2] == "status" && s[3] == "areas") return "area_status";
        if (a == "instances" && n == 4 && s[2] == "status" && s[3] == "seats") return "seat_status";
        if (a == "instances" && n == 3 && s[2] == "best-available") return "best_available";
        if (a == "baskets" && n == 2) return "get_basket";
        if (a == "orders" && n == 2) return "order";
    } else if (method == "POST") {
        if (a == "baskets" && n == 1) return "create_basket";
        if (a == "baskets" && n == 3 && s[2] == "tickets") return "add_tickets";
        if (a == "baskets" && n == 4 && s[2] == "tickets" && s[3] == "best-available") return "add_best_available";
        if (a == "baskets" && n == 3 && s[2] == "clear") return "clear_basket";
        if (a == "baskets" && n == 3 && s[2] == "confirm") return "confirm";
    } else if (method == "PATCH") {
        if (a == "baskets" && n == 2) return "patch_basket";
    } else if (method == "DELETE") {
        if (a == "baskets" && n == 3 && s[2] == "tickets") return "remove_tickets";
    }
    return "unknown";
}

std::vector<std::string> split_path(std::string_view p) {
    std::vector<std::string> out;
    while (!p.empty()) {
        auto slash = p.find('/');
        auto part = p.substr(0, slash);
        if (!part.empty()) out.emplace_back(part);
        if (slash == std::string_view::npos) break;
        p.remove_prefix(slash + 1);
    }
    return out;
}

}  // namespace

http_response simulator::handle(const http_request& r) {
    std::string_view target = r.target;
    auto qpos = target.find('?');
    auto path = target.substr(0, qpos);
    auto query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
    if (path == "/_sim" || path.substr(0, 6) == "/_sim/") {
        if (!r.loopback) return error_response(api_fail(403, 0, "The control API answers loopback clients only."));
        return control(r, path, query);
    }
    return api(r, path, query);
}

http_response simulator::api(const http_request& r, std::string_view path, std::string_view query) {
    auto seg = split_path(path);
    std::lock_guard lock(mu_);
    if (seg.size() < 3 || seg[1] != "api" || seg[2] != "v3") {
        count("unknown", 404);
        return error_response(api_fail(404, 0, "No HTTP resource was found that matches the request URI."));
    }
    auto cit = world_.client_by_name.find(seg[0]);
    if (cit == world_.client_by_name.end()) {
        count("unknown_client", 404);
        return error_response(api_fail(404, 0, "Unknown client " + seg[0].substr(0, 64) + "."));
    }
    // Every request counts, signed or not: it reached the venue.
    nodes_.note(std::string(seg[0]), r.node, std::chrono::steady_clock::now());
    call c;
    c.client_index = cit->second;
    c.c = &world_.clients[c.client_index];
    c.cs = states_[c.client_index].get();
    c.seg.assign(seg.begin() + 3, seg.end());
    c.endpoint = route(r.method, c.seg);
    c.body = r.body;
    c.now = clock_.now();

    // A venue down for maintenance answers nothing else, signed or not.
    if (auto m = maintenance_.find(c.c->name); m != maintenance_.end() && m->second.on) {
        ++(r.method == "GET" ? m->second.refused_reads : m->second.refused_writes);
        count(c.endpoint, 503);
        return error_response(api_fail(503, 0, "The service is unavailable: scheduled maintenance."));
    }

    // Signature (docs/upstream-contract.md, "Request signing") over the full URL as the client addressed us.
    std::string_view login, sig;
    int account = parse_authorization(r.authorization, login, sig) ? c.c->account_index(login) : -1;
    auto url = std::string(r.tls ? "https://" : "http://") + r.host + r.target;
    auto check = account < 0 ? signature_check::unknown_login
                             : verify({r.method, url, r.date, r.authorization, r.body}, c.c->accounts[std::size_t(account)].key,
                                      std::chrono::system_clock::now(), sig_policy_);
    if (check != signature_check::ok) {
        count(c.endpoint, 401);
        log::info("sim", "auth", "signature rejected", {{"client", c.c->name}, {"reason", to_string(check)}});
        return json_response(401, R"({"message":"Authorization has been denied for this request."})");
    }
    c.account = account;

    auto& bucket = buckets_[c.c->name + "/" + c.c->accounts[std::size_t(account)].login];
    auto steady = std::chrono::steady_clock::now();
    if (bucket.rate() != settings_.rate || bucket.burst() != std::max(1.0, settings_.burst))
        bucket = token_bucket(settings_.rate, settings_.burst, steady);
    if (settings_.rate > 0 && !bucket.try_take(steady)) {
        auto wait = std::chrono::duration<double>(bucket.wait_time(steady)).count();
        auto resp = error_response(api_fail(429, 0, "Too many requests."));
        resp.headers.emplace_back("Retry-After", std::to_string(std::max(1, int(std::ceil(wait)))));
        count(c.endpoint, 429);
        return resp;
    }

    return answer(c, r, query);
}

http_response simulator::dispatch(call& c) {
    const auto& e = c.endpoint;
    if (e == "events") return get_events(c);
    if (e == "event") return get_event(c);
    if (e == "event_instances") return get_event_instances(c);
    if (e == "instance") return get_instance(c);
    if (e == "price_list") return get_price_list(c);
    if (e == "plan") return get_plan(c);
    if (e == "status") return get_status(c, false);
    if (e == "area_status") return get_status(c, true);
    if (e == "seat_status") return get_seat_status(c);
    if (e == "best_available") return get_best_available(c);
    if (e == "create_basket") return create_basket(c);
    if (e == "get_basket") return get_basket(c);
    if (e == "patch_basket") return patch_basket(c);
    if (e == "add_tickets") return add_tickets(c);
    if (e == "add_best_available") return add_best_available(c);
    if (e == "remove_tickets") return remove_tickets(c);
    if (e == "clear_basket") return clear_basket(c);
    if (e == "confirm") return confirm(c);
    if (e == "order") return get_order(c);
    return error_response(api_fail(404, 0, "No HTTP resource was found that matches the request URI."));
}

void simulator::tick() {
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    auto steady = std::chrono::steady_clock::now();
    double dt = std::chrono::duration<double>(steady - last_tick_).count();
    last_tick_ = steady;
    run_late_locked(steady);
    for (std::size_t i = 0; i < states_.size(); ++i) {
        states_[i]->expire(now);
        if (public_rate_ <= 0) continue;
        public_budget_[i] = std::min(public_budget_[i] + public_rate_ * dt, public_rate_ + 1);
        auto& c = world_.clients[i];
        while (public_budget_[i] >= 1) {
            public_budget_[i] -= 1;
            auto inst = std::uint32_t(rng_.below(c.instances.size()));
            // Slightly more takes than returns so availability drifts down as in a real on-sale.
            if (rng_.unit() < 0.55) states_[i]->public_take(inst, 1, rng_);
            else if (states_[i]->public_return(inst, 1, rng_) == 0) states_[i]->public_take(inst, 1, rng_);
        }
    }
}

std::string simulator::ready_line(const std::string& base_url) const {
    json_out j;
    j.w.StartObject();
    j.kv("event", "ready").kv("base_url", base_url).kv("control_url", base_url + "/_sim");
    j.key("clients").w.StartArray();
    for (auto& c : world_.clients) {
        j.w.StartObject();
        j.kv("name", c.name);
        j.key("accounts").w.StartArray();
        for (auto& a : c.accounts) {
            j.w.StartObject();
            j.kv("login", a.login).kv("secret", a.secret_b64);
            j.w.EndObject();
        }
        j.w.EndArray();
        j.w.EndObject();
    }
    j.w.EndArray();
    j.w.EndObject();
    return j.take();
}

}  // namespace agentd::sim
