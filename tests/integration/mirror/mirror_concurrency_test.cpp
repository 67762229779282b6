// The sync fills the upstream's pipe: with a pool of N connections the mirror keeps more than
// one read in flight per client (up to N, never more), and with one connection exactly one.
// Observed by the simulator itself (GET /_sim/stats maxInFlight) with an injected latency that
// makes overlapping requests overlap for certain; nothing here depends on wall-clock time.
#include "mirror_harness.hpp"

using namespace mirror_it;
using agentd::test::wait_until;

namespace {

int sim_max_in_flight(const sim_test::sim_process& sim) {
    auto d = json(sim.control("GET", "stats"));
    REQUIRE(d.HasMember("maxInFlight"));
    return d["maxInFlight"].GetInt();
}

int mirror_with(int max_connections, int max_parallel) {
    sim_test::sim_process sim({"--seed", "3", "--size", "tiny", "--seat-status", "on", "--rate", "100000", "--burst",
                               "100000"});
    auto latency = sim.control("PUT", "faults", R"({"client":"*","endpoint":"*","latency_ms":15})");
    REQUIRE(latency.status == 200);
    REQUIRE(sim_max_in_flight(sim) == 0);
    agentd::test::temp_dir dir;
    auto s = tight_settings();
    s.max_parallel_per_client = max_parallel;
    daemon_side d(sim, agentd::test::database_for(dir.file("mirror.db")), s, max_connections);
    REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 120s));
    const auto p = d.service().progress();
    CHECK(p.instances_total > 1);
    CHECK(p.instances_done == p.instances_total);
    d.stop();
    return sim_max_in_flight(sim);
}

}  // namespace

TEST_CASE("with four connections the initial mirror keeps several reads in flight, never more than four") {
    // max_parallel_per_client 1: the pool size alone sets the width.
    const int seen = mirror_with(4, 1);
    INFO("max requests in flight at the simulator: " << seen);
    CHECK(seen > 1);
    CHECK(seen <= 4);
}

TEST_CASE("with one connection and one parallel read the mirror reads one request at a time") {
    const int seen = mirror_with(1, 1);
    INFO("max requests in flight at the simulator: " << seen);
    CHECK(seen == 1);
}
