// net::uds_client against a scripted Unix socket server: error answers to a stream request on a
// connection the server keeps open, and when a request on a reused connection is sent again.
#include "agentd/net/uds_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stub_server.hpp"

#include <doctest/doctest.h>

#include <atomic>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

// Holds a handler's connection open until the test is done with it.
struct gate {
    std::atomic<bool> open{false};
    void wait() const { wait_until([&] { return open.load(); }, 60s); }
};

}  // namespace

TEST_CASE("open_stream: an error answer on a kept-open connection comes back with its body at once") {
    temp_dir dir;
    gate done;
    const std::string body = R"({"error":{"code":"rate_limited","message":"channel web: request rate limit exceeded"}})";
    stub_server stub(dir.file("s.sock"), [&](int fd, int) {
        stub_server::read_request(fd);
        stub_server::write_all(fd, stub_server::answer("429 Too Many Requests", body, "Retry-After: 3\r\n"));
        done.wait();  // like agentd, keeps the connection for the next request
    });
    // The stub holds the connection far longer: a client that reads the body until the close
    // gives up at its deadline without it.
    net::uds_client c(dir.file("s.sock"), 3s);
    auto r = c.open_stream("/v1/feed?since=0");
    done.open = true;
    REQUIRE(r.has_value());
    CHECK(r->status == 429);
    CHECK(r->body == body);
    CHECK(r->header("retry-after") == "3");
    CHECK_FALSE(c.is_open());
}

TEST_CASE("open_stream: a 200 stops at the header and the events follow") {
    temp_dir dir;
    gate done;
    stub_server stub(dir.file("s.sock"), [&](int fd, int) {
        stub_server::read_request(fd);
        stub_server::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hi\n\nid: 7\nevent: sync\ndata: {}\n\n");
        done.wait();
    });
    net::uds_client c(dir.file("s.sock"), 20s);
    auto r = c.open_stream("/v1/feed?since=0");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    auto ev = c.next_event();
    done.open = true;
    REQUIRE(ev.has_value());
    REQUIRE(ev->has_value());
    CHECK((*ev)->id == 7u);
    CHECK((*ev)->event == "sync");
}

TEST_CASE("request: a reused connection that breaks mid-answer is not sent again") {
    temp_dir dir;
    std::atomic<int> posts{0};
    stub_server stub(dir.file("s.sock"), [&](int fd, int) {
        for (;;) {
            auto req = stub_server::read_request(fd);
            if (req.empty()) return;
            if (req.rfind("POST ", 0) == 0) {
                // The server took the POST; half of its answer, then the connection drops.
                if (posts++ == 0) {
                    stub_server::write_all(fd, "HTTP/1.1 201 Created\r\nContent-Length: 20\r\n\r\n{\"id\":");
                    return;
                }
                stub_server::write_all(fd, stub_server::answer("201 Created", R"({"id":"r_2"})"));
                continue;
            }
            stub_server::write_all(fd, stub_server::answer("200 OK", "{}"));
        }
    });
    net::uds_client c(dir.file("s.sock"), 20s);
    auto first = c.get("/v1/status");
    REQUIRE(first.has_value());
    CHECK(first->status == 200);
    REQUIRE(c.is_open());
    auto post = c.request("POST", "/v1/reservations", R"({"client":"a"})");
    CHECK_FALSE(post.has_value());
    if (!post) CHECK(post.error().message.find("closed early") != std::string::npos);
    CHECK(posts.load() == 1);
    CHECK(stub.accepted() == 1);
}

TEST_CASE("request: a reused connection the server closed while idle is retried on a fresh one") {
    temp_dir dir;
    std::atomic<int> gets{0};
    stub_server stub(dir.file("s.sock"), [&](int fd, int n) {
        auto req = stub_server::read_request(fd);
        if (req.empty()) return;
        ++gets;
        stub_server::write_all(fd, stub_server::answer("200 OK", "{\"n\":" + std::to_string(n) + "}"));
        // Then idle-timeout: the first connection closes without reading the next request.
    });
    net::uds_client c(dir.file("s.sock"), 20s);
    REQUIRE(c.get("/v1/status").has_value());
    REQUIRE(wait_until([&] { return stub.closed() == 1; }, 20s));
    auto again = c.get("/v1/status");
    REQUIRE(again.has_value());
    CHECK(again->body == R"({"n":1})");
    CHECK(gets.load() == 2);
    CHECK(stub.accepted() == 2);
}
