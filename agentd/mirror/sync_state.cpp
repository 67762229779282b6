#include "agentd/mirror/sync_state.hpp"

#include <algorithm>

namespace agentd::app::sync {

domain::sync_settings policy_of(const config::sync_settings& s) {
    auto secs = [](config::duration d) {
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

}  // namespace agentd::app::sync
