// agentctl's read commands as a process against a real local API server: tables by default,
// --json that parses and carries what the table shows.
#include "agentd/api/json.hpp"
#include "tests/integration/cli/ctl_fixture.hpp"

using namespace agentd;
using namespace agentd::test;

TEST_CASE("status: table and JSON agree") {
    running_server srv;
    REQUIRE(srv.be.create_now("ops", "k1", api::from_json<api::reservation_request>(k_order).value()).has_value());
    auto t = ctl(srv, {"status"});
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.has("agentd test is up at " + srv.path + ": status ok, ready yes, uptime 42s"));
    CHECK(t.has("initial sync: complete (clients 1/1, instances 1/1)"));
    CHECK(t.has("CLIENT      STATE  LAST SUCCESS"));
    CHECK(t.has("royalcourt  ok     2026-11-26 21:00Z"));
    CHECK(t.has("queue: 1 reservation(s) in progress"));
    CHECK(t.has("queued  1"));

    auto j = ctl(srv, {"status", "--json"});
    REQUIRE(j.code == 0);
    auto h = api::from_json<api::health>(j.out);
    REQUIRE_MESSAGE(h.has_value(), j.out);
    CHECK(h->version == "test");
    REQUIRE(h->clients.size() == 1);
    CHECK(t.has(h->clients[0].name + "  " + h->clients[0].state));
    CHECK(h->clients[0].budget_left == 117);
    CHECK(t.has("3.5s  117"));
    CHECK(h->queue.depth == 1);
}

TEST_CASE("clients, events, instances") {
    running_server srv;
    auto c = ctl(srv, {"clients"});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    CHECK(c.has("royalcourt  ok"));
    auto cj = api::from_json<std::vector<api::client_state>>(ctl(srv, {"clients", "--json"}).out);
    REQUIRE(cj.has_value());
    CHECK(cj->at(0).name == "royalcourt");

    auto e = ctl(srv, {"events", "--client", "royalcourt", "--from", "2026-12-01", "--search", "seagull"});
    REQUIRE_MESSAGE(e.code == 0, e.err);
    CHECK(e.has("CLIENT      EVENT    NAME         FIRST              LAST               ON SALE"));
    CHECK(e.has("royalcourt  1201AVC  The Seagull  2026-12-01 19:30Z  2026-12-20 19:30Z  yes"));
    auto ej = api::from_json<std::vector<api::event>>(ctl(srv, {"events", "--json"}).out);  // every client's
    REQUIRE(ej.has_value());
    REQUIRE(ej->size() == 1);
    CHECK(e.has(ej->at(0).id + "  " + ej->at(0).name));

    auto i = ctl(srv, {"instances", "--from", "today", "--to", "+30d"});
    INFO(i.out);
    REQUIRE_MESSAGE(i.code == 0, i.err);
    CHECK(i.has("royalcourt  67201AVC  The Seagull  2026-12-01 19:30  yes      118        4s ago"));
    auto ij = ctl(srv, {"instances", "--client", "royalcourt", "--json"});
    REQUIRE(ij.code == 0);
    auto list = api::from_json<std::vector<api::instance_summary>>(ij.out);
    REQUIRE(list.has_value());
    REQUIRE(list->size() == 1);
    CHECK(list->at(0).available == 118);
    CHECK(ij.has("\"available\":118,\"availabilityAge\":4.2}]}"));

    auto unknown = ctl(srv, {"events", "--client", "nosuch"});
    CHECK(unknown.code == 5);
    CHECK(unknown.err_has("not found: list events: unknown client nosuch"));
}

TEST_CASE("instance: prices, areas and freshness") {
    running_server srv;
    auto t = ctl(srv, {"instance", "royalcourt", "67201AVC"});
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.has("  event        The Seagull (1201AVC)\n"));
    CHECK(t.has("  available    118 of 120 (2 locked)\n"));
    CHECK(t.has("  freshness    availability confirmed 4s ago (2026-11-26 21:39Z)\n"));
    CHECK(t.has("PRICE BAND  TICKET TYPE  NAME        PRICE\n"
                "7801        1AHG         Adult       35.00\n"
                "7801        2AHG         Concession  28.50\n"));
    CHECK(t.has("A1    Stalls  70         70\n"));
    auto j = api::from_json<api::instance>(ctl(srv, {"instance", "royalcourt", "67201AVC", "--json"}).out);
    REQUIRE(j.has_value());
    for (auto& p : j->prices) CHECK(t.has(p.ticket_type + "         " + p.ticket_type_name));
    CHECK(j->avail.capacity == 120);

    auto missing = ctl(srv, {"instance", "royalcourt", "NOPE"});
    CHECK(missing.code == 5);
    CHECK(missing.err_has("not found: get instance NOPE: not found"));
    CHECK(missing.out.empty());
}

TEST_CASE("seats: the plan drawn in the terminal") {
    running_server srv;
    auto t = ctl(srv, {"seats", "royalcourt", "67201AVC"});
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.has("plan P1 of instance 67201AVC, seat status confirmed 2026-11-26 21:39Z ("));
    CHECK(t.has("\n\nStalls (A1)\n"
                "  A  o x\n"
                "\n"
                "o available  H held by us  b in other baskets  x sold/reserved  L locked  . unavailable\n"
                "seats: 1 available, 1 sold/reserved\n"));
    auto j = api::from_json<api::seat_plan>(ctl(srv, {"seats", "royalcourt", "67201AVC", "--json", "--area", "A1"}).out);
    REQUIRE(j.has_value());
    CHECK(j->seats.size() == 2);

    auto area = ctl(srv, {"seats", "royalcourt", "67201AVC", "--area", "A9"});
    CHECK(area.code == 5);
    CHECK(area.err_has("not found: area A9"));
    CHECK(ctl(srv, {"seats", "royalcourt", "67201AVC", "--width", "5"}).code == 2);
}

TEST_CASE("sync now and reconcile") {
    running_server srv;
    auto s = ctl(srv, {"sync", "now", "--instance", "67201AVC"});
    REQUIRE_MESSAGE(s.code == 0, s.err);
    CHECK(s.has("refresh requested for client royalcourt instance 67201AVC: refresh scheduled"));
    CHECK(ctl(srv, {"sync", "now", "--client", "other"}).code == 5);

    auto r = ctl(srv, {"reconcile"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.has("confirm_unknown reservations: 0"));
    CHECK(r.has("orphan baskets: 1"));
    CHECK(r.has("royalcourt  B-77"));
    CHECK(r.has("what to do"));
    auto j = api::from_json<api::reconcile_report>(ctl(srv, {"reconcile", "--json"}).out);
    REQUIRE(j.has_value());
    CHECK(j->orphan_baskets.at(0).basket == "B-77");
}
