// Handlers over the fake backend, without sockets: routing, authorization, decoding, statuses.
#include "agentd/control/handlers.hpp"
#include "tests/support/control_fake_backend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::control;

namespace {

struct fixture {
    test::control_fake_backend be;
    server_settings settings;
    change_signal changes;
    upstream_gate gate;
    handler_context ctx{be, settings, changes, {}, &gate};
    caller web{"web", role::sales, {1001, 1001, 1}};
    caller ops{"ops", role::admin, {0, 0, 1}};

    reply call(const caller& who, std::string_view method, std::string_view target, std::string_view body = {},
               std::string_view key = {}, std::string_view ct = "application/json") {
        boost::asio::io_context ioc;
        request_view req{method, target, body, ct, key};
        auto f = boost::asio::co_spawn(ioc, handle(ctx, who, req), boost::asio::use_future);
        ioc.run();
        return f.get();
    }
    std::string create(const caller& who, std::string key) {
        auto r = call(who, "POST", "/v1/reservations",
                      R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"53613","ticketType":"1AHG"}]})", key);
        REQUIRE(r.status == 202);
        auto res = api::from_json<api::reservation>(r.body);
        REQUIRE(res.has_value());
        return res->id;
    }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "reads answer from the backend") {
    auto r = call(web, "GET", "/v1/clients/royalcourt/instances/67201AVC");
    CHECK(r.status == 200);
    CHECK(r.body.find(R"("availabilityAge":4.2)") != std::string::npos);
    CHECK(call(web, "GET", "/v1/clients/nope/instances/67201AVC").status == 404);
    CHECK(call(web, "GET", "/v1/clients/royalcourt/events?from=2026-12-01").status == 200);
    auto bad = call(web, "GET", "/v1/clients/royalcourt/events?from=yesterday");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("query from") != std::string::npos);
    auto m = call(ops, "GET", "/metrics");
    CHECK(m.status == 200);
    CHECK(m.content_type.starts_with("text/plain"));
    CHECK(m.body.find("agentd_sync_lag_seconds{client=\"royalcourt\"} 3.5") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "/metrics is admin-only unless opened; health shows a sales channel no queue") {
    auto m = call(web, "GET", "/metrics");
    CHECK(m.status == 403);
    CHECK(m.body.find("\"code\":\"permission_denied\"") != std::string::npos);
    settings.metrics_open = true;
    CHECK(call(web, "GET", "/metrics").status == 200);

    create(ops, "q");  // the queue counts every channel's reservations
    auto mine = api::from_json<api::health>(call(web, "GET", "/v1/health").body);
    REQUIRE(mine.has_value());
    CHECK_FALSE(mine->include_queue);
    CHECK(call(web, "GET", "/v1/health").body.find("\"queue\"") == std::string::npos);
    auto all = api::from_json<api::health>(call(ops, "GET", "/v1/health").body);
    REQUIRE(all.has_value());
    CHECK(all->include_queue);
    CHECK(all->queue.depth == 1);
}

TEST_CASE_FIXTURE(fixture, "another channel's reservation is answered exactly like a missing one") {
    caller shop{"shop", role::sales, {1003, 1003, 1}};
    auto theirs = create(shop, "x");
    auto ghost = "r_999";
    auto same = [&](std::string_view method, const std::string& suffix, std::string_view body = {}) {
        auto a = call(web, method, "/v1/reservations/" + theirs + suffix, body);
        auto b = call(web, method, "/v1/reservations/" + std::string(ghost) + suffix, body);
        CHECK(a.status == 404);
        CHECK(a.status == b.status);
        auto text = a.body;
        for (auto p = text.find(theirs); p != std::string::npos; p = text.find(theirs)) text.replace(p, theirs.size(), ghost);
        CHECK_MESSAGE(text == b.body, method << " " << suffix << ": " << a.body << " vs " << b.body);
        CHECK(a.headers == b.headers);
    };
    same("GET", "");
    same("GET", "?wait=5&version=1");
    same("GET", "/history");
    same("DELETE", "");
    same("POST", "/confirm", R"({"customer":{"firstName":"A","lastName":"L"}})");
    same("POST", "/extend", "");
}

TEST_CASE_FIXTURE(fixture, "create is idempotent per channel and validates input") {
    auto id = create(web, "k1");
    auto again = call(web, "POST", "/v1/reservations",
                      R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"53613","ticketType":"1AHG"}]})", "k1");
    CHECK(again.status == 200);
    CHECK(again.body.find("\"id\":\"" + id + "\"") != std::string::npos);
    // Same key, different request: conflict.
    auto other = call(web, "POST", "/v1/reservations",
                      R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"1","ticketType":"1AHG"}]})", "k1");
    CHECK(other.status == 409);

    CHECK(call(web, "POST", "/v1/reservations", R"({"client":"royalcourt"})", "").status == 422);  // no key
    CHECK(call(web, "POST", "/v1/reservations", R"({"client":"royalcourt"})", "bad key").status == 422);
    auto malformed = call(web, "POST", "/v1/reservations", "{nope", "k2");
    CHECK(malformed.status == 400);
    CHECK(malformed.body.find("\"code\":\"decode_error\"") != std::string::npos);
    auto typed = call(web, "POST", "/v1/reservations", R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":1}]})", "k3");
    CHECK(typed.status == 400);
    CHECK(typed.body.find("tickets[0].seat: expected a string") != std::string::npos);
    auto missing = call(web, "POST", "/v1/reservations", R"({"instance":"67201AVC","tickets":[]})", "k4");
    CHECK(missing.status == 422);
    CHECK(missing.body.find("client: missing") != std::string::npos);
    CHECK(call(web, "POST", "/v1/reservations", "<x/>", "k5", "text/xml").status == 415);
}

TEST_CASE_FIXTURE(fixture, "a sales channel only sees and acts on its own reservations") {
    auto mine = create(web, "a");
    caller shop{"shop", role::sales, {1003, 1003, 1}};
    auto theirs = create(shop, "a");
    CHECK(call(web, "GET", "/v1/reservations/" + mine).status == 200);
    CHECK(call(web, "GET", "/v1/reservations/" + theirs).status == 404);
    CHECK(call(web, "DELETE", "/v1/reservations/" + theirs).status == 404);
    CHECK(call(web, "GET", "/v1/reservations/" + theirs + "/history").status == 404);
    CHECK(call(ops, "GET", "/v1/reservations/" + theirs).status == 200);

    auto list = api::from_json<std::vector<api::reservation>>(call(web, "GET", "/v1/reservations").body);
    REQUIRE(list.has_value());
    REQUIRE(list->size() == 1);
    CHECK(list->front().id == mine);
    CHECK(call(web, "GET", "/v1/reservations?channel=shop").status == 403);
    auto all = api::from_json<std::vector<api::reservation>>(call(ops, "GET", "/v1/reservations").body);
    REQUIRE(all.has_value());
    CHECK(all->size() == 2);
}

TEST_CASE_FIXTURE(fixture, "state transitions and their conflicts") {
    auto id = create(web, "t");
    auto early = call(web, "POST", "/v1/reservations/" + id + "/confirm", R"({"customer":{"firstName":"A","lastName":"L"}})");
    CHECK(early.status == 409);
    REQUIRE(be.transition(id, "held").has_value());
    auto ext = call(web, "POST", "/v1/reservations/" + id + "/extend", "");
    CHECK(ext.status == 200);
    auto conf = call(web, "POST", "/v1/reservations/" + id + "/confirm", R"({"customer":{"firstName":"A","lastName":"L"}})");
    CHECK(conf.status == 202);
    CHECK(conf.body.find("\"state\":\"confirming\"") != std::string::npos);
    auto hist = call(web, "GET", "/v1/reservations/" + id + "/history");
    CHECK(hist.status == 200);
    CHECK(hist.body.find("\"confirming\"") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "admin endpoints, methods and unknown paths") {
    CHECK(call(web, "POST", "/v1/admin/sync", R"({"client":"royalcourt"})").status == 403);
    CHECK(call(web, "GET", "/v1/admin/reconcile").status == 403);
    CHECK(call(ops, "POST", "/v1/admin/sync", R"({"client":"royalcourt"})").status == 202);
    CHECK(call(ops, "POST", "/v1/admin/sync", R"({"client":"nope"})").status == 404);
    CHECK(call(ops, "GET", "/v1/admin/reconcile").body.find("B-77") != std::string::npos);
    auto m = call(web, "PATCH", "/v1/health");
    CHECK(m.status == 405);
    REQUIRE(m.headers.size() == 1);
    CHECK(m.headers[0].second == "GET");
    CHECK(call(web, "GET", "/v2/health").status == 404);
    CHECK(call(web, "GET", "/v1/reservations/%zz").status == 404);
    auto feed = call(web, "GET", "/v1/feed?since=12");
    CHECK(feed.start_feed);
    CHECK(feed.feed_since == 12);
    CHECK(call(web, "GET", "/v1/feed?since=-1").status == 400);
}

TEST_CASE_FIXTURE(fixture, "long-poll returns at once when the version moved on") {
    auto id = create(web, "lp");
    REQUIRE(be.transition(id, "placing").has_value());
    auto r = call(web, "GET", "/v1/reservations/" + id + "?wait=30&version=1");
    CHECK(r.status == 200);
    CHECK(r.body.find("\"version\":2") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "requests that cost upstream calls are charged to the channel: 429 with Retry-After") {
    settings.channels = {{"web", 1001, std::nullopt, role::sales, 1, {1.0 / 3600, 3, 16}},
                         {"shop", 1003, std::nullopt, role::sales, 1, {1.0 / 3600, 3, 16}}};
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(create(web, "c" + std::to_string(i)));
    auto over = call(web, "POST", "/v1/reservations",
                     R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"53613","ticketType":"1AHG"}]})", "c9");
    CHECK(over.status == 429);
    auto e = api::from_json<api::error_body>(over.body);
    REQUIRE(e.has_value());
    CHECK(e->code == "rate_limited");
    CHECK(e->retryable);
    REQUIRE(over.headers.size() == 1);
    CHECK(over.headers[0].first == "Retry-After");
    CHECK(std::stoi(over.headers[0].second) >= 1);
    // Confirm, extend and release are charged too; reads are not.
    REQUIRE(be.transition(ids[0], "held").has_value());
    CHECK(call(web, "POST", "/v1/reservations/" + ids[0] + "/extend", "").status == 429);
    CHECK(call(web, "DELETE", "/v1/reservations/" + ids[0]).status == 429);
    CHECK(call(web, "POST", "/v1/reservations/" + ids[0] + "/confirm", R"({"customer":{"firstName":"A","lastName":"L"}})").status == 429);
    CHECK(call(web, "GET", "/v1/reservations/" + ids[0]).status == 200);
    // Another channel has its own budget.
    caller shop{"shop", role::sales, {1003, 1003, 1}};
    create(shop, "s1");
}
