// Durable `queued` acknowledgements batch into group commits: many acks per fsync. Prints the
// rate against single-row synchronous=FULL commits measured in the same run (no speed assert).
#include "tests/unit/reservations/fixture.hpp"

#include "agentd/store/feed.hpp"
#include "tests/unit/store/store_support.hpp"

using namespace agentd;
using namespace agentd::test;

TEST_CASE("concurrent acks share durable commits") {
    res_fixture f(10);
    f.settings.queue.max_total = 100'000;
    f.settings.queue.max_per_channel = 10'000;
    f.make_service();

    // Baseline: one durable single-row commit at a time.
    constexpr int k_baseline = 200;
    const auto b0 = std::chrono::steady_clock::now();
    for (int i = 0; i < k_baseline; ++i) {
        auto r = f.db->submit_wait<std::int64_t>(
            [](store::write_txn& t) {
                return store::append_feed(t, {0, "2026-01-01T00:00:00.000Z", "bench", std::nullopt, std::nullopt, "{}"});
            },
            {.durable = true});
        REQUIRE(r.has_value());
    }
    const double baseline_per_s =
        k_baseline / std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count();

    constexpr int k_acks = 2000;
    const auto before = f.db->stats();
    int done = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < k_acks; ++i)
        boost::asio::co_spawn(f.ioc, f.svc->create("ch" + std::to_string(i % 16), "k" + std::to_string(i), f.seats_req({"S1"})),
                              [&done](std::exception_ptr e, result<api::created_reservation> r) {
                                  if (e) std::rethrow_exception(e);
                                  REQUIRE(r.has_value());
                                  ++done;
                              });
    f.pump([&] { return done == k_acks; });
    const double acks_per_s = k_acks / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto after = f.db->stats();
    const auto commits = after.durable_commits - before.durable_commits;
    CHECK(commits < static_cast<std::uint64_t>(k_acks));  // several acks per fsync
    MESSAGE("durable queued acks/s=" << acks_per_s << " (16 channels), single-row FULL commits/s=" << baseline_per_s
                                     << ", ratio=" << acks_per_s / baseline_per_s << ", acks per durable commit="
                                     << double(k_acks) / double(commits ? commits : 1));
}

// The writer inserts without looking first: two first tries with one key that both pass the
// intake's read race to the UNIQUE constraint, and the loser is answered from the winner's row.
TEST_CASE("concurrent first tries with one key: one reservation, the other answered as a replay") {
    res_fixture f;
    std::vector<result<api::created_reservation>> got;
    auto collect = [&got](std::exception_ptr e, result<api::created_reservation> r) {
        if (e) std::rethrow_exception(e);
        got.push_back(std::move(r));
    };
    // The writer is held until all four inserts are queued, so every intake finds no row on the
    // reader and each conflict is found by the insert itself.
    store::test_support::gate g;
    g.submit_to(*f.db);
    boost::asio::co_spawn(f.ioc, f.svc->create("web", "same", f.seats_req({"S1"})), collect);
    boost::asio::co_spawn(f.ioc, f.svc->create("web", "same", f.seats_req({"S1"})), collect);
    boost::asio::co_spawn(f.ioc, f.svc->create("web", "other-request", f.seats_req({"S1"})), collect);
    boost::asio::co_spawn(f.ioc, f.svc->create("web", "other-request", f.seats_req({"S2"})), collect);
    f.pump([&] { return f.db->stats().queued == 4; });
    g.open();
    f.pump([&] { return got.size() == 4; });
    REQUIRE(got[0].has_value());
    REQUIRE(got[1].has_value());
    CHECK(got[0]->replayed != got[1]->replayed);
    CHECK(got[0]->reservation.id == got[1]->reservation.id);
    // The same key with another request, raced: one is stored, the other is a conflict.
    REQUIRE(got[2].has_value());
    CHECK_FALSE(got[2]->replayed);
    REQUIRE_FALSE(got[3].has_value());
    CHECK(got[3].error().code == errc::conflict);
    auto all = f.svc->list({});
    REQUIRE(all.has_value());
    CHECK(all->size() == 2);
}
