// control/server: the local API server. HTTP/1.1 on a Unix socket, one coroutine per
// connection in a task group, identity from peer credentials (unmapped peers are refused before
// a byte is read), per-channel rate limits and upstream charges, connection caps (total and per
// uid), bounded read buffers, header/idle/write deadlines, long-polls and the scoped SSE feed.
//
// Use (composition root, one io_context thread):
//   control::server srv(ioc.get_executor(), settings, backend);
//   if (auto r = srv.start(); !r) { ... }          // binds the socket, starts accepting
//   ... backend calls srv.notify_feed(seq) from any thread when feed rows are durable ...
//   co_await srv.stop(std::chrono::seconds(5));      // at shutdown, on the io_context thread
// Threading: everything but notify_feed runs on the executor's thread; the server must outlive
// the io_context's last handler (stop() then destroy).
#pragma once

#include "agentd/control/backend.hpp"
#include "agentd/control/server_settings.hpp"
#include "agentd/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace agentd::control {

class server {
public:
    server(boost::asio::any_io_executor ex, server_settings settings, backend& be);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Opens the socket (refusing if another daemon answers there) and starts accepting.
    result<void> start();

    // New feed rows up to `seq` are durable: wakes feed subscribers and long-polls.
    // Thread-safe (posts to the server's executor).
    void notify_feed(std::uint64_t seq);

    // SIGHUP reload: the new channel map and roles apply to every connection's next request
    // (identity is re-derived from the peer's credentials per request: a removed channel gets
    // 403, a demoted admin loses admin endpoints), open feeds are re-scoped or, for peers no
    // longer mapped, ended; limits and timeouts apply to the next request. The socket path and
    // mode keep their start-up values. Thread-safe (posts to the server's executor).
    void update_settings(server_settings s);

    // Stops accepting, removes the socket file, closes connections, and waits up to `grace`
    // for sessions to finish (then cancels them and waits for the rest).
    boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

    // Open connections (for tests and metrics). Executor thread only.
    std::size_t connections() const noexcept;
    // Feed subscribers past their catch-up, receiving live pushes. Executor thread only.
    std::size_t live_feed_subscribers() const noexcept;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace agentd::control
