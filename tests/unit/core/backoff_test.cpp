// core/backoff: the ceiling doubles from base per retry up to the cap, and the jittered delay
// stays within [0, ceiling].
#include "agentd/core/backoff.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("backoff ceiling doubles from base and stops at the cap") {
    const agentd::backoff_policy p{100ms, 1'000ms, 4};
    CHECK(p.ceiling(0) == 0ms);
    CHECK(p.ceiling(1) == 100ms);
    CHECK(p.ceiling(2) == 200ms);
    CHECK(p.ceiling(4) == 800ms);
    CHECK(p.ceiling(5) == 1'000ms);
    CHECK(p.ceiling(1'000'000) == 1'000ms);  // no overflow however many retries
}

TEST_CASE("backoff delay is the ceiling scaled by the random unit") {
    const agentd::backoff_policy p{100ms, 1'000ms, 4};
    CHECK(p.delay(2, 0.0) == 0ms);
    CHECK(p.delay(2, 0.5) == 100ms);
    CHECK(p.delay(3, 2.0) == 400ms);  // clamped to [0, 1]
}
