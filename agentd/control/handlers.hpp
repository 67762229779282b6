// control/handlers: decode a request, call one backend method, encode the answer. No I/O of
// their own; the session owns the socket. Authorization (admin-only routes, a sales channel
// only seeing its own reservations) is decided here. Threading: the network thread only.
#pragma once

#include "agentd/control/auth.hpp"
#include "agentd/control/backend.hpp"
#include "agentd/control/change_signal.hpp"
#include "agentd/control/reply.hpp"
#include "agentd/control/server_settings.hpp"

#include <functional>

namespace agentd::control {

struct handler_context {
    backend& be;
    const server_settings& settings;
    change_signal& changes;
    // Extra samples (connections, subscribers) appended to /metrics by the server.
    std::function<void(api::metrics_snapshot&)> add_metrics;
};

boost::asio::awaitable<reply> handle(handler_context& ctx, const caller& who, const request_view& req);

}  // namespace agentd::control
