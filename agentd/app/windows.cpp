#include "agentd/app/windows.hpp"

#include "agentd/core/time.hpp"

namespace agentd::app {

domain::window_schedule to_window_schedule(const config::client_settings& c) {
    std::vector<domain::window_rule> rules;
    for (const auto& w : c.windows) {
        domain::window_rule r;
        r.name = w.name;
        r.recurring = w.recurring;
        r.start_minute = w.start_minute;
        r.end_minute = w.end_minute;
        r.weekdays = w.weekdays;
        r.from = domain::window_moment{w.from, !w.from_utc};
        r.until = domain::window_moment{w.until, !w.until_utc};
        r.block_reads = w.reads;
        r.creates = w.creates == "refuse" ? domain::window_creates::refuse : domain::window_creates::queue;
        rules.push_back(std::move(r));
    }
    return domain::window_schedule(std::move(rules), time_zone::load_or_utc(c.timezone));
}

std::vector<std::string> window_board::configure(const std::vector<config::client_settings>& clients) {
    std::vector<std::string> changed;
    std::map<std::string, domain::window_schedule, std::less<>> next;
    std::map<std::string, std::vector<config::window_settings>, std::less<>> next_conf;
    for (const auto& c : clients) {
        auto old = as_configured_.find(c.name);
        const bool had = old != as_configured_.end() && !old->second.empty();
        if (had ? old->second != c.windows : !c.windows.empty()) changed.push_back(c.name);
        if (c.windows.empty()) continue;
        next.emplace(c.name, to_window_schedule(c));
        next_conf.emplace(c.name, c.windows);
    }
    by_client_ = std::move(next);
    as_configured_ = std::move(next_conf);
    return changed;
}

domain::window_state window_board::state(std::string_view client, sys_time now) const {
    auto it = by_client_.find(client);
    if (it == by_client_.end()) return {};
    return it->second.state_at(now);
}

bool window_board::has_windows(std::string_view client) const { return by_client_.contains(client); }

upstream::request_gate window_board::gate_for(std::string client) const {
    return [this, client = std::move(client)](bool write) -> std::optional<sys_time> {
        const auto st = state(client, clock_.now());
        if (!st.inside || (!write && !st.reads_blocked)) return std::nullopt;
        return st.ends_at;
    };
}

std::optional<api::client_window> window_board::to_api(std::string_view client, sys_time now) const {
    if (!has_windows(client)) return std::nullopt;
    const auto st = state(client, now);
    api::client_window w;
    w.inside = st.inside;
    if (st.inside) {
        w.name = st.name;
        w.ends_at = format_iso_utc(st.ends_at);
    }
    w.reads_blocked = st.reads_blocked;
    w.refuse_creates = st.refuse_creates;
    if (st.next) {
        w.next_name = st.next_name;
        w.next_start = format_iso_utc(st.next->start);
        w.next_end = format_iso_utc(st.next->end);
    }
    return w;
}

}  // namespace agentd::app
