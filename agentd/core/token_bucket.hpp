// core/token_bucket: the rate arithmetic shared by upstream request budgets and local API
// rate limits. Time is passed in, never read, so tests drive it with a manual clock.
// Not thread-safe: each owner guards its own bucket.
#pragma once

#include <algorithm>
#include <chrono>

namespace agentd {

class token_bucket {
public:
    using duration = std::chrono::steady_clock::duration;
    using time_point = std::chrono::steady_clock::time_point;

    token_bucket() = default;
    // rate_per_second > 0; burst >= 1 token. Starts full.
    token_bucket(double rate_per_second, double burst, time_point now)
        : rate_(rate_per_second), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

    double rate() const noexcept { return rate_; }
    double burst() const noexcept { return burst_; }

    // Changes the rate (e.g. after a 429) keeping the tokens already earned.
    void set_rate(double rate_per_second, time_point now) noexcept {
        refill(now);
        rate_ = rate_per_second;
    }

    double available(time_point now) noexcept {
        refill(now);
        return tokens_;
    }

    // Takes `n` tokens if present.
    bool try_take(time_point now, double n = 1.0) noexcept {
        refill(now);
        if (tokens_ + 1e-9 < n) return false;
        tokens_ -= n;
        return true;
    }

    // Time until `n` tokens will be present (zero if they are now).
    duration wait_time(time_point now, double n = 1.0) noexcept {
        refill(now);
        if (tokens_ >= n || rate_ <= 0) return duration::zero();
        auto secs = (n - tokens_) / rate_;
        return std::chrono::duration_cast<duration>(std::chrono::duration<double>(secs)) + duration(1);
    }

private:
    void refill(time_point now) noexcept {
        if (now > last_) {
            double dt = std::chrono::duration<double>(now - last_).count();
            tokens_ = std::min(burst_, tokens_ + dt * rate_);
            last_ = now;
        }
    }

    double rate_ = 1.0;
    double burst_ = 1.0;
    double tokens_ = 1.0;
    time_point last_{};
};

}  // namespace agentd
