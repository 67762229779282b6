// The mirror keeps each Locked seat's lock type (docs/pools.md, locked_only pools), read from
// agentd-sim's per-seat status as a process: a seat locked for the agent shows with its lock
// type in the picture the reservation service chooses from, a seat re-locked under another
// lock type while staying Locked is followed, and a seat unlocked leaves the locked list.
#include "mirror_harness.hpp"

#include "agentd/mirror/seat_view.hpp"

#include <map>

using namespace mirror_it;
using agentd::test::wait_until;

namespace {

// Lock type of each locked seat in the mirror's latest picture of the instance.
std::map<std::string, std::string> mirror_locks(const agentd::mirror::mirror_seat_view& v, const std::string& client,
                                                const std::string& instance) {
    std::map<std::string, std::string> out;
    auto snap = v.seats_of(client, instance);
    if (!snap) return out;
    for (const auto& s : snap->locked) out[s.id] = s.lock_type;
    return out;
}

}  // namespace

TEST_CASE("the mirror follows each seat's lock type, also while the seat stays Locked") {
    sim_test::sim_process sim({"--seed", "5", "--size", "tiny", "--rate", "5000", "--burst", "5000"});
    agentd::test::temp_dir dir;
    const auto db_path = agentd::test::database_for(dir.file("mirror.db"));
    daemon_side d(sim, db_path);
    REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 30s));
    const std::string name = sim.clients[0].first;

    // Two front-row seats of an instance of the first event, from the simulator's own audit.
    auto c = sim.client(0);
    auto events = json(c.get("events"));
    REQUIRE(events.Size() > 0);
    auto instances = json(c.get(std::string("events/") + events[0]["id"].GetString() + "/instances"));
    std::string inst;
    for (const auto& i : instances.GetArray())
        if (inst.empty() && !i["cancelled"].GetBool()) inst = i["id"].GetString();
    REQUIRE_FALSE(inst.empty());
    auto seats = json(sim.control("GET", "seats?instance=" + inst));
    std::string a, b;
    for (const auto& s : seats.GetArray()) {
        const std::string n = s["name"].GetString();
        if (n == "A1") a = s["id"].GetString();
        if (n == "A2") b = s["id"].GetString();
    }
    REQUIRE_FALSE(a.empty());
    REQUIRE_FALSE(b.empty());

    auto locked = json(sim.control("POST", "locks", R"({"instance":")" + inst + R"(","seats":[")" + a + R"(",")" + b +
                                                        R"("],"accounts":[")" + sim.clients[0].second[0].login + R"("]})"));
    REQUIRE(locked.IsObject());
    const std::string agency = locked["lockType"]["id"].GetString();
    agentd::mirror::mirror_seat_view view(db_path);
    REQUIRE(wait_until([&] { return mirror_locks(view, name, inst) == std::map<std::string, std::string>{{a, agency}, {b, agency}}; },
                       30s, 20ms));

    // Re-locked as a house seat: the status stays Locked, the lock type changes.
    auto house = json(sim.control("POST", "locks", R"({"instance":")" + inst + R"(","seats":[")" + a + R"("],"lockType":"1"})"));
    REQUIRE(house.IsObject());
    REQUIRE(wait_until([&] { return mirror_locks(view, name, inst) == std::map<std::string, std::string>{{a, "1"}, {b, agency}}; },
                       30s, 20ms));

    // Back on sale: no longer locked at all.
    sim.control("POST", "locks", R"({"instance":")" + inst + R"(","seats":[")" + b + R"("],"unlock":true})");
    REQUIRE(wait_until([&] { return mirror_locks(view, name, inst) == std::map<std::string, std::string>{{a, "1"}}; }, 30s, 20ms));
    d.stop();
}
