// Figures for the mirror (not a pass/fail benchmark; prints, asserts only correctness):
// time and requests to mirror the `small` world and the 300-instance venue, rows written per
// sync cycle when 1% of seats change, and resident memory. Run with AGENTD_MIRROR_FIGURES=1:
//   AGENTD_MIRROR_FIGURES=1 build/tests/test_integration_mirror -tc='figures*'
#include "mirror_harness.hpp"

#include <cstdio>
#include <cstdlib>

using namespace mirror_it;
using agentd::test::wait_until;

namespace {

void figures_for(const std::string& size) {
    sim_test::sim_process sim({"--seed", "5", "--size", size, "--seat-status", "on", "--rate", "100000", "--burst", "100000"});
    agentd::test::temp_dir dir;
    const auto db_path = agentd::test::database_for(dir.file("mirror.db"));
    agentd::mirror::mirror_view view(db_path);
    const long rss_before = rss_kib();
    const auto t0 = std::chrono::steady_clock::now();
    daemon_side d(sim, db_path);
    REQUIRE(wait_until([&] { return d.service().progress().initial_complete; }, 600s, 5ms));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto c0 = d.service().counters();
    const auto p0 = d.service().progress();
    std::printf("[%s] initial mirror: %lld instances, %.2f s, %llu requests (%.0f req/s), %llu seat rows, rss %ld KiB "
                "(before %ld KiB)\n",
                size.c_str(), static_cast<long long>(p0.instances_total), secs,
                static_cast<unsigned long long>(c0.requests), c0.requests / secs,
                static_cast<unsigned long long>(c0.seat_rows_changed), rss_kib(), rss_before);

    // One quiet cycle: nothing changes upstream.
    const auto instances = static_cast<std::uint64_t>(p0.instances_total);
    REQUIRE(wait_until([&] { return d.service().counters().availability_polls >= c0.availability_polls + instances; },
                       120s, 5ms));
    const auto c1 = d.service().counters();
    std::printf("[%s] quiet cycle: %llu polls, %llu unchanged, seat rows written %llu, status rows %llu, feed %llu, "
                "sync-state rows %llu\n",
                size.c_str(), static_cast<unsigned long long>(c1.availability_polls - c0.availability_polls),
                static_cast<unsigned long long>(c1.unchanged_polls - c0.unchanged_polls),
                static_cast<unsigned long long>(c1.seat_rows_changed - c0.seat_rows_changed),
                static_cast<unsigned long long>(c1.status_rows_changed - c0.status_rows_changed),
                static_cast<unsigned long long>(c1.feed_rows - c0.feed_rows),
                static_cast<unsigned long long>(c1.sync_state_rows_written - c0.sync_state_rows_written));

    // 1% of every instance's places are sold publicly; reserved seats that changed are counted
    // from the simulator's own seat status before and after.
    std::uint64_t taken = 0;
    std::int64_t seats_before = 0, seats_after = 0;
    std::vector<std::pair<std::size_t, std::string>> targets;
    for (std::size_t ci = 0; ci < sim.clients.size(); ++ci) {
        const auto& name = sim.clients[ci].first;
        auto list = view.instances({name, std::nullopt, std::nullopt, std::nullopt});
        REQUIRE(list.has_value());
        for (const auto& i : *list) {
            auto mi = view.instance(name, i.id);
            if (!mi || mi->cancelled || mi->avail.capacity < 100 || mi->availability_age < 0) continue;
            targets.emplace_back(ci, i.id);
        }
    }
    std::vector<sim_test::sim_client> sims;
    for (std::size_t ci = 0; ci < sim.clients.size(); ++ci) sims.push_back(sim.client(ci));
    for (const auto& [ci, id] : targets) seats_before += sim_seats_available(sims[ci], id);
    for (const auto& [ci, id] : targets) {
        auto mi = view.instance(sim.clients[ci].first, id);
        const auto take = mi->avail.capacity / 100;
        auto r = sim.control("POST", "public-sales", R"({"instance":")" + id + R"(","take":)" + std::to_string(take) + "}");
        if (r.status == 200) taken += static_cast<std::uint64_t>(take);
    }
    for (const auto& [ci, id] : targets) seats_after += sim_seats_available(sims[ci], id);
    const auto expected = static_cast<std::uint64_t>(seats_before - seats_after);
    const auto c2 = d.service().counters();
    const auto w2 = d.db().stats();
    // Public holdings may be returned upstream before a poll sees them, so the figure is what the
    // mirror observed; consistency is checked against the simulator at the end.
    wait_until([&] { return d.service().counters().seat_rows_changed >= c2.seat_rows_changed + expected; }, 20s, 5ms);
    // Let the cycle that saw the change finish so every instance was polled once more.
    REQUIRE(wait_until([&] { return d.service().counters().availability_polls >= c2.availability_polls + instances; },
                       120s, 5ms));
    const auto c3 = d.service().counters();
    const auto w3 = d.db().stats();
    const auto seat_written = c3.seat_rows_changed - c2.seat_rows_changed;
    std::printf("[%s] 1%% change: %llu places sold upstream, %llu reserved seats changed; seat rows offered %llu, written %llu (ratio %.3f); status "
                "rows %llu; feed rows %llu; sync-state rows %llu; polls %llu; commits %llu\n",
                size.c_str(), static_cast<unsigned long long>(taken), static_cast<unsigned long long>(expected),
                static_cast<unsigned long long>(c3.seat_rows_offered - c2.seat_rows_offered),
                static_cast<unsigned long long>(seat_written), expected ? double(seat_written) / double(expected) : 0.0,
                static_cast<unsigned long long>(c3.status_rows_changed - c2.status_rows_changed),
                static_cast<unsigned long long>(c3.feed_rows - c2.feed_rows),
                static_cast<unsigned long long>(c3.sync_state_rows_written - c2.sync_state_rows_written),
                static_cast<unsigned long long>(c3.availability_polls - c2.availability_polls),
                static_cast<unsigned long long>(w3.commits - w2.commits));
    std::int64_t mirror_now = 0, sim_now = 0;
    for (const auto& [ci, id] : targets) {
        mirror_now += mirror_seats_available(view, sim.clients[ci].first, id);
        sim_now += sim_seats_available(sims[ci], id);
    }
    std::printf("[%s] available reserved seats now: mirror %lld, simulator %lld (a poll may lag by one cadence)\n",
                size.c_str(), static_cast<long long>(mirror_now), static_cast<long long>(sim_now));
    CHECK(seat_written <= c3.seat_rows_offered - c2.seat_rows_offered);
    std::printf("[%s] rss after: %ld KiB\n", size.c_str(), rss_kib());
    d.stop();
}

}  // namespace

TEST_CASE("figures: mirror the small world and a 300-instance venue" * doctest::skip(std::getenv("AGENTD_MIRROR_FIGURES") == nullptr)) {
    figures_for("small");
    figures_for("venue300");
}
