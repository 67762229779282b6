// app/sd_notify: the systemd notification protocol spoken directly on $NOTIFY_SOCKET (a
// datagram Unix socket; '@' means the abstract namespace), so agentd needs no libsystemd.
// Without $NOTIFY_SOCKET every call is a no-op. Thread-safe: each send is one datagram.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agentd::app {

class notifier {
public:
    // Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID from the environment.
    notifier();
    ~notifier();
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    bool enabled() const noexcept { return fd_ >= 0; }
    // Sends a raw state string such as "READY=1\nSTATUS=syncing".
    bool send(std::string_view state) noexcept;

    bool ready() noexcept { return send("READY=1"); }
    bool stopping() noexcept { return send("STOPPING=1"); }
    bool reloading() noexcept;  // RELOADING=1 with MONOTONIC_USEC as systemd ≥ 253 wants
    bool status(std::string_view text) noexcept;
    bool watchdog() noexcept { return send("WATCHDOG=1"); }

    // The interval at which WATCHDOG=1 should be sent (half of WatchdogSec), if enabled.
    std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return watchdog_; }

private:
    int fd_ = -1;
    std::string path_;
    std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace agentd::app
