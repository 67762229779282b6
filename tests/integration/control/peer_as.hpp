// Peers of other uids for tests of identity: the kernel records a Unix socket's credentials at
// connect(), so one short-lived thread switches its own effective uid/gid with the raw syscalls
// (glibc's wrappers would switch every thread of the test), connects, and switches back.
// Needs root; `can_switch_uid()` says whether the test may use it.
#pragma once

#include "agentd/net/uds_client.hpp"
#include "tests/support/process.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <thread>

namespace agentd::test {

inline constexpr std::uint32_t k_other_uid = 4242;
inline constexpr std::uint32_t k_third_uid = 4243;

inline bool can_switch_uid() { return ::geteuid() == 0; }

// Lets other uids reach the server's socket; identity, not file mode, is what these tests check.
inline void expose_socket(const temp_dir& dir, const std::string& socket_path) {
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(socket_path.c_str(), 0666);
}

inline int raw_connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// A client whose connection carries `uid`/`gid` as its peer credentials; nullopt if the
// switch or the connect failed. With `feed_target`, the SSE stream is opened there too (open_stream
// reconnects, which must also happen under the switched uid). Keep-alive requests reuse the
// connection; if the server closes it, the client would reconnect as root.
inline std::optional<net::uds_client> connect_as(const std::string& path, std::uint32_t uid, std::uint32_t gid,
                                                 const std::string& feed_target = {}) {
    std::optional<net::uds_client> out;
    std::thread t([&] {
        if (::syscall(SYS_setresgid, -1, gid, -1) != 0) return;
        if (::syscall(SYS_setresuid, -1, uid, -1) == 0) {
            net::uds_client c(path, std::chrono::seconds(10));
            bool ok = feed_target.empty() ? c.connect().has_value() : c.open_stream(feed_target).has_value();
            if (ok) out.emplace(std::move(c));
            (void)::syscall(SYS_setresuid, -1, 0, -1);
        }
        (void)::syscall(SYS_setresgid, -1, 0, -1);
    });
    t.join();
    return out;
}

}  // namespace agentd::test
