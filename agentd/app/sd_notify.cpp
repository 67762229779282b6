#include "agentd/app/sd_notify.hpp"

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace agentd::app {

notifier::notifier() {
    const char* p = std::getenv("NOTIFY_SOCKET");
    if (p && *p && (p[0] == '/' || p[0] == '@') && std::strlen(p) < sizeof(sockaddr_un{}.sun_path)) {
        path_ = p;
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    const char* usec = std::getenv("WATCHDOG_USEC");
    const char* pid = std::getenv("WATCHDOG_PID");
    bool for_us = !pid || std::strtol(pid, nullptr, 10) == long(::getpid());
    if (usec && for_us) {
        long long v = std::strtoll(usec, nullptr, 10);
        if (v > 0) watchdog_ = std::chrono::microseconds(v / 2);
    }
}

notifier::~notifier() {
    if (fd_ >= 0) ::close(fd_);
}

bool notifier::send(std::string_view state) noexcept {
    if (fd_ < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + path_.size());
    if (path_[0] == '@') addr.sun_path[0] = '\0';
    else len += 1;
    ssize_t n = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
    return n == ssize_t(state.size());
}

bool notifier::reloading() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    long long usec = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool notifier::status(std::string_view text) noexcept {
    std::string s = "STATUS=";
    for (char c : text) s.push_back(c == '\n' ? ' ' : c);
    return send(s);
}

}  // namespace agentd::app
