// [[pool]] blocks (docs/pools.md): sizes, fill_at, band or area, the client they name and the
// client's pool_max_seats, each refused with the file, line and option.
#include "agentd/config/config.hpp"
#include "agentd/core/time.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::config;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

struct pool_file {
    test::temp_dir dir;
    std::string key = dir.file("rc.key");
    pool_file() { test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600); }
    std::string text(const std::string& pools, const std::string& client_extra = "") const {
        return "[[client]]\nname = \"royalcourt\"\n" + client_extra + "[[client.account]]\nname = \"main\"\n"
               "login = \"agent1\"\nsecret_file = \"" + key + "\"\n" + pools;
    }
};

std::string pool(const std::string& body) {
    return "[[pool]]\nname = \"gala\"\nclient = \"royalcourt\"\ninstance = \"4401AKPQ\"\nticket_type = \"1AHG\"\n" + body;
}

struct bad_case {
    std::string pools, client_extra, option, says;
};

// Each case is refused as a config error naming the file and line, the option and the reason.
template <std::size_t N>
void check_refused(const pool_file& f, const bad_case (&cases)[N]) {
    for (const auto& c : cases) {
        CAPTURE(c.pools);
        auto r = load_string(f.text(c.pools, c.client_extra), "p.toml");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        CHECK(contains(r.error().message, "option '" + c.option + "'"));
        CHECK(contains(r.error().message, c.says));
        CHECK(contains(r.error().message, "p.toml:"));
    }
}

}  // namespace

TEST_CASE("a [[pool]] block is read into its sizes, on-sale time and drain time") {
    pool_file f;
    auto r = load_string(f.text(pool("sizes = \"10x2, 4 x 4\"\nprice_band = \"7801\"\nfill_at = \"2026-12-01T10:00:00Z\"\n"
                                     "drain_before = \"3h\"\n")),
                         "p.toml");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    REQUIRE(r->pools.size() == 1);
    const auto& p = r->pools[0];
    CHECK(p.size_list == std::vector<std::pair<int, int>>{{10, 2}, {4, 4}});
    CHECK(p.price_band == "7801");
    REQUIRE(p.fill_at_time);
    CHECK(format_iso_utc(*p.fill_at_time) == "2026-12-01T10:00:00Z");
    CHECK(p.drain_before == std::chrono::hours(3));
    CHECK(r->clients[0].pool_max_seats == 100);
    CHECK(contains(to_string(*r), "[[pool]]"));
    auto plain = load_string(f.text(pool("sizes = \"1x2\"\n")), "p.toml");
    REQUIRE(plain.has_value());
    CHECK_FALSE(plain->pools[0].fill_at_time);
    CHECK(plain->pools[0].drain_before == std::chrono::hours(2));
    // grab_lead: 2 s unless set, 0s turns it off, at most 60 s (docs/pools.md).
    CHECK(plain->pools[0].grab_lead == std::chrono::seconds(2));
    auto off = load_string(f.text(pool("sizes = \"1x2\"\ngrab_lead = \"0s\"\n")), "p.toml");
    REQUIRE_MESSAGE(off.has_value(), off.error().message);
    CHECK(off->pools[0].grab_lead == std::chrono::seconds(0));
}

TEST_CASE("bad pools are refused with the option and the pool named") {
    pool_file f;
    const bad_case cases[] = {
        {pool("sizes = \"ten pairs\"\n"), "", "pool.sizes", "COUNTxSEATS"},
        {pool("sizes = \"0x2\"\n"), "", "pool.sizes", "outside 1..1000"},
        {pool("sizes = \"2x11\"\n"), "", "pool.sizes", "max_quantity"},
        {pool("sizes = \"2x2, 3x2\"\n"), "", "pool.sizes", "listed twice"},
        {pool("sizes = \"2x2\"\nprice_band = \"7801\"\narea = \"A1\"\n"), "", "pool.area", "at most one"},
        {pool("sizes = \"2x2\"\nfill_at = \"tomorrow\"\n"), "", "pool.fill_at", "ISO 8601"},
        {pool("sizes = \"2x2\"\n") + pool("sizes = \"1x2\"\n"), "", "pool.name", "duplicate pool"},
        {"[[pool]]\nname = \"x\"\nclient = \"nobody\"\ninstance = \"I1\"\nticket_type = \"T\"\nsizes = \"1x1\"\n", "",
         "pool.client", "no [[client]] named 'nobody'"},
        {pool("sizes = \"10x2\"\n"), "pool_max_seats = 19\n", "pool.sizes", "above its pool_max_seats (19)"},
        {pool("drain_before = \"1h\"\n"), "", "pool.sizes", "is required"},
        {pool("sizes = \"1x2\"\ngrab_lead = \"61s\"\n"), "", "pool.grab_lead", "out of range"},
    };
    check_refused(f, cases);
    // Exactly at the cap is allowed: 10x2 = 20 seats.
    auto r = load_string(f.text(pool("sizes = \"10x2\"\n"), "pool_max_seats = 20\n"), "p.toml");
    CHECK_MESSAGE(r.has_value(), r.error().message);
}

namespace {

std::string event_pool(const std::string& body) {
    return "[[pool]]\nname = \"panto\"\nclient = \"royalcourt\"\nevent = \"1201ALHDQP\"\nticket_type = \"1AHG\"\n"
           "sizes = \"4x2\"\n" + body;
}

}  // namespace

TEST_CASE("an event pool is read with its range of starts in venue time, dates or date-times") {
    using namespace std::chrono;
    pool_file f;
    auto r = load_string(f.text(event_pool("from = \"2026-12-01\"\nto = \"2026-12-24\"\n")), "p.toml");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    const auto& p = r->pools.at(0);
    CHECK(p.event == "1201ALHDQP");
    CHECK(p.instance.empty());
    REQUIRE(p.from_at);
    REQUIRE(p.to_at);
    CHECK(*p.from_at == sys_days(2026y / 12 / 1));
    // A bare date as the upper bound: through the end of that day.
    CHECK(*p.to_at == sys_days(2026y / 12 / 24) + hours(23) + minutes(59) + seconds(59));
    CHECK_FALSE(p.from_utc);
    CHECK_FALSE(p.to_utc);
    CHECK(contains(to_string(*r), "event = \"1201ALHDQP\""));

    auto times = load_string(f.text(event_pool("from = \"2026-12-01T14:00\"\nto = \"2026-12-01T20:00:00Z\"\n")), "p.toml");
    REQUIRE_MESSAGE(times.has_value(), times.error().message);
    CHECK(*times->pools[0].from_at == sys_days(2026y / 12 / 1) + hours(14));
    CHECK(*times->pools[0].to_at == sys_days(2026y / 12 / 1) + hours(20));
    CHECK(times->pools[0].to_utc);

    auto open = load_string(f.text(event_pool("")), "p.toml");
    REQUIRE_MESSAGE(open.has_value(), open.error().message);
    CHECK_FALSE(open->pools[0].from_at);
    CHECK_FALSE(open->pools[0].to_at);
}

TEST_CASE("event pools: bad combinations and ranges are refused with the option named") {
    pool_file f;
    const std::string neither =
        "[[pool]]\nname = \"x\"\nclient = \"royalcourt\"\nticket_type = \"T\"\nsizes = \"1x1\"\n";
    const bad_case cases[] = {
        {event_pool("instance = \"4401AKPQ\"\n"), "", "pool.event", "exactly one of 'pool.instance' and 'pool.event'"},
        {neither, "", "pool.instance", "exactly one of 'pool.instance' and 'pool.event'"},
        {event_pool("from = \"2026-12-24\"\nto = \"2026-12-01\"\n"), "", "pool.to", "is before from"},
        {event_pool("from = \"2026-12-01T20:00\"\nto = \"2026-12-01T19:59\"\n"), "", "pool.to", "is before from"},
        // Mixed forms, in the venue's zone: 20:00 in New York (UTC-5) is 01:00Z the next day.
        {event_pool("from = \"2026-12-01T20:00\"\nto = \"2026-12-02T00:30:00Z\"\n"), "timezone = \"America/New_York\"\n",
         "pool.to", "is before from \"2026-12-01T20:00\" in venue time America/New_York"},
        {event_pool("from = \"2026-12-02T01:00:00Z\"\nto = \"2026-12-01T19:59\"\n"), "timezone = \"America/New_York\"\n",
         "pool.to", "is before from"},
        {event_pool("from = \"2026-13-01\"\n"), "", "pool.from", "neither a date"},
        {event_pool("to = \"next week\"\n"), "", "pool.to", "neither a date"},
        {event_pool("from = \"2026-02-30\"\n"), "", "pool.from", "neither a date"},
        {pool("sizes = \"1x2\"\nfrom = \"2026-12-01\"\n"), "", "pool.from", "event pools only"},
        // One instance's worth must fit the cap: 4x2 = 8 seats.
        {event_pool(""), "pool_max_seats = 7\n", "pool.sizes", "above its pool_max_seats (7)"},
        // An instance pool beside it still counts whole.
        {pool("sizes = \"2x2\"\n") + event_pool(""), "pool_max_seats = 11\n", "pool.sizes", "pools would hold 12 seats"},
    };
    check_refused(f, cases);
    // Mixed forms in the right order are taken: 20:00 New York is before 01:30Z the next day.
    auto mixed = load_string(f.text(event_pool("from = \"2026-12-01T20:00\"\nto = \"2026-12-02T01:30:00Z\"\n"),
                                    "timezone = \"America/New_York\"\n"),
                             "p.toml");
    CHECK_MESSAGE(mixed.has_value(), mixed.error().message);
    // The same day as both bounds is one day, and one instance's worth at the cap fits.
    auto r = load_string(f.text(event_pool("from = \"2026-12-01\"\nto = \"2026-12-01\"\n"), "pool_max_seats = 8\n"), "p.toml");
    CHECK_MESSAGE(r.has_value(), r.error().message);
}
