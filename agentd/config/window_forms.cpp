#include "agentd/config/window_forms.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace agentd::config::detail {
namespace {

constexpr std::array<std::string_view, 7> k_days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::optional<int> day_index(std::string_view s) {
    std::string low;
    for (char c : s) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < k_days.size(); ++i)
        if (low == k_days[i]) return static_cast<int>(i);
    return std::nullopt;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::vector<std::string_view> comma_items(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        out.push_back(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

std::optional<int> digits(std::string_view s) {
    int v = 0;
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::optional<int> parse_time_of_day(std::string_view t) {
    if (t.size() != 5 || t[2] != ':') return std::nullopt;
    auto h = digits(t.substr(0, 2)), m = digits(t.substr(3, 2));
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    return *h * 60 + *m;
}

std::optional<std::uint8_t> parse_weekdays(std::string_view text) {
    text = trim(text);
    if (text.empty() || text == "daily") return std::uint8_t{0x7f};
    std::uint8_t mask = 0;
    for (const auto raw : comma_items(text)) {
        const auto item = trim(raw);
        auto dash = item.find('-');
        auto a = day_index(trim(item.substr(0, dash)));
        auto b = dash == std::string_view::npos ? a : day_index(trim(item.substr(dash + 1)));
        if (!a || !b) return std::nullopt;
        // "fri-mon" wraps over the weekend.
        for (int d = *a;; d = (d + 1) % 7) {
            mask = static_cast<std::uint8_t>(mask | (1u << d));
            if (d == *b) break;
        }
    }
    return mask;
}

std::optional<wall_time> parse_wall_time(std::string_view t) {
    using namespace std::chrono;
    wall_time w;
    if (!t.empty() && t.back() == 'Z') {
        w.utc = true;
        t.remove_suffix(1);
    }
    if ((t.size() != 16 && t.size() != 19) || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':')
        return std::nullopt;
    auto y = digits(t.substr(0, 4)), mo = digits(t.substr(5, 2)), d = digits(t.substr(8, 2));
    auto h = digits(t.substr(11, 2)), mi = digits(t.substr(14, 2));
    std::optional<int> s = 0;
    if (t.size() == 19) s = t[16] == ':' ? digits(t.substr(17, 2)) : std::nullopt;
    if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok() || *y < 2000 || *y > 2100) return std::nullopt;
    w.at = sys_days(ymd) + hours(*h) + minutes(*mi) + seconds(*s);
    return w;
}

std::optional<wall_time> parse_date_or_wall_time(std::string_view t, bool end_of_day) {
    using namespace std::chrono;
    if (t.size() != 10) return parse_wall_time(t);
    auto w = parse_wall_time(std::string(t) + "T00:00");
    if (w && end_of_day) w->at += hours(24) - seconds(1);
    return w;
}

std::optional<std::pair<std::string, std::string>> finish_window(window_settings& w) {
    auto bad = [](std::string key, std::string what) { return std::make_pair(std::move(key), std::move(what)); };
    auto sm = parse_time_of_day(w.start);
    if (sm) {
        auto em = parse_time_of_day(w.end);
        if (!em) return bad("end", "\"" + w.end + "\" is not a time of day \"HH:MM\" like start");
        if (*em == *sm) return bad("end", "equals start: a window needs a length");
        auto days = parse_weekdays(w.days);
        if (!days) return bad("days", "\"" + w.days + "\" is not a list of days like \"mon,wed\" or \"mon-fri\"");
        w.recurring = true;
        w.start_minute = *sm;
        w.end_minute = *em;
        w.weekdays = *days;
        return std::nullopt;
    }
    auto from = parse_wall_time(w.start);
    if (!from)
        return bad("start", "\"" + w.start + "\" is neither \"HH:MM\" nor \"YYYY-MM-DDTHH:MM[:SS][Z]\"");
    auto until = parse_wall_time(w.end);
    if (!until) return bad("end", "\"" + w.end + "\" is not \"YYYY-MM-DDTHH:MM[:SS][Z]\" like start");
    if (!w.days.empty()) return bad("days", "applies to recurring windows only (start \"HH:MM\")");
    // Mixed forms are compared as written; the schedule orders them exactly.
    if (from->utc == until->utc && until->at <= from->at) return bad("end", "is not after start");
    w.recurring = false;
    w.from = from->at;
    w.until = until->at;
    w.from_utc = from->utc;
    w.until_utc = until->utc;
    return std::nullopt;
}

}  // namespace agentd::config::detail
