// The per-channel charge for upstream work, on a manual clock.
#include "agentd/control/upstream_gate.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <vector>

using namespace agentd;
using namespace agentd::control;
using namespace std::chrono_literals;

TEST_CASE("upstream gate: burst, then the sustained rate, per channel") {
    upstream_gate g;
    upstream_limits l{2.0, 3, 100};
    auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    std::chrono::seconds retry{0};
    for (int i = 0; i < 3; ++i) CHECK(g.try_acquire("web", l, t0, retry));
    CHECK_FALSE(g.try_acquire("web", l, t0, retry));
    CHECK(retry == 1s);
    CHECK(g.try_acquire("shop", l, t0, retry));  // its own bucket
    CHECK(g.try_acquire("web", l, t0 + 500ms, retry));  // one token per 0.5 s
    CHECK_FALSE(g.try_acquire("web", l, t0 + 500ms, retry));

    upstream_limits slow{1.0 / 60, 1, 100};
    upstream_gate h;
    CHECK(h.try_acquire("web", slow, t0, retry));
    CHECK_FALSE(h.try_acquire("web", slow, t0, retry));
    CHECK(retry >= 59s);
    CHECK(retry <= 61s);
}

TEST_CASE("upstream gate: concurrency slots are held by permits and refused without spending tokens") {
    upstream_gate g;
    upstream_limits l{1000, 1000, 2};
    auto t = std::chrono::steady_clock::time_point{} + 1h;
    std::chrono::seconds retry{0};
    std::optional<upstream_gate::permit> a(g.try_acquire("web", l, t, retry));
    auto b = g.try_acquire("web", l, t, retry);
    REQUIRE(*a);
    REQUIRE(b);
    CHECK(g.in_flight("web") == 2);
    CHECK_FALSE(g.try_acquire("web", l, t, retry));
    CHECK(retry == 1s);
    a.reset();
    CHECK(g.in_flight("web") == 1);
    auto c = g.try_acquire("web", l, t, retry);
    CHECK(c);
    upstream_gate::permit moved = std::move(c);
    CHECK(g.in_flight("web") == 2);
    {
        auto gone = std::move(moved);
    }
    CHECK(g.in_flight("web") == 1);

    // New limits (a reload) start a full bucket but keep the slots in use.
    upstream_limits tight{1000, 1000, 1};
    CHECK_FALSE(g.try_acquire("web", tight, t, retry));
    CHECK(g.in_flight("web") == 1);
}
