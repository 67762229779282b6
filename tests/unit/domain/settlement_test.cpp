#include "agentd/domain/settlement.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;

namespace {

held_seat held(std::string seat, std::string ticket_id, std::int64_t minor = 3500) {
    return held_seat{std::move(seat), "TT1", std::move(ticket_id), money{minor}, ""};
}
basket_ticket in_basket(std::string ticket_id, std::string seat, std::int64_t minor = 3500) {
    return basket_ticket{std::move(ticket_id), std::move(seat), money{minor}};
}

}  // namespace

TEST_CASE("prove_basket compares the basket with the hold by ticket id") {
    const std::vector<held_seat> hold = {held("S1", "T1"), held("S2", "T2")};
    SUBCASE("exactly the held tickets, in any order") {
        auto p = prove_basket(hold, {in_basket("T2", "S2"), in_basket("T1", "S1")});
        CHECK(p.exact);
        CHECK(p.missing == 0);
        CHECK(p.extra_ticket_ids.empty());
    }
    SUBCASE("a late add left a ticket that was not held: remove it") {
        auto p = prove_basket(hold, {in_basket("T1", "S1"), in_basket("T9", "S9"), in_basket("T2", "S2")});
        CHECK_FALSE(p.exact);
        CHECK(p.missing == 0);
        CHECK(p.extra_ticket_ids == std::vector<std::string>{"T9"});
    }
    SUBCASE("a held ticket is missing") {
        auto p = prove_basket(hold, {in_basket("T1", "S1")});
        CHECK_FALSE(p.exact);
        CHECK(p.missing == 1);
        CHECK(p.extra_ticket_ids.empty());
    }
    SUBCASE("the same seat under another ticket id is not the held ticket") {
        auto p = prove_basket(hold, {in_basket("T1", "S1"), in_basket("T7", "S2")});
        CHECK_FALSE(p.exact);
        CHECK(p.missing == 1);
        CHECK(p.extra_ticket_ids == std::vector<std::string>{"T7"});
    }
    SUBCASE("an empty basket misses everything") {
        auto p = prove_basket(hold, {});
        CHECK(p.missing == 2);
        CHECK_FALSE(p.exact);
    }
}

TEST_CASE("prove_basket goes by seat when the hold has no ticket ids") {
    const std::vector<held_seat> hold = {held("S1", ""), held("A1", ""), held("A1", "")};  // two in area A1
    auto exact = prove_basket(hold, {in_basket("T1", "S1"), in_basket("T2", "A1"), in_basket("T3", "A1")});
    CHECK(exact.exact);
    auto extra = prove_basket(hold, {in_basket("T1", "S1"), in_basket("T2", "A1"), in_basket("T3", "A1"), in_basket("T4", "A1")});
    CHECK_FALSE(extra.exact);
    CHECK(extra.extra_ticket_ids == std::vector<std::string>{"T4"});
    auto missing = prove_basket(hold, {in_basket("T1", "S1"), in_basket("T2", "A1")});
    CHECK(missing.missing == 1);
    // One held ticket without an id is enough to compare by seat for all of them.
    auto mixed = prove_basket({held("S1", "T1"), held("S2", "")}, {in_basket("X1", "S1"), in_basket("X2", "S2")});
    CHECK(mixed.exact);
}

TEST_CASE("compare_order names every difference between order and hold") {
    const std::vector<held_seat> hold = {held("S1", "T1", 3500), held("S2", "T2", 3500)};
    const money total{7000};
    CHECK(compare_order(hold, total, {in_basket("T1", "S1"), in_basket("T2", "S2")}, total).empty());
    CHECK(compare_order(hold, total, {in_basket("T2", "S2"), in_basket("T1", "S1")}, total).empty());

    auto count = compare_order(hold, total, {in_basket("T1", "S1"), in_basket("T2", "S2"), in_basket("T3", "S3", 3500)},
                               money{10500});
    CHECK(count.find("order has 3 tickets, hold has 2") != std::string::npos);
    CHECK(count.find("total 105.00 vs held 70.00") != std::string::npos);

    auto seat = compare_order(hold, total, {in_basket("T1", "S1"), in_basket("T9", "S9")}, total);
    CHECK(seat == "order has seat S9 that the hold does not");

    auto price = compare_order(hold, total, {in_basket("T1", "S1"), in_basket("T2", "S2")}, money{7100});
    CHECK(price == "total 71.00 vs held 70.00");

    // A seat twice in the order is a difference even when the count matches.
    auto twice = compare_order(hold, total, {in_basket("T1", "S1"), in_basket("T1b", "S1")}, total);
    CHECK(twice.find("seat S1") != std::string::npos);
}

TEST_CASE("after a sent confirm failed: settle by proof, never by guess") {
    using uf = upstream_failure;
    using nx = sent_confirm_next;
    namespace code = upstream_code;
    struct row {
        uf f;
        int code;
        bool alive;
        nx want;
    };
    const std::vector<row> table = {
        {uf::not_sent, 0, true, nx::send_again},
        {uf::not_sent, 0, false, nx::send_again},  // nothing sent: the basket's age proves nothing
        {uf::transient, 0, true, nx::send_again},  // a 5xx may have been applied: the same basket again settles it
        {uf::timeout, 0, true, nx::send_again},
        {uf::ambiguous, 0, true, nx::send_again},
        {uf::transient, 0, false, nx::unknown},  // once it may have expired a 404 proves nothing
        {uf::timeout, 0, false, nx::unknown},
        {uf::ambiguous, 0, false, nx::unknown},
        {uf::conflict, code::already_confirmed, true, nx::proven_sold},
        {uf::conflict, code::already_confirmed, false, nx::proven_sold},
        {uf::conflict, code::empty_basket, true, nx::proven_not_sold},
        {uf::conflict, code::empty_basket, false, nx::proven_not_sold},
        {uf::conflict, code::seat_unavailable, true, nx::unknown},
        {uf::conflict, 0, true, nx::unknown},
        {uf::not_found, 0, true, nx::unknown},  // confirmed and expired baskets both answer 404
        {uf::not_found, 0, false, nx::unknown},
        {uf::permanent, 0, true, nx::unknown},  // refused now; an earlier attempt may still have sold
    };
    for (const auto& r : table) {
        CAPTURE(static_cast<int>(r.f));
        CAPTURE(r.code);
        CAPTURE(r.alive);
        CHECK(to_string(after_sent_confirm_failure(r.f, r.code, r.alive)) == to_string(r.want));
    }
    CHECK(to_string(nx::proven_not_sold) == "proven_not_sold");
}

TEST_CASE("a specific seat is added as an area only when the plan knows it as an area") {
    instance_facts facts;
    facts.seats = {"S1", "X"};
    facts.areas = {"A1", "X"};
    CHECK(add_as_area(&facts, "A1"));
    CHECK_FALSE(add_as_area(&facts, "S1"));
    CHECK_FALSE(add_as_area(&facts, "X"));        // known as a seat too: a seat
    CHECK_FALSE(add_as_area(&facts, "unknown"));  // unknown: sent as a seat, upstream decides
    CHECK_FALSE(add_as_area(nullptr, "A1"));      // no facts: a seat
}

TEST_CASE("best available is all or nothing") {
    CHECK(best_available_complete(2, 2));
    CHECK_FALSE(best_available_complete(1, 2));
    CHECK_FALSE(best_available_complete(3, 2));
    CHECK_FALSE(best_available_complete(0, 0));
    CHECK_FALSE(best_available_complete(0, -1));
}
