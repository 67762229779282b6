// reservations/timing: a bounded log of per-operation durations (microseconds) and its
// percentiles, for the daemon-time figures of placements and confirmations.
// Threading: one owner thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace agentd::reservations {

class timing_log {
public:
    explicit timing_log(std::size_t capacity = 65536) : capacity_(capacity) {}

    void add(double us) {
        if (samples_.size() < capacity_) samples_.push_back(us);
        else samples_[next_++ % capacity_] = us;  // keep the most recent `capacity_`
    }
    std::size_t size() const noexcept { return samples_.size(); }
    // Nearest-rank percentile, q in [0, 1]; 0 when empty.
    double percentile(double q) const {
        if (samples_.empty()) return 0;
        auto v = samples_;
        std::size_t k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return v[k];
    }
    double max() const { return samples_.empty() ? 0 : *std::max_element(samples_.begin(), samples_.end()); }

private:
    std::size_t capacity_;
    std::size_t next_ = 0;
    std::vector<double> samples_;
};

}  // namespace agentd::reservations
