// domain/window_schedule: a client's do-not-transact windows and the questions every module asks
// of them: is `now` inside one, which, when do upstream writes resume, when does the next one
// start. Recurring windows are local times of day in the venue's time zone (optionally on given
// weekdays, the day being the one the window starts on; an end at or before the start ends the
// next day); one-off windows are ranges given in UTC or in local time. Clock changes: a local time
// the clocks skip is taken as the moment they skip it, and a local time that occurs twice as its
// first occurrence. Pure: no I/O, no clock; immutable once built, so thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/tz.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::domain {

enum class window_creates { queue, refuse };

// A wall time as written: seconds since the epoch of that wall time, read either as UTC or as
// the venue's local time.
struct window_moment {
    std::chrono::sys_seconds at{};
    bool local = true;
};

struct window_rule {
    std::string name;
    bool recurring = true;
    // Recurring: minutes after local midnight, 0..1439; end <= start ends the next day.
    int start_minute = 0;
    int end_minute = 0;
    std::uint8_t weekdays = 0x7f;  // bit 0 = Monday ... bit 6 = Sunday: days the window starts on
    // One-off.
    window_moment from{}, until{};
    bool block_reads = false;  // also no upstream reads (the mirror pauses)
    window_creates creates = window_creates::queue;
};

struct window_occurrence {
    std::size_t rule = 0;  // index into the schedule's rules
    sys_time start{}, end{};
};

// What a client's windows say at one moment.
struct window_state {
    bool inside = false;
    // Inside: the covering window that ends last, and when writes may resume (overlapping or
    // touching occurrences are one stretch).
    std::string name;
    sys_time ends_at{};
    bool reads_blocked = false;   // some covering window blocks reads
    bool refuse_creates = false;  // some covering window refuses creates
    // The next window starting after `now` (after the current stretch when inside), if any
    // within the next eight days (recurring) or at all (one-off).
    std::optional<window_occurrence> next;
    std::string next_name;
};

class window_schedule {
public:
    window_schedule() = default;  // no windows: never inside
    window_schedule(std::vector<window_rule> rules, time_zone tz);

    bool empty() const noexcept { return rules_.empty(); }
    const std::vector<window_rule>& rules() const noexcept { return rules_; }
    const time_zone& zone() const noexcept { return tz_; }

    window_state state_at(sys_time now) const;
    bool writes_blocked(sys_time now) const { return state_at(now).inside; }
    bool reads_blocked(sys_time now) const { return state_at(now).reads_blocked; }
    // Occurrences overlapping [from, to), sorted by start.
    std::vector<window_occurrence> occurrences(sys_time from, sys_time to) const;

private:
    std::vector<window_rule> rules_;
    time_zone tz_ = time_zone::utc();
};

// The instant of a local wall time in `tz`, with the clock-change rules above.
sys_time local_to_utc(std::chrono::sys_seconds local, const time_zone& tz);

// A hold's deadline inside an upcoming window (start < deadline, while the window stops the
// release) is moved to `lead` before the window's start, so the hold ends and its seats are
// released while writes still go. nullopt: leave it.
std::optional<sys_time> clipped_deadline(sys_time deadline, const window_occurrence& upcoming,
                                         std::chrono::seconds lead);

}  // namespace agentd::domain
