#include "agentd/cli/args.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

using namespace agentd;

TEST_CASE("tables align columns and drop trailing blanks") {
    cli::table t({"ID", "STATE", "NOTE"});
    t.add({"r_1", "held", ""});
    t.add({"r_10", "confirm_unknown", "x"});
    CHECK(t.render() ==
          "ID    STATE            NOTE\n"
          "r_1   held\n"
          "r_10  confirm_unknown  x\n");
}

TEST_CASE("times and ages") {
    auto now = *parse_iso("2026-11-26T21:40:12Z");
    CHECK(cli::short_time("2026-11-26T21:40:00Z") == "2026-11-26 21:40Z");
    CHECK(cli::short_time("not a time") == "not a time");
    CHECK(cli::span_text(12) == "12s");
    CHECK(cli::span_text(250) == "4m 10s");
    CHECK(cli::span_text(3 * 3600 + 12 * 60 + 5) == "3h 12m");
    CHECK(cli::span_text(2 * 86400 + 4 * 3600) == "2d 4h");
    CHECK(cli::age_text("2026-11-26T21:40:00Z", now) == "12s ago");
    CHECK(cli::age_text("2026-11-26T21:44:22Z", now) == "in 4m 10s");
    CHECK(cli::when_text(std::string("2026-11-26T21:40:00Z"), now) == "2026-11-26 21:40Z (12s ago)");
    CHECK(cli::when_text(std::nullopt, now) == "-");
}

TEST_CASE("date options") {
    auto now = *parse_iso("2026-11-26T21:40:12Z");
    CHECK(cli::resolve_date("today", now) == "2026-11-26");
    CHECK(cli::resolve_date("tomorrow", now) == "2026-11-27");
    CHECK(cli::resolve_date("+7d", now) == "2026-12-03");
    CHECK(cli::resolve_date("2026-12-01", now) == "2026-12-01");
    CHECK(cli::resolve_date("2026-12-01T19:30:00Z", now) == "2026-12-01T19:30:00Z");
    CHECK_FALSE(cli::resolve_date("next week", now));
    CHECK_FALSE(cli::resolve_date("2026-13-01", now));
    CHECK_FALSE(cli::resolve_date("+99999d", now));
}

TEST_CASE("argument parsing") {
    auto a = cli::parse_args({"events", "--client", "rc", "--json", "--from=2026-12-01", "--", "--x"});
    REQUIRE(a.has_value());
    CHECK(a->words == std::vector<std::string>{"events", "--x"});
    CHECK(a->get("client") == "rc");
    CHECK(a->get("from") == "2026-12-01");
    CHECK(a->flag("json"));
    CHECK(cli::parse_args({"-h"})->flag("help"));

    CHECK(cli::parse_args({"events", "--client"}).error().code == errc::invalid_argument);
    CHECK(cli::parse_args({"--client", "a", "--client", "b"}).error().code == errc::invalid_argument);
    CHECK(cli::parse_args({"--json=yes"}).error().code == errc::invalid_argument);
    CHECK(cli::parse_args({"-x"}).error().code == errc::invalid_argument);

    CHECK(*cli::parse_seconds("2.5") == doctest::Approx(2.5));
    CHECK(*cli::parse_seconds("1500ms") == doctest::Approx(1.5));
    CHECK(*cli::parse_seconds("2m") == doctest::Approx(120));
    CHECK_FALSE(cli::parse_seconds("soon").has_value());
    CHECK_FALSE(cli::parse_seconds("-1").has_value());
    CHECK_FALSE(cli::parse_seconds("").has_value());
}
