// The client against a canned server over real sockets: signing of what is sent, keep-alive,
// the connection bound, each fault type, retries only where allowed, 429 pauses, size limits.
#include "tests/integration/upstream/harness.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

using namespace agentd;
using namespace agentd::upstream;
using namespace agentd::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {
const char* events_json = R"([{"id":"1AB","name":"Hamlet","isOnSale":true},{"id":"2AB","name":"Lear"}])";
const char* instance_json = R"({"id":"9AB","event":{"id":"1AB"},"planId":"p","priceList":{"id":"l"},
    "start":"2026-12-01T19:30:00","startUtc":"2026-12-01T19:30:00Z","isOnSale":true})";
const char* basket_json = R"({"id":"B1","hash":"h","tickets":[]})";
const char* tickets_json = R"([{"id":"T1","instance":{"id":"9AB"},"seat":{"id":"53613"},"band":{"id":"b"},"type":{"id":"t"},"price":35.00,"total":35.00}])";
const char* order_json = R"({"id":"O1","total":35.00,"tickets":[{"id":"T1","instance":"9AB","type":{"id":"t"},"price":35.00,"barcode":"BC1"}]})";

canned ok(std::string body) { return canned{200, std::move(body)}; }
}  // namespace

TEST_CASE("GETs are signed over the exact URL sent and share one keep-alive connection") {
    harness h([](const seen_request& r) { return ok(r.target.find("/instances/") != std::string::npos ? instance_json : events_json); });
    h.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            auto r = co_await h.client->list_events("2026-11-01", "2026-12-01");
            REQUIRE(r.has_value());
            CHECK(r->size() == 2);
        }
        auto i = co_await h.client->get_instance("9AB");
        REQUIRE(i.has_value());
        CHECK(i->event_id == "1AB");
    });
    REQUIRE(h.server.requests.size() == 4);
    CHECK(h.server.requests[0].target == "/royalcourt/api/v3/events?instanceStart_from=2026-11-01&instanceStart_to=2026-12-01");
    CHECK(h.server.requests[3].target == "/royalcourt/api/v3/instances/9AB");
    for (const auto& r : h.server.requests) {
        CHECK(signature_ok(r));
        CHECK(r.date.size() == 29);  // "Mon, 21 Oct 2020 07:28:00 GMT"
        CHECK(r.authorization.rfind("SpektrixAPI3 agent1@royalcourt:", 0) == 0);
    }
    CHECK(h.server.accepted == 1);
    auto m = h.ctx->metrics_now();
    CHECK(m.requests[{"GET events", 200}] == 3);
    CHECK(m.requests[{"GET instances/{id}", 200}] == 1);
    CHECK(m.latency_count == 4);
    CHECK(m.retries == 0);
}

TEST_CASE("a basket flow sends JSON bodies that are the bytes signed") {
    harness h([](const seen_request& r) -> canned {
        if (r.target.ends_with("/confirm")) return ok(order_json);
        if (r.method == "POST" && r.target.ends_with("/tickets")) return ok(tickets_json);
        if (r.method == "DELETE") return canned{200, ""};
        if (r.target.ends_with("/clear")) return ok(basket_json);
        if (r.target.find("/orders/") != std::string::npos) return ok(order_json);
        return ok(basket_json);
    });
    h.run([&]() -> asio::awaitable<void> {
        auto b = co_await h.client->create_basket({.prio = priority::reservation});
        REQUIRE(b.has_value());
        CHECK(b->id == "B1");
        std::vector<new_ticket> nt{new_ticket{"9AB", std::string("53613"), std::nullopt, "t"}};
        auto t = co_await h.client->add_tickets("B1", nt);
        REQUIRE(t.has_value());
        CHECK((*t)[0].price.minor == 3500);
        agent_customer ada{"Ada", "Lovelace", "1 Main St", "WEB-1"};
        auto c = co_await h.client->set_agent_customer("B1", ada);
        CHECK(c.has_value());
        std::vector<std::string> ids{"T1", "T2"};
        auto rm = co_await h.client->remove_tickets("B1", ids);
        CHECK(rm.has_value());
        auto cl = co_await h.client->clear_basket("B1");
        CHECK(cl.has_value());
        auto o = co_await h.client->confirm_basket("B1");
        REQUIRE(o.has_value());
        CHECK(o->tickets[0].barcode == "BC1");
        auto go = co_await h.client->get_order("O1");
        CHECK(go.has_value());
    });
    auto& q = h.server.requests;
    REQUIRE(q.size() == 7);
    CHECK(q[0].method == "POST");
    CHECK(q[0].body == "{}");
    CHECK(q[1].body == R"([{"instance":"9AB","seat":"53613","type":"t"}])");
    CHECK(q[2].method == "PATCH");
    CHECK(q[2].body == R"({"agentCustomer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St","reference":"WEB-1"}})");
    CHECK(q[3].method == "DELETE");
    CHECK(q[3].target == "/royalcourt/api/v3/baskets/B1/tickets?ticketIds=T1,T2");
    CHECK(q[3].body == "{}");
    CHECK(q[4].target == "/royalcourt/api/v3/baskets/B1/clear");
    CHECK(q[5].body == R"({"sendConfirmationEmail":false})");
    for (const auto& r : q) {
        CHECK(signature_ok(r));
        if (r.method != "GET") CHECK(r.content_type == "application/json");
    }
}

TEST_CASE("HTTP statuses map to error classes with upstream code and context") {
    int status = 409;
    harness h([&](const seen_request&) {
        return canned{status, R"({"message":"seat unavailable","errorCode":20})"};
    });
    h.run([&]() -> asio::awaitable<void> {
        std::vector<new_ticket> nt{new_ticket{"9AB", std::string("1"), std::nullopt, "t"}};
        auto r = co_await h.client->add_tickets("B1", nt);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::conflict);
        CHECK(r.error().http_status == 409);
        CHECK(r.error().error_code == 20);
        CHECK(r.error().message == "add tickets to basket B1: 409 seat unavailable (errorCode 20)");
        CHECK(r.error().to_error().code == errc::conflict);
        status = 404;
        auto nf = co_await h.client->get_seat_status("9AB");
        REQUIRE_FALSE(nf.has_value());
        CHECK(nf.error().cls == error_class::not_found);
        status = 401;
        auto au = co_await h.client->get_event("1AB");
        REQUIRE_FALSE(au.has_value());
        CHECK(au.error().cls == error_class::auth);
        status = 400;
        auto bad = co_await h.client->confirm_basket("B1");
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().cls == error_class::permanent);
        CHECK_FALSE(bad.error().retryable());
    });
    CHECK(h.server.requests.size() == 4);  // none of these is retried
}

TEST_CASE("transient faults on GETs are retried until success") {
    std::vector<canned> script{canned{500, "{}"}, canned{503, "{}"}, canned{200, "", {}, canned::act::reset},
                               canned{200, events_json, {}, canned::act::truncate}, canned{200, "", {}, canned::act::garbage}};
    std::size_t n = 0;
    harness h([&](const seen_request&) { return n < script.size() ? script[n++] : ok(events_json); },
              [](client_settings& s) { s.backoff.max_attempts = 6; });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("2026-11-01", "2026-12-01");
        REQUIRE(r.has_value());
        CHECK(r->size() == 2);
    });
    CHECK(h.server.requests.size() == 6);
    auto m = h.ctx->metrics_now();
    // The reset arrives on a reused keep-alive connection before any answer byte, so the pool
    // resends the GET once on a fresh connection without spending a retry.
    CHECK(m.retries == 4);
    CHECK(m.requests[{"GET events", 500}] == 1);
    CHECK(m.requests[{"GET events", 503}] == 1);
    CHECK(m.requests[{"GET events", 0}] == 2);  // truncated, garbage: no answer
    CHECK(m.requests[{"GET events", 200}] == 1);
}

TEST_CASE("writes are retried only when the caller says the outcome will be reconciled") {
    harness h([](const seen_request&) { return canned{503, R"({"message":"busy"})"}; });
    h.run([&]() -> asio::awaitable<void> {
        auto once = co_await h.client->create_basket();
        REQUIRE_FALSE(once.has_value());
        CHECK(once.error().cls == error_class::transient);
        CHECK(once.error().retryable());
        CHECK(h.server.requests.size() == 1);
        auto again = co_await h.client->create_basket({.retry_safe = true});
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().cls == error_class::transient);
        CHECK(again.error().message == "create basket: 503 busy");
    });
    CHECK(h.server.requests.size() == 1 + 5);
}

TEST_CASE("exhausted retries report the last transient class; reset and truncation are transient") {
    canned::act act = canned::act::reset;
    harness h([&](const seen_request&) { return canned{200, events_json, {}, act}; },
              [](client_settings& s) { s.backoff.max_attempts = 2; });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("a", "b");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::transient);
        act = canned::act::truncate;
        auto t = co_await h.client->get_event("1AB");
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().cls == error_class::transient);
        CHECK(t.error().message.rfind("get event 1AB: ", 0) == 0);
    });
    CHECK(h.server.requests.size() == 4);
}

TEST_CASE("malformed JSON in a 200 is a decode failure naming the call") {
    harness h([](const seen_request&) { return ok(R"([{"id":"1AB","name":)"); });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("a", "b");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::decode);
        CHECK(r.error().message.rfind("list events: decode events: invalid JSON", 0) == 0);
    });
    CHECK(h.server.requests.size() == 1);  // retrying would not change the bytes
}

TEST_CASE("a slow answer ends in class timeout at the call's deadline, and the client recovers") {
    bool slow = true;
    harness h([&](const seen_request&) { return canned{200, events_json, {}, canned::act::respond, slow ? 5000ms : 0ms}; },
              [](client_settings& s) { s.timeout.request = 100ms; });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("a", "b", {.deadline = 350ms});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::timeout);
        CHECK(r.error().retryable());
        slow = false;
        auto again = co_await h.client->list_events("a", "b");
        CHECK(again.has_value());
    });
    CHECK(h.ctx->pool_stats().in_use == 0);
}

TEST_CASE("429 with Retry-After pauses the client, shrinks its rate, then succeeds") {
    int n = 0;
    harness h([&](const seen_request&) {
        return n++ == 0 ? canned{429, R"({"message":"slow down"})", {{"Retry-After", "1"}}} : ok(events_json);
    });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("a", "b");
        CHECK(r.has_value());
    });
    REQUIRE(h.server.requests.size() == 2);
    CHECK(h.server.requests[1].at - h.server.requests[0].at >= 1s);
    auto m = h.ctx->metrics_now();
    CHECK(m.budget.rate_limited == 1);
    CHECK(m.budget.rate_per_minute == doctest::Approx(30'000));
    CHECK(m.requests[{"GET events", 429}] == 1);
}

TEST_CASE("a 429 on a write is retried (nothing was applied) but never past the deadline") {
    harness h([&](const seen_request&) { return canned{429, "{}", {{"Retry-After", "5"}}}; });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->create_basket({.deadline = 500ms});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::rate_limited);
    });
    CHECK(h.server.requests.size() == 1);
}

TEST_CASE("responses over the size limit are refused") {
    harness h([](const seen_request&) { return ok("[" + std::string(10'000, ' ') + "]"); },
              [](client_settings& s) { s.max_response_bytes = 4096; });
    h.run([&]() -> asio::awaitable<void> {
        auto r = co_await h.client->list_events("a", "b");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::permanent);
        CHECK(r.error().message.find("size limit") != std::string::npos);
    });
}

TEST_CASE("concurrent calls never open more connections than the bound") {
    harness h([](const seen_request&) { return canned{200, events_json, {}, canned::act::respond, 20ms}; },
              [](client_settings& s) { s.max_connections = 2; });
    int ok_calls = 0;
    h.run([&]() -> asio::awaitable<void> {
        auto one = [&]() -> asio::awaitable<void> {
            auto r = co_await h.client->list_events("a", "b");
            if (r) ++ok_calls;
        };
        using namespace asio::experimental::awaitable_operators;
        co_await (one() && one() && one() && one() && one() && one() && one() && one());
    });
    CHECK(ok_calls == 8);
    CHECK(h.server.open_max <= 2);
    CHECK(h.server.accepted <= 2);
}

TEST_CASE("the request budget spaces calls at the configured rate") {
    harness h([](const seen_request&) { return ok(events_json); },
              [](client_settings& s) {
                  s.requests_per_minute = 1200;  // 20/s
                  s.burst = 2;
              });
    h.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 8; ++i) CHECK((co_await h.client->list_events("a", "b")).has_value());
    });
    REQUIRE(h.server.requests.size() == 8);
    // 2 from the burst, then 6 more at 20/s: at least ~300 ms between first and last.
    CHECK(h.server.requests[7].at - h.server.requests[0].at >= 280ms);
    CHECK(h.ctx->metrics_now().budget.granted == 8);
}

TEST_CASE("a deadline that passes while waiting for budget ends in class timeout") {
    harness h([](const seen_request&) { return ok(events_json); },
              [](client_settings& s) {
                  s.requests_per_minute = 1;
                  s.burst = 1;
              });
    h.run([&]() -> asio::awaitable<void> {
        CHECK((co_await h.client->list_events("a", "b")).has_value());
        auto r = co_await h.client->list_events("a", "b", {.prio = priority::reservation, .deadline = 100ms});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::timeout);
        CHECK(r.error().message.find("request budget") != std::string::npos);
    });
    CHECK(h.server.requests.size() == 1);
}

TEST_CASE("bad settings are refused at construction") {
    asio::io_context ioc;
    client_settings s;
    s.client_name = "x";
    s.base_url = "ftp://example.com";
    CHECK_FALSE(client_context::make(ioc.get_executor(), s).has_value());
    s.base_url = "https://example.com";
    s.ca_file = "/nonexistent/ca.pem";
    auto r = client_context::make(ioc.get_executor(), s);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::config_error);
    s.ca_file.clear();
    auto ctx = client_context::make(ioc.get_executor(), s);
    REQUIRE(ctx.has_value());
    CHECK_FALSE(make_spektrix_client(**ctx, {"a", secret{"%%%"}}).has_value());
}
