// control/server_impl: the server's private state, shared by server.cpp (accept loop and HTTP
// sessions) and server_feed.cpp (the SSE feed fan-out). Not part of the module's interface.
// Threading: the executor's thread only.
#pragma once

#include "agentd/control/auth.hpp"
#include "agentd/control/change_signal.hpp"
#include "agentd/control/handlers.hpp"
#include "agentd/control/server.hpp"
#include "agentd/control/upstream_gate.hpp"
#include "agentd/core/token_bucket.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/net/uds_listener.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <deque>
#include <list>
#include <map>
#include <optional>

namespace agentd::control {

using stream_type = boost::beast::basic_stream<boost::asio::local::stream_protocol, boost::asio::any_io_executor>;

struct feed_subscriber {
    feed_subscriber(boost::asio::any_io_executor ex, caller c) : wake(ex), who(std::move(c)) {}
    boost::asio::steady_timer wake;
    caller who;          // re-derived from the peer's credentials at every reload
    bool revoked = false;  // the peer no longer maps to a channel: the stream ends
    std::deque<api::feed_event> queue;  // bounded by settings.feed_buffer
    std::uint64_t high = 0;             // highest seq queued or delivered
    std::uint64_t delivered = 0;        // highest seq written to the socket
    bool live = false;                  // catch-up done; receives pushes from the hub
    bool overflow = false;
};

struct server::impl {
    impl(boost::asio::any_io_executor ex, server_settings s, backend& be);

    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> session(net::uds_socket sock, peer_credentials peer);
    // Answers `text` at once, discards a bounded amount of what the peer sends, closes.
    boost::asio::awaitable<void> reject(net::uds_socket sock, std::string text);
    void refuse(net::uds_socket sock, std::string text);
    boost::asio::awaitable<void> run_feed(stream_type& stream, std::uint64_t since, const caller& who);
    void on_feed(std::uint64_t seq);
    void rescope_subscribers();
    void add_metrics(api::metrics_snapshot& s) const;
    bool allow(const std::string& channel, std::chrono::seconds& retry_after);

    boost::asio::any_io_executor ex_;
    server_settings settings_;
    backend& be_;
    // Sessions hold permits and per-uid counts: declared before the tasks that use them.
    upstream_gate gate_;
    std::map<std::uint32_t, std::size_t> per_uid_;  // open sessions per peer uid
    net::task_group tasks_;
    std::optional<net::uds_acceptor> acceptor_;
    change_signal changes_;
    handler_context ctx_;
    std::map<std::string, token_bucket, std::less<>> buckets_;
    std::list<stream_type*> streams_;  // open sessions, closed at stop
    std::list<feed_subscriber*> subscribers_;
    std::uint64_t feed_last_ = 0;  // highest seq fanned out
    std::size_t connections_ = 0;
    std::size_t rejecting_ = 0;
    std::uint64_t requests_ = 0, rejected_rate_ = 0, rejected_conn_ = 0, rejected_peer_ = 0, overflows_ = 0;
    bool stopping_ = false;
};

}  // namespace agentd::control
