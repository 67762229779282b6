#include "agentd/core/money.hpp"

#include <limits>

namespace agentd {

result<money> parse_money(std::string_view text, int decimals) {
    const std::string_view original = text;
    auto bad = [&](std::string_view why) {
        return fail(errc::invalid_argument, "parse amount '" + std::string(original.substr(0, 32)) + "': " + std::string(why));
    };
    if (decimals < 0 || decimals > 6) return bad("unsupported number of decimals");
    if (text.empty()) return bad("empty");
    bool negative = false;
    if (text.front() == '-' || text.front() == '+') {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) return bad("no digits");
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    auto push = [&](std::int64_t& v, int d) {
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
        return true;
    };
    std::int64_t value = 0;
    std::size_t i = 0;
    std::size_t int_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
        if (!push(value, text[i] - '0')) return bad("too large");
    }
    int frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        std::size_t start = i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            int d = text[i] - '0';
            if (frac_digits < decimals) {
                if (!push(value, d)) return bad("too large");
                ++frac_digits;
            } else if (d != 0) {
                return bad("more than " + std::to_string(decimals) + " decimal places");
            }
        }
        if (i == start && int_digits == 0) return bad("no digits");
    } else if (int_digits == 0) {
        return bad("no digits");
    }
    if (i != text.size()) return bad("unexpected character");
    for (; frac_digits < decimals; ++frac_digits) {
        if (!push(value, 0)) return bad("too large");
    }
    return money{negative ? -value : value};
}

result<money> parse_price(std::string_view text, int decimals) {
    auto m = parse_money(text, decimals);
    if (!m) return m;
    if (m->minor < 0)
        return fail(errc::invalid_argument, "parse amount '" + std::string(text.substr(0, 32)) + "': negative");
    return m;
}

result<money> checked_add(money a, money b) {
    money out;
    if (__builtin_add_overflow(a.minor, b.minor, &out.minor))
        return fail(errc::invalid_argument, "add amounts: sum out of range");
    return out;
}

result<money> checked_multiply(money a, std::int64_t n) {
    money out;
    if (__builtin_mul_overflow(a.minor, n, &out.minor))
        return fail(errc::invalid_argument, "multiply amount: product out of range");
    return out;
}

std::string format_money(money m, int decimals) {
    std::int64_t v = m.minor;
    bool negative = v < 0;
    // Work in unsigned to format INT64_MIN safely.
    std::uint64_t u = negative ? std::uint64_t(0) - std::uint64_t(v) : std::uint64_t(v);
    std::uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    std::string out = negative ? "-" : "";
    out += std::to_string(u / scale);
    if (decimals > 0) {
        std::string frac = std::to_string(u % scale);
        out += '.';
        out.append(std::size_t(decimals) - frac.size(), '0');
        out += frac;
    }
    return out;
}

}  // namespace agentd
