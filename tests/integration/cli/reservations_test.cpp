// hold → wait → confirm → release through agentctl as a process, with the long-poll waking on
// a transition the test makes on the backend.
#include "agentd/api/json.hpp"
#include "tests/integration/cli/ctl_fixture.hpp"

using namespace agentd;
using namespace agentd::test;

TEST_CASE("hold, wait, list, show, confirm, release") {
    running_server srv;
    auto h = ctl(srv, {"hold", "royalcourt", "67201AVC", "--seat", "53613", "--ticket-type", "1AHG", "--key", "demo-1", "--json"});
    REQUIRE_MESSAGE(h.code == 0, h.err);
    auto r = api::from_json<api::reservation>(h.out);
    REQUIRE_MESSAGE(r.has_value(), h.out);
    CHECK(r->state == "queued");
    CHECK(r->channel == "ops");
    const std::string id = r->id;
    // The same key again is the same reservation.
    auto again = ctl(srv, {"hold", "royalcourt", "67201AVC", "--seat", "53613", "--ticket-type", "1AHG", "--key", "demo-1"});
    CHECK(again.out == id + " queued (version 1)\n");

    SUBCASE("wait follows the long-poll to held") {
        ctl_process w({"--socket", srv.path, "wait", id, "--state", "held", "--timeout", "20"});
        // Let agentctl reach the server first so the transition wakes a waiting long-poll.
        CHECK(wait_until([&] { return srv.on_server([&] { return srv.srv->connections(); }) >= 1; }, std::chrono::seconds(10)));
        REQUIRE(srv.be.transition(id, "held").has_value());
        auto out = w.finish();
        CHECK(out.code == 0);
        CHECK(out.out == id + " held (version 2)\n");

        auto list = ctl(srv, {"reservations", "--state", "held", "--client", "royalcourt"});
        REQUIRE_MESSAGE(list.code == 0, list.err);
        // The fake backend's reservations carry no names: the event column falls back to the id.
        CHECK(list.has("ID   STATE  CHANNEL  CLIENT      EVENT     START  SEATS  TOTAL  EXPIRES            UPDATED"));
        CHECK(list.has(id + "  held   ops      royalcourt  67201AVC  -      A1     35.00  2026-11-26 21:40Z"));
        auto ids = ctl(srv, {"reservations", "--state", "held", "--ids"});
        CHECK(ids.has("CLIENT      INSTANCE  EVENT  START  SEATS"));
        auto lj = api::from_json<std::vector<api::reservation>>(ctl(srv, {"reservations", "--state", "held", "--json"}).out);
        REQUIRE(lj.has_value());
        REQUIRE(lj->size() == 1);
        CHECK(lj->at(0).id == id);
        CHECK(ctl(srv, {"reservations", "--state", "confirmed"}).out == "no reservations match\n");

        auto show = ctl(srv, {"reservation", id});
        REQUIRE_MESSAGE(show.code == 0, show.err);
        CHECK(show.has("reservation " + id + " (channel ops): held, version 2\n"));
        CHECK(show.has("  request   seats 53613/1AHG\n"));
        CHECK(show.has("A1    A1    7801        1AHG         35.00  -\n"));
        CHECK(ctl(srv, {"reservation", id, "--ids"}).has("53613  A1    A1    -          7801        -          1AHG         -          35.00  -\n"));
        CHECK(show.has("history:\nVERSION  STATE   AT                 NOTE\n"
                       "1        queued  2026-11-26 21:30Z  accepted\n"
                       "2        held    2026-11-26 21:31Z  -\n"));
        auto sj = ctl(srv, {"reservation", id, "--json"});
        CHECK(sj.out.starts_with("{\"history\":[{\"version\":1,\"state\":\"queued\""));
        CHECK(sj.has(",\"reservation\":{\"id\":\"" + id + "\""));

        auto c = ctl(srv, {"confirm", id, "--first-name", "Ada", "--last-name", "Lovelace", "--address", "1 Main St",
                           "--reference", "WEB-1042"});
        REQUIRE_MESSAGE(c.code == 0, c.err);
        CHECK(c.out == id + " confirming (version 3)\n");

        // Confirming again is refused by the state machine: exit 6.
        auto twice = ctl(srv, {"confirm", id, "--first-name", "A", "--last-name", "L", "--address", "x", "--reference", "r"});
        CHECK(twice.code == 6);
        CHECK(twice.err_has("refused: "));

        REQUIRE(srv.be.transition(id, "confirm_unknown").has_value());
        auto rec = ctl(srv, {"reconcile"});
        CHECK(rec.has("confirm_unknown reservations: 1"));
        CHECK(rec.has(id));
        CHECK(rec.has("agentctl resolve ID --sold ORDER_ID"));
        // A wait that ends in another final state is exit 6 and says how it ended.
        auto w2 = ctl(srv, {"wait", id, "--state", "confirmed"});
        CHECK(w2.code == 6);
        CHECK(w2.err_has("reservation " + id + " ended confirm_unknown"));
    }
    SUBCASE("release a queued reservation cancels it") {
        auto rel = ctl(srv, {"release", id});
        REQUIRE_MESSAGE(rel.code == 0, rel.err);
        CHECK(rel.out == id + " cancelled (version 2)\n");
        auto gone = ctl(srv, {"release", id});
        CHECK(gone.code == 6);
    }
    SUBCASE("wait gives up at its timeout with exit 1") {
        auto w = ctl(srv, {"wait", id, "--state", "held", "--timeout", "1"});
        CHECK(w.code == 1);
        CHECK(w.err_has("still queued"));
    }
}

TEST_CASE("best-available holds and bad hold arguments") {
    running_server srv;
    auto h = ctl(srv, {"hold", "royalcourt", "67201AVC", "--best", "2", "--ticket-type", "1AHG", "--band", "7801"});
    REQUIRE_MESSAGE(h.code == 0, h.err);
    CHECK(h.has(" queued (version 1)"));
    auto r = ctl(srv, {"reservations", "--json"});
    auto list = api::from_json<std::vector<api::reservation>>(r.out);
    REQUIRE(list.has_value());
    REQUIRE(list->size() == 1);
    REQUIRE(list->at(0).request.best.has_value());
    CHECK(list->at(0).request.best->quantity == 2);
    CHECK(list->at(0).request.best->price_band == "7801");

    CHECK(ctl(srv, {"hold", "royalcourt", "67201AVC", "--best", "0", "--ticket-type", "1AHG"}).code == 2);
    CHECK(ctl(srv, {"hold", "royalcourt", "67201AVC", "--best", "1"}).code == 2);
    CHECK(ctl(srv, {"hold", "royalcourt", "NOPE", "--best", "1", "--ticket-type", "T"}).code == 5);
    CHECK(ctl(srv, {"reservations", "--state", "lost"}).code == 2);
    auto missing = ctl(srv, {"reservation", "r_999"});
    CHECK(missing.code == 5);
    CHECK(missing.err_has("not found: reservation r_999: not found"));
}
