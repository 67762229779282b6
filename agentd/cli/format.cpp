#include "agentd/cli/format.hpp"

#include "agentd/core/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace agentd::cli {
namespace {

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;  // count code points, not continuation bytes
    return n;
}

// The code point at s[i] and its length in bytes; length 0 when the bytes there are not
// well-formed UTF-8 (bad lead or continuation byte, overlong form, surrogate, > U+10FFFF).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return {b0, 1};
    std::size_t n = 0;
    char32_t cp = 0, min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return {0, 0};
    }
    if (i + n > s.size()) return {0, 0};
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return {0, 0};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
    return {cp, n};
}

// Index just past a control sequence's parameters and final byte (0x40..0x7E) from `i`.
std::size_t skip_csi(std::string_view s, std::size_t i) {
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i++]);
        if (c >= 0x40 && c <= 0x7E) break;
        if (c < 0x20 || c >= 0x7F) return i - 1;  // not a parameter: the sequence was cut short
    }
    return i;
}

// Index just past a control string (OSC, DCS, SOS, PM, APC) from `i`: up to BEL, ESC '\' or
// the C1 ST (U+009C), or the end of the text when it is never terminated.
std::size_t skip_string(std::string_view s, std::size_t i) {
    while (i < s.size()) {
        if (s[i] == '\x07') return i + 1;
        if (s[i] == '\x1b') return i + 1 < s.size() && s[i + 1] == '\\' ? i + 2 : i + 1;
        if (s.substr(i, 2) == "\xC2\x9C") return i + 2;
        ++i;
    }
    return i;
}

// What follows an introducer byte `c` (after ESC, or the C1 control itself minus 0x40).
std::size_t skip_after_introducer(std::string_view s, std::size_t i, char32_t c) {
    switch (c) {
    case '[': return skip_csi(s, i);
    case ']': case 'P': case 'X': case '^': case '_': return skip_string(s, i);
    default: return i;
    }
}

}  // namespace

std::string printable(std::string_view s, bool multiline) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto [cp, n] = decode_utf8(s, i);
        if (n == 0) {
            out += '?';
            ++i;
            continue;
        }
        i += n;
        if (cp == '\n' || cp == '\t') {
            out += multiline ? static_cast<char>(cp) : ' ';
        } else if (cp == 0x1B) {
            if (i >= s.size()) break;
            const auto next = static_cast<unsigned char>(s[i]);
            if (next < 0x20 || next >= 0x7F) continue;  // a lone ESC
            ++i;
            // Intermediates (0x20..0x2F) then one final byte for the two-character forms.
            if (next >= 0x20 && next <= 0x2F) {
                while (i < s.size() && s[i] >= 0x20 && s[i] <= 0x2F) ++i;
                if (i < s.size() && s[i] >= 0x30 && s[i] <= 0x7E) ++i;
            } else {
                i = skip_after_introducer(s, i, next);
            }
        } else if (cp >= 0x80 && cp <= 0x9F) {
            i = skip_after_introducer(s, i, cp - 0x40);
        } else if (cp >= 0x20 && cp != 0x7F) {
            out.append(s.substr(i - n, n));
        }
    }
    return out;
}

std::string table::render() const {
    auto clean = [](const std::vector<std::string>& r) {
        std::vector<std::string> c;
        c.reserve(r.size());
        for (const auto& cell : r) c.push_back(printable(cell));
        return c;
    };
    const auto head = clean(head_);
    std::vector<std::vector<std::string>> rows;
    rows.reserve(rows_.size());
    for (const auto& r : rows_) rows.push_back(clean(r));
    std::vector<std::size_t> w(head.size(), 0);
    auto widen = [&](const std::vector<std::string>& r) {
        for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], display_width(r[i]));
    };
    widen(head);
    for (auto& r : rows) widen(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& r) {
        std::string l;
        for (std::size_t i = 0; i < w.size(); ++i) {
            std::string_view cell = i < r.size() ? std::string_view(r[i]) : std::string_view();
            l += cell;
            if (i + 1 < w.size()) l.append(w[i] - display_width(cell) + 2, ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l;
        out += '\n';
    };
    line(head);
    for (auto& r : rows) line(r);
    return out;
}

std::string short_time(std::string_view iso) {
    auto t = parse_iso(iso);
    if (!t) return std::string(iso);
    auto s = format_iso_utc(*t);  // YYYY-MM-DDTHH:MM:SSZ
    return s.substr(0, 10) + " " + s.substr(11, 5) + "Z";
}

std::string span_text(double seconds) {
    if (!std::isfinite(seconds)) return "?";
    auto s = static_cast<long long>(std::llround(std::fabs(seconds)));
    char buf[64];
    if (s < 60) std::snprintf(buf, sizeof buf, "%llds", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm %llds", s / 60, s % 60);
    else if (s < 86400) std::snprintf(buf, sizeof buf, "%lldh %lldm", s / 3600, (s % 3600) / 60);
    else std::snprintf(buf, sizeof buf, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
    return buf;
}

std::string age_text(std::string_view iso, sys_time now) {
    auto t = parse_iso(iso);
    if (!t) return {};
    double d = std::chrono::duration<double>(now - *t).count();
    return d >= 0 ? span_text(d) + " ago" : "in " + span_text(-d);
}

std::string when_text(const std::optional<std::string>& iso, sys_time now) {
    if (!iso || iso->empty()) return "-";
    auto age = age_text(*iso, now);
    return age.empty() ? *iso : short_time(*iso) + " (" + age + ")";
}

std::string or_dash(std::string_view s) { return s.empty() ? std::string("-") : std::string(s); }

std::optional<std::string> resolve_date(std::string_view text, sys_time now) {
    using namespace std::chrono;
    auto day = [&](int offset) { return format_date_utc(now + days(offset)); };
    if (text == "today") return day(0);
    if (text == "tomorrow") return day(1);
    if (text == "yesterday") return day(-1);
    if (text.size() >= 3 && (text[0] == '+' || text[0] == '-') && text.back() == 'd') {
        int n = 0;
        auto body = text.substr(1, text.size() - 2);
        auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), n);
        if (ec != std::errc() || p != body.data() + body.size() || n > 3650) return std::nullopt;
        return day(text[0] == '+' ? n : -n);
    }
    if (text.size() == 10 && parse_iso(std::string(text) + "T00:00:00Z")) return std::string(text);
    if (parse_iso(text)) return std::string(text);
    return std::nullopt;
}

}  // namespace agentd::cli
