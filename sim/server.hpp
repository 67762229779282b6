// HTTP/1.1 (and HTTPS) front of the simulator: keep-alive sessions as C++20 coroutines on a
// small thread pool, bounded headers and bodies, transport faults (reset, truncate, drop) and
// the background tick. Asio and Beast stay in server.cpp.
// Threading: start() and run() from one thread; stop() from any thread or a signal handler path.
#pragma once

#include "agentd/core/error.hpp"
#include "sim/simulator.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace agentd::sim {

struct server_options {
    std::string listen = "127.0.0.1:0";
    std::string tls_cert, tls_key;
    std::size_t max_body = 1 << 20;
    int threads = 2;
    int max_connections = 10000;
};

class server {
public:
    server(simulator& sim, server_options opt);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens; returns the base URL, e.g. "http://127.0.0.1:41234".
    result<std::string> start();
    // Serves until SIGINT/SIGTERM or stop().
    void run();
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Parses one complete HTTP/1.1 request from raw bytes (the same parser settings the server
// uses); for fuzz tests of the request path without sockets.
result<http_request> parse_http_request(std::string_view raw, std::size_t max_body);

}  // namespace agentd::sim
