#include "agentd/domain/reservation.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

using namespace agentd;
using namespace agentd::domain;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const sys_time t0 = sys_time{} + hours(24 * 365 * 56);

held_seat seat(std::string id, std::int64_t minor) { return held_seat{id, "TT1", "tk" + id, money{minor}, ""}; }

end_customer ada() { return {"Ada", "Lovelace", "1 Main St", "WEB-1042"}; }

// Drives a fresh reservation along `events`, requiring every step to succeed.
reservation drive(std::initializer_list<event> events, sys_time now = t0) {
    reservation r = make_reservation(now);
    for (const auto& e : events) {
        auto out = transition(r, e, now);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        r = out->next;
    }
    return r;
}

reservation in_state(reservation_state s) {
    using rs = reservation_state;
    const event place = ev::place_started{}, basket = ev::basket_created{"B1"},
                hold = ev::placed{{seat("S1", 3500), seat("S2", 3500)}, t0 + minutes(18)},
                confirm = ev::confirm_requested{ada()};
    switch (s) {
    case rs::queued: return drive({});
    case rs::placing: return drive({place, basket});
    case rs::held: return drive({place, basket, hold});
    case rs::confirming: return drive({place, basket, hold, confirm});
    case rs::confirmed: return drive({place, basket, hold, confirm, ev::confirmed{"O1", {"BC1", "BC2"}}});
    case rs::confirm_unknown: return drive({place, basket, hold, confirm, ev::confirm_ambiguous{"timeout"}});
    case rs::rejected: return drive({place, ev::place_failed{"unavailable", false}});
    case rs::cancelled: return drive({ev::cancel_requested{}});
    case rs::releasing: return drive({place, basket, hold, ev::release_requested{}});
    case rs::released: return drive({place, basket, hold, ev::release_requested{}, ev::released{}});
    case rs::expired: return drive({place, basket, hold, ev::expired{}});
    }
    return drive({});
}

std::vector<event> all_events() {
    return {ev::place_started{},
            ev::basket_created{"B1"},
            ev::placed{{seat("S1", 100)}, t0 + minutes(10)},
            ev::place_failed{"x", false},
            ev::confirm_requested{ada()},
            ev::confirmed{"O1", {}},
            ev::confirm_ambiguous{"x"},
            ev::confirm_failed_permanent{"x"},
            ev::release_requested{},
            ev::released{},
            ev::expiry_due{},
            ev::expired{},
            ev::cancel_requested{},
            ev::extend_requested{t0 + minutes(30)}};
}

}  // namespace

TEST_CASE("reservation state names round-trip and unknown names are refused") {
    std::set<std::string_view> names;
    for (auto s : k_all_reservation_states) {
        auto p = parse_reservation_state(to_string(s));
        REQUIRE(p.has_value());
        CHECK(*p == s);
        names.insert(to_string(s));
    }
    CHECK(names.size() == 11);
    CHECK(to_string(reservation_state::confirm_unknown) == "confirm_unknown");
    auto bad = parse_reservation_state("Held");
    REQUIRE(bad.has_error());
    CHECK(bad.error().code == errc::invalid_argument);
}

TEST_CASE("happy path: queued -> placing -> held -> confirming -> confirmed") {
    reservation r = make_reservation(t0);
    CHECK(r.version == 1);
    CHECK(r.state == reservation_state::queued);

    auto step = [&](const event& e, reservation_state want, sys_time now = t0) {
        auto out = transition(r, e, now);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(out->from == r.state);
        CHECK(out->to == want);
        CHECK(out->next.state == want);
        CHECK(out->next.version == r.version + 1);
        CHECK(out->next.updated_at == now);
        r = out->next;
    };
    step(ev::place_started{}, reservation_state::placing);
    CHECK(r.place_attempts == 1);
    step(ev::basket_created{"B1"}, reservation_state::placing);
    CHECK(r.basket_id == "B1");
    step(ev::placed{{seat("S1", 3500), seat("S2", 3550)}, t0 + minutes(18)}, reservation_state::held);
    CHECK(r.total == money{7050});
    CHECK(r.expires_at == t0 + minutes(18));
    step(ev::extend_requested{t0 + minutes(25)}, reservation_state::held, t0 + minutes(5));
    CHECK(r.expires_at == t0 + minutes(25));
    step(ev::confirm_requested{ada()}, reservation_state::confirming, t0 + minutes(6));
    REQUIRE(r.customer.has_value());
    CHECK(r.customer->reference == "WEB-1042");
    step(ev::confirmed{"O1", {"BC1", "BC2"}}, reservation_state::confirmed, t0 + minutes(7));
    CHECK(r.order_id == "O1");
    CHECK(r.seats[1].barcode == "BC2");
    CHECK(r.version == 7);
    CHECK(is_terminal(r.state));
}

TEST_CASE("every legal transition") {
    using rs = reservation_state;
    struct row {
        rs from;
        event e;
        rs to;
        sys_time now = t0;
    };
    const std::vector<row> legal = {
        {rs::queued, ev::place_started{}, rs::placing},
        {rs::queued, ev::cancel_requested{}, rs::cancelled},
        {rs::placing, ev::cancel_requested{}, rs::placing},
        {rs::placing, ev::basket_created{"B1"}, rs::placing},
        {rs::placing, ev::placed{{seat("S1", 1)}, t0 + minutes(1)}, rs::held},
        {rs::placing, ev::place_failed{"seat taken", true}, rs::queued},
        {rs::placing, ev::place_failed{"unavailable", false}, rs::rejected},
        {rs::held, ev::confirm_requested{ada()}, rs::confirming},
        {rs::held, ev::release_requested{}, rs::releasing},
        {rs::held, ev::cancel_requested{}, rs::releasing},
        {rs::held, ev::expiry_due{}, rs::releasing, t0 + minutes(18)},
        {rs::held, ev::expired{}, rs::expired},
        {rs::held, ev::extend_requested{t0 + minutes(30)}, rs::held},
        {rs::confirming, ev::confirmed{"O1", {}}, rs::confirmed},
        {rs::confirming, ev::confirm_ambiguous{"timeout"}, rs::confirm_unknown},
        {rs::confirming, ev::confirm_failed_permanent{"400 customer"}, rs::held},
        {rs::confirm_unknown, ev::confirmed{"O1", {}}, rs::confirmed},
        {rs::confirm_unknown, ev::released{}, rs::released},
        {rs::releasing, ev::released{}, rs::released},
        {rs::releasing, ev::expired{}, rs::released},
    };
    for (const auto& l : legal) {
        CAPTURE(to_string(l.from));
        CAPTURE(event_name(l.e));
        reservation r = in_state(l.from);
        auto out = transition(r, l.e, l.now);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(out->to == l.to);
        CHECK(out->next.version == r.version + 1);
    }
}

TEST_CASE("expiry passes through releasing and ends expired") {
    reservation r = in_state(reservation_state::held);
    SUBCASE("before the deadline expiry is refused") {
        auto out = transition(r, ev::expiry_due{}, t0 + minutes(17));
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::conflict);
    }
    SUBCASE("cleared basket reports expired") {
        auto a = transition(r, ev::expiry_due{}, t0 + minutes(18));
        REQUIRE(a.has_value());
        CHECK(a->next.releasing_for == release_cause::expiry);
        auto b = transition(a->next, ev::released{}, t0 + minutes(18));
        REQUIRE(b.has_value());
        CHECK(b->to == reservation_state::expired);
    }
    SUBCASE("basket found gone while clearing also reports expired") {
        auto a = transition(r, ev::expiry_due{}, t0 + minutes(19));
        REQUIRE(a.has_value());
        auto b = transition(a->next, ev::expired{}, t0 + minutes(19));
        REQUIRE(b.has_value());
        CHECK(b->to == reservation_state::expired);
    }
    SUBCASE("confirm and extend after the deadline are refused") {
        auto c = transition(r, ev::confirm_requested{ada()}, t0 + minutes(18));
        REQUIRE(c.has_error());
        CHECK(c.error().message.find("deadline") != std::string::npos);
        auto x = transition(r, ev::extend_requested{t0 + minutes(40)}, t0 + minutes(18));
        REQUIRE(x.has_error());
        CHECK(x.error().code == errc::conflict);
    }
}

TEST_CASE("illegal transitions fail with conflict and a clear message") {
    // Everything not in the legal table is refused; walk the whole event x state matrix.
    using rs = reservation_state;
    std::map<std::pair<rs, std::string_view>, bool> legal = {
        {{rs::queued, "place"}, true},
        {{rs::queued, "cancel"}, true},
        {{rs::placing, "cancel"}, true},
        {{rs::placing, "record basket for"}, true},
        {{rs::placing, "hold"}, true},
        {{rs::placing, "fail placing of"}, true},
        {{rs::held, "confirm"}, true},
        {{rs::held, "release"}, true},
        {{rs::held, "cancel"}, true},
        {{rs::held, "expire"}, false},  // legal only once the deadline passed; at t0 refused
        {{rs::held, "record expiry of"}, true},
        {{rs::held, "extend"}, true},
        {{rs::confirming, "record order for"}, true},
        {{rs::confirming, "mark confirm unknown for"}, true},
        {{rs::confirming, "refuse confirm of"}, true},
        {{rs::confirm_unknown, "record order for"}, true},
        {{rs::confirm_unknown, "record release of"}, true},
        {{rs::releasing, "record release of"}, true},
        {{rs::releasing, "record expiry of"}, true},
    };
    int refused = 0;
    for (auto s : k_all_reservation_states) {
        for (const auto& e : all_events()) {
            CAPTURE(to_string(s));
            CAPTURE(event_name(e));
            auto out = transition(in_state(s), e, t0);
            if (legal[{s, event_name(e)}]) {
                CHECK_MESSAGE(out.has_value(), out.error().message);
                continue;
            }
            REQUIRE(out.has_error());
            CHECK(out.error().code == errc::conflict);
            ++refused;
        }
    }
    CHECK(refused == 11 * 14 - 18);
    SUBCASE("message names the verb and state") {
        auto out = transition(in_state(rs::released), ev::confirm_requested{ada()}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().message == "confirm reservation in state released: not allowed");
    }
}

TEST_CASE("terminal states accept no event") {
    for (auto s : k_all_reservation_states) {
        if (!is_terminal(s)) continue;
        for (const auto& e : all_events()) CHECK(transition(in_state(s), e, t0).has_error());
    }
    CHECK_FALSE(is_terminal(reservation_state::confirm_unknown));
    CHECK_FALSE(is_terminal(reservation_state::held));
}

TEST_CASE("malformed events are invalid_argument, not state changes") {
    SUBCASE("empty basket id") {
        auto out = transition(in_state(reservation_state::placing), ev::basket_created{""}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::invalid_argument);
    }
    SUBCASE("a second, different basket is a conflict; the same id again is fine") {
        auto r = in_state(reservation_state::placing);
        CHECK(transition(r, ev::basket_created{"B2"}, t0).error().code == errc::conflict);
        CHECK(transition(r, ev::basket_created{"B1"}, t0).has_value());
    }
    SUBCASE("placed without seats or with a past deadline") {
        auto r = in_state(reservation_state::placing);
        CHECK(transition(r, ev::placed{{}, t0 + minutes(1)}, t0).error().code == errc::invalid_argument);
        CHECK(transition(r, ev::placed{{seat("S1", 1)}, t0}, t0).error().code == errc::invalid_argument);
    }
    SUBCASE("confirm without the customer's name") {
        auto r = in_state(reservation_state::held);
        CHECK(transition(r, ev::confirm_requested{{"", "L", "A", ""}}, t0).error().code == errc::invalid_argument);
    }
    SUBCASE("more barcodes than seats") {
        auto r = in_state(reservation_state::confirming);
        CHECK(transition(r, ev::confirmed{"O", {"a", "b", "c"}}, t0).error().code == errc::invalid_argument);
    }
}

TEST_CASE("retryable placing failure requeues and keeps the basket") {
    auto r = in_state(reservation_state::placing);
    auto q = transition(r, ev::place_failed{"seat taken", true}, t0);
    REQUIRE(q.has_value());
    CHECK(q->next.basket_id == "B1");
    CHECK(q->next.last_error == "seat taken");
    auto p = transition(q->next, ev::place_started{}, t0);
    REQUIRE(p.has_value());
    CHECK(p->next.place_attempts == 2);
    auto rej = transition(p->next, ev::place_failed{"unavailable", false}, t0);
    REQUIRE(rej.has_value());
    CHECK(rej->next.reason == "unavailable");
}

TEST_CASE("refused confirm returns to held with the error recorded") {
    auto r = in_state(reservation_state::confirming);
    auto out = transition(r, ev::confirm_failed_permanent{"customer refused: 400"}, t0);
    REQUIRE(out.has_value());
    CHECK(out->next.state == reservation_state::held);
    CHECK(out->next.last_error == "customer refused: 400");
    CHECK(out->next.basket_id == "B1");
}

TEST_CASE("in-flight states and crash recovery") {
    using rs = reservation_state;
    std::set<rs> in_flight;
    for (auto s : k_all_reservation_states)
        if (is_in_flight_upstream(s)) in_flight.insert(s);
    CHECK(in_flight == std::set<rs>{rs::placing, rs::confirming, rs::releasing});

    CHECK(recovery_action_for(rs::placing, true) == recovery_action::read_basket_back);
    CHECK(recovery_action_for(rs::placing, false) == recovery_action::resume_placing);
    CHECK(recovery_action_for(rs::confirming, true) == recovery_action::read_basket_back);
    CHECK(recovery_action_for(rs::confirming, false) == recovery_action::mark_confirm_unknown);
    CHECK(recovery_action_for(rs::releasing, true) == recovery_action::clear_basket);
    for (auto s : k_all_reservation_states) {
        if (is_in_flight_upstream(s)) continue;
        CAPTURE(to_string(s));
        CHECK(recovery_action_for(s, true) == recovery_action::nothing);
        CHECK(recovery_action_for(s, false) == recovery_action::nothing);
    }
    CHECK(to_string(recovery_action::clear_basket) == "clear_basket");
}

TEST_CASE("cancel while placing is deferred until placing ends") {
    auto r = in_state(reservation_state::placing);
    auto c = transition(r, ev::cancel_requested{}, t0);
    REQUIRE(c.has_value());
    CHECK(c->to == reservation_state::placing);
    CHECK(c->next.cancel_pending);
    CHECK(c->next.version == r.version + 1);
    CHECK_FALSE(follow_up(c->next).has_value());  // still placing: nothing to do yet
    auto twice = transition(c->next, ev::cancel_requested{}, t0);
    REQUIRE(twice.has_error());
    CHECK(twice.error().code == errc::conflict);

    SUBCASE("placed: held, then released at once") {
        auto h = transition(c->next, ev::placed{{seat("S1", 100)}, t0 + minutes(18)}, t0);
        REQUIRE(h.has_value());
        CHECK(h->to == reservation_state::held);
        auto f = follow_up(h->next);
        REQUIRE(f.has_value());
        CHECK(std::holds_alternative<ev::release_requested>(*f));
        auto rel = transition(h->next, *f, t0);
        REQUIRE(rel.has_value());
        CHECK(rel->to == reservation_state::releasing);
        CHECK_FALSE(rel->next.cancel_pending);
        CHECK_FALSE(follow_up(rel->next).has_value());
    }
    SUBCASE("retryable failure: requeued, then cancelled") {
        auto q = transition(c->next, ev::place_failed{"503", true}, t0);
        REQUIRE(q.has_value());
        auto f = follow_up(q->next);
        REQUIRE(f.has_value());
        auto done = transition(q->next, *f, t0);
        REQUIRE(done.has_value());
        CHECK(done->to == reservation_state::cancelled);
        CHECK_FALSE(done->next.cancel_pending);
    }
    SUBCASE("permanent failure: rejected, nothing follows") {
        auto x = transition(c->next, ev::place_failed{"unavailable", false}, t0);
        REQUIRE(x.has_value());
        CHECK(x->to == reservation_state::rejected);
        CHECK_FALSE(follow_up(x->next).has_value());
    }
}

TEST_CASE("release cause names round-trip") {
    for (auto c : {release_cause::none, release_cause::channel, release_cause::expiry}) {
        auto p = parse_release_cause(to_string(c));
        REQUIRE(p.has_value());
        CHECK(*p == c);
    }
    CHECK(parse_release_cause("later").error().code == errc::invalid_argument);
}
