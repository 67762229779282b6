// net/uds_listener: opens a listening Unix stream socket at a path, safely. An existing file at
// the path is probed first with a non-blocking connect(): accepted or a full backlog means a live
// process owns it and start-up is refused (errc::conflict); only a refused connect marks a stale
// socket, which is unlinked; any other outcome (EACCES: a live socket we may not use) is refused
// too, naming the cause. Anything that is not a socket is never removed (errc::conflict). The socket file gets `mode` (e.g. 0660) before
// listen(), so no client can connect while it is still more open. Threading: call from the
// thread that owns the executor; the acceptor is then used on that executor.
#pragma once

#include "agentd/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <string>

namespace agentd::net {

struct uds_listener_options {
    std::string path;
    unsigned mode = 0660;
    int backlog = 1024;
};

using uds_acceptor = boost::asio::basic_socket_acceptor<boost::asio::local::stream_protocol, boost::asio::any_io_executor>;
using uds_socket = boost::asio::basic_stream_socket<boost::asio::local::stream_protocol, boost::asio::any_io_executor>;

result<uds_acceptor> open_uds_listener(boost::asio::any_io_executor ex, const uds_listener_options& opt);

// Removes the socket file if it is still a socket (at shutdown). Never removes other files.
void remove_uds_file(const std::string& path) noexcept;

}  // namespace agentd::net
