// tests: a small Beast HTTP/HTTPS server on the test's io_context that answers each request
// with what a handler decides, including faults (delay, reset, truncated body, garbage). It
// records what it received and how many connections were open at once.
// Threading: the test's io_context thread only.
#pragma once

#include "tests/support/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace agentd::test {

struct canned {
    enum class act { respond, reset, truncate, garbage };
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers{};
    act action = act::respond;
    std::chrono::milliseconds delay{0};
};

struct seen_request {
    std::string method, target, body, host, date, authorization, content_type;
    std::chrono::steady_clock::time_point at;
};

class canned_server {
public:
    using handler = std::function<canned(const seen_request&)>;
    // `tls` (optional) must outlive the server.
    canned_server(boost::asio::io_context& ioc, handler h, boost::asio::ssl::context* tls = nullptr);
    ~canned_server();

    std::uint16_t port() const { return port_; }
    void stop();  // closes the acceptor and every open connection, cancels delays

    std::vector<seen_request> requests;
    int accepted = 0;
    int open_now = 0;
    int open_max = 0;

    struct session;

private:
    boost::asio::io_context& ioc_;
    handler handler_;
    boost::asio::ssl::context* tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::list<session*> sessions_;
    bool stopped_ = false;
    friend struct session;
};

// Writes a throwaway CA and server certificates into `dir` with the openssl CLI:
// ca.pem, good.pem/good.key (SAN IP:127.0.0.1, DNS:localhost), wrong.pem/wrong.key (SAN
// DNS:wrong.example) and self.pem/self.key (self-signed, unknown CA).
bool make_test_pki(const std::string& dir);
// One PKI per test process (generated on first use, removed at exit).
const temp_dir& shared_test_pki();

}  // namespace agentd::test
