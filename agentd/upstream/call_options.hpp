// upstream/call_options: per-call knobs every client method takes last. Plain values.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace agentd::upstream {

// Reservation traffic is served from the budget before sync traffic.
enum class priority { reservation, sync };

struct call_options {
    priority prio = priority::sync;
    // Whether transient failures may be retried. Unset: true for GETs, false for writes. A caller
    // sets it to true for a write whose outcome it will reconcile (e.g. by reading the basket back).
    std::optional<bool> retry_safe{};
    // Bounds the whole call, budget wait and retries included.
    std::chrono::milliseconds deadline{15'000};
    // Place in the reservation lane of the budget: the oldest arrival is served first, so a
    // reservation's later calls are not queued behind newer reservations' first calls.
    // Unset: the moment the call asks for its token.
    std::optional<std::chrono::system_clock::time_point> arrival{};
};

// Asked before every attempt of every call is sent: whether a do-not-transact window of the
// venue holds it back (`write`: a modifying call; otherwise a read), and if so until when.
// Set by the composition root; unset lets everything through.
using request_gate = std::function<std::optional<std::chrono::system_clock::time_point>(bool write)>;

}  // namespace agentd::upstream
