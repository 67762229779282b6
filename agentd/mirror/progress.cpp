#include "agentd/mirror/progress.hpp"

#include "agentd/core/time.hpp"

namespace agentd::mirror {

api::sync_progress to_api_progress(const sync_progress& p) {
    api::sync_progress out;
    out.initial_complete = p.initial_complete;
    out.clients_done = p.clients_done;
    out.clients_total = p.clients_total;
    out.instances_done = p.instances_done;
    out.instances_total = p.instances_total;
    return out;
}

std::vector<api::client_state> to_api_clients(const sync_progress& p) {
    std::vector<api::client_state> out;
    out.reserve(p.clients.size());
    for (const auto& c : p.clients) {
        api::client_state s;
        s.name = c.name;
        s.state = c.state;
        if (c.last_success) s.last_success = format_iso_utc(*c.last_success);
        s.last_error = c.last_error;
        s.lag_seconds = c.lag_seconds;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace agentd::mirror
