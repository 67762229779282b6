// core/tz against the system's zoneinfo database (skipped where it is not installed).
#include "agentd/core/time.hpp"
#include "agentd/core/tz.hpp"

#include <doctest/doctest.h>

using namespace agentd;

TEST_CASE("Europe/London: GMT in winter, BST in summer, local dates and ISO weeks") {
    auto z = time_zone::load("Europe/London");
    if (!z && z.error().code == errc::not_found) {
        MESSAGE("no zoneinfo database; skipping");
        return;
    }
    REQUIRE(z.has_value());
    CHECK(format_local(parse_iso("2026-11-30T18:12:23Z").value(), *z) == "2026-11-30T18:12:23+00:00");
    CHECK(format_local(parse_iso("2026-07-01T23:30:00Z").value(), *z) == "2026-07-02T00:30:00+01:00");
    CHECK(local_date(parse_iso("2026-07-01T23:30:00Z").value(), *z) == "2026-07-02");
    // The clocks go forward at 01:00 UTC on the last Sunday of March.
    CHECK(z->offset_at(parse_iso("2026-03-29T00:59:59Z").value()) == std::chrono::seconds(0));
    CHECK(z->offset_at(parse_iso("2026-03-29T01:00:00Z").value()) == std::chrono::seconds(3600));
    CHECK(local_iso_week(parse_iso("2026-11-30T12:00:00Z").value(), *z) == "2026-W49");
    CHECK(local_iso_week(parse_iso("2027-01-01T12:00:00Z").value(), *z) == "2026-W53");  // a Friday
    CHECK(local_iso_week(parse_iso("2024-12-30T12:00:00Z").value(), *z) == "2025-W01");  // a Monday
}

TEST_CASE("zone names are checked before any file is opened") {
    CHECK(time_zone::load("../etc/passwd").error().code == errc::invalid_argument);
    CHECK(time_zone::load("/etc/localtime").error().code == errc::invalid_argument);
    CHECK(time_zone::load("").error().code == errc::invalid_argument);
    CHECK(time_zone::load("No/Such_Zone").error().code == errc::not_found);
    CHECK(format_local(parse_iso("2026-11-30T18:12:23Z").value(), time_zone::utc()) == "2026-11-30T18:12:23+00:00");
}
