// core/tz: a venue's local time from the system's zoneinfo database (TZif files under $TZDIR,
// else /usr/share/zoneinfo). GCC 12's libstdc++ has no std::chrono::tzdb and glibc's
// localtime_r reads the process-wide TZ, so the transitions are read here once per zone.
// Times after the file's last transition use its last offset (the database ships transitions
// to 2037). Immutable once loaded: thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentd {

class time_zone {
public:
    // "Europe/London", "UTC". errc::invalid_argument for a malformed name, errc::not_found
    // when the database has no such zone, errc::decode_error for a file that is not TZif.
    static result<time_zone> load(std::string_view name);
    static time_zone utc();
    // load(), or UTC when the zone cannot be loaded (a system without the database).
    static time_zone load_or_utc(std::string_view name);

    const std::string& name() const noexcept { return name_; }
    std::chrono::seconds offset_at(sys_time t) const noexcept;

private:
    std::string name_;
    std::vector<std::int64_t> at_;      // transition times, seconds since the epoch, ascending
    std::vector<std::int32_t> offset_;  // offset from each transition on
    std::int32_t initial_ = 0;          // before the first transition
};

// "2026-11-30T18:12:23+00:00" / "2026-07-01T10:00:00+01:00": whole seconds, with the offset.
std::string format_local(sys_time t, const time_zone& z);
// The local calendar date of `t`: "2026-11-30".
std::string local_date(sys_time t, const time_zone& z);
// The ISO 8601 week of the local date: "2026-W49".
std::string local_iso_week(sys_time t, const time_zone& z);

}  // namespace agentd
