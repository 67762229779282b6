#include "agentd/control/upstream_gate.hpp"

#include <cmath>

namespace agentd::control {

upstream_gate::permit upstream_gate::try_acquire(std::string_view channel, const upstream_limits& l,
                                                 token_bucket::time_point now, std::chrono::seconds& retry_after) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) it = channels_.emplace(std::string(channel), entry{token_bucket(l.per_second, l.burst, now), l, 0}).first;
    auto& e = it->second;
    if (!(e.limits == l)) {
        e.bucket = token_bucket(l.per_second, l.burst, now);
        e.limits = l;
    }
    // Concurrency first: a refused request must not also spend a token.
    if (e.in_flight >= l.concurrency) {
        retry_after = std::chrono::seconds(1);
        return {};
    }
    if (!e.bucket.try_take(now)) {
        auto wait = std::chrono::duration<double>(e.bucket.wait_time(now)).count();
        retry_after = std::chrono::seconds(std::max<long>(1, static_cast<long>(std::ceil(wait))));
        return {};
    }
    ++e.in_flight;
    return permit(&e);
}

std::size_t upstream_gate::in_flight(std::string_view channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.in_flight;
}

}  // namespace agentd::control
