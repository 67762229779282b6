// Limits over a real socket: rate limit, slow-loris, many idle connections, connection cap,
// stale socket handling.
#include "server_fixture.hpp"

#include "agentd/net/uds_listener.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

using namespace agentd;
using namespace agentd::test;

TEST_CASE("a flood past the channel's rate gets 429 with Retry-After") {
    running_server s([](control::server_settings& st) {
        st.requests_per_second = 1;
        st.burst = 5;
    });
    auto c = s.client();
    int ok = 0, limited = 0;
    std::optional<std::string> retry_after;
    for (int i = 0; i < 20; ++i) {
        auto r = c.get("/v1/health");
        REQUIRE(r.has_value());
        if (r->status == 200) ++ok;
        if (r->status == 429) {
            ++limited;
            retry_after = r->header("Retry-After");
            CHECK(r->body.find("\"code\":\"rate_limited\"") != std::string::npos);
            CHECK(r->body.find("\"retryable\":true") != std::string::npos);
        }
    }
    CHECK(ok >= 5);
    CHECK(ok <= 6);  // the burst, plus at most one token earned during the loop
    CHECK(limited == 20 - ok);
    REQUIRE(retry_after);
    CHECK(std::stoi(*retry_after) >= 1);
}

TEST_CASE("a client that sends half a request and stalls is closed at the header timeout") {
    running_server s;
    auto c = s.client(std::chrono::seconds(10));
    REQUIRE(c.send_raw("GET /v1/health HTTP/1.1\r\nHost: agentd\r\n").has_value());
    auto start = std::chrono::steady_clock::now();
    auto out = c.read_until_close();
    REQUIRE(out.has_value());  // closed by the server, not our own 10 s deadline
    CHECK(out->empty());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(9));
    // Trickling a header line every 100 ms does not extend the deadline: the server closes and
    // a later write fails.
    auto t = s.client(std::chrono::seconds(10));
    REQUIRE(t.send_raw("GET /v1/health HTTP/1.1\r\n").has_value());
    CHECK(wait_until([&] { return !t.send_raw("X-A: b\r\n").has_value(); }, std::chrono::seconds(5),
                     std::chrono::milliseconds(100)));
}

TEST_CASE("1,000 idle connections do not stop the daemon answering others") {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
        rl.rlim_cur = 4096;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    running_server s([](control::server_settings& st) { st.max_connections = 1100; });
    std::vector<net::uds_client> idle;
    idle.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
        idle.emplace_back(s.path);
        REQUIRE(idle.back().connect().has_value());
    }
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->connections(); }) >= 1000; }, std::chrono::seconds(10)));
    auto c = s.client();
    auto r = c.get("/v1/clients/royalcourt/instances/67201AVC");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    // One of the idle ones can still make a request.
    auto r2 = idle[500].get("/v1/health");
    REQUIRE(r2.has_value());
    CHECK(r2->status == 200);
}

TEST_CASE("connections beyond the cap get 503 and are closed") {
    running_server s([](control::server_settings& st) { st.max_connections = 2; });
    net::uds_client a(s.path), b(s.path);
    REQUIRE(a.connect().has_value());
    REQUIRE(b.connect().has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->connections(); }) == 2; }, std::chrono::seconds(5)));
    auto third = s.client();
    REQUIRE(third.connect().has_value());
    auto out = third.read_until_close();
    REQUIRE(out.has_value());
    CHECK(out->starts_with("HTTP/1.1 503"));
    CHECK(out->find("\"code\":\"unavailable\"") != std::string::npos);
    a.close();
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->connections(); }) == 1; }, std::chrono::seconds(5)));
    auto r = s.client().get("/v1/health");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
}

TEST_CASE("socket file: refuse a live daemon, replace a stale socket, never remove other files") {
    temp_dir dir;
    boost::asio::io_context ioc;
    auto path = dir.file("s.sock");
    {
        auto first = net::open_uds_listener(ioc.get_executor(), {path, 0660, 16});
        REQUIRE(first.has_value());
        auto second = net::open_uds_listener(ioc.get_executor(), {path, 0660, 16});
        REQUIRE_FALSE(second.has_value());
        CHECK(second.error().code == errc::conflict);
        CHECK(second.error().message.find("another process") != std::string::npos);
    }  // closed without unlinking: a stale socket file stays behind
    {
        auto again = net::open_uds_listener(ioc.get_executor(), {path, 0600, 16});
        REQUIRE(again.has_value());
    }
    auto file = dir.file("plain");
    write_file(file, "keep me");
    auto refused = net::open_uds_listener(ioc.get_executor(), {file, 0660, 16});
    REQUIRE_FALSE(refused.has_value());
    CHECK(read_file(file) == "keep me");
}

TEST_CASE("uds_client: a server that never answers is a timeout, a missing socket is unavailable") {
    temp_dir dir;
    boost::asio::io_context ioc;
    auto path = dir.file("mute.sock");
    auto mute = net::open_uds_listener(ioc.get_executor(), {path, 0660, 16});  // listens, never accepts
    REQUIRE(mute.has_value());
    net::uds_client c(path, std::chrono::milliseconds(200));
    auto r = c.get("/v1/health");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::timeout);
    net::uds_client none(dir.file("none.sock"), std::chrono::milliseconds(200));
    auto n = none.get("/v1/health");
    REQUIRE_FALSE(n.has_value());
    CHECK(n.error().code == errc::unavailable);
}
