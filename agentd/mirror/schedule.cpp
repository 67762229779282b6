// The sync service's scheduling: each worker's loop (catalogue when due, else the most urgent
// instance, else sleep until something is due or a wake), the pure choice of what is due, and
// the triggers that make things due sooner (request_sync, mark_hot). See state.hpp.
#include "agentd/mirror/state.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace agentd::mirror {

namespace asio = boost::asio;

domain::sync_settings policy_of(const settings& s) {
    auto secs = [](std::chrono::milliseconds d) {
        return std::max(seconds(1), std::chrono::duration_cast<seconds>(d));
    };
    domain::sync_settings p;
    p.within_day = secs(s.tier_24h);
    p.within_week = secs(s.tier_7d);
    p.within_month = secs(s.tier_30d);
    p.later = secs(s.tier_later);
    p.hot_window = std::chrono::duration_cast<seconds>(s.hot_window);
    p.catalogue_interval = secs(s.catalogue_interval);
    return p;
}

sys_time::duration retry_delay(int failures, sys_time::duration cap) {
    const backoff_policy p{std::chrono::seconds(2),
                           std::min(std::chrono::milliseconds(std::chrono::seconds(1024)),
                                    std::chrono::duration_cast<std::chrono::milliseconds>(cap)),
                           0};
    return p.ceiling(failures);
}

pick pick_next(sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy) {
    const domain::due_order order{now};
    std::optional<domain::due_entry> best;
    std::int64_t total = 0, done = 0;
    double lag = 0;
    for (auto& [id, is] : cs.instances) {
        if (is.removed) continue;
        const domain::instance_activity act{is.start, is.cancelled, is.last_read, is.last_reserved};
        auto due = domain::next_availability_due(act, is.last_ok, now, policy);
        if (!due) continue;
        ++total;
        if (is.last_ok) ++done;
        sys_time d = is.forced ? now : *due;
        d = std::max(d, is.retry_after);
        if (d < now && !is.in_flight)
            lag = std::max(lag, std::chrono::duration<double>(now - d).count());
        if (is.in_flight) continue;
        if (best && !(d < best->due || d <= now)) continue;
        domain::due_entry e{d, domain::is_reservation_hot(act, now, policy), id};
        if (!best || order(e, *best)) best = std::move(e);
    }
    {
        std::lock_guard lk(cs.mu);
        cs.prog.instances_total = total;
        cs.prog.instances_done = done;
        cs.prog.lag_seconds = lag;
        cs.prog.initial_done = cs.catalogue_last_ok.has_value() && done == total;
    }
    if (!best) return {};
    return {std::move(best->instance), best->due};
}

bool catalogue_due(const sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy) {
    if (cs.catalogue_forced) return true;
    return now >= catalogue_next(cs, now, policy);
}

sys_time catalogue_next(const sync_service::client_state& cs, sys_time now, const domain::sync_settings& policy) {
    const sys_time due = domain::next_catalogue_due(cs.catalogue_last_ok, now, policy);
    return std::max(due, cs.catalogue_retry);
}

asio::awaitable<void> sync_service::worker(client_state& cs, int index) {
    const auto policy = policy_of(settings_);
    asio::steady_timer timer(ex_);
    try {
        for (;;) {
            auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
            if (owns_ && !owns_(cs.name)) {
                // Another node drives this venue: idle until woken (client_gained) or a second passed.
                timer.expires_after(std::chrono::seconds(1));
                cs.sleepers.push_back(&timer);
                boost::system::error_code ec;
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                std::erase(cs.sleepers, &timer);
                continue;
            }
            if (cs.stale) {
                cs.stale = false;
                // What this node last wrote is no base for diffs now: write everything once.
                for (auto& [id, is] : cs.instances) {
                    is.status_hash.reset();
                    is.seats.reset();
                }
                co_await load_state(cs);
                continue;
            }
            const auto now = clock_.now();
            if (read_pause_)
                if (auto until = read_pause_(cs.name, now)) {
                    // Checked again at least every second: a reload may end the window early.
                    timer.expires_after(std::clamp<std::chrono::nanoseconds>(*until - now, std::chrono::milliseconds(1),
                                                                             std::chrono::seconds(1)));
                    boost::system::error_code ec;
                    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    continue;
                }
            if (!cs.catalogue_in_flight && catalogue_due(cs, now, policy)) {
                cs.catalogue_in_flight = true;
                cs.catalogue_forced = false;
                co_await sync_catalogue(cs);
                cs.catalogue_in_flight = false;
                wake(cs);
                continue;
            }
            auto next = pick_next(cs, now, policy);
            // Fetches never wait for the writer, but a writer far behind pauses new polls (a
            // committed write wakes the workers) so fetched answers do not pile up in memory.
            const bool writer_behind = cs.pending_writes >= 2 * cs.slots.limit();
            if (next.id && next.due <= now && !writer_behind) {
                auto& is = cs.instances[*next.id];
                is.in_flight = true;
                is.forced = false;
                co_await sync_availability(cs, *next.id);
                if (index == 0) log_progress(clock_.now());
                continue;
            }
            if (index == 0) log_progress(now);
            sys_time until = now + std::chrono::seconds(1);
            if (next.id && !writer_behind) until = std::min(until, next.due);
            if (!cs.catalogue_in_flight) until = std::min(until, catalogue_next(cs, now, policy));
            timer.expires_after(std::max<std::chrono::nanoseconds>(until - now, std::chrono::milliseconds(1)));
            cs.sleepers.push_back(&timer);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            std::erase(cs.sleepers, &timer);
        }
    } catch (const boost::system::system_error& e) {
        std::erase(cs.sleepers, &timer);
        if (e.code() == asio::error::operation_aborted) co_return;  // shutdown
        throw;
    }
}

void sync_service::wake(client_state& cs) {
    for (auto* t : cs.sleepers) t->cancel();
}

sync_service::client_state* sync_service::find(std::string_view client) {
    for (auto& cs : clients_)
        if (cs->name == client) return cs.get();
    return nullptr;
}

void sync_service::set_ownership(std::function<bool(std::string_view)> owns,
                                 std::function<result<void>(store::write_txn&, std::string_view)> fence) {
    owns_ = std::move(owns);
    fence_ = std::move(fence);
}

void sync_service::client_gained(std::string_view client) {
    auto* cs = find(client);
    if (!cs) return;
    cs->stale = true;
    wake(*cs);
}

void sync_service::request_sync(std::string client, std::optional<std::string> instance) {
    auto* cs = find(client);
    if (!cs) return;
    if (instance) {
        auto it = cs->instances.find(*instance);
        if (it == cs->instances.end()) return;
        it->second.forced = true;
        it->second.retry_after = {};
    } else {
        cs->catalogue_forced = true;
        cs->catalogue_retry = {};
        for (auto& [id, is] : cs->instances) is.retry_after = {};
    }
    wake(*cs);
}

void sync_service::mark_hot(std::string_view client, std::string_view instance) {
    auto* cs = find(client);
    if (!cs) return;
    auto it = cs->instances.find(instance);
    if (it == cs->instances.end()) return;
    const bool was_hot = it->second.last_read && clock_.now() - *it->second.last_read <
                                                     std::chrono::duration_cast<sys_time::duration>(settings_.hot_window);
    it->second.last_read = clock_.now();
    if (!was_hot) wake(*cs);
}

}  // namespace agentd::mirror
