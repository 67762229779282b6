// tests/support/control_fake_backend: an in-memory control::backend for unit and integration
// tests of the local API. It keeps the backend contract (control/backend.hpp): idempotent
// create per (channel, key), not_found for unknown ids, conflict for forbidden transitions,
// feed rows with increasing seq and a notification after each. Tests drive the queue worker's
// part by hand with `transition`. Header-only so it needs no Asio in agentd_test_support.
// Thread-safe: one mutex (the server thread calls it while the test thread drives it).
#pragma once

#include "agentd/api/json.hpp"
#include "agentd/control/backend.hpp"

#include <functional>
#include <map>
#include <mutex>

namespace agentd::test {

class control_fake_backend final : public control::backend {
public:
    std::function<void(std::uint64_t)> on_feed;  // set to server.notify_feed
    std::string client = "royalcourt";
    std::string instance_id = "67201AVC";
    std::string event_name = "The Seagull";  // tests of hostile text set their own

    result<api::health> health() override {
        api::health h;
        h.status = "ok";
        h.version = "test";
        h.uptime_seconds = 42;
        h.ready = true;
        h.sync = {true, 1, 1, 1, 1};
        h.clients = clients().value();
        std::lock_guard l(mu_);
        h.queue.depth = static_cast<std::int64_t>(res_.size());
        std::map<std::string, std::int64_t> by;
        for (auto& [id, r] : res_) ++by[r.state];
        for (auto& [k, v] : by) h.queue.by_state.emplace_back(k, v);
        return h;
    }
    result<std::vector<api::client_state>> clients() override {
        return std::vector<api::client_state>{{client, "ok", "2026-11-26T21:00:00Z", std::nullopt, 3.5, 117}};
    }
    result<std::vector<api::event>> events(const api::event_query& q) override {
        if (q.client != client) return fail(errc::not_found, "list events: unknown client " + q.client);
        return std::vector<api::event>{{"1201AVC", client, event_name, "Chekhov", "2026-12-01T19:30:00Z",
                                        "2026-12-20T19:30:00Z", true}};
    }
    result<std::vector<api::instance_summary>> instances(const api::instance_query& q) override {
        if (q.client != client) return fail(errc::not_found, "list instances: unknown client " + q.client);
        return std::vector<api::instance_summary>{{instance_id, client, "1201AVC", event_name, "2026-12-01T19:30:00",
                                                   "2026-12-01T19:30:00Z", true, false, 118}};
    }
    result<api::instance> instance(std::string_view c, std::string_view id) override {
        if (c != client || id != instance_id) return fail(errc::not_found, "get instance " + std::string(id) + ": not found");
        api::instance i;
        i.id = instance_id;
        i.client = client;
        i.event = "1201AVC";
        i.event_name = event_name;
        i.start = "2026-12-01T19:30:00";
        i.start_utc = "2026-12-01T19:30:00Z";
        i.plan = "P1";
        i.on_sale = true;
        i.prices = {{"7801", "1AHG", "Adult", "35.00"}, {"7801", "2AHG", "Concession", "28.50"}};
        i.avail = {118, 120, 2, {{"A1", "Stalls", 70, 70}, {"A2", "Circle", 48, 50}}};
        i.availability_age = 4.2;
        i.availability_confirmed_at = "2026-11-26T21:39:56Z";
        return i;
    }
    result<api::seat_plan> seats(std::string_view c, std::string_view id) override {
        if (c != client || id != instance_id) return fail(errc::not_found, "get seats " + std::string(id) + ": not found");
        api::seat_plan p{instance_id, "P1", "2026-11-26T21:39:56Z", {}};
        p.seats.push_back({"53613", "A1", "A1", "A", "7801", "available", 10.0, 20.0});
        p.seats.push_back({"53614", "A2", "A1", "A", "7801", "sold", 11.0, 20.0});
        return p;
    }

    boost::asio::awaitable<result<api::created_reservation>> create_reservation(
        std::string channel, std::string key, api::reservation_request req) override {
        co_return create_now(std::move(channel), std::move(key), std::move(req));
    }
    result<api::created_reservation> create_now(std::string channel, std::string key, api::reservation_request req) {
        std::uint64_t seq = 0;
        api::created_reservation out;
        {
            std::lock_guard l(mu_);
            auto k = channel + "\n" + key;
            if (auto it = keys_.find(k); it != keys_.end()) {
                auto& r = res_.at(it->second);
                if (api::to_json(r.request) != api::to_json(req))
                    return fail(errc::conflict, "create reservation: Idempotency-Key " + key + " was used for another request");
                return api::created_reservation{r, true};
            }
            if (req.client != client) return fail(errc::not_found, "create reservation: unknown client " + req.client);
            if (req.instance != instance_id) return fail(errc::not_found, "create reservation: unknown instance " + req.instance);
            api::reservation r;
            r.id = "r_" + std::to_string(++next_id_);
            r.channel = channel;
            r.state = "queued";
            r.version = 1;
            r.client = req.client;
            r.instance = req.instance;
            r.request = std::move(req);
            r.created_at = r.updated_at = "2026-11-26T21:30:00Z";
            keys_[k] = r.id;
            res_[r.id] = r;
            history_[r.id].push_back({1, "queued", r.created_at, "accepted"});
            seq = append_locked("reservation", feed_data(r));
            out.reservation = r;
        }
        if (on_feed) on_feed(seq);
        return out;
    }
    result<api::reservation> reservation(std::string_view id) override {
        std::lock_guard l(mu_);
        auto it = res_.find(std::string(id));
        // The daemon's own wording, which differs from the server's "not yours" answer.
        if (it == res_.end()) return fail(errc::not_found, "get reservation " + std::string(id) + ": unknown id");
        return it->second;
    }
    result<std::vector<api::reservation>> reservations(const api::reservation_filter& f) override {
        std::lock_guard l(mu_);
        std::vector<api::reservation> out;
        for (auto& [id, r] : res_)
            if ((!f.state || r.state == *f.state) && (!f.channel || r.channel == *f.channel) && (!f.client || r.client == *f.client))
                out.push_back(r);
        return out;
    }
    result<std::vector<api::history_entry>> reservation_history(std::string_view id) override {
        std::lock_guard l(mu_);
        auto it = history_.find(std::string(id));
        if (it == history_.end()) return fail(errc::not_found, "get history " + std::string(id) + ": not found");
        return it->second;
    }
    boost::asio::awaitable<result<api::reservation>> confirm_reservation(std::string id, api::confirm_request) override {
        co_return step(id, {"held"}, "confirming");
    }
    boost::asio::awaitable<result<api::reservation>> extend_reservation(std::string id, api::extend_request) override {
        co_return step(id, {"held"}, "held");
    }
    boost::asio::awaitable<result<api::reservation>> release_reservation(std::string id) override {
        auto r = reservation(id);
        if (r && r->state == "queued") co_return step(id, {"queued"}, "cancelled");
        co_return step(id, {"held"}, "releasing");
    }

    // The queue worker's part: move a reservation to `state` (new version, history, feed row).
    result<api::reservation> transition(const std::string& id, const std::string& state) {
        std::uint64_t seq = 0;
        api::reservation out;
        {
            std::lock_guard l(mu_);
            auto it = res_.find(id);
            if (it == res_.end()) return fail(errc::not_found, "transition " + id + ": not found");
            auto& r = it->second;
            r.state = state;
            ++r.version;
            if (state == "held") {
                r.seats = {{"53613", "A1", "A1", "7801", "1AHG", "35.00", std::nullopt}};
                r.total = "35.00";
                r.expires_at = "2026-11-26T21:40:00Z";
            }
            history_[id].push_back({r.version, state, "2026-11-26T21:31:00Z", ""});
            seq = append_locked("reservation", feed_data(r));
            out = r;
        }
        if (on_feed) on_feed(seq);
        return out;
    }

    // Appends one feed row as the daemon's sync or another part would (kind and JSON data).
    void add_feed_row(std::string kind, std::string data) {
        std::uint64_t seq;
        {
            std::lock_guard l(mu_);
            seq = append_locked(std::move(kind), std::move(data));
        }
        if (on_feed) on_feed(seq);
    }

    // Appends `n` feed rows of `bytes` padding each, notifying after each row.
    void add_feed_rows(int n, std::size_t bytes) {
        for (int i = 0; i < n; ++i) {
            std::uint64_t seq;
            {
                std::lock_guard l(mu_);
                seq = append_locked("availability", "{\"pad\":\"" + std::string(bytes, 'x') + "\"}");
            }
            if (on_feed) on_feed(seq);
        }
    }

    result<std::vector<api::feed_event>> feed_since(std::uint64_t seq, std::size_t limit) override {
        std::lock_guard l(mu_);
        std::vector<api::feed_event> out;
        for (auto& e : feed_) {
            if (e.seq <= seq) continue;
            if (out.size() >= limit) break;
            out.push_back(e);
        }
        return out;
    }
    result<api::metrics_snapshot> metrics() override {
        api::metrics_snapshot s;
        s.samples.push_back({"agentd_sync_lag_seconds", "Seconds since the last successful sync.", "gauge", {{"client", client}}, 3.5});
        s.samples.push_back({"agentd_budget_left", "Upstream requests left in the budget.", "gauge", {{"client", client}}, 117});
        s.samples.push_back({"agentd_queue_depth", "Reservations not in a final state.", "gauge", {}, 0});
        return s;
    }
    boost::asio::awaitable<result<api::admin_sync_answer>> request_sync(api::admin_sync_request req) override {
        if (req.client != client) co_return fail(errc::not_found, "request sync: unknown client " + req.client);
        co_return api::admin_sync_answer{true, "refresh scheduled"};
    }
    result<api::reconcile_report> reconcile() override {
        std::lock_guard l(mu_);
        api::reconcile_report rep;
        for (auto& [id, r] : res_)
            if (r.state == "confirm_unknown") rep.confirm_unknown.push_back(r);
        rep.orphan_baskets.push_back({client, "B-77", "2026-11-26T20:00:00Z"});
        return rep;
    }
    // A fixed book of two sales, enough for the documented examples.
    result<api::ledger_report> ledger(const api::ledger_query& q) override {
        api::ledger_report r;
        r.query = q;
        r.entries = 2;
        r.groups.push_back({client, client, "GBP", 2, 3, "106.50", "10.65", "95.85"});
        r.totals.push_back({"GBP", "GBP", "GBP", 2, 3, "106.50", "10.65", "95.85"});
        return r;
    }
    result<api::ledger_entries> ledger_entries(const api::ledger_query& q) override {
        if (!q.client) return fail(errc::invalid_argument, "ledger entries: a client is required");
        api::ledger_entries l;
        l.client = *q.client;
        l.currency = "GBP";
        l.timezone = "Europe/London";
        api::ledger_entry e;
        e.entry = 1;
        e.kind = "sale";
        e.order_id = "O1";
        e.reservation = "r_1";
        e.channel = "web";
        e.confirmed_at = "2026-11-26T20:00:00.000Z";
        e.confirmed_local = "2026-11-26T20:00:00+00:00";
        e.settled_by = "upstream_order";
        e.amounts_from = "order";
        e.tickets = 2;
        e.face = "71.00";
        e.commission = "7.10";
        e.net = "63.90";
        l.entries.push_back(e);
        return l;
    }
    boost::asio::awaitable<result<api::reservation>> resolve_reservation(std::string id, api::resolve_request req) override {
        std::lock_guard l(mu_);
        auto it = res_.find(id);
        if (it == res_.end()) co_return fail(errc::not_found, "resolve reservation: no such reservation");
        if (it->second.state != "confirm_unknown")
            co_return fail(errc::conflict, "resolve reservation in state " + it->second.state + ": not allowed");
        it->second.state = req.sold ? "confirmed" : "releasing";
        if (req.sold) it->second.order_id = req.order_id;
        co_return it->second;
    }

    std::uint64_t feed_head() {
        std::lock_guard l(mu_);
        return feed_.empty() ? 0 : feed_.back().seq;
    }

private:
    result<api::reservation> step(const std::string& id, std::vector<std::string> from, const std::string& to) {
        {
            std::lock_guard l(mu_);
            auto it = res_.find(id);
            if (it == res_.end()) return fail(errc::not_found, "get reservation " + id + ": not found");
            bool ok = false;
            for (auto& f : from) ok = ok || it->second.state == f;
            if (!ok) return fail(errc::conflict, "reservation " + id + ": cannot go from " + it->second.state + " to " + to);
        }
        return transition(id, to);
    }
    // What the daemon's store writes for a reservation transition (store/reservation_store.cpp).
    static std::string feed_data(const api::reservation& r) {
        return api::to_json(api::feed_reservation{r.id, r.channel, r.state, r.version});
    }
    std::uint64_t append_locked(std::string kind, std::string data) {
        feed_.push_back({++seq_, std::move(kind), std::move(data)});
        return seq_;
    }

    std::mutex mu_;
    std::map<std::string, api::reservation> res_;
    std::map<std::string, std::string> keys_;
    std::map<std::string, std::vector<api::history_entry>> history_;
    std::vector<api::feed_event> feed_;
    std::uint64_t seq_ = 0;
    int next_id_ = 0;
};

}  // namespace agentd::test
