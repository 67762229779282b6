// net::http_client's keep-alive pool against a scripted TCP server: an idempotent request that
// meets a stale pooled connection is sent again on a new connection, never on another pooled one.
#include "agentd/net/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stub_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <optional>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Runs `send` of every request at once on one io_context; returns the results in order.
std::vector<result<net::http_response>> send_all(asio::io_context& ioc, net::http_client& client, int count) {
    std::vector<std::optional<result<net::http_response>>> got(static_cast<std::size_t>(count));
    net::http_request req{"GET", "/v1/things", {}, {}, true};
    for (int i = 0; i < count; ++i) {
        auto* slot = &got[static_cast<std::size_t>(i)];
        asio::co_spawn(
            ioc,
            [&client, &req, slot]() -> asio::awaitable<void> {
                auto deadline = std::chrono::steady_clock::now() + 20s;
                auto r = co_await client.send(req, deadline);
                *slot = std::move(r);
            },
            asio::detached);
    }
    ioc.restart();
    ioc.run();
    std::vector<result<net::http_response>> out;
    for (auto& g : got) out.push_back(g ? std::move(*g) : result<net::http_response>(fail(errc::internal, "not run")));
    return out;
}

}  // namespace

TEST_CASE("http_client: a resend after a stale pooled connection opens a new connection") {
    std::atomic<int> served{0};
    std::atomic<bool> both_answered{false};
    stub_server stub([&](int fd, int n) {
        if (stub_server::read_request(fd).empty()) return;
        ++served;
        if (n < 2) {
            // Both first connections stay until both answers are out (so the pool keeps two),
            // then the server drops them while they sit idle in the client's pool.
            stub_server::write_all(fd, stub_server::answer("200 OK", "{\"n\":" + std::to_string(n) + "}"));
            wait_until([&] { return both_answered.load(); }, 20s);
            return;
        }
        stub_server::write_all(fd, stub_server::answer("200 OK", "{\"n\":" + std::to_string(n) + "}"));
    });
    asio::io_context ioc;
    net::http_client_options o;
    o.origin = net::parse_url("http://127.0.0.1:" + std::to_string(stub.port())).value();
    auto client = net::http_client::make(ioc.get_executor(), o).value();

    auto first = send_all(ioc, *client, 2);
    both_answered = true;
    REQUIRE(first[0].has_value());
    REQUIRE(first[1].has_value());
    REQUIRE(client->stats().idle == 2);
    REQUIRE(wait_until([&] { return stub.closed() == 2; }, 20s));

    auto again = send_all(ioc, *client, 1);
    if (!again[0]) FAIL(again[0].error().message);
    CHECK(again[0]->status == 200);
    CHECK(again[0]->body == R"({"n":2})");
    CHECK(stub.accepted() == 3);
    CHECK(client->stats().opened == 3);
}
