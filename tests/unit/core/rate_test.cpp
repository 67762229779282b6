#include "agentd/core/backoff.hpp"
#include "agentd/core/token_bucket.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace std::chrono;

TEST_CASE("token bucket starts full, empties, and refills at its rate") {
    auto t = steady_clock::time_point{} + hours(1);
    token_bucket b(10.0, 5.0, t);
    for (int i = 0; i < 5; ++i) CHECK(b.try_take(t));
    CHECK_FALSE(b.try_take(t));
    CHECK(b.wait_time(t) > milliseconds(99));
    CHECK(b.wait_time(t) <= milliseconds(101));
    t += milliseconds(100);
    CHECK(b.try_take(t));
    CHECK_FALSE(b.try_take(t));
    t += seconds(60);
    CHECK(b.available(t) == doctest::Approx(5.0));  // never above burst
}

TEST_CASE("token bucket rate change keeps earned tokens") {
    auto t = steady_clock::time_point{};
    token_bucket b(1.0, 10.0, t);
    for (int i = 0; i < 10; ++i) REQUIRE(b.try_take(t));
    t += seconds(2);
    b.set_rate(0.1, t);
    CHECK(b.available(t) == doctest::Approx(2.0));
    t += seconds(10);
    CHECK(b.available(t) == doctest::Approx(3.0));
}

TEST_CASE("backoff grows exponentially, is capped, and jitters below the ceiling") {
    backoff_policy p{milliseconds(100), milliseconds(1000), 5};
    CHECK(p.ceiling(1) == milliseconds(100));
    CHECK(p.ceiling(2) == milliseconds(200));
    CHECK(p.ceiling(4) == milliseconds(800));
    CHECK(p.ceiling(5) == milliseconds(1000));
    CHECK(p.ceiling(50) == milliseconds(1000));
    CHECK(p.delay(3, 0.5) == milliseconds(200));
    CHECK(p.delay(3, 0.0) == milliseconds(0));
    CHECK(p.delay(3, 0.999) < milliseconds(400));
}
