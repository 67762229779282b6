// The sync scheduler's choice of what to poll next, on a manual clock: tiers by time to start,
// hot instances one tier faster, started and cancelled ones stopped, failures back off.
#include "agentd/mirror/state.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::mirror;
using namespace std::chrono_literals;

namespace {

mirror::settings defaults() {
    mirror::settings s;
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
    const auto policy = policy_of(defaults());
    sync_service::client_state cs;
    cs.catalogue_last_ok = clk.now();
    cs.instances["soon"].start = clk.now() + 2h;      // within 24 h: 15 s
    cs.instances["week"].start = clk.now() + 72h;     // within 7 d: 60 s
    cs.instances["later"].start = clk.now() + 24h * 60;  // later: 30 min
    cs.instances["started"].start = clk.now() - 1h;  // stopped
    cs.instances["cancelled"].start = clk.now() + 2h;
    cs.instances["cancelled"].cancelled = true;

    // Never synced: all live ones are due now.
    auto p = pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(p.due == clk.now());
    CHECK(cs.prog.instances_total == 3);
    CHECK(cs.prog.instances_done == 0);

    for (auto& [id, is] : cs.instances) is.last_ok = clk.now();
    p = pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(*p.id == "soon");
    CHECK(p.due == clk.now() + 15s);
    CHECK(cs.prog.initial_done);

    clk.advance(15s);
    cs.instances["soon"].last_ok = clk.now();
    p = pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "soon");
    CHECK(p.due == clk.now() + 15s);

    // A read makes "week" hot: its interval becomes the 24 h tier's.
    cs.instances["week"].last_read = clk.now();
    cs.instances["soon"].last_ok = clk.now() + 10s;
    p = pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "week");
    CHECK(p.due == cs.instances["week"].last_ok.value() + 15s);

    // Hot no longer after the hot window: back to 60 s.
    clk.advance(11min);
    for (auto& [id, is] : cs.instances) is.last_ok = clk.now();
    cs.instances.erase("soon");
    p = pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "week");
    CHECK(p.due == clk.now() + 60s);
}

TEST_CASE("in-flight instances are skipped, failures delay the next try, forced polls are due now") {
    manual_clock clk;
    const auto policy = policy_of(defaults());
    sync_service::client_state cs;
    cs.instances["a"].start = clk.now() + 2h;
    cs.instances["b"].start = clk.now() + 2h;
    cs.instances["a"].in_flight = true;
    auto p = pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(*p.id == "b");
    cs.instances["b"].retry_after = clk.now() + 8s;
    p = pick_next(cs, clk.now(), policy);
    REQUIRE(p.id);
    CHECK(p.due == clk.now() + 8s);
    CHECK(cs.prog.lag_seconds == 0);

    cs.instances["a"].in_flight = false;
    cs.instances["a"].last_ok = clk.now();
    cs.instances["a"].forced = true;
    p = pick_next(cs, clk.now(), policy);
    CHECK(*p.id == "a");
    CHECK(p.due == clk.now());

    // Lag: how overdue the most overdue poll is.
    cs.instances["a"].forced = false;
    cs.instances["b"].last_ok = clk.now();
    cs.instances["b"].retry_after = {};
    clk.advance(45s);
    pick_next(cs, clk.now(), policy);
    CHECK(cs.prog.lag_seconds == doctest::Approx(30.0));
}

TEST_CASE("catalogue cadence: due when never synced, then after the interval, retry delays it") {
    manual_clock clk;
    const auto policy = policy_of(defaults());
    sync_service::client_state cs;
    CHECK(catalogue_due(cs, clk.now(), policy));
    cs.catalogue_last_ok = clk.now();
    CHECK_FALSE(catalogue_due(cs, clk.now() + 59min, policy));
    CHECK(catalogue_due(cs, clk.now() + 60min, policy));
    cs.catalogue_retry = clk.now() + 2h;
    CHECK_FALSE(catalogue_due(cs, clk.now() + 60min, policy));
    cs.catalogue_forced = true;
    CHECK(catalogue_due(cs, clk.now(), policy));
}

TEST_CASE("a failing resource is retried after 2, 4, 8 ... s, at most 1024 s and at most its cap") {
    // The schedule the sync service has always used: 1 s * 2^min(failures, 10), capped.
    auto old_rule = [](int failures, sys_time::duration cap) {
        return std::min<sys_time::duration>(cap, std::chrono::seconds(1) * (1 << std::min(failures, 10)));
    };
    for (const sys_time::duration cap : {sys_time::duration(1s), sys_time::duration(60s), sys_time::duration(4min),
                                         sys_time::duration(1h), sys_time::duration(24h)})
        for (int f = 1; f <= 40; ++f) CHECK_MESSAGE(retry_delay(f, cap) == old_rule(f, cap), "failures " << f);
    CHECK(retry_delay(1, 1h) == 2s);
    CHECK(retry_delay(3, 1h) == 8s);
    CHECK(retry_delay(12, 1h) == 1024s);
    CHECK(retry_delay(12, 5min) == 5min);
}
