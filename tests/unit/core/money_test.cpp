#include "agentd/core/money.hpp"

#include <doctest/doctest.h>

#include <limits>

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

TEST_CASE("prices are never negative") {
    using agentd::parse_price;
    CHECK(parse_price("35.50").value() == money{3550});
    CHECK(parse_price("0").value() == money{0});
    CHECK(parse_price("-0.00").value() == money{0});
    auto neg = parse_price("-2.25");
    REQUIRE_FALSE(neg.has_value());
    CHECK(neg.error().code == agentd::errc::invalid_argument);
    CHECK(neg.error().message.find("negative") != std::string::npos);
    CHECK_FALSE(parse_price("12a").has_value());  // and everything parse_money refuses
}

TEST_CASE("sums and products that leave int64 minor units are errors, not wrapped values") {
    using agentd::checked_add;
    using agentd::checked_multiply;
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
    CHECK(checked_add(money{100}, money{50}).value() == money{150});
    CHECK(checked_add(money{max - 1}, money{1}).value() == money{max});
    CHECK_FALSE(checked_add(money{max}, money{1}).has_value());
    CHECK_FALSE(checked_add(money{min}, money{-1}).has_value());
    CHECK(checked_add(money{max}, money{1}).error().code == agentd::errc::invalid_argument);
    CHECK(checked_multiply(money{3550}, 4).value() == money{14200});
    CHECK_FALSE(checked_multiply(money{max / 2 + 1}, 2).has_value());
    CHECK_FALSE(checked_multiply(money{min}, -1).has_value());
    // A long run of large prices stops at the first sum that does not fit.
    money total;
    int added = 0;
    for (int i = 0; i < 10; ++i) {
        auto s = checked_add(total, money{max / 4});
        if (!s) break;
        total = *s;
        ++added;
    }
    CHECK(added == 4);
    CHECK(total.minor > 0);
}
