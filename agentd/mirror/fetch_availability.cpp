// The sync service's availability poll of one instance: its status counts and (where the
// upstream offers it) its seat status, read at once; only what changed since the last poll goes
// to the writer, and the poll ends without waiting for that write (finish_availability).
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/mirror/fetch.hpp"
#include "agentd/mirror/jobs.hpp"
#include "agentd/mirror/state.hpp"
#include "agentd/store/await_job.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <memory>

namespace agentd::mirror {

namespace asio = boost::asio;

struct sync_service::availability_write {
    std::string id;
    sys_time now{};
    std::uint64_t status_hash = 0;
    bool seats_read = false;
    seat_picture seats;
    bool unchanged = false;
    write_job<availability_outcome> job;
};


void sync_service::end_poll(client_state& cs, const std::string& id, bool ok, sys_time now) {
    auto it = cs.instances.find(id);
    if (it == cs.instances.end()) return;
    it->second.in_flight = false;
    if (it->second.removed) {
        cs.instances.erase(it);
        return;
    }
    if (ok) {
        it->second.failures = 0;
        it->second.retry_after = {};
        return;
    }
    // Capped at four of the instance's intervals, so a venue that recovers is caught up soon.
    const auto policy = policy_of(settings_);
    ++it->second.failures;
    const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                        it->second.last_reserved};
    const auto interval = domain::interval_of(domain::tier_for(act, now, policy), policy).value_or(seconds(60));
    it->second.retry_after = now + retry_delay(it->second.failures, std::max<sys_time::duration>(interval * 4, seconds(1)));
}

asio::awaitable<void> sync_service::sync_availability(client_state& cs, std::string id) {
    using namespace asio::experimental::awaitable_operators;
    const auto policy = policy_of(settings_);
    const auto now = clock_.now();

    // Status and seat status are independent reads: both are in flight at once when slots allow.
    const bool want_seats = settings_.seat_status && cs.seat_status != false;
    upstream::result<upstream::instance_status> st = upstream::failure{};
    upstream::result<std::vector<upstream::seat_status>> ss = upstream::failure{};
    if (want_seats) {
        auto status_call = cs.slots.run(cs.up->get_instance_status(id, sync_call()));
        auto seats_call = cs.slots.run(cs.up->get_seat_status(id, sync_call()));
        auto both = co_await (std::move(status_call) && std::move(seats_call));
        st = std::move(std::get<0>(both));
        ss = std::move(std::get<1>(both));
    } else {
        auto status_call = cs.slots.run(cs.up->get_instance_status(id, sync_call()));
        st = co_await std::move(status_call);
    }
    count_request(st.has_value());
    if (want_seats) count_request(ss.has_value() || ss.error().cls == upstream::error_class::not_found);
    if (!st) {
        end_poll(cs, id, false, now);
        if (!is_cancelled(st.error())) note_failure(cs, "availability", "get status of " + id + ": " + st.error().message);
        co_return;
    }

    auto w = std::make_shared<availability_write>();
    w->id = id;
    w->now = now;
    std::vector<store::mirror_seat_status_input> seats;
    if (want_seats) {
        if (!ss) {
            if (is_cancelled(ss.error())) {
                end_poll(cs, id, false, now);
                co_return;
            }
            if (ss.error().cls != upstream::error_class::not_found) {
                end_poll(cs, id, false, now);
                note_failure(cs, "availability", "get seat status of " + id + ": " + ss.error().message);
                co_return;
            }
            // The instance answered its status just now, so the 404 is the endpoint itself.
            if (cs.seat_status != false) {
                cs.seat_status = false;
                log::info("sync", "capability", "seat status not offered; using counts only", {{"client", cs.name}});
                auto job = fenced(write_seat_status_capability(cs.name, false), cs.name, fence_);
                co_await store::await_job<bool>(db_, std::move(job));
            }
        } else {
            if (cs.seat_status != true) {
                cs.seat_status = true;
                auto job = fenced(write_seat_status_capability(cs.name, true), cs.name, fence_);
                co_await store::await_job<bool>(db_, std::move(job));
            }
            w->seats_read = true;
            w->seats = picture_of(*ss);
            auto it = cs.instances.find(id);
            const seat_picture* before = it != cs.instances.end() && it->second.seats ? &*it->second.seats : nullptr;
            for (const auto i : changed_seats(before, w->seats))
                seats.push_back({(*ss)[i].id, static_cast<int>((*ss)[i].status), (*ss)[i].lock_type});
        }
    }
    {
        std::lock_guard lk(cs.mu);
        cs.prog.seat_status = cs.seat_status.value_or(false);
    }

    auto it = cs.instances.find(id);
    if (it == cs.instances.end()) co_return;
    w->status_hash = hash_of(*st);
    const bool status_changed = !it->second.status_hash || *it->second.status_hash != w->status_hash;
    const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                        it->second.last_reserved};
    const auto next = domain::next_availability_due(act, now, now, policy).value_or(now);
    auto row = state_row("avail:" + id, now, now, std::nullopt, next, w->status_hash);
    std::optional<upstream::instance_status> status;
    if (status_changed) status = std::move(*st);
    w->unchanged = !status_changed && seats.empty();
    w->job = fenced(write_availability(cs.name, id, std::move(status), std::move(seats), std::move(row), now), cs.name, fence_);
    // The instance stays in flight until its write commits: the next poll diffs against it.
    ++cs.pending_writes;
    auto task = finish_availability(cs, std::move(w));
    tasks_.spawn(std::move(task), "sync write " + cs.name);
}

asio::awaitable<void> sync_service::finish_availability(client_state& cs, std::shared_ptr<availability_write> w) {
    auto r = co_await store::await_job<availability_outcome>(db_, std::move(w->job));
    const bool was_behind = cs.pending_writes >= 2 * cs.slots.limit();
    --cs.pending_writes;
    if (was_behind) wake(cs);
    if (!r) {
        end_poll(cs, w->id, false, w->now);
        note_failure(cs, "availability", "write availability of " + w->id + ": " + r.error().message);
        co_return;
    }
    auto it = cs.instances.find(w->id);
    if (it != cs.instances.end()) {
        it->second.last_ok = w->now;
        it->second.status_hash = w->status_hash;
        if (w->seats_read) {
            it->second.seats = std::move(w->seats);
        }
    }
    end_poll(cs, w->id, true, w->now);
    note_success(cs);
    // Until the initial mirror is done, its progress follows each commit rather than the next
    // time a worker looks for work (which may be a second away once nothing is due).
    bool initial_done = false;
    {
        std::lock_guard lk(cs.mu);
        initial_done = cs.prog.initial_done;
    }
    if (!initial_done) pick_next(cs, clock_.now(), policy_of(settings_));
    feed(r->w.last_feed_seq);
    std::lock_guard lk(stats_mu_);
    ++counters_.availability_polls;
    if (w->unchanged) ++counters_.unchanged_polls;
    counters_.seat_rows_offered += r->seats.rows_offered;
    counters_.seat_rows_changed += r->seats.rows_changed;
    counters_.status_rows_changed += r->status_rows;
    counters_.feed_rows += r->w.feed_rows;
    ++counters_.sync_state_rows_written;
}

}  // namespace agentd::mirror
