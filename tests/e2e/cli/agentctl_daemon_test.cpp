// agentctl against the real agentd on agentd-sim's small world: every command as a process,
// tables and --json agreeing, a hold placed, confirmed and released, and the offline commands
// on the daemon's own config and database. Real binaries, real sockets, real SQLite.
#include "tests/support/cli_world.hpp"

#include <csignal>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

TEST_CASE("agentctl against agentd on the small world") {
    auto world = make_cli_world();
    auto& w = *world;
    auto& sim = w.sim;
    w.start_synced();

    const std::string client = sim.clients[0].name;
    auto st = w.ctl({"status"});
    REQUIRE_MESSAGE(st.code == 0, st.err);
    CHECK(st.has("initial sync: complete"));
    for (auto& c : sim.clients) CHECK(st.has(c.name + "  "));

    auto cl = api::from_json<std::vector<api::client_state>>(w.ctl({"clients", "--json"}).out);
    REQUIRE(cl.has_value());
    CHECK(cl->size() == sim.clients.size());

    auto ev = w.ctl({"events", "--client", client});
    REQUIRE_MESSAGE(ev.code == 0, ev.err);
    auto evj = api::from_json<std::vector<api::event>>(w.ctl({"events", "--client", client, "--json"}).out);
    REQUIRE(evj.has_value());
    REQUIRE_FALSE(evj->empty());
    for (auto& e : *evj) CHECK(ev.has(e.id + "  "));

    auto in = w.ctl({"instances", "--client", client});
    REQUIRE_MESSAGE(in.code == 0, in.err);
    auto inj = api::from_json<std::vector<api::instance_summary>>(w.ctl({"instances", "--client", client, "--json"}).out);
    REQUIRE(inj.has_value());
    REQUIRE_FALSE(inj->empty());
    std::string instance;
    for (auto& i : *inj) {
        CHECK(in.has(i.id + "  "));
        if (instance.empty() && i.on_sale && !i.cancelled && i.available >= 2) instance = i.id;
    }
    REQUIRE_FALSE(instance.empty());

    auto one = w.ctl({"instance", client, instance});
    REQUIRE_MESSAGE(one.code == 0, one.err);
    auto onej = api::from_json<api::instance>(w.ctl({"instance", client, instance, "--json"}).out);
    REQUIRE(onej.has_value());
    REQUIRE_FALSE(onej->prices.empty());
    for (auto& p : onej->prices) {
        CHECK(one.has(p.price));
        CHECK_FALSE(p.price_band_name.empty());
        CHECK(one.has(p.price_band_name + " (" + p.price_band + ")"));
    }
    CHECK(one.has("  available    " + std::to_string(onej->avail.available) + " of " + std::to_string(onej->avail.capacity)));

    auto seats = w.ctl({"seats", client, instance});
    REQUIRE_MESSAGE(seats.code == 0, seats.err);
    CHECK(seats.has("o available  H held by us"));
    auto plan = api::from_json<api::seat_plan>(w.ctl({"seats", client, instance, "--json"}).out);
    REQUIRE(plan.has_value());
    std::size_t available = 0;
    for (auto& s : plan->seats) available += s.status == "available";
    if (available) CHECK(seats.has("seats: " + std::to_string(available) + " available"));

    // A hold through the queue, confirmed; a second one released.
    const std::string tt = onej->prices[0].ticket_type;
    auto hold = api::from_json<api::reservation>(
        w.ctl({"hold", client, instance, "--best", "2", "--ticket-type", tt, "--json"}).out);
    REQUIRE(hold.has_value());
    auto held = w.ctl({"wait", hold->id, "--state", "held", "--timeout", "30"});
    REQUIRE_MESSAGE(held.code == 0, held.err);
    auto list = w.ctl({"reservations", "--state", "held"});
    CHECK(list.has(hold->id + "  held"));
    auto after = api::from_json<api::seat_plan>(w.ctl({"seats", client, instance, "--json"}).out);
    auto c = w.ctl({"confirm", hold->id, "--first-name", "Ada", "--last-name", "Lovelace", "--address", "1 Main St",
                          "--reference", "WEB-1042"});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    auto done = w.ctl({"wait", hold->id, "--state", "confirmed", "--timeout", "30"});
    REQUIRE_MESSAGE(done.code == 0, done.err);
    auto show = w.ctl({"reservation", hold->id});
    CHECK(show.has("): confirmed, version "));
    CHECK(show.has("  confirmed  "));
    CHECK(show.has("  held  "));
    // Names from the mirror next to the ids, and history notes as sentences.
    CHECK(show.has("  instance  " + instance + " (" + onej->event_name + ", " + onej->start + ")\n"));
    CHECK(show.has(" seats held until "));
    CHECK(show.has("basket "));
    CHECK(show.has(" confirmed, "));
    CHECK(show.has(" barcode"));
    auto all = api::from_json<std::vector<api::reservation>>(w.ctl({"reservations", "--json"}).out);
    REQUIRE(all.has_value());
    for (auto& r : *all) {
        if (r.id != hold->id) continue;
        CHECK(r.event_name == onej->event_name);
        CHECK(r.instance_start == onej->start);
        REQUIRE(r.seats.size() == 2);
        for (auto& s : r.seats) {
            CHECK_FALSE(s.area_name.empty());
            CHECK_FALSE(s.ticket_type_name.empty());
            CHECK_FALSE(s.price_band_name.empty());
            CHECK(show.has(s.ticket_type_name));
            CHECK(show.has(s.area_name));
            CHECK(show.has(s.price_band_name));
        }
    }
    CHECK(w.ctl({"reservations"}).has(onej->event_name));
    auto ids = w.ctl({"reservation", hold->id, "--ids"});
    CHECK(ids.has("AREA NAME"));
    CHECK(ids.has(hold->id));

    auto h2 = api::from_json<api::reservation>(w.ctl({"hold", client, instance, "--best", "1", "--ticket-type", tt, "--json"}).out);
    REQUIRE(h2.has_value());
    REQUIRE(w.ctl({"wait", h2->id, "--state", "held", "--timeout", "30"}).code == 0);
    auto rel = w.ctl({"release", h2->id});
    REQUIRE_MESSAGE(rel.code == 0, rel.err);
    CHECK(w.ctl({"wait", h2->id, "--state", "released", "--timeout", "30"}).code == 0);

    CHECK(w.ctl({"reconcile"}).code == 0);
    auto sync = w.ctl({"sync", "now", "--client", client, "--instance", instance});
    CHECK_MESSAGE(sync.code == 0, sync.err);

    // Errors from the real daemon.
    CHECK(w.ctl({"instance", client, "NO-SUCH-INSTANCE"}).code == 5);
    CHECK(w.ctl({"reservation", "r_no_such"}).code == 5);
    CHECK(w.ctl({"confirm", hold->id, "--first-name", "A", "--last-name", "B", "--address", "C", "--reference", "D"}).code == 6);

    // Offline commands on the live daemon's files.
    auto cc = w.ctl({"config", "check"});
    CHECK(cc.code == 0);
    CHECK(cc.has("[redacted]"));
    for (auto& cli_client : sim.clients)
        for (auto& a : cli_client.accounts) CHECK_FALSE(cc.has(a.secret));
    auto dbs = w.ctl({"db", "stats"});
    REQUIRE_MESSAGE(dbs.code == 0, dbs.err);
    CHECK(dbs.has("TABLE"));
    CHECK(w.ctl({"db", "check"}).code == 0);

    w.daemon->signal(SIGTERM);
    CHECK(w.daemon->wait(20s) == 0);
    auto down = w.ctl({"status"});
    CHECK(down.code == 3);
    CHECK(down.err_has("agentd is not running"));
}
