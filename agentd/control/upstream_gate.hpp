// control/upstream_gate: charges the requests that cost upstream calls (create, confirm,
// extend, release) to the calling channel. Each channel has a token bucket (rate + burst) and a
// cap on such requests in progress at once; past either, the request is refused (429) before
// it reaches the queue, so one channel cannot spend the venue's budget for everyone.
// Time is passed in. Threading: the server's network thread only.
#pragma once

#include "agentd/core/token_bucket.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace agentd::control {

struct upstream_limits {
    double per_second = 10;
    double burst = 60;
    std::size_t concurrency = 16;
    friend bool operator==(const upstream_limits&, const upstream_limits&) = default;
};

class upstream_gate {
    struct entry {
        token_bucket bucket;
        upstream_limits limits;
        std::size_t in_flight = 0;
    };

public:
    // Held while the charged request runs; releases its concurrency slot when destroyed.
    class permit {
    public:
        permit() = default;
        explicit permit(entry* e) noexcept : e_(e) {}
        permit(permit&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
        permit& operator=(permit&& o) noexcept {
            if (this != &o) {
                release();
                e_ = std::exchange(o.e_, nullptr);
            }
            return *this;
        }
        ~permit() { release(); }
        explicit operator bool() const noexcept { return e_ != nullptr; }

    private:
        void release() noexcept {
            if (e_) --e_->in_flight;
            e_ = nullptr;
        }
        entry* e_ = nullptr;
    };

    // A permit, or an empty one with `retry_after` set (at least 1 s). Limits that differ from
    // the channel's last ones (a reload) start a fresh, full bucket; slots in use are kept.
    permit try_acquire(std::string_view channel, const upstream_limits& l, token_bucket::time_point now,
                       std::chrono::seconds& retry_after);

    std::size_t in_flight(std::string_view channel) const;

private:
    std::map<std::string, entry, std::less<>> channels_;  // node-stable: permits point into it
};

}  // namespace agentd::control
