// domain/sync_policy: when the mirror polls what. Availability cadence is tiered by how soon
// an instance starts; instances that were read or reserved recently ("hot") move one tier
// faster; started and cancelled instances stop availability polling (their catalogue rows are
// still refreshed by the catalogue cadence). Pure functions of times passed in; thread-safe.
#pragma once

#include "agentd/core/clock.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace agentd::domain {

struct sync_settings {
    seconds within_day{15};      // starts within 24 h
    seconds within_week{60};     // within 7 days
    seconds within_month{300};   // within 30 days
    seconds later{1800};         // anything later
    seconds hot_window{600};     // read or reserved this recently = hot
    seconds catalogue_interval{3600};
};

enum class sync_tier { day, week, month, later, stopped };
std::string_view to_string(sync_tier t) noexcept;

struct instance_activity {
    sys_time start{};
    bool cancelled = false;
    std::optional<sys_time> last_read;      // a channel asked for it
    std::optional<sys_time> last_reserved;  // a reservation was made for it
};

// The tier by time to start alone; stopped once started (now >= start).
sync_tier tier_by_start(sys_time start, sys_time now) noexcept;
bool is_hot(const instance_activity& a, sys_time now, const sync_settings& s) noexcept;
bool is_reservation_hot(const instance_activity& a, sys_time now, const sync_settings& s) noexcept;

// tier_by_start, one tier faster when hot (day is already the fastest); stopped when
// cancelled or started.
sync_tier tier_for(const instance_activity& a, sys_time now, const sync_settings& s) noexcept;

// Polling interval of a tier; nullopt for stopped.
std::optional<seconds> interval_of(sync_tier t, const sync_settings& s) noexcept;

// When availability is next due: now if never synced, else last + interval; nullopt when
// polling has stopped.
std::optional<sys_time> next_availability_due(const instance_activity& a, std::optional<sys_time> last_synced,
                                              sys_time now, const sync_settings& s) noexcept;

// When the client's catalogue is next due: now if never synced, else last + interval.
sys_time next_catalogue_due(std::optional<sys_time> last_synced, sys_time now, const sync_settings& s) noexcept;

struct due_entry {
    sys_time due{};
    bool reservation_hot = false;
    std::string instance;
};

// Strict weak order for the due queue at `now`: entries already due come first, reservation-
// hot ones ahead of the rest, then earliest due, then id (deterministic).
struct due_order {
    sys_time now;
    bool operator()(const due_entry& a, const due_entry& b) const noexcept;
};

}  // namespace agentd::domain
