// net/url: the small URL and endpoint grammar agentd needs (http/https base URLs for upstream
// clients, "host:port" listen addresses). No I/O, thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace agentd::net {

struct url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6 literals
    std::uint16_t port = 0;
    std::string path;    // starts with '/', no trailing '/' unless it is the root

    bool tls() const noexcept { return scheme == "https"; }
    bool default_port() const noexcept { return port == (tls() ? 443 : 80); }
    // "host" or "host:port" as the Host header wants it.
    std::string host_header() const;
    // scheme://host[:port]  (no path)
    std::string origin() const;
};

// Parses "https://system.spektrix.com", "http://127.0.0.1:8080/base". Query and fragment are
// refused: a base URL has neither.
result<url> parse_url(std::string_view text);

struct host_port {
    std::string host;
    std::uint16_t port = 0;
};

// Parses "127.0.0.1:0", "[::1]:8443", "localhost:80".
result<host_port> parse_host_port(std::string_view text);

// Percent-encodes a query parameter value or path segment (RFC 3986 unreserved kept).
std::string percent_encode(std::string_view s);

}  // namespace agentd::net
