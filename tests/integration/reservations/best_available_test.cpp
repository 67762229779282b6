// Best-available holds placed side by side against a real agentd-sim with 30 ms of latency:
// the query form (GET best-available, then add those seats) offers every one of them the same
// best block, so all but one conflict with ours and ask again; with [[client]]
// basket_best_available = auto, upstream picks and adds in one write and none conflicts.
#include "tests/integration/reservations/sim_rig.hpp"

#include <set>

using namespace agentd;
using namespace agentd::rig_support;

namespace {

// Answers the simulator gave for `endpoint` with `status`.
std::uint64_t sim_answers(rig& g, std::string_view endpoint, int status) {
    auto st = json(g.sim.control("GET", "stats"));
    std::uint64_t n = 0;
    for (auto& r : st["requests"].GetArray())
        if (endpoint == r["endpoint"].GetString() && r["status"].GetInt() == status) n += r["count"].GetUint64();
    return n;
}

// Eight holds of 2 asked for at once; all must end held, on 16 distinct seats.
void place_eight(rig& g) {
    auto put = g.sim.control("PUT", "faults", R"({"client":"*","endpoint":"*","latency_ms":30})");
    REQUIRE(put.status == 200);
    g.make_service(1);
    std::vector<std::string> ids;
    for (int i = 0; i < 8; ++i) {
        auto c = g.run(g.svc->create("ch0", "side-" + std::to_string(i), g.best(2)));
        REQUIRE(c.has_value());
        ids.push_back(c->reservation.id);
    }
    g.start_worker();
    g.pump([&] { return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) { return g.settled(id); }); });
    std::set<std::string> seats;
    for (const auto& id : ids) {
        auto r = g.svc->get(id);
        REQUIRE(r.has_value());
        CAPTURE(id);
        REQUIRE(r->state == "held");
        for (const auto& t : r->seats) seats.insert(t.seat);
    }
    CHECK(seats.size() == 16);
    g.check_invariants();
}

}  // namespace

TEST_CASE("side by side, the query form conflicts with our own placements; the basket form does not") {
    SUBCASE("basket_best_available = never") {
        rig g({"--seed", "31", "--size", "small", "--rate", "2000", "--burst", "2000"});
        g.best_available = reservations::best_available_form::never;
        place_eight(g);
        CHECK(sim_requests(g, "add_best_available") == 0);
        CHECK(sim_answers(g, "add_tickets", 409) > 0);
    }
    SUBCASE("basket_best_available = auto") {
        rig g({"--seed", "31", "--size", "small", "--rate", "2000", "--burst", "2000"});
        place_eight(g);
        CHECK(sim_requests(g, "add_best_available") >= 7);
        CHECK(sim_answers(g, "add_tickets", 409) == 0);
        CHECK(sim_answers(g, "add_best_available", 409) == 0);
    }
}
