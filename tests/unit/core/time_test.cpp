#include "agentd/core/clock.hpp"
#include "agentd/core/secret.hpp"
#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace agentd;
using namespace std::chrono;

TEST_CASE("RFC 1123 dates match the upstream signing vectors") {
    auto t = parse_iso("2020-10-21T07:28:00Z").value();
    CHECK(format_rfc1123(t) == "Wed, 21 Oct 2020 07:28:00 GMT");
    auto back = parse_rfc1123("Mon, 21 Oct 2020 07:28:00 GMT").value();
    CHECK(back == t);
    CHECK_FALSE(parse_rfc1123("Mon, 21 Foo 2020 07:28:00 GMT").has_value());
    CHECK_FALSE(parse_rfc1123("21 Oct 2020").has_value());
}

TEST_CASE("ISO 8601 formatting and parsing round-trip") {
    auto t = parse_iso("2026-11-26T21:40:00Z").value();
    CHECK(format_iso_utc(t) == "2026-11-26T21:40:00Z");
    CHECK(format_date_utc(t) == "2026-11-26");
    CHECK(parse_iso("2026-11-26").value() == parse_iso("2026-11-26T00:00:00").value());
    CHECK(format_iso_utc_ms(parse_iso("2026-01-02T03:04:05.678Z").value()) == "2026-01-02T03:04:05.678Z");
    CHECK_FALSE(parse_iso("2026-13-01").has_value());
    CHECK_FALSE(parse_iso("2026-02-30T00:00:00").has_value());
    CHECK_FALSE(parse_iso("yesterday").has_value());
    CHECK_FALSE(parse_iso("2026-11-26T21:40:00+01:00").has_value());
}

TEST_CASE("manual clock moves only when told") {
    manual_clock c;
    auto t0 = c.now();
    c.advance(seconds(90));
    CHECK(c.now() - t0 == seconds(90));
    c.set(t0);
    CHECK(c.now() == t0);
}

TEST_CASE("secrets never print") {
    secret s("c2VjcmV0");
    std::ostringstream os;
    os << s;
    CHECK(os.str() == "[redacted]");
    CHECK(s.reveal() == "c2VjcmV0");
}

TEST_CASE("years the 64-bit clock cannot hold are refused, not wrapped (found by fuzzing)") {
    for (const char* text : {"2263-01-01T00:00:00Z", "4050-12-01", "1677-01-01", "9999-12-31T23:59:59Z"}) {
        CAPTURE(text);
        auto t = agentd::parse_iso(text);
        REQUIRE(t.has_error());
        CHECK(t.error().code == agentd::errc::invalid_argument);
    }
    CHECK(agentd::parse_rfc1123("Sat, 01 Jan 2300 00:00:00 GMT").has_error());
    CHECK(agentd::parse_iso("2199-12-31T23:59:59Z").has_value());
}
