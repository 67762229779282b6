// net/http_client: an HTTP/1.1 client for one origin (http or https) with a bounded pool of
// keep-alive connections. Every step (resolve, connect, TLS handshake, write, read headers,
// read body) has its own timeout and none may pass the call's deadline; response headers and
// bodies are size-bounded. No business knowledge: the caller builds targets and headers.
// Threading: one io_context thread; the client must outlive every send() it started.
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/net/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace agentd::net {

struct http_client_options {
    url origin;  // scheme, host and port are used; the path is the caller's business
    int max_connections = 4;
    std::chrono::milliseconds resolve_timeout{5'000};
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds tls_timeout{5'000};
    std::chrono::milliseconds step_timeout{10'000};  // each of write / read headers / read body
    std::chrono::milliseconds idle_timeout{30'000};
    std::size_t max_response_bytes = 16 * 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::string ca_file;
    bool insecure_skip_verify_for_tests = false;
};

struct http_request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query as sent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // May be sent again on a fresh connection when a reused keep-alive connection turns out to
    // be closed before any answer arrived.
    bool idempotent = false;
    // When set, becomes true as soon as any byte of the request may have reached the peer, so a
    // caller can tell "provably never sent" (no slot, connect refused) from "maybe applied".
    bool* maybe_sent = nullptr;
    // When set, asked right before the first byte is written (after any wait for a connection,
    // which may be long, and on every re-send); false ends the request unsent (errc::cancelled).
    std::function<bool()> may_send = {};
};

struct http_response {
    int status = 0;
    std::string body;
    std::string retry_after;  // header value, if any
    std::string date;         // header value, if any
};

struct http_pool_stats {
    int in_use = 0;
    int idle = 0;
    int waiting = 0;
    std::uint64_t opened = 0;  // connections opened over the client's life
};

class http_client {
public:
    // Fails on a bad TLS setup (CA file unreadable).
    static result<std::unique_ptr<http_client>> make(boost::asio::any_io_executor ex, http_client_options o);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Errors: timeout (a step or the deadline), cancelled, unavailable (refused, reset, closed,
    // truncated), decode_error (malformed HTTP), too_large, upstream_permanent (TLS
    // verification refused). Any HTTP status is a success here.
    boost::asio::awaitable<result<http_response>> send(const http_request& req,
                                                       std::chrono::steady_clock::time_point deadline);

    http_pool_stats stats() const;
    const http_client_options& options() const;

    struct impl;

private:
    explicit http_client(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace agentd::net
