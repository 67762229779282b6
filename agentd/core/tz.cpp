#include "agentd/core/tz.hpp"

#include "agentd/core/time.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace agentd {
namespace {

std::int64_t be(const std::string& b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
    if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

bool valid_name(std::string_view n) {
    if (n.empty() || n.size() > 128 || n.front() == '/' || n.find("..") != std::string_view::npos) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
               c == '-' || c == '+';
    });
}

std::chrono::sys_days local_day(sys_time t, const time_zone& z) {
    return std::chrono::floor<std::chrono::days>(t + z.offset_at(t));
}

std::string two(unsigned v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); }

}  // namespace

time_zone time_zone::utc() {
    time_zone z;
    z.name_ = "UTC";
    return z;
}

time_zone time_zone::load_or_utc(std::string_view name) {
    auto z = load(name);
    return z ? std::move(*z) : utc();
}

result<time_zone> time_zone::load(std::string_view name) {
    if (!valid_name(name)) return fail(errc::invalid_argument, "time zone '" + std::string(name) + "': not a zone name");
    const char* dir = std::getenv("TZDIR");
    const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(errc::not_found, "time zone '" + std::string(name) + "': not in the zoneinfo database");
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto bad = [&] { return fail(errc::decode_error, "time zone '" + std::string(name) + "': not a TZif file"); };
    // Header: magic, version, 15 reserved, then isutcnt isstdcnt leapcnt timecnt typecnt charcnt.
    auto counts = [&](std::size_t at, std::size_t (&c)[6]) {
        if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) return false;
        for (std::size_t i = 0; i < 6; ++i) c[i] = static_cast<std::size_t>(be(b, at + 20 + 4 * i, 4));
        return true;
    };
    std::size_t c[6];
    if (!counts(0, c)) return bad();
    std::size_t at = 44, tsize = 4;
    if (b[4] >= '2') {  // skip the 32-bit block; the 64-bit one follows with its own header
        at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
        if (!counts(at, c)) return bad();
        at += 44;
        tsize = 8;
    }
    const std::size_t timecnt = c[3], typecnt = c[4];
    if (typecnt == 0 || b.size() < at + timecnt * (tsize + 1) + typecnt * 6) return bad();
    std::vector<std::int32_t> type_off(typecnt);
    const std::size_t types_at = at + timecnt * (tsize + 1);
    for (std::size_t i = 0; i < typecnt; ++i) type_off[i] = static_cast<std::int32_t>(be(b, types_at + 6 * i, 4));
    time_zone z;
    z.name_ = std::string(name);
    z.initial_ = type_off[0];
    for (std::size_t i = 0; i < timecnt; ++i) {
        const auto idx = static_cast<unsigned char>(b[at + timecnt * tsize + i]);
        if (idx >= typecnt) return bad();
        z.at_.push_back(be(b, at + i * tsize, tsize));
        z.offset_.push_back(type_off[idx]);
    }
    return z;
}

std::chrono::seconds time_zone::offset_at(sys_time t) const noexcept {
    const auto s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
    auto it = std::upper_bound(at_.begin(), at_.end(), s);
    if (it == at_.begin()) return std::chrono::seconds(initial_);
    return std::chrono::seconds(offset_[static_cast<std::size_t>(it - at_.begin() - 1)]);
}

std::string format_local(sys_time t, const time_zone& z) {
    const auto off = z.offset_at(t);
    std::string s = format_iso_utc(t + off);  // "...Z" of the shifted time
    s.pop_back();
    const auto m = std::abs(off.count()) / 60;
    return s + (off.count() < 0 ? "-" : "+") + two(static_cast<unsigned>(m / 60)) + ":" + two(static_cast<unsigned>(m % 60));
}

std::string local_date(sys_time t, const time_zone& z) { return format_date_utc(local_day(t, z)); }

std::string local_iso_week(sys_time t, const time_zone& z) {
    using namespace std::chrono;
    const sys_days d = local_day(t, z);
    // ISO week: the week (Monday first) holding the date's Thursday belongs to that Thursday's year.
    const weekday wd{d};
    const sys_days thursday = d - days((wd.iso_encoding() + 6) % 7) + days(3);
    const year_month_day ty{thursday};
    const sys_days jan1 = sys_days(ty.year() / January / 1);
    const auto week = (thursday - jan1).count() / 7 + 1;
    return std::to_string(static_cast<int>(ty.year())) + "-W" + two(static_cast<unsigned>(week));
}

}  // namespace agentd
