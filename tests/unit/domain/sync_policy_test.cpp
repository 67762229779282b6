#include "agentd/domain/sync_policy.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace agentd;
using namespace agentd::domain;
using std::chrono::hours;
using std::chrono::minutes;

namespace {
const sys_time t0 = sys_time{} + hours(24 * 365 * 56);
instance_activity starting_in(sys_time::duration d) { return instance_activity{t0 + d, false, {}, {}}; }
}  // namespace

TEST_CASE("availability cadence by time to start") {
    sync_settings s;
    struct row {
        sys_time::duration to_start;
        sync_tier tier;
        seconds interval;
    };
    for (const row& r : {row{hours(1), sync_tier::day, seconds(15)}, row{hours(24), sync_tier::day, seconds(15)},
                         row{hours(25), sync_tier::week, seconds(60)}, row{hours(24 * 7), sync_tier::week, seconds(60)},
                         row{hours(24 * 8), sync_tier::month, seconds(300)},
                         row{hours(24 * 30), sync_tier::month, seconds(300)},
                         row{hours(24 * 31), sync_tier::later, seconds(1800)}}) {
        CAPTURE(to_string(r.tier));
        auto a = starting_in(r.to_start);
        CHECK(tier_for(a, t0, s) == r.tier);
        CHECK(interval_of(tier_for(a, t0, s), s) == r.interval);
    }
}

TEST_CASE("settings drive the intervals") {
    sync_settings s;
    s.within_week = seconds(90);
    CHECK(interval_of(tier_for(starting_in(hours(48)), t0, s), s) == seconds(90));
}

TEST_CASE("hot instances poll one tier faster") {
    sync_settings s;
    auto a = starting_in(hours(24 * 10));  // month tier
    SUBCASE("read recently") {
        a.last_read = t0 - minutes(5);
        CHECK(tier_for(a, t0, s) == sync_tier::week);
        CHECK_FALSE(is_reservation_hot(a, t0, s));
    }
    SUBCASE("reserved recently") {
        a.last_reserved = t0 - minutes(1);
        CHECK(tier_for(a, t0, s) == sync_tier::week);
        CHECK(is_reservation_hot(a, t0, s));
    }
    SUBCASE("outside the hot window it cools down") {
        a.last_read = t0 - minutes(11);
        CHECK(tier_for(a, t0, s) == sync_tier::month);
    }
    SUBCASE("the day tier is already the fastest") {
        auto soon = starting_in(hours(2));
        soon.last_reserved = t0;
        CHECK(tier_for(soon, t0, s) == sync_tier::day);
    }
}

TEST_CASE("started and cancelled instances stop polling") {
    sync_settings s;
    auto started = starting_in(hours(0));
    started.last_reserved = t0;
    CHECK(tier_for(started, t0, s) == sync_tier::stopped);
    CHECK_FALSE(next_availability_due(started, t0 - minutes(1), t0, s).has_value());
    auto cancelled = starting_in(hours(5));
    cancelled.cancelled = true;
    CHECK(tier_for(cancelled, t0, s) == sync_tier::stopped);
    CHECK_FALSE(interval_of(sync_tier::stopped, s).has_value());
}

TEST_CASE("next due times") {
    sync_settings s;
    auto a = starting_in(hours(48));
    CHECK(next_availability_due(a, std::nullopt, t0, s) == t0);
    CHECK(next_availability_due(a, t0 - seconds(10), t0, s) == t0 + seconds(50));
    CHECK(next_catalogue_due(std::nullopt, t0, s) == t0);
    CHECK(next_catalogue_due(t0 - minutes(10), t0, s) == t0 + minutes(50));
}

TEST_CASE("due queue order: due first, reservation-hot first among due, then earliest") {
    std::vector<due_entry> q = {
        {t0 + seconds(5), true, "future_hot"},
        {t0 - seconds(30), false, "old_cold"},
        {t0 - seconds(1), true, "due_hot"},
        {t0, false, "now_cold"},
        {t0 + seconds(1), false, "future_cold"},
    };
    std::sort(q.begin(), q.end(), due_order{t0});
    std::vector<std::string> order;
    for (const auto& e : q) order.push_back(e.instance);
    CHECK(order == std::vector<std::string>{"due_hot", "old_cold", "now_cold", "future_cold", "future_hot"});
}
