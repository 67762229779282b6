#include "agentd/core/clock.hpp"

#include <cstdio>

namespace agentd {

system_clock& system_clock::instance() noexcept {
    static system_clock c;
    return c;
}

sys_time stepped_clock::now() const noexcept {
    using namespace std::chrono;
    const auto mono_ms = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    if (mono_ms - read_at_ms_.load(std::memory_order_relaxed) >= 100) {
        read_at_ms_.store(mono_ms, std::memory_order_relaxed);
        std::int64_t step = 0;
        if (std::FILE* f = std::fopen(path_.c_str(), "r")) {
            long long v = 0;
            if (std::fscanf(f, "%lld", &v) == 1) step = v;
            std::fclose(f);
        }
        step_s_.store(step, std::memory_order_relaxed);
    }
    return std::chrono::system_clock::now() + seconds(step_s_.load(std::memory_order_relaxed));
}

}  // namespace agentd
