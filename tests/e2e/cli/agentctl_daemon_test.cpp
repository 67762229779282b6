// agentctl against the real agentd on agentd-sim's small world: every command as a process,
// tables and --json agreeing, a hold placed, confirmed and released, and the offline commands
// on the daemon's own config and database. Real binaries, real sockets, real SQLite.
#include "agentd/api/json.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/harness.hpp"

#include <csignal>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

ctl_result ctl(const std::string& config, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return agentctl(std::move(args));
}

}  // namespace

TEST_CASE("agentctl against agentd on the small world") {
    temp_dir dir;
    auto sim = start_sim(dir, {"--size", "small"});
    REQUIRE_FALSE(sim.clients.empty());
    auto config = write_daemon_config(dir, sim);
    auto daemon = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 20s));

    // The initial sync, watched through agentctl itself.
    bool synced = wait_until(
        [&] {
            auto h = api::from_json<api::health>(ctl(config, {"status", "--json"}).out);
            return h.has_value() && h->sync.initial_complete;
        },
        45s, 100ms);
    REQUIRE_MESSAGE(synced, read_file(dir.file("agentd.log")));

    const std::string client = sim.clients[0].name;
    auto st = ctl(config, {"status"});
    REQUIRE_MESSAGE(st.code == 0, st.err);
    CHECK(st.has("initial sync: complete"));
    for (auto& c : sim.clients) CHECK(st.has(c.name + "  "));

    auto cl = api::from_json<std::vector<api::client_state>>(ctl(config, {"clients", "--json"}).out);
    REQUIRE(cl.has_value());
    CHECK(cl->size() == sim.clients.size());

    auto ev = ctl(config, {"events", "--client", client});
    REQUIRE_MESSAGE(ev.code == 0, ev.err);
    auto evj = api::from_json<std::vector<api::event>>(ctl(config, {"events", "--client", client, "--json"}).out);
    REQUIRE(evj.has_value());
    REQUIRE_FALSE(evj->empty());
    for (auto& e : *evj) CHECK(ev.has(e.id + "  "));

    auto in = ctl(config, {"instances", "--client", client});
    REQUIRE_MESSAGE(in.code == 0, in.err);
    auto inj = api::from_json<std::vector<api::instance_summary>>(ctl(config, {"instances", "--client", client, "--json"}).out);
    REQUIRE(inj.has_value());
    REQUIRE_FALSE(inj->empty());
    std::string instance;
    for (auto& i : *inj) {
        CHECK(in.has(i.id + "  "));
        if (instance.empty() && i.on_sale && !i.cancelled && i.available >= 2) instance = i.id;
    }
    REQUIRE_FALSE(instance.empty());

    auto one = ctl(config, {"instance", client, instance});
    REQUIRE_MESSAGE(one.code == 0, one.err);
    auto onej = api::from_json<api::instance>(ctl(config, {"instance", client, instance, "--json"}).out);
    REQUIRE(onej.has_value());
    REQUIRE_FALSE(onej->prices.empty());
    for (auto& p : onej->prices) {
        CHECK(one.has(p.price));
        CHECK_FALSE(p.price_band_name.empty());
        CHECK(one.has(p.price_band_name + " (" + p.price_band + ")"));
    }
    CHECK(one.has("  available    " + std::to_string(onej->avail.available) + " of " + std::to_string(onej->avail.capacity)));

    auto seats = ctl(config, {"seats", client, instance});
    REQUIRE_MESSAGE(seats.code == 0, seats.err);
    CHECK(seats.has("o available  H held by us"));
    auto plan = api::from_json<api::seat_plan>(ctl(config, {"seats", client, instance, "--json"}).out);
    REQUIRE(plan.has_value());
    std::size_t available = 0;
    for (auto& s : plan->seats) available += s.status == "available";
    if (available) CHECK(seats.has("seats: " + std::to_string(available) + " available"));

    // A hold through the queue, confirmed; a second one released.
    const std::string tt = onej->prices[0].ticket_type;
    auto hold = api::from_json<api::reservation>(
        ctl(config, {"hold", client, instance, "--best", "2", "--ticket-type", tt, "--json"}).out);
    REQUIRE(hold.has_value());
    auto held = ctl(config, {"wait", hold->id, "--state", "held", "--timeout", "30"});
    REQUIRE_MESSAGE(held.code == 0, held.err);
    auto list = ctl(config, {"reservations", "--state", "held"});
    CHECK(list.has(hold->id + "  held"));
    auto after = api::from_json<api::seat_plan>(ctl(config, {"seats", client, instance, "--json"}).out);
    auto c = ctl(config, {"confirm", hold->id, "--first-name", "Ada", "--last-name", "Lovelace", "--address", "1 Main St",
                          "--reference", "WEB-1042"});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    auto done = ctl(config, {"wait", hold->id, "--state", "confirmed", "--timeout", "30"});
    REQUIRE_MESSAGE(done.code == 0, done.err);
    auto show = ctl(config, {"reservation", hold->id});
    CHECK(show.has("): confirmed, version "));
    CHECK(show.has("  confirmed  "));
    CHECK(show.has("  held  "));
    // Names from the mirror next to the ids, and history notes as sentences.
    CHECK(show.has("  instance  " + instance + " (" + onej->event_name + ", " + onej->start + ")\n"));
    CHECK(show.has(" seats held until "));
    CHECK(show.has("basket "));
    CHECK(show.has(" confirmed, "));
    CHECK(show.has(" barcode"));
    auto all = api::from_json<std::vector<api::reservation>>(ctl(config, {"reservations", "--json"}).out);
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
    CHECK(ctl(config, {"reservations"}).has(onej->event_name));
    auto ids = ctl(config, {"reservation", hold->id, "--ids"});
    CHECK(ids.has("AREA NAME"));
    CHECK(ids.has(hold->id));

    auto h2 = api::from_json<api::reservation>(ctl(config, {"hold", client, instance, "--best", "1", "--ticket-type", tt, "--json"}).out);
    REQUIRE(h2.has_value());
    REQUIRE(ctl(config, {"wait", h2->id, "--state", "held", "--timeout", "30"}).code == 0);
    auto rel = ctl(config, {"release", h2->id});
    REQUIRE_MESSAGE(rel.code == 0, rel.err);
    CHECK(ctl(config, {"wait", h2->id, "--state", "released", "--timeout", "30"}).code == 0);

    CHECK(ctl(config, {"reconcile"}).code == 0);
    auto sync = ctl(config, {"sync", "now", "--client", client, "--instance", instance});
    CHECK_MESSAGE(sync.code == 0, sync.err);

    // Errors from the real daemon.
    CHECK(ctl(config, {"instance", client, "NO-SUCH-INSTANCE"}).code == 5);
    CHECK(ctl(config, {"reservation", "r_no_such"}).code == 5);
    CHECK(ctl(config, {"confirm", hold->id, "--first-name", "A", "--last-name", "B", "--address", "C", "--reference", "D"}).code == 6);

    // Offline commands on the live daemon's files.
    auto cc = ctl(config, {"config", "check"});
    CHECK(cc.code == 0);
    CHECK(cc.has("[redacted]"));
    for (auto& cli_client : sim.clients)
        for (auto& a : cli_client.accounts) CHECK_FALSE(cc.has(a.secret));
    auto dbs = ctl(config, {"db", "stats"});
    REQUIRE_MESSAGE(dbs.code == 0, dbs.err);
    CHECK(dbs.has("TABLE"));
    CHECK(ctl(config, {"db", "check"}).code == 0);

    daemon->signal(SIGTERM);
    CHECK(daemon->wait(20s) == 0);
    auto down = ctl(config, {"status"});
    CHECK(down.code == 3);
    CHECK(down.err_has("agentd is not running"));
}
