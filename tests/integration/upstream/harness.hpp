// tests: an io_context, a canned server and an upstream client pointed at it, plus a runner
// that drives one test coroutine to completion and then stops the server.
#pragma once

#include "agentd/net/http_client.hpp"
#include "agentd/upstream/signer.hpp"
#include "agentd/upstream/spektrix_client.hpp"
#include "tests/integration/upstream/canned_server.hpp"
#include "tests/unit/upstream/doctest_result.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>

namespace agentd::test {

inline const char* test_secret = "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=";

inline upstream::client_settings fast_settings(std::uint16_t port, bool tls = false) {
    upstream::client_settings s;
    s.base_url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port);
    s.client_name = "royalcourt";
    s.requests_per_minute = 60'000;
    s.burst = 1000;
    s.backoff.base = std::chrono::milliseconds(5);
    s.backoff.cap = std::chrono::milliseconds(20);
    s.backoff.max_attempts = 5;
    s.timeout.request = std::chrono::milliseconds(2000);
    return s;
}

// Does the Authorization header match the full URL the server was asked for?
inline bool signature_ok(const seen_request& r, bool tls = false) {
    auto s = upstream::signer::make("agent1@royalcourt", secret{test_secret});
    std::string url = std::string(tls ? "https://" : "http://") + r.host + r.target;
    return s && s->authorization(r.method, url, r.date, r.body) == r.authorization;
}

struct harness {
    boost::asio::io_context ioc;
    canned_server server;
    std::unique_ptr<upstream::client_context> ctx;
    std::unique_ptr<upstream::client> client;

    explicit harness(canned_server::handler h, std::function<void(upstream::client_settings&)> tweak = {},
                     boost::asio::ssl::context* tls = nullptr)
        : server(ioc, std::move(h), tls) {
        auto s = fast_settings(server.port(), tls != nullptr);
        if (tweak) tweak(s);
        auto c = upstream::client_context::make(ioc.get_executor(), s);
        REQUIRE(c.has_value());
        ctx = std::move(*c);
        auto cl = upstream::make_spektrix_client(*ctx, {"agent1@royalcourt", secret{test_secret}});
        REQUIRE(cl.has_value());
        client = std::move(*cl);
    }

    template <class F>
    void run(F f) {
        std::exception_ptr err;
        bool done = false;
        boost::asio::co_spawn(
            ioc,
            [&]() -> boost::asio::awaitable<void> {
                co_await f();
                server.stop();
            },
            [&](std::exception_ptr e) {
                err = e;
                done = true;
                server.stop();
            });
        ioc.run_for(std::chrono::seconds(30));
        REQUIRE(done);
        if (err) std::rethrow_exception(err);
    }
};

}  // namespace agentd::test
