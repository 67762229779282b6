// agentctl watch against a scripted socket server: a refusal (4xx) ends it with the server's
// message and its exit code instead of reconnecting for ever; a rate limit (429) is waited out.
#include "tests/support/cli_run.hpp"
#include "tests/support/stub_server.hpp"

#include <doctest/doctest.h>

using namespace agentd::test;

namespace {

const std::string k_refused =
    R"({"error":{"code":"permission_denied","message":"identify caller: uid 1000 / gid 1000 is not mapped to a channel","retryable":false}})";

// What agentd answers a peer that maps to no channel: 403, then it closes the connection.
void refuse(int fd) {
    stub_server::read_request(fd);
    stub_server::write_all(fd, stub_server::answer("403 Forbidden", k_refused, "Connection: close\r\n"));
}

}  // namespace

TEST_CASE("watch: a 403 ends it with the server's message and exit 4, without reconnecting") {
    temp_dir dir;
    stub_server stub(dir.file("s.sock"), [](int fd, int) { refuse(fd); });
    auto r = agentctl({"watch", "--socket", dir.file("s.sock")});
    CHECK(r.code == 4);
    CHECK(r.err_has("permission denied: identify caller: uid 1000 / gid 1000 is not mapped to a channel"));
    // Any channel may follow its own feed: the hint does not ask for an admin one.
    CHECK(r.err_has("must map to a [[channel]] in agentd's config)"));
    CHECK(stub.accepted() == 1);
}

TEST_CASE("watch: a 429 is waited out as Retry-After says, then the next answer counts") {
    temp_dir dir;
    const std::string limited =
        R"({"error":{"code":"rate_limited","message":"channel web: request rate limit exceeded","retryable":true}})";
    stub_server stub(dir.file("s.sock"), [&](int fd, int n) {
        if (n > 0) return refuse(fd);
        stub_server::read_request(fd);
        stub_server::write_all(fd, stub_server::answer("429 Too Many Requests", limited, "Retry-After: 1\r\n"));
        // Like agentd, keeps the connection open for a next request; returns once the client closed.
        stub_server::read_request(fd);
    });
    auto r = agentctl({"watch", "--socket", dir.file("s.sock")});
    CHECK(r.code == 4);
    CHECK(r.err_has("agentctl: channel web: request rate limit exceeded; retrying in 1 s\n"));
    CHECK(r.err_has("permission denied: "));
    CHECK(stub.accepted() == 2);
}

// docs/agentctl.md: a 5xx is retried after the pause; a 400 (a bad --since) ends watch with 2.
TEST_CASE("watch: a 5xx is retried after a pause, a 400 ends it with exit 2") {
    temp_dir dir;
    const std::string unavailable =
        R"({"error":{"code":"unavailable","message":"the feed is not ready","retryable":true}})";
    stub_server down(dir.file("d.sock"), [&](int fd, int n) {
        if (n > 0) return refuse(fd);
        stub_server::read_request(fd);
        stub_server::write_all(fd, stub_server::answer("503 Service Unavailable", unavailable, "Connection: close\r\n"));
    });
    auto r = agentctl({"watch", "--socket", dir.file("d.sock")});
    CHECK(r.code == 4);
    CHECK(r.err_has("agentctl: agentd answered the feed with the feed is not ready; retrying\n"));
    CHECK(down.accepted() == 2);

    const std::string bad =
        R"({"error":{"code":"invalid_argument","message":"since: expected a feed sequence number","retryable":false}})";
    stub_server refusing(dir.file("b.sock"), [&](int fd, int) {
        stub_server::read_request(fd);
        stub_server::write_all(fd, stub_server::answer("400 Bad Request", bad, "Connection: close\r\n"));
    });
    auto b = agentctl({"watch", "--socket", dir.file("b.sock")});
    CHECK(b.code == 2);
    CHECK(b.err_has("since: expected a feed sequence number"));
    CHECK(refusing.accepted() == 1);
}
