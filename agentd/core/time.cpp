#include "agentd/core/time.hpp"

#include <array>
#include <cstdio>

namespace agentd {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct parts {
    year_month_day ymd;
    hh_mm_ss<seconds> hms;
    weekday wd;
    int millis;
};

parts split(sys_time t) {
    auto ms_tp = floor<milliseconds>(t);
    auto day = floor<days>(ms_tp);
    auto ms = (ms_tp - day).count();
    return {year_month_day{day}, hh_mm_ss<seconds>{seconds{ms / 1000}}, weekday{day}, int(ms % 1000)};
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

result<sys_time> make_time(std::string_view text, int y, int mo, int d, int h, int mi, int s, int ms) {
    // sys_time counts nanoseconds in 64 bits: only about 1678..2261 fit. Years outside are
    // refused rather than overflowing into a wrong date; no ticket is sold that far out.
    year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
    if (y < 1900 || y > 2200 || !ymd.ok() || h > 23 || mi > 59 || s > 60)
        return fail(errc::invalid_argument, "parse time '" + std::string(text.substr(0, 40)) + "': out of range");
    return sys_time{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
}

}  // namespace

std::string format_iso_utc(sys_time t) {
    auto p = split(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(p.ymd.year()), unsigned(p.ymd.month()),
                  unsigned(p.ymd.day()), int(p.hms.hours().count()), int(p.hms.minutes().count()),
                  int(p.hms.seconds().count()));
    return buf;
}

std::string format_iso_utc_ms(sys_time t) {
    auto p = split(t);
    const int year = int(p.ymd.year());
    if (year < 0 || year > 9999) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, unsigned(p.ymd.month()),
                      unsigned(p.ymd.day()), int(p.hms.hours().count()), int(p.hms.minutes().count()),
                      int(p.hms.seconds().count()), p.millis);
        return buf;
    }
    // Written digit by digit: every stored row and feed entry carries a few of these, and
    // snprintf's format parsing was most of their cost.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&](std::size_t at, unsigned v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10) out[at + std::size_t(i)] = char('0' + v % 10);
    };
    put(0, unsigned(year), 4);
    put(5, unsigned(p.ymd.month()), 2);
    put(8, unsigned(p.ymd.day()), 2);
    put(11, unsigned(p.hms.hours().count()), 2);
    put(14, unsigned(p.hms.minutes().count()), 2);
    put(17, unsigned(p.hms.seconds().count()), 2);
    put(20, unsigned(p.millis), 3);
    return out;
}

std::string format_date_utc(sys_time t) {
    auto p = split(t);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(p.ymd.year()), unsigned(p.ymd.month()), unsigned(p.ymd.day()));
    return buf;
}

std::string format_rfc1123(sys_time t) {
    auto p = split(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", k_days[p.wd.c_encoding()],
                  unsigned(p.ymd.day()), k_months[unsigned(p.ymd.month()) - 1], int(p.ymd.year()),
                  int(p.hms.hours().count()), int(p.hms.minutes().count()), int(p.hms.seconds().count()));
    return buf;
}

result<sys_time> parse_iso(std::string_view text) {
    int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
    auto bad = [&] { return fail(errc::invalid_argument, "parse time '" + std::string(text.substr(0, 40)) + "': not ISO 8601"); };
    if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
        !digits(text, 8, 2, d))
        return bad();
    std::size_t pos = 10;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
        if (!digits(text, pos + 1, 2, h) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(text, pos + 4, 2, mi))
            return bad();
        pos += 6;
        if (pos < text.size() && text[pos] == ':') {
            if (!digits(text, pos + 1, 2, s)) return bad();
            pos += 3;
            if (pos < text.size() && text[pos] == '.') {
                ++pos;
                int scale = 100;
                std::size_t start = pos;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    ms += (text[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                }
                if (pos == start) return bad();
            }
        }
    }
    if (pos < text.size() && text[pos] == 'Z') ++pos;
    if (pos != text.size()) return bad();
    return make_time(text, y, mo, d, h, mi, s, ms);
}

result<sys_time> parse_rfc1123(std::string_view text) {
    // "Mon, 21 Oct 2020 07:28:00 GMT"
    auto bad = [&] { return fail(errc::invalid_argument, "parse date '" + std::string(text.substr(0, 40)) + "': not RFC 1123"); };
    if (text.size() != 29 || text[3] != ',' || text.substr(25) != " GMT") return bad();
    int d, y, h, mi, s;
    if (!digits(text, 5, 2, d) || !digits(text, 12, 4, y) || !digits(text, 17, 2, h) || !digits(text, 20, 2, mi) ||
        !digits(text, 23, 2, s))
        return bad();
    int mo = 0;
    for (int i = 0; i < 12; ++i)
        if (text.substr(8, 3) == k_months[std::size_t(i)]) mo = i + 1;
    if (mo == 0) return bad();
    return make_time(text, y, mo, d, h, mi, s, 0);
}

}  // namespace agentd
