#include "agentd/net/uds_listener.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace agentd::net {
namespace {

std::string sys_error(int e) { return std::strerror(e); }

// 0 when the socket at `path` is stale (nobody listens: refused, or gone meanwhile); else the
// errno that says it is, or may be, live. Non-blocking, so a full backlog (EAGAIN) cannot hang
// start-up; EACCES/EPERM is a live socket we may not use, and anything unexpected counts as
// live too: a socket is unlinked only when it is provably dead.
int probe_live(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return errno;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int e = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
    if (e == EINPROGRESS) {
        // Not expected of a Unix socket; a short bounded wait for the verdict all the same.
        pollfd p{fd, POLLOUT, 0};
        socklen_t len = sizeof e;
        if (::poll(&p, 1, 100) == 1) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
    }
    ::close(fd);
    if (e == ECONNREFUSED || e == ENOENT) return 0;
    return e == 0 ? EISCONN : e;
}

}  // namespace

result<uds_acceptor> open_uds_listener(boost::asio::any_io_executor ex, const uds_listener_options& opt) {
    const std::string ctx = "open socket " + opt.path;
    if (opt.path.empty() || opt.path.size() >= sizeof(sockaddr_un::sun_path))
        return fail(errc::config_error, ctx + ": path empty or longer than " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");

    struct stat st{};
    if (::lstat(opt.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return fail(errc::conflict, ctx + ": a file that is not a socket is in the way");
        if (int e = probe_live(opt.path); e == EISCONN || e == EAGAIN || e == EINPROGRESS)
            return fail(errc::conflict, ctx + ": another process is serving it (daemon already running?)");
        else if (e != 0)
            return fail(errc::conflict, ctx + ": it may be live (connect: " + sys_error(e) +
                                          "); remove it by hand if no daemon owns it");
        if (::unlink(opt.path.c_str()) != 0 && errno != ENOENT)
            return fail(errc::io_error, ctx + ": remove stale socket: " + sys_error(errno));
    } else if (errno != ENOENT) {
        return fail(errc::io_error, ctx + ": " + sys_error(errno));
    }

    boost::system::error_code ec;
    uds_acceptor acc(ex);
    acc.open(boost::asio::local::stream_protocol(), ec);
    if (!ec) acc.bind(boost::asio::local::stream_protocol::endpoint(opt.path), ec);
    if (ec) return fail(errc::io_error, ctx + ": bind: " + ec.message());
    if (::chmod(opt.path.c_str(), static_cast<mode_t>(opt.mode)) != 0) {
        int e = errno;
        remove_uds_file(opt.path);
        return fail(errc::io_error, ctx + ": chmod: " + sys_error(e));
    }
    acc.listen(opt.backlog, ec);
    if (ec) {
        remove_uds_file(opt.path);
        return fail(errc::io_error, ctx + ": listen: " + ec.message());
    }
    return acc;
}

void remove_uds_file(const std::string& path) noexcept {
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
}

}  // namespace agentd::net
