// tests/unit/reservations/fixture: a reservation_service over a real SQLite file, the fake
// upstream and a manual clock, driven on a private io_context. Single-threaded.
#pragma once

#include "agentd/reservations/convert.hpp"
#include "agentd/reservations/service.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/reservation_store.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/fake_upstream.hpp"
#include "tests/support/process.hpp"
#include "tests/support/service_teardown.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

namespace agentd::test {

inline constexpr const char* k_client = "royalcourt";
inline constexpr const char* k_instance = "I1";
inline constexpr const char* k_type = "TT1";

struct map_catalogue final : domain::catalogue_view {
    std::map<std::pair<std::string, std::string>, domain::instance_facts> facts;
    const domain::instance_facts* find_instance(std::string_view c, std::string_view i) const override {
        auto it = facts.find({std::string(c), std::string(i)});
        return it == facts.end() ? nullptr : &it->second;
    }
    std::map<std::pair<std::string, std::string>, std::vector<domain::event_instance>> events;  // (client, event)
    std::vector<domain::event_instance> event_instances(std::string_view c, std::string_view e) const override {
        auto it = events.find({std::string(c), std::string(e)});
        return it == events.end() ? std::vector<domain::event_instance>{} : it->second;
    }
};

struct res_fixture {
    temp_dir dir;
    std::string path = agentd::test::database_for(dir.path() + "/agentd.db");  // or a PostgreSQL schema (unit_reservations_pg)
    std::unique_ptr<store::database> db;
    manual_clock clock;
    boost::asio::io_context ioc;
    fake_upstream up;
    map_catalogue cat;
    reservations::settings settings;
    bool order_total_is_net = false;  // the client's [[client]] order_total_is_net
    reservations::best_available_form best_available = reservations::best_available_form::automatic;
    std::unique_ptr<reservations::reservation_service> svc;
    std::vector<std::uint64_t> feed;
    boost::asio::cancellation_signal stop;
    bool running = false;

    explicit res_fixture(int seats = 20) {
        auto d = store::database::open({.path = path});
        REQUIRE(d.has_value());
        db = std::move(*d);
        settings.hold.basket_lifetime = std::chrono::minutes(20);
        settings.hold.expiry_margin = std::chrono::minutes(2);
        settings.hold.max_hold = std::chrono::minutes(60);
        settings.limits.max_quantity = 10;
        settings.queue.max_total = 1000;
        settings.queue.max_per_channel = 500;
        settings.queue.max_in_flight_per_client = 4;
        settings.retry.max_attempts = 3;
        settings.call_timeout = std::chrono::seconds(5);
        settings.extend_min_interval = std::chrono::seconds(0);
        settings.backoff = {std::chrono::milliseconds(5), std::chrono::milliseconds(40), 4};
        settings.recovery_wait = std::chrono::milliseconds(500);
        domain::instance_facts f;
        f.ticket_types = {k_type};
        f.price_bands = {"B1"};
        f.areas = {"A1"};
        upstream::plan plan;
        plan.id = "A1";
        for (int i = 1; i <= seats; ++i) {
            std::string id = "S" + std::to_string(i);
            f.seats.insert(id);
            plan.seats.push_back({id, "A" + std::to_string(i), "A", i, i, 0, std::string("B1")});
        }
        cat.facts[{k_client, k_instance}] = f;
        up.plans[k_instance] = plan;
        upstream::price_list pl;
        pl.prices.push_back({"P1", {k_type, "Adult"}, {"B1", "Band 1"}, money{3550}, true});
        up.price_lists[k_instance] = pl;
        make_service();
    }
    ~res_fixture() { end_reservation_service(*this); }

    void make_service() {
        svc = std::make_unique<reservations::reservation_service>(
            ioc.get_executor(), *db, path, settings,
            std::vector<reservations::res_client>{{k_client, {{"agent1", &up}}, order_total_is_net, best_available}}, cat, clock,
            [this](std::uint64_t s) { feed.push_back(s); }, [](std::string_view, std::string_view) {});
    }

    // Runs an awaitable to completion (and everything it started that can finish).
    template <class T>
    T run(boost::asio::awaitable<T> a) {
        std::optional<T> out;
        boost::asio::co_spawn(ioc, std::move(a), [&](std::exception_ptr e, T v) {
            if (e) std::rethrow_exception(e);
            out.emplace(std::move(v));
        });
        pump([&] { return out.has_value(); });
        return std::move(*out);
    }
    // Processes handlers until `pred` holds (REQUIREd within 10 s of wall time).
    template <class Pred>
    void pump(Pred pred) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!pred()) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(5));
        }
    }
    void start_worker() {
        running = true;
        boost::asio::co_spawn(ioc, svc->run(),
                              boost::asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr) { running = false; }));
    }
    void stop_worker() {
        if (!running) return;
        stop.emit(boost::asio::cancellation_type::terminal);
        // run() may spend settings.drain_timeout on sent confirms, then up to 5 s on children.
        const auto deadline = std::chrono::steady_clock::now() + settings.drain_timeout + std::chrono::seconds(10);
        while (running && std::chrono::steady_clock::now() < deadline) {
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(5));
        }
    }

    api::reservation_request seats_req(std::vector<std::string> seats) {
        api::reservation_request r;
        r.client = k_client;
        r.instance = k_instance;
        for (auto& s : seats) r.tickets.push_back({s, k_type});
        return r;
    }
    api::reservation_request best_req(int n) {
        api::reservation_request r;
        r.client = k_client;
        r.instance = k_instance;
        r.best = api::best_available{n, k_type, std::nullopt, std::nullopt};
        return r;
    }
    result<api::created_reservation> create(std::string key, api::reservation_request r, std::string ch = "web") {
        return run(svc->create(std::move(ch), std::move(key), std::move(r)));
    }
    std::string state(const std::string& id) {
        auto r = svc->get(id);
        REQUIRE(r.has_value());
        return r->state;
    }
    // Creates and drives to a settled state with the worker running.
    api::reservation settle(const std::string& id) {
        pump([&] {
            auto s = state(id);
            return s != "queued" && s != "placing" && s != "confirming" && s != "releasing";
        });
        return *svc->get(id);
    }
    api::reservation hold(std::vector<std::string> seats, std::string key = "k1") {
        auto c = create(key, seats_req(std::move(seats)));
        REQUIRE(c.has_value());
        auto r = settle(c->reservation.id);
        REQUIRE(r.state == "held");
        return r;
    }
    api::confirm_request customer() { return api::confirm_request{{"Ada", "Lovelace", "1 Main St"}, "WEB-1"}; }
    upstream::agent_customer upstream_customer() { return {"Ada", "Lovelace", "1 Main St", "WEB-1"}; }

    // How many times the fake upstream saw `method`.
    std::ptrdiff_t count(const std::string& method) const { return std::count(up.calls.begin(), up.calls.end(), method); }
    // The states a reservation's history went through, oldest first.
    std::vector<std::string> states_of(const std::string& id) {
        std::vector<std::string> out;
        auto h = svc->history(id);
        REQUIRE(h.has_value());
        for (const auto& e : *h) out.push_back(e.state);
        return out;
    }
    std::int64_t ledger_entries() {
        auto rd = store::reader::open(path);
        REQUIRE(rd.has_value());
        return store::ledger_count(rd->conn()).value();
    }
    // Stores a transition directly, as a daemon that died right after it would have left it.
    void force(const std::string& id, domain::event ev) {
        const auto now = clock.now();
        auto done = db->submit_wait<std::int64_t>([&](store::write_txn& t) -> result<std::int64_t> {
            auto row = store::load_reservation(t.conn(), id).value().value();
            auto out = domain::transition(row.rec, ev, now);
            if (!out) return out.error();
            row.rec = out->next;
            return store::save_transition(t, row, *out, "", reservations::feed_payload(row), false);
        });
        REQUIRE_MESSAGE(done.has_value(), done.error().message);
    }
    // The one basket of a held reservation.
    upstream::basket& basket_of(const std::string& id) {
        auto rd = store::reader::open(path);
        REQUIRE(rd.has_value());
        auto row = store::load_reservation(rd->conn(), id).value().value();
        auto it = up.baskets.find(row.rec.basket_id);
        REQUIRE(it != up.baskets.end());
        return it->second;
    }
};

}  // namespace agentd::test
