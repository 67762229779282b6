// How best-available holds get their seats ([[client]] basket_best_available): the query form
// (GET best-available, then add those seats) offers placements of ours running side by side
// the same block, so while another is being placed the basket form lets upstream pick and add
// in one write; a venue that refuses that form falls back to the query, once per instance.
#include "tests/unit/reservations/fixture.hpp"

#include <set>

using namespace agentd;
using namespace agentd::test;

namespace {

// Creates `n` best-available holds of 2 before the worker runs, so their placements overlap.
std::vector<std::string> create_side_by_side(res_fixture& f, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
        auto c = f.create("side-" + std::to_string(i), f.best_req(2));
        REQUIRE(c.has_value());
        ids.push_back(c->reservation.id);
    }
    f.start_worker();
    return ids;
}

// Every reservation held, with its own seats: none twice across them.
void check_held_apart(res_fixture& f, const std::vector<std::string>& ids) {
    std::set<std::string> seats;
    std::size_t tickets = 0;
    for (const auto& id : ids) {
        auto r = f.settle(id);
        CAPTURE(id);
        REQUIRE(r.state == "held");
        for (const auto& t : f.basket_of(id).tickets) {
            REQUIRE(t.seat_id.has_value());
            seats.insert(*t.seat_id);
            ++tickets;
        }
    }
    CHECK(tickets == 2 * ids.size());
    CHECK(seats.size() == tickets);
}

upstream::failure not_possible() {
    return upstream::failure{upstream::error_class::conflict, 409, 22, "add best available: 409 Best Available Seats not possible (errorCode 22)"};
}

}  // namespace

TEST_CASE("a lone best-available hold queries; holds placed side by side let upstream pick into their baskets") {
    res_fixture f;
    f.start_worker();
    auto lone = f.create("lone", f.best_req(2));
    REQUIRE(lone.has_value());
    CHECK(f.settle(lone->reservation.id).state == "held");
    CHECK(f.count("best_available") == 1);
    CHECK(f.count("add_best_available") == 0);
    f.stop_worker();

    auto ids = create_side_by_side(f, 3);
    check_held_apart(f, ids);
    // The first two each had another placement running beside them when they asked.
    CHECK(f.count("add_best_available") >= 2);
    f.stop_worker();
}

TEST_CASE("basket_best_available = never: side by side holds query and add, never the basket form") {
    res_fixture f;
    f.best_available = reservations::best_available_form::never;
    f.make_service();
    auto ids = create_side_by_side(f, 3);
    check_held_apart(f, ids);
    CHECK(f.count("add_best_available") == 0);
    CHECK(f.count("best_available") >= 3);
    f.stop_worker();
}

TEST_CASE("basket_best_available = always: even a lone hold lets upstream pick into its basket") {
    res_fixture f;
    f.best_available = reservations::best_available_form::always;
    f.make_service();
    f.start_worker();
    auto c = f.create("lone", f.best_req(2));
    REQUIRE(c.has_value());
    CHECK(f.settle(c->reservation.id).state == "held");
    CHECK(f.count("add_best_available") == 1);
    CHECK(f.count("best_available") == 0);
    CHECK(f.count("add_tickets") == 0);
    f.stop_worker();
}

TEST_CASE("a venue refusing the basket form where the query finds seats: that instance queries from then on") {
    res_fixture f;
    f.up.fail_next("add_best_available", not_possible());
    auto ids = create_side_by_side(f, 3);
    check_held_apart(f, ids);
    CHECK(f.count("add_best_available") == 1);
    f.stop_worker();

    auto more = create_side_by_side(f, 2);
    check_held_apart(f, more);
    CHECK(f.count("add_best_available") == 1);
    f.stop_worker();
}

TEST_CASE("no seats left: the basket form's 'not possible' is confirmed by the query and answered unavailable") {
    res_fixture f(4);
    auto ids = create_side_by_side(f, 3);
    int held = 0, rejected = 0;
    for (const auto& id : ids) {
        auto r = f.settle(id);
        if (r.state == "held") ++held;
        if (r.state == "rejected") ++rejected;
    }
    CHECK(held == 2);
    CHECK(rejected == 1);
    f.stop_worker();
}

TEST_CASE("a basket-form add whose answer is lost after it applied is read back and held once") {
    res_fixture f;
    f.best_available = reservations::best_available_form::always;
    f.make_service();
    f.up.fail_next("add_best_available", upstream::failure{upstream::error_class::transient, 503, 0, "fake: 503 from the gateway"}, true);
    f.start_worker();
    auto c = f.create("lost", f.best_req(2));
    REQUIRE(c.has_value());
    auto r = f.settle(c->reservation.id);
    CHECK(r.state == "held");
    CHECK(f.basket_of(c->reservation.id).tickets.size() == 2);
    CHECK(f.count("add_best_available") == 1);
    CHECK(f.count("get_basket") >= 1);
    f.stop_worker();
}
