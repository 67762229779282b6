// domain/window_schedule: inside or not, which window, when writes resume, when the next one
// starts; local times across clock changes and midnight (Europe/London from the system's
// zoneinfo database; skipped where it is not installed).
#include "agentd/core/time.hpp"
#include "agentd/domain/window_schedule.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;
using namespace std::chrono;

namespace {

agentd::sys_time at(const char* iso) { return parse_iso(iso).value(); }

std::optional<time_zone> london() {
    auto z = time_zone::load("Europe/London");
    if (!z) return std::nullopt;
    return *z;
}

window_rule daily(std::string name, int start_h, int start_m, int end_h, int end_m) {
    window_rule r;
    r.name = std::move(name);
    r.start_minute = start_h * 60 + start_m;
    r.end_minute = end_h * 60 + end_m;
    return r;
}

window_rule one_off(std::string name, const char* from, const char* until, bool local) {
    window_rule r;
    r.name = std::move(name);
    r.recurring = false;
    r.from = window_moment{floor<seconds>(at(from)), local};
    r.until = window_moment{floor<seconds>(at(until)), local};
    return r;
}

}  // namespace

TEST_CASE("no windows: never inside, nothing next") {
    window_schedule s;
    auto st = s.state_at(at("2026-11-30T02:10:00Z"));
    CHECK_FALSE(st.inside);
    CHECK_FALSE(st.next.has_value());
    CHECK_FALSE(s.writes_blocked(at("2026-11-30T02:10:00Z")));
}

TEST_CASE("a daily window in local time, winter and summer") {
    auto z = london();
    if (!z) return;
    window_schedule s({daily("nightly", 2, 0, 2, 30)}, *z);
    SUBCASE("GMT: local equals UTC") {
        auto st = s.state_at(at("2026-11-30T02:10:00Z"));
        CHECK(st.inside);
        CHECK(st.name == "nightly");
        CHECK(st.ends_at == at("2026-11-30T02:30:00Z"));
        REQUIRE(st.next.has_value());
        CHECK(st.next->start == at("2026-12-01T02:00:00Z"));
        CHECK_FALSE(st.reads_blocked);
        CHECK_FALSE(st.refuse_creates);
    }
    SUBCASE("the end is exclusive, the start inclusive") {
        CHECK(s.writes_blocked(at("2026-11-30T02:00:00Z")));
        CHECK_FALSE(s.writes_blocked(at("2026-11-30T02:30:00Z")));
        CHECK_FALSE(s.writes_blocked(at("2026-11-30T01:59:59Z")));
    }
    SUBCASE("BST: an hour earlier in UTC") {
        CHECK(s.writes_blocked(at("2026-07-01T01:10:00Z")));
        CHECK_FALSE(s.writes_blocked(at("2026-07-01T02:10:00Z")));
        auto st = s.state_at(at("2026-07-01T00:00:00Z"));
        CHECK_FALSE(st.inside);
        REQUIRE(st.next.has_value());
        CHECK(st.next->start == at("2026-07-01T01:00:00Z"));
        CHECK(st.next->end == at("2026-07-01T01:30:00Z"));
    }
}

TEST_CASE("clock changes: a skipped local time is the moment of the change, a repeated one its first occurrence") {
    auto z = london();
    if (!z) return;
    SUBCASE("spring forward: 01:30-02:30 local on 29 March 2026 runs 02:00-02:30 BST") {
        window_schedule s({daily("w", 1, 30, 2, 30)}, *z);
        auto occ = s.occurrences(at("2026-03-29T00:00:00Z"), at("2026-03-29T12:00:00Z"));
        REQUIRE(occ.size() == 1);
        CHECK(occ[0].start == at("2026-03-29T01:00:00Z"));
        CHECK(occ[0].end == at("2026-03-29T01:30:00Z"));
        CHECK(local_to_utc(floor<seconds>(at("2026-03-29T01:30:00Z")), *z) == at("2026-03-29T01:00:00Z"));
    }
    SUBCASE("fall back: 01:00-02:00 local on 25 October 2026 covers both passes of that hour") {
        window_schedule s({daily("w", 1, 0, 2, 0)}, *z);
        auto occ = s.occurrences(at("2026-10-24T12:00:00Z"), at("2026-10-25T12:00:00Z"));
        REQUIRE(occ.size() == 1);
        CHECK(occ[0].start == at("2026-10-25T00:00:00Z"));  // 01:00 BST
        CHECK(occ[0].end == at("2026-10-25T02:00:00Z"));    // 02:00 GMT
        CHECK(s.writes_blocked(at("2026-10-25T01:30:00Z")));  // 01:30 GMT, the second pass
    }
    SUBCASE("a window across the change keeps its local ends") {
        window_schedule s({daily("w", 0, 30, 3, 0)}, *z);
        auto occ = s.occurrences(at("2026-03-28T12:00:00Z"), at("2026-03-29T12:00:00Z"));
        REQUIRE(occ.size() == 1);
        CHECK(occ[0].start == at("2026-03-29T00:30:00Z"));  // 00:30 GMT
        CHECK(occ[0].end == at("2026-03-29T02:00:00Z"));    // 03:00 BST: 90 minutes that night
    }
}

TEST_CASE("windows crossing midnight and weekdays") {
    auto z = london();
    if (!z) return;
    auto r = daily("late", 23, 0, 1, 0);
    r.weekdays = 1u << 4;  // starts on Fridays only
    window_schedule s({r}, *z);
    // 4 December 2026 is a Friday.
    CHECK(s.writes_blocked(at("2026-12-04T23:30:00Z")));
    auto st = s.state_at(at("2026-12-05T00:30:00Z"));  // Saturday morning, the Friday window
    CHECK(st.inside);
    CHECK(st.ends_at == at("2026-12-05T01:00:00Z"));
    REQUIRE(st.next.has_value());
    CHECK(st.next->start == at("2026-12-11T23:00:00Z"));
    CHECK_FALSE(s.writes_blocked(at("2026-12-05T23:30:00Z")));  // Saturday night: not a Friday
    CHECK_FALSE(s.writes_blocked(at("2026-12-04T22:59:59Z")));
}

TEST_CASE("one-off windows in UTC and local time") {
    auto z = london();
    if (!z) return;
    window_schedule s({one_off("embargo", "2026-07-10T09:00:00Z", "2026-07-10T10:00:00Z", true),
                       one_off("release", "2026-12-24T18:00:00Z", "2026-12-24T19:00:00Z", false)},
                      *z);
    CHECK(s.writes_blocked(at("2026-07-10T08:30:00Z")));   // 09:30 BST
    CHECK_FALSE(s.writes_blocked(at("2026-07-10T09:30:00Z")));
    auto st = s.state_at(at("2026-07-01T00:00:00Z"));
    REQUIRE(st.next.has_value());
    CHECK(st.next_name == "embargo");
    CHECK(st.next->start == at("2026-07-10T08:00:00Z"));
    // Beyond the recurring horizon, still found.
    st = s.state_at(at("2026-08-01T00:00:00Z"));
    REQUIRE(st.next.has_value());
    CHECK(st.next_name == "release");
    CHECK(st.next->start == at("2026-12-24T18:00:00Z"));
    CHECK_FALSE(s.state_at(at("2026-12-25T00:00:00Z")).next.has_value());
}

TEST_CASE("overlapping windows: one stretch, the strictest settings win") {
    auto z = london();
    if (!z) return;
    auto a = daily("a", 2, 0, 3, 0);
    auto b = daily("b", 2, 30, 4, 0);
    b.block_reads = true;
    b.creates = window_creates::refuse;
    auto c = daily("c", 4, 0, 4, 15);  // touches b's end
    window_schedule s({a, b, c}, *z);
    auto st = s.state_at(at("2026-11-30T02:10:00Z"));
    CHECK(st.inside);
    CHECK_FALSE(st.reads_blocked);
    CHECK(st.ends_at == at("2026-11-30T04:15:00Z"));
    REQUIRE(st.next.has_value());
    CHECK(st.next->start == at("2026-12-01T02:00:00Z"));
    st = s.state_at(at("2026-11-30T02:45:00Z"));
    CHECK(st.reads_blocked);
    CHECK(st.refuse_creates);
    CHECK(st.name == "b");
}

TEST_CASE("hold deadlines inside an upcoming window are clipped before its start") {
    const window_occurrence w{0, at("2026-11-30T02:00:00Z"), at("2026-11-30T02:30:00Z")};
    const auto lead = seconds(2);
    CHECK_FALSE(clipped_deadline(at("2026-11-30T01:50:00Z"), w, lead).has_value());
    CHECK(clipped_deadline(at("2026-11-30T02:10:00Z"), w, lead) == at("2026-11-30T01:59:58Z"));
    CHECK(clipped_deadline(at("2026-11-30T01:59:59Z"), w, lead) == at("2026-11-30T01:59:58Z"));
    CHECK(clipped_deadline(at("2026-11-30T02:30:00Z"), w, lead) == at("2026-11-30T01:59:58Z"));
    // Ends after the window: the release can wait for it.
    CHECK_FALSE(clipped_deadline(at("2026-11-30T02:40:00Z"), w, lead).has_value());
}
