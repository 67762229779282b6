#include "tests/unit/domain/reservation_support.hpp"
#include "agentd/domain/history_note.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace agentd;
using namespace agentd::domain;
using namespace agentd::test::res;
using std::chrono::hours;
using std::chrono::minutes;

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

TEST_CASE("happy path: queued -> placing -> held -> confirming (sent) -> confirmed") {
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
    step(ev::basket_created{"B1", t0 - std::chrono::seconds(2)}, reservation_state::placing);
    CHECK(r.basket_id == "B1");
    CHECK(r.basket_created_at == t0 - std::chrono::seconds(2));  // the send time, not the answer's
    CHECK(r.last_upstream_touch == t0 - std::chrono::seconds(2));
    step(ev::placed{{seat("S1", 3500), seat("S2", 3550)}, t0 + minutes(18), t0 - std::chrono::seconds(1)},
         reservation_state::held);
    CHECK(r.total == money{7050});
    CHECK(r.expires_at == t0 + minutes(18));
    CHECK(r.last_upstream_touch == t0 - std::chrono::seconds(1));
    step(ev::extend_requested{t0 + minutes(25), t0 + minutes(5)}, reservation_state::held, t0 + minutes(5));
    CHECK(r.expires_at == t0 + minutes(25));
    CHECK(r.last_upstream_touch == t0 + minutes(5));
    step(ev::confirm_requested{ada()}, reservation_state::confirming, t0 + minutes(6));
    REQUIRE(r.customer.has_value());
    CHECK(r.customer->reference == "WEB-1042");
    CHECK_FALSE(r.confirm_sent_at.has_value());
    step(ev::confirm_sending{}, reservation_state::confirming, t0 + minutes(6) + std::chrono::seconds(30));
    CHECK(r.confirm_sent_at == t0 + minutes(6) + std::chrono::seconds(30));
    step(ev::confirmed{"O1", {"BC1", "BC2"}, "upstream_order", ""}, reservation_state::confirmed, t0 + minutes(7));
    CHECK(r.order_id == "O1");
    CHECK(r.settled_by == "upstream_order");
    CHECK(r.order_mismatch.empty());
    CHECK(r.seats[1].barcode == "BC2");
    CHECK_FALSE(r.expires_at.has_value());
    CHECK(r.version == 8);
    CHECK(is_terminal(r.state));
}

TEST_CASE("every legal transition") {
    using rs = reservation_state;
    struct row {
        std::string_view from_name;
        reservation from;
        event e;
        rs to;
        sys_time now = t0;
    };
    const std::vector<row> legal = {
        {"queued", in_state(rs::queued), ev::place_started{}, rs::placing},
        {"queued", in_state(rs::queued), ev::cancel_requested{}, rs::cancelled},
        {"queued+basket", queued_with_basket(), ev::cancel_requested{}, rs::releasing},
        {"queued+basket", queued_with_basket(), ev::place_started{}, rs::placing},
        {"placing", in_state(rs::placing), ev::cancel_requested{}, rs::placing},
        {"placing", in_state(rs::placing), ev::basket_created{"B1", t0}, rs::placing},
        {"placing", in_state(rs::placing), ev::placed{{seat("S1", 1)}, t0 + minutes(1), t0}, rs::held},
        {"placing", in_state(rs::placing), ev::place_failed{"seat taken", true}, rs::queued},
        {"placing", in_state(rs::placing), ev::place_failed{"unavailable", false}, rs::rejected},
        {"held", in_state(rs::held), ev::confirm_requested{ada()}, rs::confirming},
        {"held", in_state(rs::held), ev::release_requested{}, rs::releasing},
        {"held", in_state(rs::held), ev::cancel_requested{}, rs::releasing},
        {"held", in_state(rs::held), ev::expiry_due{}, rs::releasing, t0 + minutes(18)},
        {"held", in_state(rs::held), ev::expiry_due{true}, rs::releasing, t0},  // measured on the monotonic clock
        {"held", in_state(rs::held), ev::expired{}, rs::expired},
        {"held", in_state(rs::held), ev::basket_gone{"404"}, rs::expired},
        {"held", in_state(rs::held), ev::extend_requested{t0 + minutes(30), t0}, rs::held},
        {"held", in_state(rs::held), ev::drawn{"web", "p1"}, rs::held},
        {"confirming", in_state(rs::confirming), ev::confirm_sending{}, rs::confirming},
        {"confirming", in_state(rs::confirming), ev::confirm_ambiguous{"timeout"}, rs::confirm_unknown},
        {"confirming", in_state(rs::confirming), ev::confirm_failed_permanent{"400 customer"}, rs::held},
        {"confirming", in_state(rs::confirming), ev::confirm_abandoned{"basket changed"}, rs::releasing},
        {"confirming", in_state(rs::confirming), ev::basket_gone{"404"}, rs::expired},
        {"confirming+sent", confirm_sent(), ev::confirm_sending{}, rs::confirming},
        {"confirming+sent", confirm_sent(), ev::confirmed{"O1", {}, "upstream_order", ""}, rs::confirmed},
        {"confirming+sent", confirm_sent(), ev::confirmed{"", {}, "already_confirmed", ""}, rs::confirmed},
        {"confirming+sent", confirm_sent(), ev::confirm_ambiguous{"timeout"}, rs::confirm_unknown},
        {"confirming+sent", confirm_sent(), ev::confirm_abandoned{"409/101"}, rs::releasing},
        {"confirm_unknown", in_state(rs::confirm_unknown), ev::confirmed{"O1", {}, "upstream_order", ""}, rs::confirmed},
        {"confirm_unknown", in_state(rs::confirm_unknown), ev::resolve_sold{"O1", "phoned the venue"}, rs::confirmed},
        {"confirm_unknown", in_state(rs::confirm_unknown), ev::resolve_not_sold{""}, rs::releasing},
        {"releasing", in_state(rs::releasing), ev::released{}, rs::released},
        {"releasing", in_state(rs::releasing), ev::expired{}, rs::released},
    };
    for (const auto& l : legal) {
        CAPTURE(l.from_name);
        CAPTURE(event_name(l.e));
        auto out = transition(l.from, l.e, l.now);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        CHECK(out->to == l.to);
        CHECK(out->next.version == l.from.version + 1);
    }
}

TEST_CASE("expiry passes through releasing and ends expired") {
    reservation r = in_state(reservation_state::held);
    SUBCASE("before the wall deadline an unmeasured expiry is refused") {
        auto out = transition(r, ev::expiry_due{}, t0 + minutes(17));
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::conflict);
    }
    SUBCASE("a deadline measured on the monotonic clock is honoured whatever the wall clock says") {
        // The wall clock was stepped back: it reads before the deadline, upstream's clock did not.
        auto out = transition(r, ev::expiry_due{true}, t0 - hours(1));
        REQUIRE(out.has_value());
        CHECK(out->to == reservation_state::releasing);
        CHECK(out->next.releasing_for == release_cause::expiry);
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
        auto x = transition(r, ev::extend_requested{t0 + minutes(40), t0 + minutes(18)}, t0 + minutes(18));
        REQUIRE(x.has_error());
        CHECK(x.error().code == errc::conflict);
    }
}

TEST_CASE("a pool's hold drawn by a channel stays held, counts from the draw, and only while time is left") {
    reservation r = in_state(reservation_state::held);
    auto d = transition(r, ev::drawn{"web", "p1"}, t0 + minutes(3));
    REQUIRE(d.has_value());
    CHECK(d->to == reservation_state::held);
    CHECK(d->next.created_at == t0 + minutes(3));
    CHECK(d->next.expires_at == r.expires_at);
    CHECK(d->next.seats.size() == r.seats.size());
    auto late = transition(r, ev::drawn{"web", "p1"}, *r.expires_at);
    REQUIRE(late.has_error());
    CHECK(late.error().code == errc::conflict);
    auto nameless = transition(r, ev::drawn{"", "p1"}, t0);
    REQUIRE(nameless.has_error());
    CHECK(nameless.error().code == errc::invalid_argument);
}

TEST_CASE("illegal transitions fail with conflict and a clear message") {
    // Everything not in the legal set is refused; walk the whole event x state matrix.
    // `confirming` here is before the send: "record order for" is refused there.
    using rs = reservation_state;
    const std::set<std::pair<rs, std::string_view>> legal = {
        {rs::queued, "place"},
        {rs::queued, "cancel"},
        {rs::placing, "cancel"},
        {rs::placing, "record basket for"},
        {rs::placing, "hold"},
        {rs::placing, "fail placing of"},
        {rs::held, "confirm"},
        {rs::held, "release"},
        {rs::held, "cancel"},
        // "expire" is legal only once the deadline passed (or measured); at t0 refused
        {rs::held, "record expiry of"},
        {rs::held, "record lost basket of"},
        {rs::held, "extend"},
        {rs::held, "draw"},
        {rs::held, "clip deadline of"},
        {rs::confirming, "send confirm of"},
        {rs::confirming, "mark confirm unknown for"},
        {rs::confirming, "refuse confirm of"},
        {rs::confirming, "abandon confirm of"},
        {rs::confirming, "record lost basket of"},
        {rs::confirm_unknown, "record order for"},
        {rs::confirm_unknown, "resolve as sold"},
        {rs::confirm_unknown, "resolve as not sold"},
        {rs::releasing, "record release of"},
        {rs::releasing, "record expiry of"},
    };
    int refused = 0, allowed = 0;
    for (auto s : k_all_reservation_states) {
        for (const auto& e : all_events()) {
            CAPTURE(to_string(s));
            CAPTURE(event_name(e));
            auto out = transition(in_state(s), e, t0);
            if (legal.contains({s, event_name(e)})) {
                CHECK_MESSAGE(out.has_value(), out.error().message);
                ++allowed;
                continue;
            }
            REQUIRE(out.has_error());
            CHECK(out.error().code == errc::conflict);
            ++refused;
        }
    }
    CHECK(all_events().size() == 21);
    CHECK(allowed == 24);
    CHECK(refused == 11 * 21 - 24);
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
        auto out = transition(in_state(reservation_state::placing), ev::basket_created{"", t0}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::invalid_argument);
    }
    SUBCASE("a second, different basket is a conflict; the same id again keeps the creation time") {
        auto r = in_state(reservation_state::placing);
        CHECK(transition(r, ev::basket_created{"B2", t0}, t0).error().code == errc::conflict);
        auto again = transition(r, ev::basket_created{"B1", t0 + minutes(3)}, t0 + minutes(3));
        REQUIRE(again.has_value());
        CHECK(again->next.basket_created_at == t0);
    }
    SUBCASE("placed without seats or with a past deadline") {
        auto r = in_state(reservation_state::placing);
        CHECK(transition(r, ev::placed{{}, t0 + minutes(1), t0}, t0).error().code == errc::invalid_argument);
        CHECK(transition(r, ev::placed{{seat("S1", 1)}, t0, t0}, t0).error().code == errc::invalid_argument);
    }
    SUBCASE("confirm without the customer's name") {
        auto r = in_state(reservation_state::held);
        CHECK(transition(r, ev::confirm_requested{{"", "L", "A", "R"}}, t0).error().code == errc::invalid_argument);
    }
    SUBCASE("more barcodes than seats") {
        auto r = confirm_sent();
        CHECK(transition(r, ev::confirmed{"O", {"a", "b", "c"}, "upstream_order", ""}, t0).error().code == errc::invalid_argument);
    }
    SUBCASE("an order without an id is only a proven sale") {
        auto r = confirm_sent();
        CHECK(transition(r, ev::confirmed{"", {}, "upstream_order", ""}, t0).error().code == errc::invalid_argument);
        auto proven = transition(r, ev::confirmed{"", {}, "already_confirmed", ""}, t0);
        REQUIRE(proven.has_value());
        CHECK(proven->next.order_id.empty());
        CHECK(proven->next.settled_by == "already_confirmed");
    }
    SUBCASE("resolve as sold needs the order id") {
        auto out = transition(in_state(reservation_state::confirm_unknown), ev::resolve_sold{"", "note"}, t0);
        REQUIRE(out.has_error());
        CHECK(out.error().code == errc::invalid_argument);
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

TEST_CASE("cancel of a queued reservation with a basket goes through releasing") {
    // The requeued reservation may have tickets in its basket: cancelling it must clear them.
    auto q = queued_with_basket();
    REQUIRE(q.state == reservation_state::queued);
    auto c = transition(q, ev::cancel_requested{}, t0);
    REQUIRE(c.has_value());
    CHECK(c->to == reservation_state::releasing);
    CHECK(c->next.releasing_for == release_cause::channel);
    auto done = transition(c->next, ev::released{}, t0);
    REQUIRE(done.has_value());
    CHECK(done->to == reservation_state::released);
    // Without a basket nothing upstream needs clearing.
    auto plain = transition(in_state(reservation_state::queued), ev::cancel_requested{}, t0);
    REQUIRE(plain.has_value());
    CHECK(plain->to == reservation_state::cancelled);
}

TEST_CASE("refused confirm before the send returns to held with the error recorded") {
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
    CHECK(recovery_action_for(rs::releasing, false) == recovery_action::nothing);
    for (auto s : k_all_reservation_states) {
        if (is_in_flight_upstream(s)) continue;
        CAPTURE(to_string(s));
        CHECK(recovery_action_for(s, true) == recovery_action::nothing);
        CHECK(recovery_action_for(s, false) == recovery_action::nothing);
    }
    CHECK(to_string(recovery_action::clear_basket) == "clear_basket");
    CHECK(to_string(recovery_action::mark_confirm_unknown) == "mark_confirm_unknown");
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
        auto h = transition(c->next, ev::placed{{seat("S1", 100)}, t0 + minutes(18), t0}, t0);
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
    SUBCASE("retryable failure: requeued with its basket, then cleared through releasing") {
        auto q = transition(c->next, ev::place_failed{"503", true}, t0);
        REQUIRE(q.has_value());
        auto f = follow_up(q->next);
        REQUIRE(f.has_value());
        auto done = transition(q->next, *f, t0);
        REQUIRE(done.has_value());
        CHECK(done->to == reservation_state::releasing);  // the basket B1 may hold tickets
        CHECK_FALSE(done->next.cancel_pending);
        CHECK_FALSE(follow_up(done->next).has_value());
    }
    SUBCASE("retryable failure before any basket: requeued, then cancelled") {
        auto p = drive({k_place, ev::cancel_requested{}});
        auto q = transition(p, ev::place_failed{"503", true}, t0);
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
    for (auto c : {release_cause::none, release_cause::channel, release_cause::expiry, release_cause::failure}) {
        auto p = parse_release_cause(to_string(c));
        REQUIRE(p.has_value());
        CHECK(*p == c);
    }
    CHECK(parse_release_cause("later").error().code == errc::invalid_argument);
}

TEST_CASE("a hold's deadline is clipped only earlier, only while held, and the history says why") {
    using rs = reservation_state;
    auto h = in_state(rs::held);
    REQUIRE(h.expires_at.has_value());
    auto out = transition(h, ev::deadline_clipped{*h.expires_at - minutes(3), "nightly"}, t0);
    REQUIRE(out.has_value());
    CHECK(out->to == rs::held);
    CHECK(out->next.expires_at == *h.expires_at - minutes(3));
    CHECK(out->next.version == h.version + 1);
    CHECK(history_note(*out).starts_with("hold deadline moved to "));
    CHECK(transition(h, ev::deadline_clipped{*h.expires_at + minutes(1), "nightly"}, t0).error().code == errc::conflict);
    CHECK(transition(in_state(rs::confirming), ev::deadline_clipped{t0, "nightly"}, t0).error().code == errc::conflict);
}
