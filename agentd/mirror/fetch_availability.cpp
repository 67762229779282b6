// The sync service's availability poll of one instance: its status counts, then (where the
// upstream offers it) its seat status; only what changed since the last poll goes to the writer.
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/mirror/fetch.hpp"
#include "agentd/mirror/jobs.hpp"
#include "agentd/mirror/state.hpp"
#include "agentd/store/await_job.hpp"

#include <algorithm>

namespace agentd::mirror {

namespace asio = boost::asio;

asio::awaitable<void> sync_service::sync_availability(client_state& cs, std::string id) {
    const auto policy = policy_of(settings_);
    const auto now = clock_.now();
    auto finish = [&](bool ok) {
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
        ++it->second.failures;
        const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                            it->second.last_reserved};
        const auto interval = domain::interval_of(domain::tier_for(act, now, policy), policy).value_or(seconds(60));
        it->second.retry_after =
            now + retry_delay(it->second.failures, std::max<sys_time::duration>(interval * 4, seconds(1)));
    };

    auto st = co_await cs.up->get_instance_status(id, sync_call());
    count_request(st.has_value());
    if (!st) {
        finish(false);
        if (!is_cancelled(st.error())) note_failure(cs, "availability", "get status of " + id + ": " + st.error().message);
        co_return;
    }

    std::vector<store::mirror_seat_status_input> seats;
    std::uint64_t ids_hash = 0;
    std::vector<std::uint8_t> states;
    bool seats_read = false;
    if (settings_.seat_status && cs.seat_status != false) {
        auto ss = co_await cs.up->get_seat_status(id, sync_call());
        count_request(ss.has_value() || ss.error().cls == upstream::error_class::not_found);
        if (!ss) {
            if (is_cancelled(ss.error())) {
                finish(false);
                co_return;
            }
            if (ss.error().cls != upstream::error_class::not_found) {
                finish(false);
                note_failure(cs, "availability", "get seat status of " + id + ": " + ss.error().message);
                co_return;
            }
            // The instance answered its status just now, so the 404 is the endpoint itself.
            cs.seat_status = false;
            log::info("sync", "capability", "seat status not offered; using counts only", {{"client", cs.name}});
            auto job = write_seat_status_capability(cs.name, false);
            co_await store::await_job<bool>(db_, std::move(job));
        } else {
            if (cs.seat_status != true) {
                cs.seat_status = true;
                auto job = write_seat_status_capability(cs.name, true);
                co_await store::await_job<bool>(db_, std::move(job));
            }
            seats_read = true;
            domain::content_hasher h;
            states.reserve(ss->size());
            for (const auto& s : *ss) {
                h.field(s.id);
                states.push_back(static_cast<std::uint8_t>(s.status));
            }
            ids_hash = h.value();
            auto it = cs.instances.find(id);
            const bool same_order = it != cs.instances.end() && it->second.seat_ids_hash == ids_hash &&
                                    it->second.seat_states.size() == states.size();
            for (std::size_t i = 0; i < ss->size(); ++i)
                if (!same_order || it->second.seat_states[i] != states[i])
                    seats.push_back({(*ss)[i].id, static_cast<int>(states[i])});
        }
    }
    {
        std::lock_guard lk(cs.mu);
        cs.prog.seat_status = cs.seat_status.value_or(false);
    }

    auto it = cs.instances.find(id);
    if (it == cs.instances.end()) co_return;
    const auto h = hash_of(*st);
    const bool status_changed = !it->second.status_hash || *it->second.status_hash != h;
    const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                        it->second.last_reserved};
    const auto next = domain::next_availability_due(act, now, now, policy).value_or(now);
    auto row = state_row("avail:" + id, now, now, std::nullopt, next, h);
    std::optional<upstream::instance_status> status;
    if (status_changed) status = std::move(*st);
    const bool unchanged = !status_changed && seats.empty();
    auto job = write_availability(cs.name, id, std::move(status), std::move(seats), std::move(row), now);
    auto w = co_await store::await_job<availability_outcome>(db_, std::move(job));
    if (!w) {
        finish(false);
        note_failure(cs, "availability", "write availability of " + id + ": " + w.error().message);
        co_return;
    }
    it = cs.instances.find(id);
    if (it != cs.instances.end()) {
        it->second.last_ok = now;
        it->second.status_hash = h;
        if (seats_read) {
            it->second.seat_ids_hash = ids_hash;
            it->second.seat_states = std::move(states);
        }
    }
    finish(true);
    note_success(cs);
    feed(w->w.last_feed_seq);
    std::lock_guard lk(stats_mu_);
    ++counters_.availability_polls;
    if (unchanged) ++counters_.unchanged_polls;
    counters_.seat_rows_offered += w->seats.rows_offered;
    counters_.seat_rows_changed += w->seats.rows_changed;
    counters_.status_rows_changed += w->status_rows;
    counters_.feed_rows += w->w.feed_rows;
    ++counters_.sync_state_rows_written;
}

}  // namespace agentd::mirror
