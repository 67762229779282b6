// upstream/metrics: per-client counters of upstream traffic: requests by endpoint and status,
// a latency histogram, retries, and the budget's state. Read and written on the io_context
// thread only; snapshot() copies it out.
#pragma once

#include "agentd/upstream/budget.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace agentd::upstream {

// Upper bounds in milliseconds of the latency buckets; the last bucket is "+Inf".
inline constexpr std::array<std::int64_t, 12> latency_bounds_ms{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};

struct metrics_snapshot {
    // (endpoint template such as "GET instances/{id}/status", HTTP status; 0 = no answer)
    std::map<std::pair<std::string, int>, std::uint64_t> requests;
    std::array<std::uint64_t, latency_bounds_ms.size() + 1> latency_buckets{};  // one HTTP exchange each
    std::uint64_t latency_count = 0;
    double latency_sum_ms = 0;
    std::uint64_t retries = 0;
    std::uint64_t calls = 0;
    std::uint64_t failed_calls = 0;
    std::uint64_t decoded_off_thread = 0;  // answers decoded on the decode executor
    std::uint64_t held_back = 0;           // calls a do-not-transact window kept from being sent
    budget_snapshot budget;

    std::uint64_t total_requests() const {
        std::uint64_t n = 0;
        for (const auto& [k, v] : requests) n += v;
        return n;
    }
};

class metrics {
public:
    void record(const std::string& endpoint, int status, std::chrono::steady_clock::duration latency) {
        ++s_.requests[{endpoint, status}];
        double ms = std::chrono::duration<double, std::milli>(latency).count();
        std::size_t i = 0;
        while (i < latency_bounds_ms.size() && ms > double(latency_bounds_ms[i])) ++i;
        ++s_.latency_buckets[i];
        ++s_.latency_count;
        s_.latency_sum_ms += ms;
    }
    void retry() { ++s_.retries; }
    void decoded_off_thread() { ++s_.decoded_off_thread; }
    void held_back() { ++s_.held_back; }
    void call_done(bool ok) {
        ++s_.calls;
        if (!ok) ++s_.failed_calls;
    }
    metrics_snapshot snapshot(budget& b) const {
        metrics_snapshot out = s_;
        out.budget = b.snapshot();
        return out;
    }

private:
    metrics_snapshot s_;
};

}  // namespace agentd::upstream
