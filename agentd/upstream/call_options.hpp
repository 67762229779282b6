// upstream/call_options: per-call knobs every client method takes last. Plain values.
#pragma once

#include <chrono>
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
};

}  // namespace agentd::upstream
