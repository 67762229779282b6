// Local answers against a real agentd-sim process: a placement that provably cannot win is
// answered without an upstream request, never when the picture is stale or agentd freed seats
// since; seats chosen from the picture, with the fall-back on a conflict; one basket across a
// retry. The seat picture stands in for the mirror: it is read from the simulator's audit.
#include "tests/integration/reservations/sim_rig.hpp"

#include <algorithm>

using namespace agentd;
using namespace agentd::rig_support;
namespace asio = boost::asio;

namespace {

struct fixed_seat_view final : domain::seat_status_view {
    std::optional<domain::seat_snapshot> snap;
    std::shared_ptr<const domain::seat_snapshot> seats_of(std::string_view, std::string_view) const override {
        return snap ? std::make_shared<const domain::seat_snapshot>(*snap) : nullptr;
    }
};

std::string place_and_wait(rig& g, const std::string& key, int n = 1) {
    auto c = g.run(g.svc->create("ch0", key, g.best(n)));
    REQUIRE(c.has_value());
    const std::string id = c->reservation.id;
    g.pump([&] { return g.settled(id); });
    return id;
}

}  // namespace

TEST_CASE("a placement that provably cannot win is answered unavailable without an upstream request") {
    rig g({"--seed", "21", "--size", "small", "--rate", "2000", "--burst", "2000"});
    leave_free(g, 3);
    g.make_service(1);
    fixed_seat_view view;
    view.snap = picture(g);  // three free seats, none held by agentd yet
    g.svc->set_seat_view(&view);
    g.start_worker();
    for (int i = 0; i < 3; ++i) CHECK(g.svc->get(place_and_wait(g, "w" + std::to_string(i)))->state == "held");

    const auto before = sim_requests(g);
    std::vector<std::string> losers;
    for (int i = 0; i < 5; ++i) losers.push_back(place_and_wait(g, "l" + std::to_string(i)));
    for (const auto& id : losers) {
        auto r = *g.svc->get(id);
        CHECK(r.state == "rejected");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "unavailable");  // the upstream path's code for "no seats"
    }
    CHECK(sim_requests(g) == before);
    CHECK(g.svc->stats().answered_locally == 5);
    g.check_invariants();
}

TEST_CASE("upstream's own 'no seats' answer proves the next requests sold out too") {
    rig g({"--seed", "22", "--size", "small", "--rate", "2000", "--burst", "2000"});
    leave_free(g, 1);
    g.make_service(1);  // no seat view: only upstream's answers count
    g.start_worker();
    CHECK(g.svc->get(place_and_wait(g, "w"))->state == "held");
    const auto asked_before = sim_requests(g, "best_available");
    CHECK(g.svc->get(place_and_wait(g, "first-loser"))->state == "rejected");
    CHECK(sim_requests(g, "best_available") == asked_before + 1);
    const auto before = sim_requests(g);
    for (int i = 0; i < 4; ++i) {
        auto r = *g.svc->get(place_and_wait(g, "l" + std::to_string(i)));
        CHECK(r.state == "rejected");
        CHECK(r.error->code == "unavailable");
    }
    CHECK(sim_requests(g) == before);
}

TEST_CASE("no local sold-out from a stale picture, nor after agentd released a hold") {
    rig g({"--seed", "23", "--size", "small", "--rate", "2000", "--burst", "2000"});
    leave_free(g, 2);
    g.make_service(1);
    fixed_seat_view view;
    g.svc->set_seat_view(&view);
    g.start_worker();

    SUBCASE("stale") {
        // A picture that shows nothing free, but older than the allowed age: upstream decides.
        view.snap = domain::seat_snapshot{system_clock::instance().now() - std::chrono::seconds(30), {}, {}};
        const auto creates = sim_requests(g, "create_basket");
        CHECK(g.svc->get(place_and_wait(g, "a"))->state == "held");
        CHECK(sim_requests(g, "create_basket") == creates + 1);
        CHECK(g.svc->stats().answered_locally == 0);
    }
    SUBCASE("released") {
        view.snap = picture(g);
        const auto a = place_and_wait(g, "a");
        const auto b = place_and_wait(g, "b");
        REQUIRE(g.svc->get(a)->state == "held");
        REQUIRE(g.svc->get(b)->state == "held");
        // Sold out by the picture: proven locally.
        CHECK(g.svc->get(place_and_wait(g, "c"))->state == "rejected");
        CHECK(g.svc->stats().answered_locally == 1);
        // A released hold puts its seat back on sale: the picture (older) proves nothing now.
        REQUIRE(g.run(g.svc->release(a)).has_value());
        g.pump([&] { return g.svc->get(a)->state == "released"; });
        const auto d = place_and_wait(g, "d");
        CHECK(g.svc->get(d)->state == "held");
        CHECK(g.svc->stats().answered_locally == 1);
    }
    g.check_invariants();
}

TEST_CASE("seats chosen from the picture are added directly; a seat taken meanwhile falls back to best available") {
    rig g({"--seed", "24", "--size", "small", "--rate", "2000", "--burst", "2000"});
    leave_free(g, 6);
    g.make_service(1, 3, std::chrono::minutes(20), std::chrono::minutes(2),
                   [](reservations::settings& s) { s.choose_seats_from_mirror = true; });
    fixed_seat_view view;
    view.snap = picture(g);
    g.svc->set_seat_view(&view);
    g.start_worker();

    const auto asked = sim_requests(g, "best_available");
    const auto a = place_and_wait(g, "a", 2);
    auto ra = *g.svc->get(a);
    REQUIRE(ra.state == "held");
    REQUIRE(ra.seats.size() == 2);
    CHECK(ra.seats[0].seat == view.snap->free[0].id);
    CHECK(ra.seats[1].seat == view.snap->free[1].id);
    CHECK(sim_requests(g, "best_available") == asked);

    // Someone else takes the next seat of the (now stale-in-content, still young) picture.
    auto other = g.run(g.up->create_basket());
    REQUIRE(other.has_value());
    const std::string taken = view.snap->free[2].id;
    REQUIRE(g.run(g.up->add_tickets(other->id, {{g.instance, taken, std::nullopt, g.ticket_type}})).has_value());
    const auto conflicts = sim_requests(g, "add_tickets");
    const auto b = place_and_wait(g, "b", 1);
    auto rb = *g.svc->get(b);
    REQUIRE(rb.state == "held");
    REQUIRE(rb.seats.size() == 1);
    CHECK(rb.seats[0].seat != taken);
    CHECK(sim_requests(g, "best_available") == asked + 1);
    CHECK(sim_requests(g, "add_tickets") == conflicts + 2);  // the refused add, then the one that held
    g.check_invariants();
}

TEST_CASE("a retried placement reuses its basket") {
    rig g({"--seed", "25", "--size", "small", "--rate", "2000", "--burst", "2000"});
    g.make_service(1);
    g.start_worker();
    // The first add is refused before anything is applied: the placement is retried.
    REQUIRE(g.sim.control("PUT", "faults", R"({"endpoint":"add_tickets","nth":1,"p503":1})").status == 200);
    const auto creates = sim_requests(g, "create_basket");
    const auto id = place_and_wait(g, "r", 2);
    auto r = *g.svc->get(id);
    REQUIRE(r.state == "held");
    CHECK(sim_requests(g, "create_basket") == creates + 1);
    CHECK(sim_requests(g, "add_tickets") == 2);
    auto h = g.svc->history(id);
    REQUIRE(h.has_value());
    CHECK(std::count_if(h->begin(), h->end(), [](const api::history_entry& e) { return e.state == "placing"; }) >= 2);
    // The basket that holds the seats is the one created first.
    auto baskets = json(g.sim.control("GET", "baskets"));
    int holding = 0;
    for (auto& b : baskets.GetArray())
        if (b["tickets"].Size() > 0) {
            ++holding;
            CHECK(g.basket_of(id) == b["id"].GetString());
        }
    CHECK(holding == 1);
    g.check_invariants();
}
