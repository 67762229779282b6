#include "agentd/domain/hold.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;
using std::chrono::hours;
using std::chrono::minutes;

namespace {
const sys_time t0 = sys_time{} + hours(24 * 365 * 56);
}

TEST_CASE("hold deadline is last touch + lifetime - margin, capped by max hold") {
    hold_settings s{minutes(20), minutes(2), minutes(60)};
    REQUIRE(validate(s).has_value());
    CHECK(upstream_expiry(t0, s) == t0 + minutes(20));
    CHECK(local_deadline(t0, t0, s) == t0 + minutes(18));
    CHECK(local_deadline(t0, t0 + minutes(30), s) == t0 + minutes(48));
    CHECK(local_deadline(t0, t0 + minutes(50), s) == t0 + minutes(60));  // capped

    SUBCASE("expiry is due at and after the deadline, not before") {
        auto d = local_deadline(t0, t0, s);
        CHECK_FALSE(expiry_due(d, d - std::chrono::seconds(1)));
        CHECK(expiry_due(d, d));
        CHECK(expiry_due(d, d + minutes(1)));
    }
}

TEST_CASE("hold extension") {
    hold_settings s{minutes(20), minutes(2), minutes(60)};
    const auto d0 = local_deadline(t0, t0, s);  // t0 + 18 min

    SUBCASE("before the deadline the touch slides it") {
        auto d = extended_deadline(t0, d0, t0 + minutes(10), s);
        REQUIRE(d.has_value());
        CHECK(*d == t0 + minutes(28));
    }
    SUBCASE("at or after the deadline it is refused") {
        auto d = extended_deadline(t0, d0, d0, s);
        REQUIRE(d.has_error());
        CHECK(d.error().code == errc::conflict);
        CHECK(d.error().message.find("deadline has passed") != std::string::npos);
    }
    SUBCASE("never past created_at + max_hold, then refused") {
        auto d = extended_deadline(t0, t0 + minutes(55), t0 + minutes(50), s);
        REQUIRE(d.has_value());
        CHECK(*d == t0 + minutes(60));
        auto again = check_extension(t0, *d, t0 + minutes(51), s);
        REQUIRE(again.has_error());
        CHECK(again.error().message.find("maximum") != std::string::npos);
    }
    SUBCASE("an early touch never shortens the hold") {
        auto d = extended_deadline(t0, t0 + minutes(40), t0 + minutes(1), s);
        REQUIRE(d.has_value());
        CHECK(*d == t0 + minutes(40));
    }
}

TEST_CASE("hold settings validation") {
    CHECK(validate(hold_settings{minutes(20), minutes(20), minutes(60)}).error().code == errc::config_error);
    CHECK(validate(hold_settings{minutes(0), minutes(0), minutes(60)}).has_error());
    CHECK(validate(hold_settings{minutes(20), minutes(2), minutes(0)}).has_error());
    CHECK(validate(hold_settings{minutes(20), minutes(-1), minutes(60)}).has_error());
}

TEST_CASE("the lifetime runs from the last touch when sliding, from creation when absolute") {
    hold_settings sliding{minutes(20), minutes(2), minutes(60)};
    hold_settings absolute = sliding;
    absolute.mode = lifetime_mode::absolute;
    const auto created = t0, touched = t0 + minutes(7), fallback = t0 + minutes(30);
    CHECK(lifetime_anchor(created, touched, fallback, sliding) == touched);
    CHECK(lifetime_anchor(created, touched, fallback, absolute) == created);
    // Only one of them known: that one, whatever the mode.
    CHECK(lifetime_anchor(std::nullopt, touched, fallback, absolute) == touched);
    CHECK(lifetime_anchor(created, std::nullopt, fallback, sliding) == created);
    CHECK(lifetime_anchor(std::nullopt, std::nullopt, fallback, sliding) == fallback);
    CHECK(lifetime_anchor(std::nullopt, std::nullopt, fallback, absolute) == fallback);
    CHECK(upstream_expiry(lifetime_anchor(created, touched, fallback, absolute), absolute) == t0 + minutes(20));
    CHECK(upstream_expiry(lifetime_anchor(created, touched, fallback, sliding), sliding) == t0 + minutes(27));
}

TEST_CASE("an absolute lifetime cannot be extended") {
    hold_settings s{minutes(20), minutes(2), minutes(60)};
    s.mode = lifetime_mode::absolute;
    const auto d0 = local_deadline(t0, t0, s);
    auto check = check_extension(t0, d0, t0 + minutes(1), s);
    REQUIRE(check.has_error());
    CHECK(check.error().code == errc::conflict);
    CHECK(check.error().message.find("absolute") != std::string::npos);
    CHECK(extended_deadline(t0, d0, t0 + minutes(1), s).has_error());
    s.mode = lifetime_mode::sliding;
    CHECK(check_extension(t0, d0, t0 + minutes(1), s).has_value());
}

TEST_CASE("lifetime mode names round-trip") {
    for (auto m : {lifetime_mode::sliding, lifetime_mode::absolute}) {
        auto p = parse_lifetime_mode(to_string(m));
        REQUIRE(p.has_value());
        CHECK(*p == m);
    }
    CHECK(parse_lifetime_mode("Sliding").error().code == errc::invalid_argument);
}

TEST_CASE("a zero expiry margin is honoured") {
    hold_settings s{minutes(20), minutes(0), minutes(60)};
    REQUIRE(validate(s).has_value());
    CHECK(local_deadline(t0, t0 + minutes(3), s) == t0 + minutes(23));
}
