#include "agentd/control/auth.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace agentd::control {

result<peer_credentials> peer_credentials_of(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return fail(errc::io_error, std::string("read peer credentials: ") + std::strerror(errno));
    return peer_credentials{static_cast<std::uint32_t>(cred.uid), static_cast<std::uint32_t>(cred.gid), cred.pid};
}

std::optional<caller> identify(std::span<const channel_entry> channels, const peer_credentials& peer) {
    for (auto& c : channels)
        if (c.uid && *c.uid == peer.uid) return caller{c.name, c.role, peer};
    for (auto& c : channels)
        if (!c.uid && c.gid && *c.gid == peer.gid) return caller{c.name, c.role, peer};
    return std::nullopt;
}

}  // namespace agentd::control
