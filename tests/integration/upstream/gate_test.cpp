// The request gate of do-not-transact windows (client_context::set_gate) against a canned
// server over real sockets: what it holds back is never sent, whichever method is called.
#include "tests/integration/upstream/harness.hpp"

using namespace agentd;
using namespace agentd::upstream;
using namespace agentd::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("a closed gate holds writes back before anything is sent; reads pass unless it says reads too") {
    harness h([](const seen_request& r) -> canned {
        if (r.method == "GET") return canned{200, R"([{"id":"1AB","name":"Hamlet","isOnSale":true}])"};
        return canned{200, R"({"id":"B1","hash":"h","tickets":[]})"};
    });
    const auto until = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 57);
    bool reads_too = false;
    h.ctx->set_gate([&](bool write) -> std::optional<std::chrono::system_clock::time_point> {
        if (write || reads_too) return until;
        return std::nullopt;
    });
    h.run([&]() -> asio::awaitable<void> {
        auto b = co_await h.client->create_basket();
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().held_back);
        CHECK_FALSE(b.error().sent);
        CHECK_FALSE(b.error().may_have_applied());
        CHECK(b.error().held_until == until);
        CHECK(b.error().to_error().code == errc::do_not_transact);
        CHECK(b.error().to_error().retry_at == until);
        auto c = co_await h.client->confirm_basket("B1");
        CHECK((!c && c.error().held_back));
        auto x = co_await h.client->clear_basket("B1");
        CHECK((!x && x.error().held_back));
        auto e = co_await h.client->list_events("2026-11-01", "2026-12-01");
        CHECK(e.has_value());
        reads_too = true;
        auto g = co_await h.client->get_basket("B1");
        CHECK((!g && g.error().held_back));
    });
    // Only the one read that the gate let through reached the server.
    REQUIRE(h.server.requests.size() == 1);
    CHECK(h.server.requests[0].method == "GET");
    CHECK(h.ctx->metrics_now().held_back == 4);
}
