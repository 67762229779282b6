// A locked_only pool end to end (docs/pools.md): agentd-sim and agentd as real processes. The
// simulator locks five adjacent seats as the agent's allocation; the pool fills only from
// them (checked against the simulator's own view of baskets and seats), a fill the allocation
// cannot serve fails and backs off without taking an open seat, and normal reservations never
// receive an allocation seat even when it is the only one the venue shows them as locked.
#include "tests/e2e/pools/pool_world.hpp"
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

struct locked_world : pool_world {
    // Normal reservations pick their seats from the mirror, whose pictures stay usable a while:
    // the path by which an allocation seat could leak to them if it looked free.
    locked_world()
        : pool_world({"--size", "tiny"}, "choose_seats_from_mirror = true\nlocal_sold_out_max_age = \"60s\"\n") {}

    // The simulator's view of the instance's seats: id -> {name, status, lockType}.
    struct seat {
        std::string name, status, lock_type;
    };
    std::map<std::string, seat> sim_seats() const {
        std::map<std::string, seat> out;
        auto a = tcp_request(sim.control_url, "GET", "/seats?instance=" + instance);
        if (!a || a->status != 200) return out;
        for (int i = 0, n = json_array_size(a->body, ""); i < n; ++i) {
            const auto p = std::to_string(i) + ".";
            out[*json_get(a->body, p + "id")] = {*json_get(a->body, p + "name"), *json_get(a->body, p + "status"),
                                                 json_get(a->body, p + "lockType").value_or("")};
        }
        return out;
    }
    // Seats in the client's open baskets upstream, by id.
    std::multiset<std::string> sim_basket_seat_ids() const {
        std::multiset<std::string> out;
        auto a = tcp_request(sim.control_url, "GET", "/baskets?client=" + client);
        if (!a || a->status != 200) return out;
        for (int i = 0, n = json_array_size(a->body, ""); i < n; ++i)
            for (int t = 0, m = json_array_size(a->body, std::to_string(i) + ".tickets"); t < m; ++t)
                out.insert(*json_get(a->body, std::to_string(i) + ".tickets." + std::to_string(t) + ".seat"));
        return out;
    }
    std::string reserve_one(const std::string& key) const {
        auto a = ask(key, 1);
        REQUIRE(a);
        REQUIRE(json_get(a->body, "id"));
        return *json_get(a->body, "id");
    }
    // The reservation's state once it is held or rejected; "" if it is not by the deadline.
    std::string settled(const std::string& id) const {
        std::string state;
        wait_until(
            [&] {
                auto a = uds_request(sock, "GET", "/v1/reservations/" + id);
                state = a ? json_get(a->body, "state").value_or("") : "";
                return state == "held" || state == "rejected";
            },
            60s, 50ms);
        return state;
    }
    void set_pool(const std::string& sizes, const std::string& lock_type) {
        set_pools(pool_block("alloc", sizes, "locked_only = true\nlock_types = \"" + lock_type + "\""));
    }
};

}  // namespace

TEST_CASE("a locked_only pool holds only the agent's allocation and fails rather than take open seats") {
    locked_world w;
    // The allocation: five adjacent seats of the back row, locked for every account agentd uses.
    auto seats = w.sim_seats();
    std::set<std::string> allocation;
    std::string ids, accounts;
    for (const auto& [id, s] : seats)
        if (s.name == "B3" || s.name == "B4" || s.name == "B5" || s.name == "B6" || s.name == "B7") {
            REQUIRE(s.status == "Available");
            allocation.insert(id);
            ids += (ids.empty() ? "\"" : ",\"") + id + "\"";
        }
    REQUIRE(allocation.size() == 5);
    for (const auto& a : w.sim.clients.at(0).accounts) accounts += (accounts.empty() ? "\"" : ",\"") + a.login + "\"";
    auto locked = tcp_request(w.sim.control_url, "POST", "/locks",
                              R"({"instance":")" + w.instance + R"(","seats":[)" + ids + R"(],"accounts":[)" + accounts + "]}");
    REQUIRE(locked);
    REQUIRE(locked->status == 200);
    const auto lock_type = json_get(locked->body, "lockType.id");
    REQUIRE(lock_type);

    // Two holds of two: four of the five allocation seats, nothing else.
    const long best_asked = w.sim_requests("add_best_available");
    REQUIRE(best_asked >= 0);
    w.set_pool("2x2", *lock_type);
    REQUIRE(wait_until([&] { return w.pool_count("alloc", "ready") == 2; }, 60s, 20ms));
    auto held = w.sim_basket_seat_ids();
    CHECK(held.size() == 4);
    for (const auto& s : held) CHECK(allocation.contains(s));
    for (const auto& s : held) CHECK(w.sim_seats()[s].status == "InBasket");

    // A third hold of two cannot come from the one allocation seat left: the fill fails, backs
    // off and fails again, while fifteen open seats stay untouched.
    const long failed_before = w.pool_count("alloc", "failedFills");
    w.set_pool("3x2", *lock_type);
    REQUIRE(wait_until([&] { return w.pool_count("alloc", "failedFills") >= failed_before + 2; }, 60s, 20ms));
    held = w.sim_basket_seat_ids();
    CHECK(held.size() == 4);
    for (const auto& s : held) CHECK(allocation.contains(s));
    CHECK(w.pool_count("alloc", "ready") == 2);
    // The fills, good and failed, chose their seats: best available was never asked.
    CHECK(w.sim_requests("add_best_available") == best_asked);
    std::string left;
    for (const auto& id : allocation)
        if (!held.contains(id)) left = id;
    REQUIRE_FALSE(left.empty());
    CHECK(w.sim_seats()[left].status == "Locked");

    // Normal reservations of one seat each take every open seat of the stalls, but never the
    // allocation's last seat.
    std::vector<std::string> ids_made;
    for (int i = 0; i < 17; ++i) ids_made.push_back(w.reserve_one("normal-" + std::to_string(i)));
    int normal_held = 0;
    for (const auto& id : ids_made) {
        const auto state = w.settled(id);
        REQUIRE_FALSE(state.empty());
        normal_held += state == "held";
        auto a = uds_request(w.sock, "GET", "/v1/reservations/" + id);
        REQUIRE(a);
        for (int s = 0, n = json_array_size(a->body, "seats"); s < n; ++s)
            CHECK_FALSE(allocation.contains(*json_get(a->body, "seats." + std::to_string(s) + ".seat")));
    }
    CHECK(normal_held == 15);  // the twenty stalls less the five of the allocation
    CHECK(w.sim_seats()[left].status == "Locked");
    // Once the mirror has seen the house full, a fresh picture decides the next request: the
    // allocation's seat is still not one a normal reservation may have.
    const long polls = w.sim_requests("seat_status");
    REQUIRE(wait_until([&] { return w.sim_requests("seat_status") >= polls + 2; }, 60s, 50ms));
    const auto last = w.reserve_one("normal-last");
    CHECK(w.settled(last) == "rejected");
    CHECK(w.sim_seats()[left].status == "Locked");
    auto inv = tcp_request(w.sim.control_url, "GET", "/invariants");
    REQUIRE(inv);
    CHECK(json_get(inv->body, "ok") == "true");
}
