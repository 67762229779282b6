// GET .../seatmap.svg over the socket: the SVG with its content type, area names from the
// instance, ?include= filtering, and typed errors for unknown areas, instances and clients.
#include "server_fixture.hpp"

using namespace agentd;
using namespace agentd::test;

TEST_CASE("seatmap.svg: SVG answer, include filter, typed errors") {
    running_server s;
    auto c = s.client();
    auto r = c.get("/v1/clients/royalcourt/instances/67201AVC/seatmap.svg");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->header("Content-Type") == std::optional<std::string>("image/svg+xml; charset=utf-8"));
    CHECK(r->body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(r->body.find(">Stalls</text>") != std::string::npos);
    CHECK(r->body.find("<circle id=\"53613\"") != std::string::npos);
    CHECK(r->body.find("<circle id=\"53614\"") != std::string::npos);

    auto one = c.get("/v1/clients/royalcourt/instances/67201AVC/seatmap.svg?include=A1");
    REQUIRE(one.has_value());
    CHECK(one->status == 200);
    CHECK(one->body.find("<circle id=\"53613\"") != std::string::npos);

    auto bad = c.get("/v1/clients/royalcourt/instances/67201AVC/seatmap.svg?include=A1,NOPE");
    REQUIRE(bad.has_value());
    CHECK(bad->status == 422);
    CHECK(bad->body.find("\"code\":\"invalid_argument\"") != std::string::npos);
    CHECK(bad->body.find("area NOPE is not in the plan") != std::string::npos);
    auto empty = c.get("/v1/clients/royalcourt/instances/67201AVC/seatmap.svg?include=,");
    REQUIRE(empty.has_value());
    CHECK(empty->status == 422);

    auto missing = c.get("/v1/clients/royalcourt/instances/NOPE/seatmap.svg");
    REQUIRE(missing.has_value());
    CHECK(missing->status == 404);
    CHECK(missing->header("Content-Type") == std::optional<std::string>("application/json"));
    auto post = c.request("POST", "/v1/clients/royalcourt/instances/67201AVC/seatmap.svg", "{}");
    REQUIRE(post.has_value());
    CHECK(post->status == 405);
}
