// Hold deadlines and extensions of the reservation service: send-time anchors, the lifetime
// mode, the extend rate limit and monotonic hold timers.
#include "tests/unit/reservations/fixture.hpp"

#include "agentd/core/time.hpp"

using namespace agentd;
using namespace agentd::test;
using std::chrono::minutes;

TEST_CASE("hold deadlines run from the send time of the applied call, not its answer") {
    res_fixture f;
    const auto t0 = f.clock.now();
    // Each write spends a minute in flight: upstream may have started its clock at the send.
    f.up.on_call = [&](const std::string& method) {
        if (method == "add_tickets" || method == "touch_basket") f.clock.advance(minutes(1));
    };
    f.start_worker();
    auto held = f.hold({"S1"});
    REQUIRE(held.expires_at.has_value());
    CHECK(f.clock.now() == t0 + minutes(1));
    CHECK(*held.expires_at == format_iso_utc(t0 + minutes(18)));  // sent at t0: 20 - 2, not from t0 + 1
    f.stop_worker();

    f.clock.advance(minutes(4));  // t0 + 5: the touch is sent now and answered at t0 + 6
    auto e = f.run(f.svc->extend(held.id, {}));
    REQUIRE(e.has_value());
    CHECK(*e->expires_at == format_iso_utc(t0 + minutes(23)));
}

TEST_CASE("extend is refused when the basket lifetime is absolute") {
    res_fixture f;
    f.settings.hold.mode = domain::lifetime_mode::absolute;
    f.make_service();
    f.start_worker();
    auto held = f.hold({"S1"});
    f.clock.advance(minutes(5));
    auto e = f.run(f.svc->extend(held.id, {}));
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code == errc::conflict);
    CHECK(f.count("touch_basket") == 0);
    CHECK(f.state(held.id) == "held");
    f.stop_worker();
}

TEST_CASE("extend is rate-limited per reservation") {
    res_fixture f;
    f.settings.extend_min_interval = std::chrono::seconds(30);
    f.make_service();
    f.start_worker();
    auto held = f.hold({"S1"});
    auto other = f.hold({"S2"}, "k2");
    f.stop_worker();
    REQUIRE(f.run(f.svc->extend(held.id, {})).has_value());
    auto again = f.run(f.svc->extend(held.id, {}));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code == errc::rate_limited);
    CHECK(again.error().retryable());
    // Another reservation has its own allowance.
    CHECK(f.run(f.svc->extend(other.id, {})).has_value());
    CHECK(f.count("touch_basket") == 2);
}

TEST_CASE("hold timers count down on the monotonic clock") {
    res_fixture f;
    SUBCASE("a wall clock stepped back does not keep a hold past its deadline") {
        f.settings.hold.basket_lifetime = std::chrono::seconds(2);
        f.settings.hold.expiry_margin = std::chrono::seconds(1);
        f.make_service();
        f.start_worker();
        auto held = f.hold({"S1"});  // deadline one second from now
        f.clock.advance(-std::chrono::hours(1));
        // The expiry loop runs every 250 ms; the fixture's pump gives up after 10 s.
        f.pump([&] { return f.state(held.id) == "expired"; });
        CHECK(f.states_of(held.id).back() == "expired");
        CHECK(f.up.taken[k_instance].empty());
        f.stop_worker();
    }
    SUBCASE("a wall clock stepped forward does not release a hold early") {
        f.start_worker();
        auto held = f.hold({"S1"});
        f.stop_worker();
        f.clock.advance(std::chrono::hours(1));
        CHECK(f.run(f.svc->expire_due()) == 0);
        CHECK(f.state(held.id) == "held");
        CHECK(f.count("clear_basket") == 0);
    }
}

// The countdown after an extend runs from the touch's own send time on the monotonic clock, so
// a wall clock stepped back before it cannot keep the hold past the basket's upstream lifetime.
TEST_CASE("an extend after a wall clock step back does not keep the hold past upstream's lifetime") {
    res_fixture f;
    f.settings.hold.basket_lifetime = std::chrono::seconds(2);
    f.settings.hold.expiry_margin = std::chrono::seconds(1);
    f.make_service();
    f.start_worker();
    auto held = f.hold({"S1"});
    f.clock.advance(-std::chrono::minutes(10));
    // Upstream's lifetime restarts at the touch: it ends 2 s from now, the hold 1 s from now.
    auto e = f.run(f.svc->extend(held.id, {}));
    REQUIRE(e.has_value());
    bool expired = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (!expired && std::chrono::steady_clock::now() < until) {
        f.ioc.restart();
        f.ioc.run_for(std::chrono::milliseconds(20));
        expired = f.state(held.id) == "expired";
    }
    CHECK_MESSAGE(expired, "hold still " << f.state(held.id) << " 4 s after a touch that upstream keeps for 2 s");
    f.stop_worker();
}
