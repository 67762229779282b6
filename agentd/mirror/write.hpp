// mirror/write: what one upstream answer turns into in the store. Each function runs
// inside one writer job: it diffs the answer against what the mirror holds (content hashes,
// domain/diff), writes only what changed and appends one feed entry per change in the same
// transaction. Also the content hashes and the upstream -> store row mapping.
// Threading: the writer thread (inside a job); the hash functions are pure and thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/domain/diff.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/mirror_rows.hpp"
#include "agentd/upstream/types.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::mirror {

std::uint64_t hash_of(const upstream::event& e);
std::uint64_t hash_of(const upstream::instance& i);
std::uint64_t hash_of(const upstream::price_list& p);
std::uint64_t hash_of(const upstream::plan& p);
std::uint64_t hash_of(const upstream::instance_status& s);
std::int64_t to_ms(sys_time t);
sys_time from_ms(std::int64_t ms);

struct write_outcome {
    std::int64_t last_feed_seq = 0;  // 0 when nothing was appended
    std::uint64_t rows = 0;          // rows written (feed excluded)
    std::uint64_t feed_rows = 0;
    bool refused = false;            // a mass removal was refused; nothing of the listing applied
    std::string refusal;
};

// Events of one complete listing; the scope is every event the client has.
result<write_outcome> apply_events(store::write_txn& t, std::string_view client,
                                   const std::vector<upstream::event>& fresh, const domain::diff_settings& ds,
                                   sys_time now);

// Instances listed for the events in `listed_events` (those whose listing succeeded); only
// instances of those events are in scope for misses and tombstones.
struct instances_outcome {
    write_outcome w;
    std::vector<store::mirror_instance_row> live;  // every live instance of the client afterwards
};
result<instances_outcome> apply_instances(store::write_txn& t, std::string_view client,
                                          const std::vector<upstream::instance>& fresh,
                                          const std::set<std::string>& listed_events,
                                          const domain::diff_settings& ds, sys_time now);

// Writes the price list / plan only when its hash differs from the stored one.
result<write_outcome> apply_price_list(store::write_txn& t, std::string_view client, const upstream::price_list& p,
                                       sys_time now);
result<write_outcome> apply_plan(store::write_txn& t, std::string_view client, const upstream::plan& p, sys_time now);

struct availability_input {
    std::string instance;
    const upstream::instance_status* status = nullptr;  // nullptr: counts unchanged, not rewritten
    std::vector<store::mirror_seat_status_input> seats;  // changed (or all, when not known) seats
    store::mirror_sync_state_row state;                  // resource "avail:<instance>"
};
struct availability_outcome {
    write_outcome w;
    store::mirror_seat_write_counts seats;
    std::uint64_t status_rows = 0;
};
result<availability_outcome> apply_availability(store::write_txn& t, std::string_view client,
                                                const availability_input& in, sys_time now);

std::string_view seat_state_name(int state) noexcept;

}  // namespace agentd::mirror
