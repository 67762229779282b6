// core/clock: time as a dependency. Production code asks a `clock&` for now(); tests pass a
// `manual_clock` and move it by hand, so no test sleeps to let time pass.
// system_clock is thread-safe; manual_clock is thread-safe (atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace agentd {

using sys_time = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;
using std::chrono::seconds;

class clock {
public:
    virtual ~clock() = default;
    virtual sys_time now() const noexcept = 0;
};

class system_clock final : public clock {
public:
    sys_time now() const noexcept override { return std::chrono::system_clock::now(); }
    static system_clock& instance() noexcept;
};

// The system clock stepped by a signed number of seconds read from a file, for end-to-end
// tests of wall-clock steps (AGENTD_CLOCK_STEP_FILE). The file is re-read at most every
// 100 ms; a missing or unreadable file means no step. Thread-safe.
class stepped_clock final : public clock {
public:
    explicit stepped_clock(std::string path) : path_(std::move(path)) {}
    sys_time now() const noexcept override;

private:
    std::string path_;
    mutable std::atomic<std::int64_t> step_s_{0};
    mutable std::atomic<std::int64_t> read_at_ms_{-1'000'000};
};

class manual_clock final : public clock {
public:
    explicit manual_clock(sys_time start = sys_time{} + std::chrono::hours(24 * 365 * 56))
        : now_(start.time_since_epoch().count()) {}
    sys_time now() const noexcept override {
        return sys_time{sys_time::duration{now_.load(std::memory_order_acquire)}};
    }
    void set(sys_time t) noexcept { now_.store(t.time_since_epoch().count(), std::memory_order_release); }
    void advance(sys_time::duration d) noexcept { now_.fetch_add(d.count(), std::memory_order_acq_rel); }

private:
    std::atomic<sys_time::duration::rep> now_;
};

}  // namespace agentd
