#include "agentd/cli/format.hpp"

#include "agentd/core/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace agentd::cli {
namespace {

std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;  // count code points, not continuation bytes
    return n;
}

}  // namespace

std::string table::render() const {
    std::vector<std::size_t> w(head_.size(), 0);
    auto widen = [&](const std::vector<std::string>& r) {
        for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], display_width(r[i]));
    };
    widen(head_);
    for (auto& r : rows_) widen(r);
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
    line(head_);
    for (auto& r : rows_) line(r);
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
