// Large answers are decoded on the decode executor and the caller resumes on its own
// io_context thread with the same value an in-place decode gives; small answers stay in place.
#include "tests/integration/upstream/harness.hpp"

#include <boost/asio/thread_pool.hpp>

#include <thread>

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::test;
namespace asio = boost::asio;

namespace {

canned ok(std::string body) { return canned{200, std::move(body)}; }

std::string seat_list(int n) {
    std::string out = "[";
    for (int i = 0; i < n; ++i) {
        if (i) out += ',';
        out += R"({"id":")" + std::to_string(10000 + i) + R"(","status":")" + (i % 3 == 0 ? "Sold" : "Available") + "\"}";
    }
    return out + "]";
}

}  // namespace

TEST_CASE("a seat list over the threshold is decoded off the network thread; a small one in place") {
    const std::string big = seat_list(2000);
    const std::string small = seat_list(3);
    std::string hostile = big;
    hostile.replace(hostile.find(R"("status":"Available")"), 20, R"("status":[1,2,3]   )");
    harness h([&](const seen_request& r) -> canned {
        if (r.target.find("/1BIG/") != std::string::npos) return ok(big);
        if (r.target.find("/3BAD/") != std::string::npos) return ok(hostile);
        return ok(small);
    });
    asio::thread_pool pool(1);
    h.ctx->set_decode_executor(pool.get_executor(), 16 * 1024);
    REQUIRE(big.size() >= 16 * 1024);
    REQUIRE(small.size() < 16 * 1024);

    const auto network_thread = std::this_thread::get_id();  // the harness runs ioc here
    h.run([&]() -> asio::awaitable<void> {
        auto b = co_await h.client->get_seat_status("1BIG");
        CHECK(std::this_thread::get_id() == network_thread);
        REQUIRE(b.has_value());
        REQUIRE(b->size() == 2000);
        CHECK((*b)[0].id == "10000");
        CHECK((*b)[0].status == upstream::seat_state::sold);
        CHECK((*b)[1999].id == "11999");
        CHECK((*b)[1999].status == upstream::seat_state::available);
        CHECK(h.ctx->metrics_now().decoded_off_thread == 1);

        auto s = co_await h.client->get_seat_status("2SMALL");
        CHECK(std::this_thread::get_id() == network_thread);
        REQUIRE(s.has_value());
        CHECK(s->size() == 3);
        CHECK(h.ctx->metrics_now().decoded_off_thread == 1);

        // A hostile large answer fails off the thread as it would in place: a typed decode error.
        auto bad = co_await h.client->get_seat_status("3BAD");
        CHECK(std::this_thread::get_id() == network_thread);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().cls == upstream::error_class::decode);
        CHECK(bad.error().message.find("status") != std::string::npos);
        CHECK(h.ctx->metrics_now().decoded_off_thread == 2);
    });
    pool.join();
}
