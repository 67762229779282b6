// control/handlers: decode a request, call one backend method, encode the answer. No I/O of
// their own; the session owns the socket. Authorization (admin-only routes, a sales channel
// only seeing its own reservations, "not yours" answered exactly like "not found") and the
// per-channel charge for upstream work are decided here. Threading: the network thread only.
#pragma once

#include "agentd/control/auth.hpp"
#include "agentd/control/backend.hpp"
#include "agentd/control/change_signal.hpp"
#include "agentd/control/reply.hpp"
#include "agentd/control/server_settings.hpp"
#include "agentd/control/upstream_gate.hpp"

#include <functional>

namespace agentd::control {

struct handler_context {
    backend& be;
    const server_settings& settings;
    change_signal& changes;
    // Extra samples (connections, subscribers) appended to /metrics by the server.
    std::function<void(api::metrics_snapshot&)> add_metrics;
    // Charges create/confirm/extend/release to the caller's channel; null: no charge (tests).
    upstream_gate* gate = nullptr;
};

// The caller's per-channel upstream limits from the current settings.
upstream_limits limits_for(const server_settings& s, std::string_view channel);

boost::asio::awaitable<reply> handle(handler_context& ctx, const caller& who, const request_view& req);

}  // namespace agentd::control
