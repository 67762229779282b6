// tests/support/fake_upstream: an in-memory upstream::client for unit tests of sync and
// reservations. It keeps a catalogue the test fills in, seat ownership, baskets and orders,
// and follows the contract of client.hpp (docs/upstream-contract.md): a taken seat is a 409 errorCode 20, all or
// nothing per add; confirming an empty basket is 409/101, confirming again 409/100; a confirmed
// or unknown basket answers 404. Faults are scripted per method, optionally after the change
// was applied ("commit then drop"). Header-only; io_context thread only.
#pragma once

#include "agentd/upstream/client.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace agentd::test {

class fake_upstream final : public upstream::client {
public:
    template <class T>
    using call = upstream::call<T>;
    using failure = upstream::failure;
    using error_class = upstream::error_class;
    using call_options = upstream::call_options;

    // Catalogue, filled in by the test. Keys are instance ids unless said otherwise.
    std::vector<upstream::event> events;
    std::map<std::string, std::vector<upstream::instance>> instances_by_event;
    std::map<std::string, upstream::price_list> price_lists;
    std::map<std::string, upstream::plan> plans;
    std::map<std::string, upstream::instance_status> statuses;
    bool seat_status_endpoint = true;

    // State the test may inspect.
    std::map<std::string, std::set<std::string>> taken;  // instance -> seats held or sold
    std::map<std::string, upstream::basket> baskets;
    std::map<std::string, upstream::order> orders;
    std::vector<std::string> calls;                       // method names, in call order
    std::vector<upstream::call_options> options_seen;
    // Called as each call enters, before it is applied: a test may move a manual clock here to
    // stand for the time a call spends in flight (its send time is then before its answer).
    std::function<void(const std::string& method)> on_call;

    // The next call of `method` fails with `f`; with `apply_first` the change is made first
    // (the answer is lost after the commit).
    void fail_next(std::string method, failure f, bool apply_first = false) {
        faults_[std::move(method)].push_back({std::move(f), apply_first});
    }
    void clear_faults() { faults_.clear(); }
    static failure transient(std::string m = "fake: 503") { return failure{error_class::transient, 503, 0, std::move(m)}; }
    // A call that provably never left (no budget token, connection refused): nothing applied.
    static failure not_sent(std::string m = "fake: not sent") {
        return failure{error_class::transient, 0, 0, std::move(m), false};
    }

    call<std::vector<upstream::event>> list_events(upstream::date_text, upstream::date_text, call_options o = {}) override {
        if (auto f = enter("list_events", o)) co_return *f;
        co_return events;
    }
    call<upstream::event> get_event(std::string id, call_options o = {}) override {
        if (auto f = enter("get_event", o)) co_return *f;
        for (const auto& e : events)
            if (e.id == id) co_return e;
        co_return not_found("get event " + id);
    }
    call<std::vector<upstream::instance>> list_instances(std::string event_id, upstream::date_text, upstream::date_text,
                                                         call_options o = {}) override {
        if (auto f = enter("list_instances", o)) co_return *f;
        auto it = instances_by_event.find(event_id);
        co_return it == instances_by_event.end() ? std::vector<upstream::instance>{} : it->second;
    }
    call<upstream::instance> get_instance(std::string id, call_options o = {}) override {
        if (auto f = enter("get_instance", o)) co_return *f;
        for (const auto& [e, list] : instances_by_event)
            for (const auto& i : list)
                if (i.id == id) co_return i;
        co_return not_found("get instance " + id);
    }
    call<upstream::price_list> get_price_list(std::string id, call_options o = {}) override {
        if (auto f = enter("get_price_list", o)) co_return *f;
        auto it = price_lists.find(id);
        if (it == price_lists.end()) co_return not_found("get price list of instance " + id);
        co_return it->second;
    }
    call<upstream::plan> get_plan(std::string id, call_options o = {}) override {
        if (auto f = enter("get_plan", o)) co_return *f;
        auto it = plans.find(id);
        if (it == plans.end()) co_return not_found("get plan of instance " + id);
        co_return it->second;
    }
    call<upstream::instance_status> get_instance_status(std::string id, call_options o = {}) override {
        if (auto f = enter("get_instance_status", o)) co_return *f;
        auto it = statuses.find(id);
        if (it == statuses.end()) co_return not_found("get status of instance " + id);
        co_return it->second;
    }
    call<upstream::instance_status> get_area_status(std::string id, std::string area_id, call_options o = {}) override {
        if (auto f = enter("get_area_status", o)) co_return *f;
        auto it = statuses.find(id);
        if (it == statuses.end()) co_return not_found("get status of instance " + id);
        for (const auto& a : it->second.areas)
            if (a.id == area_id) {
                upstream::instance_status s;
                s.name = a.name;
                s.counts = a.counts;
                s.bands = a.bands;
                co_return s;
            }
        co_return not_found("get status of area " + area_id);
    }
    call<std::vector<upstream::seat_status>> get_seat_status(std::string id, call_options o = {}) override {
        if (auto f = enter("get_seat_status", o)) co_return *f;
        if (!seat_status_endpoint) co_return not_found("get seat status of instance " + id);
        auto p = plans.find(id);
        if (p == plans.end()) co_return not_found("get seat status of instance " + id);
        std::vector<upstream::seat_status> out;
        for (const auto* s : seats_of(p->second))
            out.push_back({s->id, taken[id].count(s->id) ? upstream::seat_state::sold : upstream::seat_state::available, {}});
        co_return out;
    }
    call<std::vector<upstream::best_seat>> best_available(std::string id, int quantity, std::optional<std::string> band = std::nullopt,
                                                          std::optional<std::string> area = std::nullopt, call_options o = {}) override {
        if (auto f = enter("best_available", o)) co_return *f;
        auto p = plans.find(id);
        if (p == plans.end()) co_return not_found("find best available seats in instance " + id);
        std::vector<upstream::best_seat> out;
        collect_free(p->second, id, band, area, quantity, out);
        if (static_cast<int>(out.size()) < quantity)
            co_return failure{error_class::conflict, 409, 22, "find best available seats in instance " + id + ": 409 best available impossible (errorCode 22)"};
        co_return out;
    }
    call<upstream::basket> create_basket(call_options o = {}) override {
        auto f = enter_write("create_basket", o);
        if (f && !f->second) co_return f->first;
        upstream::basket b;
        b.id = "B" + std::to_string(++next_id_);
        b.hash = "h0";
        baskets[b.id] = b;
        if (f) co_return f->first;
        co_return b;
    }
    call<upstream::basket> get_basket(std::string id, call_options o = {}) override {
        if (auto f = enter("get_basket", o)) co_return *f;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("get basket " + id);
        co_return it->second;
    }
    call<upstream::basket> set_agent_customer(std::string id, upstream::agent_customer c, call_options o = {}) override {
        auto f = enter_write("set_agent_customer", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("set customer of basket " + id);
        it->second.customer = c;
        touch(it->second);
        if (f) co_return f->first;
        co_return it->second;
    }
    call<upstream::basket> touch_basket(std::string id, call_options o = {}) override {
        auto f = enter_write("touch_basket", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("touch basket " + id);
        touch(it->second);
        if (f) co_return f->first;
        co_return it->second;
    }
    call<std::vector<upstream::ticket>> add_tickets(std::string id, std::vector<upstream::new_ticket> t, call_options o = {}) override {
        auto f = enter_write("add_tickets", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("add tickets to basket " + id);
        for (const auto& n : t)
            if (n.seat_id && taken[n.instance_id].count(*n.seat_id))
                co_return failure{error_class::conflict, 409, 20, "add tickets to basket " + id + ": 409 seat unavailable (errorCode 20)"};
        std::vector<upstream::ticket> added;
        for (const auto& n : t) {
            upstream::ticket k;
            k.id = "T" + std::to_string(++next_id_);
            k.instance_id = n.instance_id;
            k.seat_id = n.seat_id;
            k.plan_id = n.area_id.value_or("");
            k.type_id = n.type_id;
            k.price = k.total = price_of(n.instance_id, n.type_id);
            if (n.seat_id) taken[n.instance_id].insert(*n.seat_id);
            added.push_back(k);
            it->second.tickets.push_back(k);
        }
        touch(it->second);
        if (f) co_return f->first;
        co_return added;
    }
    // Seats chosen as best_available does, added as add_tickets does, in one write.
    call<std::vector<upstream::ticket>> add_best_available(std::string id, std::string instance, int quantity, std::string type,
                                                           std::optional<std::string> band, call_options o = {}) override {
        auto f = enter_write("add_best_available", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("add best available seats to basket " + id);
        auto p = plans.find(instance);
        if (p == plans.end()) co_return not_found("add best available seats to basket " + id);
        std::vector<upstream::best_seat> free;
        collect_free(p->second, instance, band, std::nullopt, quantity, free);
        if (static_cast<int>(free.size()) < quantity)
            co_return failure{error_class::conflict, 409, 22, "add best available seats to basket " + id + ": 409 best available impossible (errorCode 22)"};
        std::vector<upstream::ticket> added;
        for (const auto& s : free) {
            upstream::ticket k;
            k.id = "T" + std::to_string(++next_id_);
            k.instance_id = instance;
            k.seat_id = s.id;
            k.band_id = s.band_id.value_or("");
            k.type_id = type;
            k.price = k.total = price_of(instance, type);
            taken[instance].insert(s.id);
            added.push_back(k);
            it->second.tickets.push_back(k);
        }
        touch(it->second);
        if (f) co_return f->first;
        co_return added;
    }
    call<void> remove_tickets(std::string id, std::vector<std::string> ids, call_options o = {}) override {
        auto f = enter_write("remove_tickets", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("remove tickets from basket " + id);
        auto& ts = it->second.tickets;
        for (auto t = ts.begin(); t != ts.end();) {
            if (std::find(ids.begin(), ids.end(), t->id) != ids.end()) {
                if (t->seat_id) taken[t->instance_id].erase(*t->seat_id);
                t = ts.erase(t);
            } else {
                ++t;
            }
        }
        touch(it->second);
        if (f) co_return f->first;
        co_return upstream::result<void>{};
    }
    call<void> clear_basket(std::string id, call_options o = {}) override {
        auto f = enter_write("clear_basket", o);
        if (f && !f->second) co_return f->first;
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("clear basket " + id);
        for (const auto& t : it->second.tickets)
            if (t.seat_id) taken[t.instance_id].erase(*t.seat_id);
        it->second.tickets.clear();
        touch(it->second);
        if (f) co_return f->first;
        co_return upstream::result<void>{};
    }
    call<upstream::order> confirm_basket(std::string id, call_options o = {}) override {
        auto f = enter_write("confirm_basket", o);
        if (f && !f->second) co_return f->first;
        if (confirmed_.count(id))
            co_return failure{error_class::conflict, 409, 100, "confirm basket " + id + ": 409 already confirmed (errorCode 100)"};
        auto it = baskets.find(id);
        if (it == baskets.end()) co_return not_found("confirm basket " + id);
        if (it->second.tickets.empty())
            co_return failure{error_class::conflict, 409, 101, "confirm basket " + id + ": 409 empty basket (errorCode 101)"};
        upstream::order ord;
        ord.id = "O" + std::to_string(++next_id_);
        ord.customer = it->second.customer;
        for (auto t : it->second.tickets) {
            t.barcode = "BC" + t.id;
            ord.total = ord.total + t.total;
            ord.tickets.push_back(t);
        }
        orders[ord.id] = ord;
        confirmed_.insert(id);
        baskets.erase(it);
        if (f) co_return f->first;
        co_return ord;
    }
    call<upstream::order> get_order(std::string id, call_options o = {}) override {
        if (auto f = enter("get_order", o)) co_return *f;
        auto it = orders.find(id);
        if (it == orders.end()) co_return not_found("get order " + id);
        co_return it->second;
    }

private:
    struct fault {
        failure f;
        bool apply_first = false;
    };

    // For reads: the failure to return, if one is scripted.
    std::optional<failure> enter(const char* method, const call_options& o) {
        auto p = enter_write(method, o);
        if (p) return p->first;
        return std::nullopt;
    }
    // For writes: (failure, apply_first).
    std::optional<std::pair<failure, bool>> enter_write(const char* method, const call_options& o) {
        calls.emplace_back(method);
        options_seen.push_back(o);
        if (on_call) on_call(calls.back());
        auto it = faults_.find(method);
        if (it == faults_.end() || it->second.empty()) return std::nullopt;
        auto f = it->second.front();
        it->second.pop_front();
        return std::pair<failure, bool>{f.f, f.apply_first};
    }

    static failure not_found(std::string what) { return failure{error_class::not_found, 404, 0, what + ": 404"}; }
    void touch(upstream::basket& b) { b.hash = "h" + std::to_string(++next_id_); }

    money price_of(const std::string& instance, const std::string& type) const {
        auto it = price_lists.find(instance);
        if (it != price_lists.end())
            for (const auto& p : it->second.prices)
                if (p.ticket_type.id == type) return p.amount;
        return money{};
    }
    static void flatten(const upstream::area& a, std::vector<const upstream::seat*>& out) {
        for (const auto& s : a.seats) out.push_back(&s);
        for (const auto& c : a.children) flatten(c, out);
    }
    static std::vector<const upstream::seat*> seats_of(const upstream::plan& p) {
        std::vector<const upstream::seat*> out;
        flatten(p, out);
        return out;
    }
    void collect_free(const upstream::area& a, const std::string& instance, const std::optional<std::string>& band,
                      const std::optional<std::string>& area, int quantity, std::vector<upstream::best_seat>& out) {
        bool area_ok = !area || *area == a.id;
        for (const auto& s : a.seats) {
            if (static_cast<int>(out.size()) >= quantity) return;
            if (!area_ok || taken[instance].count(s.id)) continue;
            if (band && s.band_id != band) continue;
            out.push_back({s.id, a.id, s.band_id});
        }
        for (const auto& c : a.children) collect_free(c, instance, band, area_ok && area ? std::optional<std::string>() : area, quantity, out);
    }

    std::map<std::string, std::deque<fault>> faults_;
    std::set<std::string> confirmed_;
    int next_id_ = 0;
};

}  // namespace agentd::test
