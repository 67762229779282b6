// mirror/settings: what the sync service is told at construction, in its own vocabulary. The
// composition root maps the config file onto it; nothing in mirror/ reads config. Plain values.
#pragma once

#include <chrono>
#include <cstdint>

namespace agentd::mirror {

struct settings {
    std::chrono::milliseconds catalogue_interval{std::chrono::hours(1)};
    std::int64_t catalogue_days_ahead = 180;
    // Availability cadence by how soon an instance starts (domain/sync_policy).
    std::chrono::milliseconds tier_24h{std::chrono::seconds(15)};
    std::chrono::milliseconds tier_7d{std::chrono::seconds(60)};
    std::chrono::milliseconds tier_30d{std::chrono::minutes(5)};
    std::chrono::milliseconds tier_later{std::chrono::minutes(30)};
    std::chrono::milliseconds hot_window{std::chrono::minutes(10)};  // a read or reservation keeps it hot
    std::int64_t tombstone_after = 3;      // listings an entity must miss before it is removed
    double max_removal_share = 0.25;       // a listing removing more than this is refused
    bool seat_status = true;               // poll seat status where the upstream offers it
    std::int64_t max_parallel_per_client = 2;  // sync requests in flight at once per client

    friend bool operator==(const settings&, const settings&) = default;
};

}  // namespace agentd::mirror
