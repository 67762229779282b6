// agentctl top --once against the fake backend: one plain frame with a row per client and the
// reservation counts.
#include "ctl_fixture.hpp"

using namespace agentd;
using namespace agentd::test;

TEST_CASE("top --once: one plain frame per client") {
    running_server srv;
    auto first = srv.be.create_now("ops", "top-1", *api::from_json<api::reservation_request>(k_order));
    REQUIRE(first.has_value());
    REQUIRE(srv.be.transition(first->reservation.id, "held").has_value());
    auto t = ctl(srv, {"top", "--once"});
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.has("CLIENT      SYNC"));
    CHECK(t.has("HELD  QUEUE  ERRORS 1M  LAST ERROR\n"));
    CHECK(t.has("royalcourt  "));
    CHECK(t.out.find('\x1b') == std::string::npos);  // not a terminal: plain text
}
