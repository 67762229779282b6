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
