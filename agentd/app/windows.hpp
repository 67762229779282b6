// app/windows: every client's do-not-transact windows as the running configuration has them
// (replaced on SIGHUP), and the one place the rest of the daemon asks about them:
//   - upstream_writes_blocked(client, now) / upstream_reads_blocked(client, now): for any loop
//     that would call upstream (the reservation driver, the mirror, the pools' refill);
//   - gate_for(client): the request gate of the client's upstream context (the choke point every
//     upstream call passes, whoever makes it);
//   - state(client, now) and to_api(): what health and status show.
// Threading: io_context thread only (reload runs there too); the board outlives every gate and
// query it hands out.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/config/settings.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/domain/window_schedule.hpp"
#include "agentd/upstream/call_options.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace agentd::app {

// A client's windows in the domain's terms, in the client's time zone (UTC when the zone
// cannot be loaded).
domain::window_schedule to_window_schedule(const config::client_settings& c);

class window_board {
public:
    explicit window_board(const agentd::clock& clk) : clock_(clk) {}
    window_board(const window_board&) = delete;
    window_board& operator=(const window_board&) = delete;

    // Replaces every client's windows (start-up and reload). Returns the names of the clients
    // whose windows changed.
    std::vector<std::string> configure(const std::vector<config::client_settings>& clients);

    domain::window_state state(std::string_view client, sys_time now) const;
    bool upstream_writes_blocked(std::string_view client, sys_time now) const { return state(client, now).inside; }
    bool upstream_reads_blocked(std::string_view client, sys_time now) const { return state(client, now).reads_blocked; }
    bool has_windows(std::string_view client) const;

    // For upstream::client_context::set_gate: holds back writes (and reads where a window says
    // so) until the window's end, on this board's clock.
    upstream::request_gate gate_for(std::string client) const;

    // What health and the clients listing show; nullopt for a client without windows.
    std::optional<api::client_window> to_api(std::string_view client, sys_time now) const;

private:
    const agentd::clock& clock_;
    std::map<std::string, domain::window_schedule, std::less<>> by_client_;
    std::map<std::string, std::vector<config::window_settings>, std::less<>> as_configured_;
};

}  // namespace agentd::app
