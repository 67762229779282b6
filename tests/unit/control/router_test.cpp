#include "agentd/control/auth.hpp"
#include "agentd/api/prometheus.hpp"
#include "agentd/control/reply.hpp"
#include "agentd/control/router.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::control;

TEST_CASE("routes match with parameters, 404 and 405") {
    auto m = match_route("GET", "/v1/clients/royalcourt/instances/67201AVC/seats");
    REQUIRE(m.result == route_match::outcome::found);
    CHECK(m.route->id == route_id::seats);
    CHECK(m.params == std::vector<std::string>{"royalcourt", "67201AVC"});

    CHECK(match_route("GET", "/v1/reservations/r_1").route->id == route_id::get_reservation);
    CHECK(match_route("DELETE", "/v1/reservations/r_1").route->id == route_id::release_reservation);
    CHECK(match_route("GET", "/v1/reservations").route->id == route_id::list_reservations);
    CHECK(match_route("GET", "/v1/clients//events").result == route_match::outcome::no_path);
    CHECK(match_route("GET", "/v1/nope").result == route_match::outcome::no_path);
    CHECK(match_route("GET", "/v1/health/").result == route_match::outcome::no_path);

    auto bad = match_route("PUT", "/v1/reservations/r_1");
    CHECK(bad.result == route_match::outcome::bad_method);
    CHECK(bad.allow == "GET, DELETE");
    CHECK(match_route("POST", "/v1/admin/sync").route->admin_only);
}

TEST_CASE("query strings decode") {
    auto q = parse_query("since=5&search=the%20seagull&x=a+b&flag");
    REQUIRE(q.has_value());
    REQUIRE(q->size() == 4);
    CHECK((*q)[1].second == "the seagull");
    CHECK((*q)[2].second == "a b");
    CHECK((*q)[3].first == "flag");
    CHECK_FALSE(parse_query("a=%zz"));
    CHECK_FALSE(parse_query("a=%2"));
}

TEST_CASE("peer identity: uid first, then gid; root is not special") {
    std::vector<channel_entry> ch{{"box", std::nullopt, 2000, role::sales, 1, {}},
                                  {"web", 1001, std::nullopt, role::sales, 1, {}},
                                  {"ops", 1002, 2000, role::admin, 1, {}}};
    auto web = identify(ch, {1001, 2000, 1});
    REQUIRE(web.has_value());
    CHECK(web->channel == "web");  // uid beats a gid match
    auto ops = identify(ch, {1002, 5, 1});
    REQUIRE(ops.has_value());
    CHECK(ops->is_admin());
    auto box = identify(ch, {3000, 2000, 1});
    REQUIRE(box.has_value());
    CHECK(box->channel == "box");
    CHECK_FALSE(identify(ch, {0, 0, 1}));
}

TEST_CASE("error statuses are the documented ones") {
    CHECK(http_status(errc::decode_error) == 400);
    CHECK(http_status(errc::invalid_argument) == 422);
    CHECK(http_status(errc::not_found) == 404);
    CHECK(http_status(errc::conflict) == 409);
    CHECK(http_status(errc::permission_denied) == 403);
    CHECK(http_status(errc::too_large) == 413);
    CHECK(http_status(errc::rate_limited) == 429);
    CHECK(http_status(errc::unavailable) == 503);
    auto r = error_reply(fail(errc::rate_limited, "slow"));
    CHECK(r.status == 429);
    CHECK(r.body == R"({"error":{"code":"rate_limited","message":"slow","retryable":true}})");
}

TEST_CASE("metrics render as Prometheus text, grouped by name") {
    api::metrics_snapshot s;
    s.samples.push_back({"agentd_lag", "Lag.", "gauge", {{"client", "a\"b"}}, 1.5});
    s.samples.push_back({"agentd_depth", "Depth.", "gauge", {}, 3});
    s.samples.push_back({"agentd_lag", "Lag.", "gauge", {{"client", "c"}}, 2});
    CHECK(api::to_prometheus(s) ==
          "# HELP agentd_lag Lag.\n# TYPE agentd_lag gauge\nagentd_lag{client=\"a\\\"b\"} 1.5\nagentd_lag{client=\"c\"} 2\n"
          "# HELP agentd_depth Depth.\n# TYPE agentd_depth gauge\nagentd_depth 3\n");
}

TEST_CASE("every route is documented in docs/local-api.md") {
    auto doc = test::read_file(test::source_dir() + "/docs/local-api.md");
    REQUIRE(!doc.empty());
    for (auto& r : routes()) {
        auto heading = "`" + std::string(r.method) + " " + std::string(r.pattern) + "`";
        CHECK_MESSAGE(doc.find(heading) != std::string::npos, "undocumented route " << heading);
    }
    for (auto code : {"invalid_argument", "decode_error", "not_found", "conflict", "permission_denied", "rate_limited",
                      "unavailable", "too_large", "method_not_allowed", "unsupported_media_type"})
        CHECK_MESSAGE(doc.find(std::string("`") + code + "`") != std::string::npos, "undocumented error code " << code);
}
