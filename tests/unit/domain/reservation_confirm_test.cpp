// The confirm half of the reservation rules: what a sent confirm may still become.
#include "tests/unit/domain/reservation_support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace agentd;
using namespace agentd::domain;
using namespace agentd::test::res;
using std::chrono::hours;
using std::chrono::minutes;

TEST_CASE("confirm field limits") {
    end_customer c = ada();
    CHECK(validate_confirm(c).has_value());
    c.reference = "";
    CHECK(validate_confirm(c).error().code == errc::invalid_argument);
    c.reference = std::string(128, 'r');
    CHECK(validate_confirm(c).has_value());
    c.reference = std::string(129, 'r');
    auto long_ref = validate_confirm(c);
    REQUIRE(long_ref.has_error());
    CHECK(long_ref.error().message.find("reference") != std::string::npos);
    c = ada();
    c.address_line1 = "";
    CHECK(validate_confirm(c).error().code == errc::invalid_argument);
    c = ada();
    c.last_name = std::string(256, 'l');
    CHECK(validate_confirm(c).has_value());
    c.last_name = std::string(257, 'l');
    CHECK(validate_confirm(c).error().code == errc::invalid_argument);
}

TEST_CASE("a sent confirm never returns to held and is settled only by proof or an operator") {
    auto r = confirm_sent();
    REQUIRE(r.confirm_sent_at.has_value());
    SUBCASE("confirmed requires the confirm to have been marked sent") {
        auto unsent = transition(in_state(reservation_state::confirming), ev::confirmed{"O1", {}, "upstream_order", ""}, t0);
        REQUIRE(unsent.has_error());
        CHECK(unsent.error().code == errc::conflict);
        CHECK(transition(r, ev::confirmed{"O1", {}, "upstream_order", ""}, t0).has_value());
    }
    SUBCASE("a refusal after confirm_sent_at cannot return to held") {
        auto out = transition(r, ev::confirm_failed_permanent{"400"}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::conflict);
    }
    SUBCASE("a 404 after the send does not prove the basket unsold") {
        auto out = transition(r, ev::basket_gone{"404"}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::conflict);
    }
    SUBCASE("marking it sent again keeps the first send time") {
        auto again = transition(r, ev::confirm_sending{}, t0 + minutes(5));
        REQUIRE(again.has_value());
        CHECK(again->next.confirm_sent_at == r.confirm_sent_at);
    }
    SUBCASE("proven not sold: the basket is cleared and it ends released") {
        auto a = transition(r, ev::confirm_abandoned{"empty basket"}, t0);
        REQUIRE(a.has_value());
        CHECK(a->to == reservation_state::releasing);
        CHECK(a->next.releasing_for == release_cause::failure);
        CHECK(a->next.reason == "empty basket");
        auto b = transition(a->next, ev::released{}, t0);
        REQUIRE(b.has_value());
        CHECK(b->to == reservation_state::released);
    }
    SUBCASE("a difference between order and hold is recorded") {
        auto out = transition(r, ev::confirmed{"O1", {}, "upstream_order", "order has 3 tickets, hold has 2"}, t0);
        REQUIRE(out.has_value());
        CHECK(out->next.order_mismatch == "order has 3 tickets, hold has 2");
    }
}

TEST_CASE("confirm_unknown is settled only by resolve or by proof of the order") {
    using rs = reservation_state;
    auto u = in_state(rs::confirm_unknown);
    CHECK(u.reason == "timeout");
    // Neither a clear nor a new placement may settle it: the sale may exist.
    for (const event& e : {event{ev::released{}}, event{ev::expired{}}, event{ev::place_started{}},
                           event{ev::cancel_requested{}}, event{ev::release_requested{}}, event{ev::confirm_abandoned{"x"}}}) {
        CAPTURE(event_name(e));
        auto out = transition(u, e, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::conflict);
    }
    SUBCASE("resolve --sold: confirmed by the operator with the venue's order id") {
        auto out = transition(u, ev::resolve_sold{"1AKP", "checked in Spektrix"}, t0);
        REQUIRE(out.has_value());
        CHECK(out->to == rs::confirmed);
        CHECK(out->next.order_id == "1AKP");
        CHECK(out->next.settled_by == "operator");
        CHECK(out->next.reason == "checked in Spektrix");
    }
    SUBCASE("resolve --not-sold: the basket is cleared and it ends released, not expired") {
        auto out = transition(u, ev::resolve_not_sold{""}, t0);
        REQUIRE(out.has_value());
        CHECK(out->to == rs::releasing);
        CHECK(out->next.settled_by == "operator");
        CHECK_FALSE(out->next.reason.empty());
        auto done = transition(out->next, ev::released{}, t0);
        REQUIRE(done.has_value());
        CHECK(done->to == rs::released);
    }
    SUBCASE("resolve is refused in any other state") {
        for (auto s : k_all_reservation_states) {
            if (s == rs::confirm_unknown) continue;
            CAPTURE(to_string(s));
            CHECK(transition(in_state(s), ev::resolve_sold{"O1", ""}, t0).error().code == errc::conflict);
            CHECK(transition(in_state(s), ev::resolve_not_sold{""}, t0).error().code == errc::conflict);
        }
    }
}

TEST_CASE("the last applied touch only moves forward") {
    auto r = in_state(reservation_state::placing);  // basket created (sent) at t0
    auto h = transition(r, ev::placed{{seat("S1", 1)}, t0 + minutes(18), t0 - minutes(1)}, t0);
    REQUIRE(h.has_value());
    CHECK(h->next.last_upstream_touch == t0);
    auto x = transition(h->next, ev::extend_requested{t0 + minutes(20), t0 - minutes(2)}, t0);
    REQUIRE(x.has_value());
    CHECK(x->next.last_upstream_touch == t0);
    auto y = transition(x->next, ev::extend_requested{t0 + minutes(25), t0 + minutes(4)}, t0 + minutes(4));
    REQUIRE(y.has_value());
    CHECK(y->next.last_upstream_touch == t0 + minutes(4));
}

