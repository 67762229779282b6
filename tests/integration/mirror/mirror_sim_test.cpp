// The mirror against agentd-sim as a process: a full mirror equals what the simulator serves,
// public sales are followed within the tier's cadence, a fault storm on one client leaves the
// others on time, and a restart resumes without downloading unchanged catalogue data again.
#include "mirror_harness.hpp"

#include "agentd/core/money.hpp"
#include "agentd/core/time.hpp"

#include <cmath>
#include <map>
#include <set>

using namespace mirror_it;
using agentd::test::wait_until;

namespace {

std::size_t count_seats(const rapidjson::Value& area) {
    std::size_t n = 0;
    if (area.HasMember("seats") && area["seats"].IsArray()) n += area["seats"].Size();
    if (area.HasMember("areas") && area["areas"].IsArray())
        for (const auto& a : area["areas"].GetArray()) n += count_seats(a);
    return n;
}

// Every instance id the simulator lists for the client, by event.
std::set<std::string> sim_instances(sim_test::sim_client& c) {
    std::set<std::string> out;
    auto ev = json(c.get("events"));
    for (const auto& e : ev.GetArray()) {
        auto li = json(c.get(std::string("events/") + e["id"].GetString() + "/instances"));
        for (const auto& i : li.GetArray()) out.insert(i["id"].GetString());
    }
    return out;
}

std::int64_t sim_available(sim_test::sim_client& c, const std::string& inst) {
    auto st = json(c.get("instances/" + inst + "/status"));
    return st["available"].GetInt64();
}

void check_client_equal(const sim_test::sim_process& sim, std::size_t index, agentd::mirror::mirror_view& view) {
    const std::string name = sim.clients[index].first;
    auto c = sim.client(index);
    auto ev = json(c.get("events"));
    auto mev = view.events({name, std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(mev.has_value());
    CHECK(mev->size() == ev.Size());
    auto ids = sim_instances(c);
    auto mins = view.instances({name, std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(mins.has_value());
    std::set<std::string> mids;
    for (const auto& i : *mins) mids.insert(i.id);
    CHECK(mids == ids);

    // Spot checks on the first two instances: times, flags, prices to the penny, seats, counts.
    int checked = 0;
    for (const auto& id : ids) {
        if (checked++ == 2) break;
        auto mi = view.instance(name, id);
        REQUIRE_MESSAGE(mi.has_value(), (mi ? "" : mi.error().message));
        auto si = json(c.get("instances/" + id));
        CHECK(agentd::parse_iso(mi->start_utc).value() == agentd::parse_iso(si["startUtc"].GetString()).value());
        CHECK(mi->cancelled == si["cancelled"].GetBool());
        auto pl = json(c.get("instances/" + id + "/price-list"));
        REQUIRE(mi->prices.size() == pl["prices"].Size());
        for (const auto& p : pl["prices"].GetArray()) {
            const std::string band = p["priceBand"]["id"].GetString(), type = p["ticketType"]["id"].GetString();
            const auto minor = std::llround(p["amount"].GetDouble() * 100);
            bool found = false;
            for (const auto& mp : mi->prices)
                if (mp.price_band == band && mp.ticket_type == type) {
                    found = true;
                    CHECK(agentd::parse_money(mp.price).value().minor == minor);
                    CHECK(mp.ticket_type_name == p["ticketType"]["name"].GetString());
                }
            CHECK(found);
        }
        auto plan = json(c.get("instances/" + id + "/plan"));
        auto seats = view.seats(name, id);
        REQUIRE(seats.has_value());
        CHECK(seats->seats.size() == count_seats(plan));
        if (!mi->cancelled) {
            CHECK(mi->avail.available == sim_available(c, id));
            CHECK(mi->availability_age >= 0);
            CHECK_FALSE(mi->availability_confirmed_at.empty());
            CHECK(mirror_seats_available(view, name, id) == sim_seats_available(c, id));
        }
    }
}

}  // namespace

TEST_CASE("a full mirror of the small world equals the simulator; sales are followed; a restart resumes") {
    sim_test::sim_process sim({"--seed", "7", "--size", "small", "--seat-status", "on", "--rate", "5000", "--burst", "5000"});
    agentd::test::temp_dir dir;
    const auto db_path = agentd::test::database_for(dir.file("mirror.db"));
    agentd::mirror::mirror_view view(db_path);
    std::string target;
    {
        daemon_side d(sim, db_path);
        REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 60s));
        auto p = d.service().progress();
        CHECK(p.clients_total == 3);
        CHECK(p.instances_done == p.instances_total);
        CHECK(p.requests_per_second > 0);
        CHECK(d.last_feed() > 0);
        for (std::size_t i = 0; i < sim.clients.size(); ++i) check_client_equal(sim, i, view);

        // Public sales move seats; the mirror follows within the tier's cadence (1 s here).
        const std::string client = sim.clients[0].first;
        auto c = sim.client(0);
        for (const auto& id : sim_instances(c)) {
            auto mi = view.instance(client, id);
            if (mi && !mi->cancelled && mi->on_sale && mi->avail.available > 50) {
                target = id;
                break;
            }
        }
        REQUIRE_FALSE(target.empty());
        const auto before = d.service().counters();
        const auto was = view.instance(client, target).value().avail.available;
        const auto seats_was = sim_seats_available(c, target);
        REQUIRE(mirror_seats_available(view, client, target) == seats_was);
        auto sale = sim.control("POST", "public-sales", R"({"instance":")" + target + R"(","take":25})");
        REQUIRE(sale.status == 200);
        const auto now_available = sim_available(c, target);
        const auto seats_now = sim_seats_available(c, target);
        CHECK(now_available < was);
        REQUIRE(wait_until([&] { return view.instance(client, target).value().avail.available == now_available; }, 15s));
        REQUIRE(wait_until([&] { return mirror_seats_available(view, client, target) == seats_now; }, 15s));
        // Only the seats that changed were written (no other sales happen in this world). The
        // counter is bumped when the write's completion reaches the sync loop, which can be a
        // moment after a reader sees the committed rows: wait for it, then check it is exact.
        const auto want = static_cast<std::uint64_t>(seats_was - seats_now);
        (void)wait_until([&] { return d.service().counters().seat_rows_changed - before.seat_rows_changed >= want; }, 15s);
        CHECK(d.service().counters().seat_rows_changed - before.seat_rows_changed == want);
        d.stop();
    }

    // Restart on the same file: catalogue data is fresh, so it is not downloaded again.
    const auto catalogue_before = sim_requests(sim, "events") + sim_requests(sim, "event_instances") +
                                  sim_requests(sim, "price_list") + sim_requests(sim, "plan");
    {
        daemon_side d(sim, db_path);
        REQUIRE(wait_until([&] { return d.service().counters().availability_polls >= 30; }, 30s));
        CHECK(d.service().progress().initial_complete);
        const auto catalogue_after = sim_requests(sim, "events") + sim_requests(sim, "event_instances") +
                                     sim_requests(sim, "price_list") + sim_requests(sim, "plan");
        CHECK(catalogue_after == catalogue_before);
        CHECK(d.service().counters().seat_rows_changed == 0);  // nothing moved while it was down
        d.stop();
    }
    check_client_equal(sim, 0, view);
}

TEST_CASE("a fault storm on one client leaves the others on time and the mirror consistent") {
    sim_test::sim_process sim({"--seed", "11", "--size", "small", "--seat-status", "on", "--rate", "5000", "--burst", "5000"});
    const std::string stormy = sim.clients[0].first;
    auto storm = sim.control("PUT", "faults",
                             R"({"client":")" + stormy + R"(","p503":0.7,"reset":0.1,"latency_ms":30,"malformed":0.1})");
    REQUIRE(storm.status == 200);
    agentd::test::temp_dir dir;
    const auto db_path = agentd::test::database_for(dir.file("mirror.db"));
    agentd::mirror::mirror_view view(db_path);
    daemon_side d(sim, db_path);

    auto others_done = [&] {
        auto p = d.service().progress();
        for (const auto& c : p.clients)
            if (c.name != stormy && !c.initial_done) return false;
        return true;
    };
    REQUIRE(wait_until(others_done, 60s));
    // The healthy clients keep their cadence: little lag, state ok, while the storm goes on.
    REQUIRE(wait_until([&] { return d.service().counters().availability_polls >= 150; }, 30s));
    for (const auto& c : d.service().progress().clients) {
        if (c.name == stormy) {
            CHECK(c.last_error.has_value());
            continue;
        }
        CHECK(c.state == "ok");
        CHECK(c.lag_seconds < 5.0);
    }
    check_client_equal(sim, 1, view);
    check_client_equal(sim, 2, view);

    // The storm ends: the stormy client catches up and its mirror is consistent too.
    REQUIRE(sim.control("PUT", "faults", R"({"clear":true})").status == 200);
    d.request_sync(stormy);
    REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 60s));
    check_client_equal(sim, 0, view);
    d.stop();
}

TEST_CASE("a 404 on the seat-status endpoint turns it off for that client; counts are still mirrored") {
    sim_test::sim_process sim({"--seed", "3", "--size", "tiny", "--seat-status", "off", "--rate", "5000", "--burst", "5000"});
    agentd::test::temp_dir dir;
    const auto db_path = agentd::test::database_for(dir.file("mirror.db"));
    agentd::mirror::mirror_view view(db_path);
    daemon_side d(sim, db_path);
    REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 30s));
    REQUIRE(wait_until([&] { return d.service().counters().availability_polls >= 10; }, 30s));
    const auto seat_calls = sim_requests(sim, "seat_status");
    // Asked once per worker at most (they may ask concurrently before the first 404), then never.
    CHECK(seat_calls >= 1);
    CHECK(seat_calls <= 2);
    for (const auto& c : d.service().progress().clients) CHECK_FALSE(c.seat_status);
    const std::string name = sim.clients[0].first;
    auto c = sim.client(0);
    for (const auto& id : sim_instances(c)) {
        auto mi = view.instance(name, id);
        REQUIRE(mi.has_value());
        CHECK(mi->avail.available == sim_available(c, id));
    }
    d.stop();
}
