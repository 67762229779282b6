// tests/integration/reservations/sim_rig: the reservation service in process, over a real
// SQLite file, against a real agentd-sim process through agentd's own upstream client, on a
// private io_context pumped by the test. Shared by the suites of this folder. Single-threaded.
#pragma once

#include "agentd/reservations/service.hpp"
#include "agentd/core/time.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/reservation_store.hpp"
#include "agentd/upstream/spektrix_client.hpp"
#include "tests/support/test_database.hpp"
#include "tests/support/sim_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/service_teardown.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace agentd::rig_support {
namespace asio = boost::asio;


struct map_catalogue final : domain::catalogue_view {
    std::map<std::pair<std::string, std::string>, domain::instance_facts> facts;
    const domain::instance_facts* find_instance(std::string_view c, std::string_view i) const override {
        auto it = facts.find({std::string(c), std::string(i)});
        return it == facts.end() ? nullptr : &it->second;
    }
};

inline rapidjson::Document json(const sim_test::reply& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

inline void collect(const upstream::area& a, domain::instance_facts& f, std::int64_t& reserved_seats) {
    f.areas.insert(a.id);
    for (const auto& s : a.seats) {
        f.seats.insert(s.id);
        ++reserved_seats;
    }
    for (const auto& c : a.children) collect(c, f, reserved_seats);
}

struct rig {
    sim_test::sim_process sim;
    test::temp_dir dir;
    asio::io_context ioc;
    std::unique_ptr<upstream::client_context> ctx;
    std::unique_ptr<upstream::client> up;
    std::unique_ptr<store::database> db;
    map_catalogue cat;
    std::string client, instance, ticket_type;
    std::unique_ptr<reservations::reservation_service> svc;
    reservations::best_available_form best_available = reservations::best_available_form::automatic;
    asio::cancellation_signal stop;
    bool running = false;

    explicit rig(std::vector<std::string> flags) : sim(std::move(flags)) {
        client = sim.clients.at(0).first;
        upstream::client_settings s;
        s.base_url = sim.base_url;
        s.client_name = client;
        s.requests_per_minute = 600'000;
        s.burst = 10'000;
        s.max_connections = 8;
        s.backoff.base = std::chrono::milliseconds(5);
        s.backoff.cap = std::chrono::milliseconds(50);
        s.timeout.request = std::chrono::milliseconds(3000);
        s.timeout.overall = std::chrono::milliseconds(5000);
        auto c = upstream::client_context::make(ioc.get_executor(), s);
        REQUIRE(c.has_value());
        ctx = std::move(*c);
        const auto& acc = sim.clients.at(0).second.at(0);
        auto cl = upstream::make_spektrix_client(*ctx, {acc.login, secret{acc.secret}});
        REQUIRE(cl.has_value());
        up = std::move(*cl);
        auto d = store::database::open({.path = agentd::test::database_for(dir.path() + "/agentd.db")});
        REQUIRE(d.has_value());
        db = std::move(*d);
        pick_instance();
    }
    ~rig() { test::end_reservation_service(*this); }

    template <class T>
    T run(asio::awaitable<T> a) {
        std::optional<T> out;
        asio::co_spawn(ioc, std::move(a), [&](std::exception_ptr e, T v) {
            if (e) std::rethrow_exception(e);
            out.emplace(std::move(v));
        });
        pump([&] { return out.has_value(); }, std::chrono::seconds(30));
        return std::move(*out);
    }
    template <class Pred>
    void pump(Pred pred, std::chrono::seconds limit = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!pred()) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(5));
        }
    }

    // An on-sale instance with a reserved plan; its facts go into the catalogue view.
    void pick_instance() {
        const auto now = system_clock::instance().now();
        auto events = run(up->list_events(format_date_utc(now - std::chrono::hours(24)),
                                          format_date_utc(now + std::chrono::hours(24 * 400))));
        REQUIRE(events.has_value());
        std::string seen;
        for (const auto& e : *events) {
            auto insts = run(up->list_instances(e.id, format_date_utc(now - std::chrono::hours(24)),
                                                format_date_utc(now + std::chrono::hours(24 * 400))));
            REQUIRE(insts.has_value());
            for (const auto& i : *insts) {
                if (!i.is_on_sale || i.cancelled || i.start_utc < now + std::chrono::hours(2)) continue;
                auto pl = run(up->get_price_list(i.id));
                auto plan = run(up->get_plan(i.id));
                seen += i.id + (pl ? "" : " price-list:" + pl.error().message) + (plan ? "" : " plan:" + plan.error().message) + "; ";
                if (!pl || !plan || pl->prices.empty()) continue;
                domain::instance_facts f;
                f.start = i.start_utc;
                for (const auto& p : pl->prices) {
                    f.ticket_types.insert(p.ticket_type.id);
                    f.price_bands.insert(p.band.id);
                }
                std::int64_t reserved = 0;
                collect(*plan, f, reserved);
                auto st = run(up->get_instance_status(i.id));
                const auto avail = st ? st->counts.available : 0;
                seen += "reserved=" + std::to_string(reserved) + " available=" + std::to_string(avail) + "; ";
                if (avail < 60) continue;
                instance = i.id;
                ticket_type = pl->prices.front().ticket_type.id;
                cat.facts[{client, instance}] = std::move(f);
                return;
            }
        }
        FAIL("no on-sale instance with a reserved plan in the simulated world: events=" << events->size() << " " << seen);
    }

    void make_service(int channels_n, std::int64_t retries = 3,
                      std::chrono::milliseconds lifetime = std::chrono::minutes(20),
                      std::chrono::milliseconds margin = std::chrono::minutes(2),
                      const std::function<void(reservations::settings&)>& adjust = {}) {
        reservations::settings s;
        s.hold.basket_lifetime = std::chrono::duration_cast<std::chrono::seconds>(lifetime);
        s.hold.expiry_margin = std::chrono::duration_cast<std::chrono::seconds>(margin);
        s.hold.max_hold = std::chrono::minutes(60);
        s.limits.max_quantity = 10;
        s.queue.max_total = 10'000;
        s.queue.max_per_channel = 100;
        s.queue.max_in_flight_per_client = 8;
        s.retry.max_attempts = static_cast<int>(retries) + 1;
        s.call_timeout = std::chrono::seconds(5);
        s.extend_min_interval = std::chrono::seconds(0);
        for (int i = 0; i < channels_n; ++i) s.queue.channel_weights["ch" + std::to_string(i)] = 1;
        if (adjust) adjust(s);
        svc = std::make_unique<reservations::reservation_service>(
            ioc.get_executor(), *db, db->path(), s, std::vector<reservations::res_client>{{client, {{"agent1", up.get()}}, false, best_available}},
            cat, system_clock::instance(), [](std::uint64_t) {}, [](std::string_view, std::string_view) {});
    }
    void start_worker() {
        running = true;
        asio::co_spawn(ioc, svc->run(), asio::bind_cancellation_slot(stop.slot(), [this](std::exception_ptr) { running = false; }));
    }
    void stop_worker() {
        if (!running) return;
        stop.emit(asio::cancellation_type::terminal);
        // run() may spend the drain timeout (10 s) on sent confirms, then up to 5 s on children.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (running && std::chrono::steady_clock::now() < deadline) {
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(5));
        }
    }
    std::int64_t available() {
        auto st = run(up->get_instance_status(instance));
        REQUIRE(st.has_value());
        return st->counts.available;
    }
    bool settled(const std::string& id) {
        auto r = svc->get(id);
        REQUIRE(r.has_value());
        return r->state != "queued" && r->state != "placing" && r->state != "confirming" && r->state != "releasing";
    }
    std::string basket_of(const std::string& id) {
        auto rd = store::reader::open(db->path());
        REQUIRE(rd.has_value());
        auto row = store::load_reservation(rd->conn(), id);
        REQUIRE(row.has_value());
        REQUIRE(row->has_value());
        return (*row)->rec.basket_id;
    }
    api::reservation_request best(int n) {
        api::reservation_request r;
        r.client = client;
        r.instance = instance;
        r.best = api::best_available{n, ticket_type, std::nullopt, std::nullopt};
        return r;
    }
    void check_invariants() {
        auto inv = json(sim.control("GET", "invariants"));
        CHECK(inv["ok"].GetBool());
    }
};

inline std::string lower(std::string s) {
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// Free reserved seats of the rig's instance, in the simulator's order.
inline std::vector<std::string> free_reserved(rig& g) {
    auto places = json(g.sim.control("GET", "seats?instance=" + g.instance));
    REQUIRE(places.IsArray());
    const auto& facts = g.cat.facts.at({g.client, g.instance});
    std::vector<std::string> out;
    for (auto& p : places.GetArray())
        if (lower(p["status"].GetString()) == "available" && facts.seats.count(p["id"].GetString()))
            out.push_back(p["id"].GetString());
    return out;
}

// Holds every free reserved seat but `left` in a basket of our own (not agentd's); returns it.
inline std::string leave_free(rig& g, std::size_t left) {
    auto seats = free_reserved(g);
    REQUIRE(seats.size() > left);
    auto blocker = g.run(g.up->create_basket());
    REQUIRE(blocker.has_value());
    for (std::size_t i = left; i < seats.size(); i += 100) {
        std::vector<upstream::new_ticket> nts;
        for (std::size_t k = i; k < std::min(seats.size(), i + 100); ++k)
            nts.push_back({g.instance, seats[k], std::nullopt, g.ticket_type});
        REQUIRE(g.run(g.up->add_tickets(blocker->id, nts)).has_value());
    }
    REQUIRE(free_reserved(g).size() == left);
    return blocker->id;
}

// The simulator's picture now, taken as a sync poll would take it (stamped before the read).
inline domain::seat_snapshot picture(rig& g) {
    domain::seat_snapshot s;
    s.as_of = system_clock::instance().now();
    for (auto& id : free_reserved(g)) s.free.push_back({id, "", ""});
    return s;
}

// API requests the simulator answered for `endpoint` ("*" for all), by any status.
inline std::uint64_t sim_requests(rig& g, std::string_view endpoint = "*") {
    auto st = json(g.sim.control("GET", "stats"));
    std::uint64_t n = 0;
    for (auto& r : st["requests"].GetArray())
        if (endpoint == "*" || endpoint == r["endpoint"].GetString()) n += r["count"].GetUint64();
    return n;
}

}  // namespace agentd::rig_support
