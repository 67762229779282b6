// Fault selection and the faults a real backend behind a gateway produces: writes answered
// with an error and applied anyway, now (after-commit errors, commit_drop) or later (late
// apply, on the simulator's own timer). The rules are in sim/README.md ("Faults").
// Threading: everything here runs under the simulator mutex.
#include "agentd/log/log.hpp"
#include "sim/api_call.hpp"
#include "sim/json_write.hpp"

#include <algorithm>

namespace agentd::sim {

namespace {

constexpr std::size_t k_late_history = 10000;  // finished late writes kept for /_sim/late

}  // namespace

struct simulator::fault_choice {
    fault_rule* rule = nullptr;
    bool certain = false;  // chosen by nth: each non-zero probability counts as 1
};

simulator::fault_choice simulator::choose_fault(std::string_view client, const call& c, std::string_view method) {
    fault_choice found;
    for (auto& f : faults_) {
        bool endpoint = f.endpoint == "*" || f.endpoint == c.endpoint || (f.endpoint == "writes" && method != "GET");
        if (!(f.client == "*" || f.client == client) || !endpoint) continue;
        ++f.matched;
        if (f.nth > 0 && !(f.matched == f.nth || (f.persist && f.matched > f.nth))) continue;
        // The last selected rule wins, so later PUTs refine earlier ones; an nth rule that does
        // not select this request leaves it to the rules before it.
        found = {&f, f.nth > 0};
    }
    return found;
}

http_response simulator::answer(call& c, const http_request& r, std::string_view query) {
    auto choice = choose_fault(c.c->name, c, r.method);
    const fault_spec* f = choice.rule ? &choice.rule->spec : nullptr;
    std::chrono::milliseconds delay{0};
    bool truncate = false, malformed = false, drop = false, after500 = false, after503 = false;
    if (f) {
        delay = std::chrono::milliseconds(std::int64_t(f->latency_ms + f->latency_jitter_ms * rng_.unit()));
        // A zero probability draws nothing, so adding a fault kind keeps the draws (and thus
        // the runs) of existing seeds and rules as they were.
        bool fired = false;
        auto roll = [&](double p) {
            bool hit = p > 0 && (choice.certain || rng_.unit() < p);
            if (hit && !fired) ++choice.rule->fired;
            fired = fired || hit;
            return hit;
        };
        auto early = [&](http_response resp) {
            resp.delay += delay;
            count(c.endpoint, resp.status);
            return resp;
        };
        if (roll(f->reset)) {
            http_response resp;
            resp.fault = transport_fault::reset;
            resp.status = 0;
            return early(resp);
        }
        if (roll(f->p429)) {
            auto resp = error_response(api_fail(429, 0, "Too many requests."));
            resp.headers.emplace_back("Retry-After", "1");
            return early(resp);
        }
        if (roll(f->p500)) return early(error_response(api_fail(500, 0, "An error has occurred.")));
        if (roll(f->p503)) return early(error_response(api_fail(503, 0, "Service unavailable.")));
        if (roll(f->late_apply)) {
            // Reads have nothing to apply: they only get the gateway's answer.
            if (r.method != "GET") {
                late_write w;
                w.seq = ++late_seq_;
                w.client_index = c.client_index;
                w.account = c.account;
                w.method = r.method;
                w.endpoint = c.endpoint;
                w.query = std::string(query);
                w.body = std::string(c.body);
                w.seg = c.seg;
                w.due = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::int64_t(f->late_apply_ms));
                w.received = c.now;
                if (w.seg.size() >= 2 && w.seg[0] == "baskets") w.basket = w.seg[1];
                // Pending writes stay ahead of the history, in arrival order.
                auto pos = std::find_if(late_.begin(), late_.end(), [](const late_write& x) { return x.done; });
                late_.insert(pos, std::move(w));
            }
            auto resp = error_response(api_fail(504, 0, "The gateway timed out waiting for the server."));
            if (f->late == late_mode::hold) resp.delay = std::chrono::milliseconds(std::int64_t(f->late_hold_ms));
            return early(resp);
        }
        after500 = roll(f->p500_after_commit);
        after503 = !after500 && roll(f->p503_after_commit);
        truncate = roll(f->truncate);
        malformed = roll(f->malformed);
        drop = roll(f->commit_drop);
        if (after500 || after503) drop = truncate = malformed = false;  // one fault per answer, in README order
    }

    http_response resp;
    if (!parse_query(query, c.query)) resp = error_response(api_fail(400, 0, "The request is invalid: bad query string."));
    else resp = dispatch(c);
    if (after500) resp = error_response(api_fail(500, 0, "An error has occurred."));
    else if (after503) resp = error_response(api_fail(503, 0, "Service unavailable."));
    count(c.endpoint, resp.status);
    resp.delay = delay;
    if (drop) resp.fault = transport_fault::drop;
    else if (truncate) resp.fault = transport_fault::truncate;
    else if (malformed) resp.body = resp.body.substr(0, resp.body.size() / 2) + "\x01}{,";
    return resp;
}

void simulator::run_late(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mu_);
    run_late_locked(now);
}

std::optional<std::chrono::steady_clock::time_point> simulator::next_late_due() const {
    std::lock_guard lock(mu_);
    std::optional<std::chrono::steady_clock::time_point> next;
    for (auto& w : late_) {
        if (w.done) break;
        if (!next || w.due < *next) next = w.due;
    }
    return next;
}

void simulator::run_late_locked(std::chrono::steady_clock::time_point now) {
    // Due writes are applied in arrival order, each through the same handlers (and thus the
    // same state machine) as a request arriving now: a seat taken meanwhile, a basket confirmed,
    // cleared or expired meanwhile all give the apply its ordinary error, which only the audit
    // sees.
    std::vector<late_write> finished;
    for (auto it = late_.begin(); it != late_.end() && !it->done;) {
        if (it->due > now) {
            ++it;
            continue;
        }
        late_write w = std::move(*it);
        it = late_.erase(it);
        call c;
        c.client_index = w.client_index;
        c.c = &world_.clients[c.client_index];
        c.cs = states_[c.client_index].get();
        c.account = w.account;
        c.seg = w.seg;
        c.endpoint = w.endpoint;
        c.body = w.body;
        c.now = clock_.now();
        http_response resp;
        if (!parse_query(w.query, c.query)) resp = error_response(api_fail(400, 0, "The request is invalid: bad query string."));
        else resp = dispatch(c);
        w.done = true;
        w.applied = c.now;
        w.status = resp.status;
        rapidjson::Document d;
        d.Parse<rapidjson::kParseIterativeFlag>(resp.body.c_str());
        if (!d.HasParseError() && d.IsObject()) {
            if (resp.status >= 400 && d.HasMember("message") && d["message"].IsString()) w.message = d["message"].GetString();
            if (w.endpoint == "create_basket" && d.HasMember("id") && d["id"].IsString()) w.basket = d["id"].GetString();
        }
        log::info("sim", "late", "late write applied",
                  {{"client", c.c->name}, {"endpoint", w.endpoint}, {"status", w.status}, {"basket", w.basket}});
        finished.push_back(std::move(w));
    }
    for (auto& w : finished) late_.push_back(std::move(w));
    std::size_t done = 0;
    for (auto& w : late_) done += w.done;
    while (done > k_late_history) {
        auto first_done = std::find_if(late_.begin(), late_.end(), [](const late_write& x) { return x.done; });
        late_.erase(first_done);
        --done;
    }
}

http_response simulator::late_audit() const {
    auto steady = std::chrono::steady_clock::now();
    json_out j;
    std::uint32_t pending = 0, applied = 0;
    for (auto& w : late_) (w.done ? applied : pending) += 1;
    j.w.StartObject();
    j.kv("pending", pending).kv("applied", applied);
    j.key("writes").w.StartArray();
    for (auto& w : late_) {
        auto& c = world_.clients[w.client_index];
        j.w.StartObject();
        j.key("seq").w.Uint64(w.seq);
        j.kv("client", c.name).kv("account", c.accounts[std::size_t(w.account)].login);
        j.kv("endpoint", w.endpoint).kv("method", w.method);
        std::string path;
        for (auto& s : w.seg) path += (path.empty() ? "" : "/") + s;
        j.kv("path", w.query.empty() ? path : path + "?" + w.query);
        if (w.basket.empty()) j.null("basket");
        else j.kv("basket", w.basket);
        j.kv("receivedUtc", iso_utc(w.received));
        j.kv("state", w.done ? "applied" : "pending");
        if (w.done) {
            j.kv("appliedUtc", iso_utc(w.applied)).kv("status", w.status);
            if (w.message.empty()) j.null("message");
            else j.kv("message", w.message);
        } else {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w.due - steady).count();
            j.kv("dueInMs", std::int64_t(std::max<std::int64_t>(0, left)));
        }
        j.w.EndObject();
    }
    j.w.EndArray();
    j.w.EndObject();
    return json_response(200, j.take());
}

}  // namespace agentd::sim
