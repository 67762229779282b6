// core/money: amounts as integer minor units (pence, cents). Never a float: upstream JSON
// decimals and API strings are parsed digit by digit. The operators are for amounts already
// known to be in range (e.g. a ticket list the upstream decoder has summed with checked_add);
// anything summing untrusted amounts uses checked_add / checked_multiply, which report
// overflow instead of wrapping. Pure functions, thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace agentd {

struct money {
    std::int64_t minor = 0;  // e.g. 3550 for 35.50 with two decimal places

    friend constexpr bool operator==(money, money) = default;
    friend constexpr auto operator<=>(money, money) = default;
    friend constexpr money operator+(money a, money b) { return {a.minor + b.minor}; }
    friend constexpr money operator-(money a, money b) { return {a.minor - b.minor}; }
    friend constexpr money operator*(money a, std::int64_t n) { return {a.minor * n}; }
};

// Parses "35.5", "35.50", "-2", "1234.500" (trailing zeros beyond `decimals` are exact and
// accepted), "1e2" is refused (exponents are not money). More significant fraction digits than
// `decimals` are refused rather than rounded: a price that cannot be represented is an error.
result<money> parse_money(std::string_view text, int decimals = 2);

// parse_money that also refuses negative amounts: what a price, a ticket total or an order
// total must be. "-0" and "-0.00" are zero and accepted.
result<money> parse_price(std::string_view text, int decimals = 2);

// a + b, or errc::invalid_argument when the sum leaves int64 minor units.
result<money> checked_add(money a, money b);
// a * n, or errc::invalid_argument when the product leaves int64 minor units.
result<money> checked_multiply(money a, std::int64_t n);

// Formats with exactly `decimals` fraction digits: 3550 -> "35.50".
std::string format_money(money m, int decimals = 2);

}  // namespace agentd
