// mirror/fetch: what the sync service's upstream reads share (fetch_catalogue.cpp,
// fetch_availability.cpp): the call options of a sync read, the diff settings, and the
// sync-state row that records each read's outcome. Internal to mirror/. Pure; thread-safe.
#pragma once

#include "agentd/domain/diff.hpp"
#include "agentd/mirror/settings.hpp"
#include "agentd/mirror/write.hpp"
#include "agentd/store/mirror_rows.hpp"
#include "agentd/upstream/client.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace agentd::mirror {

// Sync reads yield the budget to reservation traffic (upstream::priority).
inline upstream::call_options sync_call() {
    upstream::call_options o;
    o.prio = upstream::priority::sync;
    return o;
}

// A read ended by our own shutdown: not a failure of the upstream.
inline bool is_cancelled(const upstream::failure& f) { return f.cls == upstream::error_class::cancelled; }

inline domain::diff_settings diff_of(const settings& s) {
    domain::diff_settings d;
    d.tombstone_after_misses = static_cast<int>(std::max<std::int64_t>(1, s.tombstone_after));
    d.max_removal_share = s.max_removal_share;
    return d;
}

inline store::mirror_sync_state_row state_row(std::string resource, sys_time now, std::optional<sys_time> last_ok,
                                              std::optional<std::string> err, sys_time next_due,
                                              std::optional<std::uint64_t> hash) {
    store::mirror_sync_state_row r;
    r.resource = std::move(resource);
    r.last_attempt = to_ms(now);
    if (last_ok) r.last_success = to_ms(*last_ok);
    r.last_error = std::move(err);
    r.next_due = to_ms(next_due);
    r.content_hash = hash;
    return r;
}

}  // namespace agentd::mirror
