#include "agentd/core/money.hpp"

#include <doctest/doctest.h>

using agentd::format_money;
using agentd::money;
using agentd::parse_money;

TEST_CASE("money parses JSON and API decimals exactly") {
    CHECK(parse_money("35.50").value() == money{3550});
    CHECK(parse_money("35.5").value() == money{3550});
    CHECK(parse_money("35").value() == money{3500});
    CHECK(parse_money("0.01").value() == money{1});
    CHECK(parse_money(".5").value() == money{50});
    CHECK(parse_money("-2.25").value() == money{-225});
    CHECK(parse_money("40.000").value() == money{4000});  // exact trailing zeros are fine
    CHECK(parse_money("0.1", 3).value() == money{100});
}

TEST_CASE("money refuses what it cannot represent exactly") {
    CHECK_FALSE(parse_money("35.505").has_value());
    CHECK_FALSE(parse_money("1e2").has_value());
    CHECK_FALSE(parse_money("").has_value());
    CHECK_FALSE(parse_money("-").has_value());
    CHECK_FALSE(parse_money(".").has_value());
    CHECK_FALSE(parse_money("12a").has_value());
    CHECK_FALSE(parse_money("99999999999999999999").has_value());
    auto r = parse_money("35.505");
    CHECK(r.error().code == agentd::errc::invalid_argument);
    CHECK(r.error().message.find("decimal places") != std::string::npos);
}

TEST_CASE("money formats with fixed decimals and round-trips") {
    CHECK(format_money(money{3550}) == "35.50");
    CHECK(format_money(money{5}) == "0.05");
    CHECK(format_money(money{-5}) == "-0.05");
    CHECK(format_money(money{0}) == "0.00");
    CHECK(format_money(money{7}, 0) == "7");
    for (std::int64_t v : {0LL, 1LL, 99LL, 100LL, 123456789LL, -42LL, 9223372036854775807LL}) {
        CAPTURE(v);
        CHECK(parse_money(format_money(money{v})).value() == money{v});
    }
    CHECK((money{100} + money{50}) * 2 == money{300});
}
