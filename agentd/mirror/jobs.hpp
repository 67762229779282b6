// mirror/jobs: the writer jobs the sync service submits, one factory per kind of answer. Each
// returns a job that owns copies of what it writes, so the fetch that made it can go on (or
// end) while the job waits in the writer's queue; the diffing itself is write.hpp's.
// Threading: build anywhere; the returned job runs on the store's writer thread.
#pragma once

#include "agentd/mirror/write.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/mirror_rows.hpp"
#include "agentd/upstream/types.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace agentd::mirror {

template <class R>
using write_job = std::function<result<R>(store::write_txn&)>;

// Checks, in the job's transaction, that this node still drives the client (several nodes on
// one database); empty on one node.
using fence_fn = std::function<result<void>(store::write_txn&, std::string_view client)>;

// `job` behind the fence: a node that lost the venue commits nothing for it.
template <class R>
write_job<R> fenced(write_job<R> job, std::string client, const fence_fn& fence) {
    if (!fence) return job;
    return [job = std::move(job), client = std::move(client), fence](store::write_txn& t) -> result<R> {
        if (auto f = fence(t, client); !f) return f.error();
        return job(t);
    };
}

// What the store knows of a client when its sync starts.
struct client_snapshot {
    std::optional<bool> seat_status;
    std::vector<store::mirror_sync_state_row> states;
    std::vector<store::mirror_instance_row> instances;
};
// Registers the client (name, account, logins), then reads its sync state and instances.
write_job<client_snapshot> load_client(std::string client, std::string account, std::vector<std::string> logins);

// One sync-state row (the catalogue pass's outcome).
write_job<bool> record_sync_state(std::string client, store::mirror_sync_state_row row);

// The client's whole event listing.
write_job<write_outcome> write_events(std::string client, std::vector<upstream::event> events, domain::diff_settings ds,
                                      sys_time now);
// The instances of the events listed in `listed` (those whose listing succeeded).
write_job<instances_outcome> write_instances(std::string client, std::vector<upstream::instance> instances,
                                             std::set<std::string> listed, domain::diff_settings ds, sys_time now);
// A price list or plan and its sync-state row ("price_list:<id>" / "plan:<id>").
write_job<write_outcome> write_price_list(std::string client, upstream::price_list p, store::mirror_sync_state_row row,
                                          sys_time now);
write_job<write_outcome> write_plan(std::string client, upstream::plan p, store::mirror_sync_state_row row, sys_time now);

// Whether the client's upstream offers seat status.
write_job<bool> write_seat_status_capability(std::string client, bool offered);

// One instance's availability: its status counts when they changed (nullopt: unchanged), the
// seats whose status changed, and its sync-state row ("avail:<id>").
write_job<availability_outcome> write_availability(std::string client, std::string instance,
                                                   std::optional<upstream::instance_status> status,
                                                   std::vector<store::mirror_seat_status_input> seats,
                                                   store::mirror_sync_state_row row, sys_time now);

}  // namespace agentd::mirror
