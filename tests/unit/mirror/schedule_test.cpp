// The sync scheduler's choice of what to poll next, on a manual clock: tiers by time to start,
// hot instances one tier faster, started and cancelled ones stopped, failures back off.
#include "agentd/mirror/sync_state.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::app;
using namespace std::chrono_literals;

namespace {

config::sync_settings defaults() {
    config::sync_settings s;
    s.catalogue_interval = 1h;
    s.catalogue_days_ahead = 180;
    s.tier_24h = 15s;
    s.tier_7d = 60s;
    s.tier_30d = 5min;
    s.tier_later = 30min;
    s.hot_window = 10min;
    s.tombstone_after = 3;
    s.max_removal_share = 0.25;
    s.seat_status = true;
    s.max_parallel_per_client = 2;
    return s;
}

}  // namespace

TEST_CASE("availability is due by tier; hot instances move one tier faster") {
    manual_clock clk;
    const auto policy = sync::policy_of(defaults());
    sync_service::client_state cs;
    cs.catalogue_last_ok = clk.now();
    cs.instances["soon"].start = clk.now() + 2h;      // within 24 h: 15 s
    cs.instances["week"].start = clk.now() + 72h;     // within 7 d: 60 s
    cs.instances["later"].start = clk.now() + 24h * 60;  // later: 30 min
    cs.instances["started"].start = clk.now() - 1h;  // stopped
    cs.instances["cancelled"].start = clk.now() + 2h;
    cs.instances["cancelled"].cancelled = true;

    // Never synced: all live ones are due now.
    auto p = sync::pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(p.due == clk.now());
    CHECK(cs.prog.instances_total == 3);
    CHECK(cs.prog.instances_done == 0);

    for (auto& [id, is] : cs.instances) is.last_ok = clk.now();
    p = sync::pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(*p.id == "soon");
    CHECK(p.due == clk.now() + 15s);
    CHECK(cs.prog.initial_done);

    clk.advance(15s);
    cs.instances["soon"].last_ok = clk.now();
    p = sync::pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "soon");
    CHECK(p.due == clk.now() + 15s);

    // A read makes "week" hot: its interval becomes the 24 h tier's.
    cs.instances["week"].last_read = clk.now();
    cs.instances["soon"].last_ok = clk.now() + 10s;
    p = sync::pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "week");
    CHECK(p.due == cs.instances["week"].last_ok.value() + 15s);

    // Hot no longer after the hot window: back to 60 s.
    clk.advance(11min);
    for (auto& [id, is] : cs.instances) is.last_ok = clk.now();
    cs.instances.erase("soon");
    p = sync::pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "week");
    CHECK(p.due == clk.now() + 60s);
}

TEST_CASE("in-flight instances are skipped, failures delay the next try, forced polls are due now") {
    manual_clock clk;
    const auto policy = sync::policy_of(defaults());
    sync_service::client_state cs;
    cs.instances["a"].start = clk.now() + 2h;
    cs.instances["b"].start = clk.now() + 2h;
    cs.instances["a"].in_flight = true;
    auto p = sync::pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(*p.id == "b");
    cs.instances["b"].retry_after = clk.now() + 8s;
    p = sync::pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(p.due == clk.now() + 8s);
    CHECK(cs.prog.lag_seconds == 0);

    cs.instances["a"].in_flight = false;
    cs.instances["a"].last_ok = clk.now();
    cs.instances["a"].forced = true;
    p = sync::pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "a");
    CHECK(p.due == clk.now());

    // Lag: how overdue the most overdue poll is.
    cs.instances["a"].forced = false;
    cs.instances["b"].last_ok = clk.now();
    cs.instances["b"].retry_after = {};
    clk.advance(45s);
    sync::pick_next(cs, clk.now(), policy);
    CHECK(cs.prog.lag_seconds == doctest::Approx(30.0));
}

TEST_CASE("catalogue cadence: due when never synced, then after the interval, retry delays it") {
    manual_clock clk;
    const auto policy = sync::policy_of(defaults());
    sync_service::client_state cs;
    CHECK(sync::catalogue_due(cs, clk.now(), policy));
    cs.catalogue_last_ok = clk.now();
    CHECK_FALSE(sync::catalogue_due(cs, clk.now() + 59min, policy));
    CHECK(sync::catalogue_due(cs, clk.now() + 60min, policy));
    cs.catalogue_retry = clk.now() + 2h;
    CHECK_FALSE(sync::catalogue_due(cs, clk.now() + 60min, policy));
    cs.catalogue_forced = true;
    CHECK(sync::catalogue_due(cs, clk.now(), policy));
}
