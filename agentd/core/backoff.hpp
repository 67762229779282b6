// core/backoff: capped exponential backoff with full jitter ("sleep = random(0, min(cap,
// base * 2^attempt))"), the schedule for every retry loop in agentd. The random source is
// passed in so tests are deterministic. Pure, thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace agentd {

struct backoff_policy {
    std::chrono::milliseconds base{200};
    std::chrono::milliseconds cap{10'000};
    int max_attempts = 4;  // total tries including the first

    // Upper bound of the delay before retry number `attempt` (1 = first retry).
    std::chrono::milliseconds ceiling(int attempt) const noexcept {
        if (attempt <= 0) return std::chrono::milliseconds::zero();
        std::int64_t c = base.count();
        for (int i = 1; i < attempt && c < cap.count(); ++i) c *= 2;
        return std::chrono::milliseconds(std::min<std::int64_t>(c, cap.count()));
    }

    // `unit` is a uniform random number in [0, 1).
    std::chrono::milliseconds delay(int attempt, double unit) const noexcept {
        unit = std::clamp(unit, 0.0, 1.0);
        return std::chrono::milliseconds(static_cast<std::int64_t>(double(ceiling(attempt).count()) * unit));
    }
};

}  // namespace agentd
