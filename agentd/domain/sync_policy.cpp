#include "agentd/domain/sync_policy.hpp"

#include <chrono>
#include <tuple>

namespace agentd::domain {

namespace {
using std::chrono::hours;

bool within(const std::optional<sys_time>& t, sys_time now, seconds window) {
    return t && *t <= now && now - *t <= window;
}
}  // namespace

std::string_view to_string(sync_tier t) noexcept {
    switch (t) {
    case sync_tier::day: return "day";
    case sync_tier::week: return "week";
    case sync_tier::month: return "month";
    case sync_tier::later: return "later";
    case sync_tier::stopped: return "stopped";
    }
    return "unknown";
}

sync_tier tier_by_start(sys_time start, sys_time now) noexcept {
    if (now >= start) return sync_tier::stopped;
    auto left = start - now;
    if (left <= hours(24)) return sync_tier::day;
    if (left <= hours(24 * 7)) return sync_tier::week;
    if (left <= hours(24 * 30)) return sync_tier::month;
    return sync_tier::later;
}

bool is_reservation_hot(const instance_activity& a, sys_time now, const sync_settings& s) noexcept {
    return within(a.last_reserved, now, s.hot_window);
}

bool is_hot(const instance_activity& a, sys_time now, const sync_settings& s) noexcept {
    return is_reservation_hot(a, now, s) || within(a.last_read, now, s.hot_window);
}

sync_tier tier_for(const instance_activity& a, sys_time now, const sync_settings& s) noexcept {
    if (a.cancelled) return sync_tier::stopped;
    sync_tier t = tier_by_start(a.start, now);
    if (t == sync_tier::stopped || t == sync_tier::day || !is_hot(a, now, s)) return t;
    return static_cast<sync_tier>(static_cast<int>(t) - 1);
}

std::optional<seconds> interval_of(sync_tier t, const sync_settings& s) noexcept {
    switch (t) {
    case sync_tier::day: return s.within_day;
    case sync_tier::week: return s.within_week;
    case sync_tier::month: return s.within_month;
    case sync_tier::later: return s.later;
    case sync_tier::stopped: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<sys_time> next_availability_due(const instance_activity& a, std::optional<sys_time> last_synced,
                                              sys_time now, const sync_settings& s) noexcept {
    auto iv = interval_of(tier_for(a, now, s), s);
    if (!iv) return std::nullopt;
    if (!last_synced) return now;
    return *last_synced + *iv;
}

sys_time next_catalogue_due(std::optional<sys_time> last_synced, sys_time now, const sync_settings& s) noexcept {
    return last_synced ? *last_synced + s.catalogue_interval : now;
}

bool due_order::operator()(const due_entry& a, const due_entry& b) const noexcept {
    const bool a_due = a.due <= now, b_due = b.due <= now;
    // Tuples compare lexicographically; negations put "due" and "hot" first.
    return std::forward_as_tuple(!a_due, !(a_due && a.reservation_hot), a.due, a.instance) <
           std::forward_as_tuple(!b_due, !(b_due && b.reservation_hot), b.due, b.instance);
}

}  // namespace agentd::domain
