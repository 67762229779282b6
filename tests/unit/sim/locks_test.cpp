// Seats locked as an agency allocation: only the accounts a lock names may buy them, best
// available leaves them alone unless asked, and a released or expired basket gives them back
// to their lock. State logic directly, then the same through the handler and /_sim/locks.
#include "signed_request.hpp"
#include "sim/simulator.hpp"

#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

#include <rapidjson/document.h>

using namespace agentd;
using namespace agentd::sim;

namespace {

const sys_time t0 = sys_time{} + std::chrono::hours(24 * 365 * 56);

world tiny_world() { return generate_world({1, size_preset::tiny, 0, t0}); }

ticket_request seat(std::uint32_t slot) { return {0, true, slot, 0, 0}; }

bool has(const std::vector<std::uint32_t>& v, std::uint32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("a locked seat is the eligible account's to buy; to others it is taken") {
    auto w = tiny_world();
    REQUIRE(w.clients[0].accounts.size() >= 2);
    REQUIRE(w.clients[0].lock_types.size() == 2);
    client_state cs(w.clients[0], 1, false);
    basket_policy p;
    REQUIRE(cs.lock_seats(0, {3, 4}, seat_lock{k_agency_lock, 1}).has_value());  // account 0 only
    CHECK(cs.state(0, 3) == seat_state::locked);
    CHECK(cs.status(0, 0).lock_available[k_agency_lock] == 2);
    CHECK(cs.status(0, 1).lock_available[k_agency_lock] == 0);
    CHECK(cs.status(0, 1).locked_by_type[k_agency_lock] == 2);

    auto& other = cs.create_basket(1, t0, p);
    auto refused = cs.add_tickets(other, {seat(3)}, t0, p);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().status == 409);
    CHECK(refused.error().code == 20);  // the same answer a taken seat gets
    CHECK(cs.state(0, 3) == seat_state::locked);

    auto& mine = cs.create_basket(0, t0, p);
    REQUIRE(cs.add_tickets(mine, {seat(3), seat(4)}, t0, p).has_value());
    CHECK(cs.state(0, 3) == seat_state::in_basket);
    CHECK(cs.invariants().empty());

    // Cleared: back to the lock, not to general sale.
    cs.clear(mine, t0, p);
    CHECK(cs.state(0, 3) == seat_state::locked);
    CHECK(cs.state(0, 4) == seat_state::locked);
    CHECK_FALSE(cs.add_tickets(other, {seat(4)}, t0, p).has_value());

    // Sold: the lock is spent.
    REQUIRE(cs.add_tickets(mine, {seat(4)}, t0, p).has_value());
    REQUIRE(cs.confirm(mine, t0).has_value());
    CHECK(cs.state(0, 4) == seat_state::sold);
    CHECK_FALSE(cs.lock_of(0, 4));
    CHECK(cs.invariants().empty());
}

TEST_CASE("an expired basket returns a locked seat to its lock") {
    auto w = tiny_world();
    client_state cs(w.clients[0], 1, false);
    basket_policy p;
    p.ttl = std::chrono::minutes(20);
    REQUIRE(cs.lock_seats(0, {7}, seat_lock{k_agency_lock, 1}).has_value());
    auto& b = cs.create_basket(0, t0, p);
    REQUIRE(cs.add_tickets(b, {seat(7)}, t0, p).has_value());
    CHECK(cs.expire(t0 + std::chrono::minutes(21)) == 1);
    CHECK(cs.state(0, 7) == seat_state::locked);
    REQUIRE(cs.lock_of(0, 7));
    CHECK(cs.lock_of(0, 7)->type == k_agency_lock);
    CHECK(cs.status(0, 0).lock_available[k_agency_lock] == 1);
    CHECK(cs.status(0, 0).available == 29);  // not back on general sale
    CHECK(cs.invariants().empty());
}

TEST_CASE("best available offers locked seats only when asked, and only the account's") {
    auto w = tiny_world();
    client_state cs(w.clients[0], 1, false);
    // Lock the whole front row (slots 0..9): the best seats.
    std::vector<std::uint32_t> front;
    for (std::uint32_t s = 0; s < 10; ++s) front.push_back(s);
    REQUIRE(cs.lock_seats(0, front, seat_lock{k_agency_lock, 1}).has_value());
    auto plain = cs.best_available(0, 2, -1, -1);
    REQUIRE(plain.size() == 2);
    CHECK_FALSE(has(front, plain[0]));
    auto for_other = cs.best_available(0, 2, -1, -1, 1);
    REQUIRE(for_other.size() == 2);
    CHECK_FALSE(has(front, for_other[0]));
    auto asked = cs.best_available(0, 2, -1, -1, 0);
    REQUIRE(asked.size() == 2);
    CHECK(has(front, asked[0]));
    CHECK(has(front, asked[1]));
    // Back to sale: an ordinary seat again.
    REQUIRE(cs.unlock_seats(0, front).has_value());
    CHECK(cs.state(0, 0) == seat_state::available);
    CHECK_FALSE(cs.lock_of(0, 0));
}

TEST_CASE("generated agency allocations depend only on seed and size") {
    auto w = tiny_world();
    client_state a(w.clients[0], 7, false, lock_plan{4, 2});
    client_state b(w.clients[0], 7, false, lock_plan{4, 2});
    client_state none(w.clients[0], 7, false);
    CHECK(none.locks().empty());
    REQUIRE(a.locks().size() == w.clients[0].instances.size() * 4);
    for (auto& [k, l] : a.locks()) {
        auto other = b.lock_of(std::uint32_t(k >> 32), std::uint32_t(k));
        REQUIRE(other);
        CHECK(other->accounts == l.accounts);
        CHECK(l.accounts == 3);  // the first two accounts
        CHECK(l.type == k_agency_lock);
    }
    CHECK(a.invariants().empty());
}

namespace {

struct tiny_sim {
    settings s;
    std::unique_ptr<simulator> sim;
    tiny_sim() {
        s.size = size_preset::tiny;
        s.rate = 1000;
        s.burst = 1000;
        sim = std::make_unique<simulator>(generate_world({1, size_preset::tiny, 0, std::chrono::system_clock::now()}), s);
    }
    const client& c() const { return sim->catalogue().clients[0]; }
    http_response call(int account, std::string method, std::string path, std::string body = "") {
        return sim->handle(test::signed_request(c(), c().accounts[std::size_t(account)], std::move(method), path, std::move(body)));
    }
    http_response control(std::string method, std::string path, std::string body = "") {
        http_request r;
        r.method = std::move(method);
        r.target = "/_sim/" + path;
        r.body = std::move(body);
        return sim->handle(r);
    }
};

}  // namespace

TEST_CASE("through the API: /_sim/locks, per-seat status, lockInfoAvailable, add and best available") {
    tiny_sim t;
    const instance* in = nullptr;
    auto now = std::chrono::system_clock::now();
    for (auto& x : t.c().instances)
        if (x.agent_visible && x.agent_on_sale && !x.cancelled && now >= x.agent_sell_from && now < x.start) {
            in = &x;
            break;
        }
    REQUIRE(in);
    auto& p = t.c().plans[in->plan];
    auto sid = [&](std::uint32_t slot) { return std::to_string(p.seat_id_base + slot); };
    const auto& agency = t.c().lock_types[k_agency_lock].id;

    auto locked = t.control("POST", "locks",
                            R"({"instance":")" + in->id + R"(","seats":[")" + sid(0) + R"(",")" + sid(1) +
                                R"("],"accounts":[")" + t.c().accounts[0].login + R"("]})");
    REQUIRE(locked.status == 200);
    CHECK(locked.body.find(agency) != std::string::npos);
    CHECK(t.control("POST", "locks", R"({"instance":")" + in->id + R"(","seats":["nope"]})").status == 400);
    CHECK(t.control("POST", "locks", R"({"instance":")" + in->id + R"(","seats":[")" + sid(2) +
                                         R"("],"accounts":["stranger@x"]})")
              .status == 400);

    auto seats = t.call(0, "GET", "instances/" + in->id + "/status/seats");
    REQUIRE(seats.status == 200);
    CHECK(seats.body.find(R"({"id":")" + sid(0) + R"(","status":"Locked","lockTypeId":")" + agency + "\"}") !=
          std::string::npos);

    auto mine = t.call(0, "GET", "instances/" + in->id + "/status");
    auto theirs = t.call(1, "GET", "instances/" + in->id + "/status");
    rapidjson::Document a, b;
    a.Parse(mine.body.c_str());
    b.Parse(theirs.body.c_str());
    REQUIRE(a.IsObject());
    REQUIRE(b.IsObject());
    REQUIRE(a["lockInfoAvailable"].Size() == 1);
    CHECK(std::string(a["lockInfoAvailable"][0]["lockType"]["id"].GetString()) == agency);
    CHECK(a["lockInfoAvailable"][0]["quantity"].GetInt() == 2);
    CHECK(b["lockInfoAvailable"].Size() == 0);
    CHECK(b["lockInformation"].Size() == 1);

    // Best available: the front-row pair only when asked, and only for the eligible account.
    auto plain = t.call(0, "GET", "instances/" + in->id + "/best-available?quantity=2");
    REQUIRE(plain.status == 200);
    CHECK(plain.body.find("\"" + sid(0) + "\"") == std::string::npos);
    auto asked = t.call(0, "GET", "instances/" + in->id + "/best-available?quantity=1&includeLocked=true");
    REQUIRE(asked.status == 200);
    CHECK(t.call(0, "GET", "instances/" + in->id + "/best-available?quantity=1&includeLocked=maybe").status == 400);

    auto add = [&](int account, std::uint32_t slot) {
        auto basket = t.call(account, "POST", "baskets", "{}");
        REQUIRE(basket.status == 201);
        auto id = basket.body.substr(7, 33);
        return t.call(account, "POST", "baskets/" + id + "/tickets",
                      R"([{"instance":")" + in->id + R"(","seat":")" + sid(slot) + R"(","type":")" + t.c().types[0].id + "\"}]");
    };
    auto refused = add(1, 0);
    CHECK(refused.status == 409);
    CHECK(refused.body.find("\"errorCode\":20") != std::string::npos);
    CHECK(add(0, 0).status == 200);

    auto audit = t.control("GET", "locks?client=" + t.c().name);
    REQUIRE(audit.status == 200);
    CHECK(audit.body.find(R"("status":"InBasket")") != std::string::npos);
    auto inv = t.control("GET", "invariants");
    CHECK(inv.body.find("\"ok\":true") != std::string::npos);
}
