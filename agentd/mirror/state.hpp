// mirror/state: the sync service's per-client bookkeeping (schedule, caches, progress) and the
// pure scheduling step over it (schedule.cpp). Internal to mirror/.
// Threading: the io_context thread, except `prog`, which is guarded by `mu`.
#pragma once

#include "agentd/mirror/service.hpp"
#include "agentd/mirror/seat_diff.hpp"
#include "agentd/mirror/slots.hpp"
#include "agentd/core/backoff.hpp"
#include "agentd/domain/sync_policy.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace agentd::mirror {

struct instance_schedule {
    sys_time start{};
    bool cancelled = false;
    std::string plan_id, price_list_id;
    std::optional<sys_time> last_ok;  // availability last confirmed
    std::optional<sys_time> last_read, last_reserved;
    sys_time retry_after{};
    int failures = 0;
    bool in_flight = false;
    bool forced = false;
    bool removed = false;  // tombstoned while a poll was in flight
    std::optional<std::uint64_t> status_hash;
    // The seat statuses last written (mirror/seat_diff.hpp); none after a restart or a takeover.
    std::optional<seat_picture> seats;
};

struct pick {
    std::optional<std::string> id;
    sys_time due{};
};

domain::sync_settings policy_of(const settings& s);

// How long after `failures` consecutive failures a resource is tried again: 1 s doubled per
// failure (2 s, 4 s, ...), at most 1024 s and at most `cap` (core/backoff, without jitter:
// the schedule itself spreads instances out).
sys_time::duration retry_delay(int failures, sys_time::duration cap);

struct sync_service::client_state {
    explicit client_state(int in_flight = 1) : slots(in_flight) {}
    std::string name, account;
    std::vector<std::string> logins;  // every agent account of the client
    upstream::client* up = nullptr;
    std::map<std::string, instance_schedule, std::less<>> instances;
    std::optional<sys_time> catalogue_last_ok;
    sys_time catalogue_retry{};
    int catalogue_failures = 0;
    bool catalogue_in_flight = false;
    bool catalogue_forced = false;
    std::map<std::string, sys_time> fetched;  // "price_list:<id>" / "plan:<id>" -> last download
    std::optional<bool> seat_status;           // capability; nullopt until the first answer
    int consecutive_failures = 0;
    std::vector<boost::asio::steady_timer*> sleepers;
    request_slots slots;       // the client's sync reads in flight (slots.hpp)
    int pending_writes = 0;    // availability writes handed to the writer, not yet committed
    bool stale = false;        // taken over from another node: reload before syncing

    mutable std::mutex mu;
    client_progress prog;
};

// The most urgent instance not in flight (domain::due_order) and its due time; refreshes the
// client's progress counts (total, done, lag) as it scans.
pick pick_next(sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy);
bool catalogue_due(const sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy);
sys_time catalogue_next(const sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy);

}  // namespace agentd::mirror
