// Hostile or semi-trusted callers over a real socket: bounded buffers under chunked framing
// attacks, unmapped peers, the per-uid connection cap, reloads that remove or demote a channel,
// and deeply nested JSON. Tests that need peers of other uids switch one thread's credentials
// (root only) and say so when skipped.
#include "peer_as.hpp"
#include "server_fixture.hpp"

#include "agentd/api/json.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

long peak_rss_kib() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

struct attack_outcome {
    std::size_t sent = 0;  // bytes the socket accepted before the server closed it
    bool closed = false;   // the server closed (else we stopped at our own cap)
    std::string answer;    // what the server wrote back
};

// Sends `head`, then `filler` over and over until the server closes the connection or `cap`
// bytes went out; then reads what the server answered.
attack_outcome attack(const std::string& path, const std::string& head, const std::string& filler,
                      std::size_t cap = 64u << 20) {
    attack_outcome out;
    int fd = raw_connect(path);
    REQUIRE(fd >= 0);
    auto send_all = [&](std::string_view bytes) {
        while (!bytes.empty()) {
            auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                out.sent += std::size_t(n);
                bytes.remove_prefix(std::size_t(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                pollfd p{fd, POLLOUT, 0};
                if (::poll(&p, 1, 10'000) <= 0) return false;  // neither reading nor closing: stalled
                continue;
            }
            out.closed = true;  // EPIPE / ECONNRESET
            return false;
        }
        return true;
    };
    if (send_all(head))
        while (out.sent < cap && send_all(filler)) {
        }
    // The answer sits in our receive queue ahead of the reset.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.answer.append(buf, std::size_t(n));
    }
    ::close(fd);
    return out;
}

std::string repeat(std::string_view unit, std::size_t bytes) {
    std::string s;
    while (s.size() < bytes) s += unit;
    return s;
}

const std::string k_chunked_head =
    "POST /v1/reservations HTTP/1.1\r\nHost: agentd\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

}  // namespace

TEST_CASE("chunked framing cannot grow memory: extensions, trailers and tiny chunks are cut off at the header budget") {
    // Only the byte bounds may stop these: the request deadline is far away.
    running_server s([](control::server_settings& st) { st.header_timeout = 60s; });
    const std::size_t budget = 4u << 20;  // max_header (16 KiB) + slack + socket buffers, with room to spare
    auto rss_before = peak_rss_kib();
    std::string filler;
    std::string head = k_chunked_head;
    SUBCASE("one endless chunk extension") {
        head += "1;ext=";
        filler = std::string(64 * 1024, 'a');
    }
    SUBCASE("endless trailers after the last chunk") {
        head += "0\r\n";
        filler = repeat("X-Trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 64 * 1024);
    }
    SUBCASE("tiny chunks each with an extension") {
        filler = repeat("1;e=" + std::string(500, 'b') + "\r\n[\r\n", 64 * 1024);
    }
    auto out = attack(s.path, head, filler);
    auto rss_after = peak_rss_kib();
    MESSAGE("accepted " << out.sent << " bytes; peak RSS grew " << (rss_after - rss_before) << " KiB");
    CHECK(out.closed);
    CHECK(out.sent < budget);
    CHECK(out.answer.starts_with("HTTP/1.1 413"));
    CHECK(out.answer.find("\"code\":\"too_large\"") != std::string::npos);
    CHECK(rss_after - rss_before < 64 * 1024);
    // The server is fine afterwards.
    auto h = s.client().get("/v1/health");
    REQUIRE(h.has_value());
    CHECK(h->status == 200);
}

TEST_CASE("a chunked body within the limits is still accepted") {
    running_server s;
    std::string body = k_order;
    std::string req = k_chunked_head;
    for (std::size_t i = 0; i < body.size(); i += 10) {
        auto part = body.substr(i, 10);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", part.size());
        req += std::string(size) + ";note=x\r\n" + part + "\r\n";
    }
    req += "0\r\nX-Done: yes\r\n\r\n";
    auto c = s.client();
    REQUIRE(c.send_raw(req).has_value());
    auto text = c.read_for(2s);
    REQUIRE(text.has_value());
    CHECK(text->starts_with("HTTP/1.1 202"));
}

TEST_CASE("an unmapped peer is answered 403 at once and closed, without a session") {
    running_server s([](control::server_settings& st) {
        st.channels = {{"web", 4242424u, std::nullopt, control::role::sales, 1, {}}};
    });
    SUBCASE("it need not send anything") {
        auto c = s.client(5s);  // far below the idle timeout (20 s)
        REQUIRE(c.connect().has_value());
        auto out = c.read_until_close();
        REQUIRE(out.has_value());
        CHECK(out->starts_with("HTTP/1.1 403"));
        CHECK(out->find("\"code\":\"permission_denied\"") != std::string::npos);
        CHECK(s.on_server([&] { return s.srv->connections(); }) == 0);
    }
    SUBCASE("what it sends is dropped after a bounded amount") {
        auto out = attack(s.path, k_chunked_head + "1;ext=", std::string(64 * 1024, 'a'));
        CHECK(out.closed);
        CHECK(out.sent < (4u << 20));
        CHECK(out.answer.starts_with("HTTP/1.1 403"));
    }
}

TEST_CASE("one uid cannot take every connection slot") {
    running_server s([](control::server_settings& st) {
        st.max_connections = 100;
        st.max_connections_per_uid = 2;
        st.channels.push_back({"web", k_other_uid, std::nullopt, control::role::sales, 1, k_unlimited});
    });
    net::uds_client a(s.path), b(s.path);
    REQUIRE(a.connect().has_value());
    REQUIRE(b.connect().has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->connections(); }) == 2; }, 5s));
    auto third = s.client();
    REQUIRE(third.connect().has_value());
    auto out = third.read_until_close();
    REQUIRE(out.has_value());
    CHECK(out->starts_with("HTTP/1.1 503"));
    CHECK(out->find("too many connections from uid " + std::to_string(::getuid())) != std::string::npos);
    // The two it has still work.
    auto r = a.get("/v1/health");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    if (!can_switch_uid()) {
        MESSAGE("not root: the part with a second uid is skipped");
        return;
    }
    expose_socket(s.dir, s.path);
    auto other = connect_as(s.path, k_other_uid, k_other_uid);
    REQUIRE(other.has_value());
    auto theirs = other->get("/v1/health");
    REQUIRE(theirs.has_value());
    CHECK(theirs->status == 200);
}

TEST_CASE("a reload applies to open keep-alive connections at their next request") {
    running_server s;
    auto c = s.client();
    auto r = c.get("/v1/admin/reconcile");
    REQUIRE(r.has_value());
    REQUIRE(r->status == 200);
    REQUIRE(c.is_open());

    auto st = test_settings(s.dir);
    SUBCASE("a demoted admin loses admin endpoints at once") {
        st.channels[0].role = control::role::sales;
        s.srv->update_settings(st);
        s.on_server([] { return 0; });  // the update ran
        auto again = c.get("/v1/admin/reconcile");
        REQUIRE(again.has_value());
        CHECK(again->status == 403);
        auto m = c.get("/metrics");
        REQUIRE(m.has_value());
        CHECK(m->status == 403);
        auto h = c.get("/v1/health");  // still a sales channel
        REQUIRE(h.has_value());
        CHECK(h->status == 200);
        CHECK(h->body.find("\"queue\"") == std::string::npos);
    }
    SUBCASE("a removed channel gets 403 and is closed") {
        st.channels.clear();
        s.srv->update_settings(st);
        s.on_server([] { return 0; });
        auto again = c.get("/v1/health");
        REQUIRE(again.has_value());
        CHECK(again->status == 403);
        CHECK(again->header("Connection") == std::optional<std::string>("close"));
        CHECK(wait_until([&] { return s.on_server([&] { return s.srv->connections(); }) == 0; }, 5s));
    }
}

TEST_CASE("a reload re-scopes open feeds and ends those of removed peers") {
    running_server s;  // our uid: admin "ops"
    auto sub = s.client();
    REQUIRE(sub.open_stream("/v1/feed").has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->live_feed_subscribers(); }) == 1; }, 5s));
    auto order = *api::from_json<api::reservation_request>(k_order);
    REQUIRE(s.be.create_now("shop", "a", order).has_value());  // an admin sees it
    auto e = sub.next_event();
    REQUIRE(e.has_value());
    REQUIRE(e->has_value());
    CHECK((*e)->data.find("\"channel\":\"shop\"") != std::string::npos);

    auto st = test_settings(s.dir);
    st.channels[0].role = control::role::sales;
    s.srv->update_settings(st);
    s.on_server([] { return 0; });
    REQUIRE(s.be.create_now("shop", "b", order).has_value());  // no longer visible
    REQUIRE(s.be.create_now("ops", "c", order).has_value());   // its own is
    e = sub.next_event();
    REQUIRE(e.has_value());
    REQUIRE(e->has_value());
    CHECK((*e)->data.find("\"channel\":\"ops\"") != std::string::npos);

    st.channels.clear();
    s.srv->update_settings(st);
    e = sub.next_event();
    REQUIRE(e.has_value());
    REQUIRE(e->has_value());
    CHECK((*e)->event == "error");
    CHECK((*e)->data.find("\"code\":\"permission_denied\"") != std::string::npos);
    e = sub.next_event();
    REQUIRE(e.has_value());
    CHECK_FALSE(e->has_value());  // closed
}

TEST_CASE("deeply nested JSON within max_body is a 400, not a crash") {
    running_server s([](control::server_settings& st) { st.max_body = 4u << 20; });
    auto c = s.client(30s);
    auto r = c.request("POST", "/v1/reservations", std::string(3'000'000, '['), {{"Idempotency-Key", "deep"}});
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    auto e = api::from_json<api::error_body>(r->body);
    REQUIRE(e.has_value());
    CHECK(e->code == "decode_error");
    CHECK(e->message == "body: JSON nested deeper than 64 levels");
    auto h = s.client().get("/v1/health");
    REQUIRE(h.has_value());
    CHECK(h->status == 200);
}
