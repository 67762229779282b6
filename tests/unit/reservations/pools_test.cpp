// Allocation pools inside the reservation service (docs/pools.md), over a real SQLite file, the
// fake upstream and a manual clock: the fill gate, the draw (no upstream call on the request
// path), keeping holds alive, draining before the show and on removal, and the cap.
#include "tests/unit/reservations/fixture.hpp"

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

reservations::pool_settings one_pool(std::vector<reservations::pool_size> sizes, std::int64_t cap = 100) {
    reservations::pool_settings s;
    reservations::pool_spec p;
    p.name = "p";
    p.client = k_client;
    p.instance = k_instance;
    p.ticket_type = k_type;
    p.sizes = std::move(sizes);
    s.pools.push_back(p);
    s.client_max_seats[k_client] = cap;
    s.keep_alive_below = std::chrono::minutes(9);  // a hold lives 18 min here
    s.min_draw_left = std::chrono::minutes(1);
    s.pass_interval = std::chrono::milliseconds(20);
    return s;
}

const reservations::pool_status* status_of(const std::vector<reservations::pool_status>& all, const std::string& name) {
    for (const auto& s : all)
        if (s.name == name) return &s;
    return nullptr;
}

}  // namespace

TEST_CASE("a pool fills only when the gate allows, and a draw is answered held with no upstream call") {
    // Declared before the fixture: the worker it stops in its destructor may still ask the gate.
    bool may = false;
    std::vector<std::string> asked;
    res_fixture f;
    f.svc->set_pool_gate([&](std::string_view client) {
        asked.emplace_back(client);
        return may;
    });
    f.svc->set_pools(one_pool({{2, 2}, {1, 3}}));
    f.start_worker();
    f.pump([&] { return !asked.empty(); });
    {
        auto st = f.svc->pools();
        REQUIRE(status_of(st, "p"));
        CHECK(status_of(st, "p")->phase == "paused");
        CHECK(f.count("create_basket") == 0);
    }
    may = true;
    f.pump([&] {
        auto st = f.svc->pools();
        return status_of(st, "p") && status_of(st, "p")->ready == 3 && status_of(st, "p")->phase == "ready";
    });
    CHECK(asked.front() == k_client);
    CHECK(f.count("create_basket") == 3);
    CHECK(status_of(f.svc->pools(), "p")->seats_held == 7);

    // The draw: the filler may not run now, so the fake upstream's calls stay as they are.
    may = false;
    const auto calls = f.up.calls.size();
    auto c = f.create("d1", f.best_req(2));
    REQUIRE(c.has_value());
    CHECK(c->reservation.state == "held");
    CHECK(c->reservation.pool == "p");
    CHECK(c->reservation.channel == "web");
    CHECK(c->reservation.expires_at.has_value());
    CHECK(f.up.calls.size() == calls);
    auto st = f.svc->pools();
    CHECK(status_of(st, "p")->ready == 2);
    CHECK(status_of(st, "p")->drawn == 1);
    // A retry is the same reservation; a size the pool keeps no more of goes the normal way.
    auto again = f.create("d1", f.best_req(2));
    REQUIRE(again.has_value());
    CHECK(again->replayed);
    CHECK(again->reservation.id == c->reservation.id);
    auto second = f.create("d2", f.best_req(2));
    REQUIRE(second.has_value());
    CHECK(second->reservation.state == "held");
    auto third = f.create("d3", f.best_req(2));
    REQUIRE(third.has_value());
    CHECK(third->reservation.state == "queued");
    CHECK(third->reservation.pool.empty());
    // The drawn hold is the channel's: it confirms like any other.
    auto conf = f.run(f.svc->confirm(c->reservation.id, f.customer()));
    REQUIRE(conf.has_value());
    CHECK(f.settle(c->reservation.id).state == "confirmed");
    CHECK(f.ledger_entries() == 1);
}

TEST_CASE("pool holds are kept alive, drained before the show and when the pool is removed") {
    res_fixture f;
    f.svc->set_pools(one_pool({{2, 1}}));
    f.start_worker();
    f.pump([&] {
        auto st = f.svc->pools();
        return status_of(st, "p") && status_of(st, "p")->ready == 2;
    });
    // 18 minutes of life; past half of it the filler touches each basket.
    f.clock.advance(10min);
    f.pump([&] { return f.count("touch_basket") >= 2; });
    CHECK(f.count("create_basket") == 2);
    // Far past the first deadline, still the same two holds.
    f.clock.advance(10min);
    f.pump([&] { return f.count("touch_basket") >= 4; });
    CHECK(f.count("create_basket") == 2);
    CHECK(status_of(f.svc->pools(), "p")->ready == 2);

    SUBCASE("the show within drain_before: released") {
        f.cat.facts[{k_client, k_instance}].start = f.clock.now() + 1h;  // drain_before is 2 h
        f.pump([&] {
            auto st = f.svc->pools();
            return status_of(st, "p")->phase == "draining" && status_of(st, "p")->ready == 0 &&
                   status_of(st, "p")->releasing == 0;
        });
        CHECK(f.count("clear_basket") == 2);
    }
    SUBCASE("removed by a reload: released") {
        f.svc->set_pools(reservations::pool_settings{});
        f.pump([&] { return f.count("clear_basket") == 2 && f.svc->pools().empty(); });
    }
}

TEST_CASE("a pool never holds more than its client's cap") {
    res_fixture f;
    f.svc->set_pools(one_pool({{4, 2}}, 5));
    f.start_worker();
    f.pump([&] {
        auto st = f.svc->pools();
        return status_of(st, "p") && status_of(st, "p")->phase == "capped" && status_of(st, "p")->filling == 0;
    });
    CHECK(status_of(f.svc->pools(), "p")->ready == 2);
    CHECK(f.count("create_basket") == 2);
}

namespace {

// Another instance of the fixture's event, sold like k_instance.
void add_instance(res_fixture& f, const std::string& id) {
    f.cat.facts[{k_client, id}] = f.cat.facts[{k_client, k_instance}];
    f.up.plans[id] = f.up.plans[k_instance];
    f.up.price_lists[id] = f.up.price_lists[k_instance];
}

const reservations::pool_status* row_of(const std::vector<reservations::pool_status>& all, const std::string& name,
                                        const std::string& instance) {
    for (const auto& s : all)
        if (s.name == name && s.instance == instance) return &s;
    return nullptr;
}

}  // namespace

TEST_CASE("an event pool keeps its target per instance, stops at the client's cap, and drains what leaves it") {
    res_fixture f;
    for (const char* id : {"I2", "I3", "I4"}) add_instance(f, id);
    const sys_time later = f.clock.now() + 72h;
    f.cat.events[{k_client, "E1"}] = {{k_instance, later, true, false},
                                      {"I2", later + 24h, true, false},
                                      {"I3", later + 48h, true, false},
                                      {"I4", later + 96h, false, false}};  // not on sale to agents
    auto s = one_pool({{2, 2}}, 10);  // 4 seats per instance, 10 for the client
    s.pools[0].instance.clear();
    s.pools[0].event = "E1";
    f.svc->set_pools(s);
    f.start_worker();
    f.pump([&] {
        auto st = f.svc->pools();
        const auto* i3 = row_of(st, "p", "I3");
        return i3 && i3->phase == "capped" && i3->filling == 0 && row_of(st, "p", "I2") &&
               row_of(st, "p", "I2")->phase == "ready";
    });
    auto st = f.svc->pools();
    CHECK(st.size() == 3);  // I4 is not on sale: not covered
    CHECK(row_of(st, "p", k_instance)->ready == 2);
    CHECK(row_of(st, "p", k_instance)->event == "E1");
    CHECK(row_of(st, "p", k_instance)->target == 2);
    CHECK(row_of(st, "p", "I2")->ready == 2);
    CHECK(row_of(st, "p", "I3")->ready == 1);  // the cap leaves room for one more pair only
    CHECK(f.count("create_basket") == 5);

    // A draw on one instance takes that instance's hold and is refilled within the cap.
    auto c = f.create("d1", f.best_req(2));
    REQUIRE(c.has_value());
    CHECK(c->reservation.state == "held");
    CHECK(c->reservation.pool == "p");
    CHECK(c->reservation.instance == k_instance);
    f.pump([&] { return f.count("create_basket") == 6; });
    // 10 seats in the pools again: the refill went to the instance drawn from (soonest first).
    f.pump([&] { return row_of(f.svc->pools(), "p", k_instance)->ready == 2; });
    CHECK(row_of(f.svc->pools(), "p", k_instance)->drawn == 1);
    CHECK(row_of(f.svc->pools(), "p", "I3")->ready == 1);

    // A reload that narrows the range drops I2 and I3: their holds are released, I1's stay.
    s.pools[0].to = later + 1h;
    f.svc->set_pools(s);
    f.pump([&] { return f.count("clear_basket") == 3; });
    f.pump([&] {
        auto now = f.svc->pools();
        return now.size() == 1 && row_of(now, "p", k_instance) && row_of(now, "p", k_instance)->ready == 2;
    });
}

TEST_CASE("a fill of a pool no longer configured, found placing after a restart, adds no seats") {
    res_fixture f;
    // A fill of pool "gone" caught by a crash after its basket was created, before any seat
    // was added; the restarted daemon's configuration no longer has that pool.
    auto c = f.create("fill-gone", f.best_req(2), "pool:gone");
    REQUIRE(c.has_value());
    const std::string id = c->reservation.id;
    auto marked = f.db->submit_wait<std::int64_t>([&](store::write_txn& t) -> result<std::int64_t> {
        if (auto r = t.conn().exec("UPDATE reservations SET pool = 'gone' WHERE channel = 'pool:gone'", "test.mark_pool"); !r)
            return r.error();
        return std::int64_t{0};
    });
    REQUIRE(marked.has_value());
    auto basket = f.run(f.up.create_basket());
    REQUIRE(basket.has_value());
    f.force(id, domain::ev::place_started{});
    f.force(id, domain::ev::basket_created{basket->id, f.clock.now()});

    f.make_service();  // restarted, no pools
    REQUIRE(f.run(f.svc->recover()).has_value());
    f.start_worker();
    auto r = f.settle(id);
    CHECK(r.state == "rejected");
    REQUIRE(r.error.has_value());
    CHECK(r.error->code == "pool_removed");
    CHECK(f.count("best_available") == 0);
    CHECK(f.count("add_best_available") == 0);
    CHECK(f.count("add_tickets") == 0);
    f.stop_worker();
}
