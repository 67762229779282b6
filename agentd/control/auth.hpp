// control/auth: who is calling. The peer's credentials come from the socket (SO_PEERCRED) and
// are mapped to a configured channel: a uid match wins over a gid match; no match means 403.
// Root (uid 0) gets no special treatment: it is admin only if a channel maps it. Pure
// functions except `peer_credentials_of`; thread-safe.
#pragma once

#include "agentd/control/server_settings.hpp"
#include "agentd/core/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace agentd::control {

struct peer_credentials {
    std::uint32_t uid = 0, gid = 0;
    std::int32_t pid = 0;
};

struct caller {
    std::string channel;
    control::role role = role::sales;
    peer_credentials peer;
    bool is_admin() const noexcept { return role == role::admin; }
};

// SO_PEERCRED of a connected Unix socket.
result<peer_credentials> peer_credentials_of(int fd);

// Channel for these credentials, or nullopt (the caller is refused).
std::optional<caller> identify(std::span<const channel_entry> channels, const peer_credentials& peer);

}  // namespace agentd::control
