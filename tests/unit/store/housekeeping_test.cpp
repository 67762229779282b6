// Retention: the feed and the histories of finished reservations are pruned in bounded
// passes; live reservations, reservation rows, tickets and the ledger never are. The writer
// schedules the passes itself. The listing and the pruning walk use their indexes.
#include "agentd/core/time.hpp"
#include "agentd/domain/reservation.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/housekeeping.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/reservation_store.hpp"
#include "store_support.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

using namespace agentd;
using namespace agentd::store;
using agentd::store::test_support::open_db;
using namespace std::chrono_literals;

namespace {

const sys_time k_now = *parse_iso("2026-11-30T12:00:00Z");

std::string iso(sys_time t) { return format_iso_utc_ms(t); }

result<void> add_feed(write_txn& t, sys_time at, int n) {
    for (int i = 0; i < n; ++i) {
        feed_entry e{0, iso(at), "availability", std::string("royalcourt"), std::string("I1"), "{}"};
        if (auto r = append_feed(t, e); !r) return r.error();
    }
    return {};
}

// A reservation in `state` whose last transition (version `versions`) was at `finished`,
// with one history row per version.
result<void> add_reservation(write_txn& t, const std::string& id, const std::string& state, int versions, sys_time finished,
                             const std::string& channel = "web") {
    auto ins = t.prepare("test.res.insert",
                         "INSERT INTO reservations (id, channel, idempotency_key, client, account, instance, request_hash, state, "
                         "version, created_at, updated_at) VALUES (?1, ?2, ?1, 'royalcourt', 'a1', 'I1', 0, ?3, ?4, ?5, ?5)");
    if (!ins) return ins.error();
    ins->bind(1, id).bind(2, channel).bind(3, state).bind(4, versions).bind(5, iso(finished));
    if (auto r = ins->run(); !r) return r;
    for (int v = 1; v <= versions; ++v) {
        auto h = t.prepare("test.history.insert", "INSERT INTO reservation_history (reservation_id, version, to_state, event, at) "
                                                  "VALUES (?1, ?2, 'x', 'e', ?3)");
        if (!h) return h.error();
        h->bind(1, id).bind(2, v).bind(3, iso(finished));
        if (auto r = h->run(); !r) return r;
    }
    return {};
}

std::int64_t count(const std::string& path, const std::string& sql) {
    auto r = reader::open(path);
    REQUIRE(r.has_value());
    auto n = r->conn().query_int64(sql, "test count");
    REQUIRE(n.has_value());
    return *n;
}

std::string plan_of(connection& c, const std::string& sql) {
    auto st = c.prepare("explain " + sql, "EXPLAIN QUERY PLAN " + sql);
    REQUIRE_MESSAGE(st.has_value(), sql);
    std::string out;
    for (;;) {
        auto row = st->step();
        REQUIRE(row.has_value());
        if (!*row) break;
        out += st->column_text(3) + "\n";
    }
    return out;
}

bool contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

}  // namespace

TEST_CASE("the feed is pruned oldest first, never more rows than the budget, keeping its high-water seq") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("f.db")));
    REQUIRE(db->submit_wait<int>([](write_txn& t) -> result<int> {
        if (auto r = add_feed(t, k_now - 10 * 24h, 1200); !r) return r.error();
        if (auto r = add_feed(t, k_now - 1h, 30); !r) return r.error();
        return 0;
    }).has_value());
    const auto before = iso(k_now - 7 * 24h);
    std::vector<std::size_t> passes;
    for (;;) {
        auto p = db->submit_wait<prune_result>([&](write_txn& t) { return prune_feed(t, before, 500); });
        REQUIRE(p.has_value());
        CHECK(p->rows <= 500);
        passes.push_back(p->rows);
        if (!p->more) break;
        REQUIRE(passes.size() < 10);
    }
    CHECK(passes == std::vector<std::size_t>{500, 500, 200});
    CHECK(count(db->path(), "SELECT count(*) FROM feed") == 30);
    CHECK(count(db->path(), "SELECT count(*) FROM feed WHERE at < '" + before + "'") == 0);
    auto r = reader::open(db->path());
    REQUIRE(r.has_value());
    CHECK(feed_last_seq(r->conn()).value() == 1230);
}

TEST_CASE("histories of finished reservations are pruned to their last row; nothing else is") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("h.db")));
    const auto old = k_now - 100 * 24h, recent = k_now - 10 * 24h;
    REQUIRE(db->submit_wait<int>([&](write_txn& t) -> result<int> {
        for (auto [id, state, versions, at] : std::vector<std::tuple<std::string, std::string, int, sys_time>>{
                 {"r_released", "released", 5, old},   {"r_confirmed", "confirmed", 6, old},  {"r_rejected", "rejected", 3, old},
                 {"r_cancelled", "cancelled", 2, old}, {"r_expired", "expired", 7, old},      {"r_unknown", "confirm_unknown", 6, old},
                 {"r_held", "held", 3, old},           {"r_recent", "released", 5, recent}}) {
            if (auto r = add_reservation(t, id, state, versions, at); !r) return r.error();
        }
        auto ledger = t.prepare("test.ledger", "INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, "
                                               "total_minor, confirmed_at) VALUES ('O1', 'r_confirmed', 'royalcourt', 'web', 'I1', 2, "
                                               "7000, ?1)");
        if (!ledger) return ledger.error();
        ledger->bind(1, iso(old));
        if (auto r = ledger->run(); !r) return r.error();
        return 0;
    }).has_value());

    // A budget of 4 rows a pass: several passes, each within it, the mark carrying progress.
    const auto before = iso(k_now - 90 * 24h);
    std::size_t total = 0;
    int n = 0;
    for (;; ++n) {
        REQUIRE(n < 20);
        auto p = db->submit_wait<prune_result>([&](write_txn& t) { return prune_history(t, before, 4); });
        REQUIRE(p.has_value());
        CHECK(p->rows <= 4);
        total += p->rows;
        if (!p->more && p->rows == 0) break;
    }
    CHECK(total == 4 + 5 + 2 + 1 + 6);
    CHECK(n >= 5);
    auto rows_of = [&](const std::string& id) {
        return count(db->path(), "SELECT count(*) FROM reservation_history WHERE reservation_id = '" + id + "'");
    };
    for (std::string id : {"r_released", "r_confirmed", "r_rejected", "r_cancelled", "r_expired"}) {
        CAPTURE(id);
        CHECK(rows_of(id) == 1);
        // The row kept is the last: the history still says how it ended.
        CHECK(count(db->path(), "SELECT h.version = r.version FROM reservation_history h JOIN reservations r ON r.id = h.reservation_id "
                                "WHERE r.id = '" + id + "'") == 1);
    }
    CHECK(rows_of("r_unknown") == 6);  // not finished: reconciliation may still need it
    CHECK(rows_of("r_held") == 3);     // live
    CHECK(rows_of("r_recent") == 5);   // finished within the retention
    CHECK(count(db->path(), "SELECT count(*) FROM reservations") == 8);
    CHECK(count(db->path(), "SELECT count(*) FROM sales_ledger") == 1);

    // A later pass with a later cutoff reaches the recent one, without revisiting the others.
    auto later = db->submit_wait<prune_result>([&](write_txn& t) { return prune_history(t, iso(k_now), 500); });
    REQUIRE(later.has_value());
    CHECK(later->rows == 4);
    CHECK(rows_of("r_recent") == 1);
}

TEST_CASE("the finished-state list of the partial index is the domain's terminal states") {
    std::string want = "(";
    for (auto s : domain::k_all_reservation_states)
        if (domain::is_terminal(s)) want += (want.size() > 1 ? ", '" : "'") + std::string(domain::to_string(s)) + "'";
    want += ")";
    CHECK(std::string(k_finished_states_sql) == want);
    CHECK(contains(test::read_file(test::source_dir() + "/migrations/0005_housekeeping.sql"),
                   "WHERE state IN " + std::string(k_finished_states_sql)));
}

TEST_CASE("listing reservations and the pruning walk use indexes, never a scan of the table" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("p.db")));
    db->close();
    auto c = connection::open(test::database_for(dir.file("p.db")), connection::open_mode::read_only);
    REQUIRE(c.has_value());
    auto by_channel_state = plan_of(*c, reservation_list_sql(true, true));
    CHECK_MESSAGE(contains(by_channel_state, "SEARCH reservations USING INDEX reservations_by_channel_state (channel=? AND state=?)"),
                  by_channel_state);
    CHECK_FALSE(contains(by_channel_state, "TEMP B-TREE"));  // already newest first
    auto by_channel = plan_of(*c, reservation_list_sql(false, true));
    CHECK_MESSAGE(contains(by_channel, "SEARCH reservations USING INDEX reservations_by_channel (channel=?)"), by_channel);
    CHECK_FALSE(contains(by_channel, "TEMP B-TREE"));
    auto by_state = plan_of(*c, reservation_list_sql(true, false));
    CHECK_MESSAGE(contains(by_state, "SEARCH reservations USING INDEX"), by_state);
    auto all = plan_of(*c, reservation_list_sql(false, false));
    CHECK_MESSAGE(contains(all, "SCAN reservations USING INDEX reservations_by_created"), all);
    CHECK_FALSE(contains(all, "TEMP B-TREE"));  // walks newest first and stops at the limit
    auto finished = plan_of(*c, finished_reservations_sql());
    CHECK_MESSAGE(contains(finished, "USING INDEX reservations_finished"), finished);
    CHECK_FALSE(contains(finished, "TEMP B-TREE"));
}

TEST_CASE("the writer runs retention passes by itself, in bounded batches, until the backlog is gone") {
    test::temp_dir dir;
    manual_clock clk(k_now);
    database_options o;
    o.path = test::database_for(dir.file("w.db"));
    o.housekeeping.feed_retention = 7 * 24h;
    o.housekeeping.history_retention = 90 * 24h;
    o.housekeeping.interval = 20ms;
    o.housekeeping.backlog_pause = 1ms;
    o.housekeeping.batch_rows = 100;
    o.housekeeping.clock = &clk;
    auto opened = database::open(o);
    REQUIRE(opened.has_value());
    auto& db = **opened;
    REQUIRE(db.submit_wait<int>([](write_txn& t) -> result<int> {
        if (auto r = add_feed(t, k_now - 8 * 24h, 1000); !r) return r.error();
        if (auto r = add_feed(t, k_now, 10); !r) return r.error();
        if (auto r = add_reservation(t, "r_old", "released", 5, k_now - 91 * 24h); !r) return r.error();
        if (auto r = add_reservation(t, "r_live", "held", 4, k_now - 91 * 24h); !r) return r.error();
        return 0;
    }).has_value());
    const auto path = db.path();
    REQUIRE(test::wait_until([&] { return db.stats().pruned_rows >= 1000 + 4; }, 20s));
    CHECK(count(path, "SELECT count(*) FROM feed") == 10);
    CHECK(count(path, "SELECT count(*) FROM reservation_history") == 1 + 4);
    auto st = db.stats();
    CHECK(st.pruned_rows == 1000 + 4);
    CHECK(st.housekeeping_passes >= 11);  // 1,004 rows, at most 100 a pass

    // Time moves on: the recent rows age out at the next pass.
    clk.advance(8 * 24h);
    CHECK(test::wait_until([&] { return count(path, "SELECT count(*) FROM feed") == 0; }, 20s));
    CHECK(count(path, "SELECT count(*) FROM reservation_history WHERE reservation_id = 'r_live'") == 4);
}

// Prints what one pass costs on a 100,000-row feed and on 100,000 history rows (20,000
// finished reservations), the figures docs/retention-and-input.md quotes. Asserts only counts:
// times depend on the machine.
TEST_CASE("housekeeping: figures" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("fig.db")));
    REQUIRE(db->submit_wait<int>([](write_txn& t) -> result<int> {
        if (auto r = add_feed(t, k_now - 30 * 24h, 100'000); !r) return r.error();
        for (int i = 0; i < 20'000; ++i)
            if (auto r = add_reservation(t, "r_" + std::to_string(100000 + i), "released", 6, k_now - 200 * 24h); !r) return r.error();
        return 0;
    }).has_value());
    auto measure = [&](std::string what, auto pass) {
        std::vector<double> in_job, round_trip;
        std::size_t rows = 0;
        for (int i = 0; i < 20; ++i) {
            double job_ms = 0;
            const auto t0 = std::chrono::steady_clock::now();
            auto p = db->submit_wait<prune_result>([&](write_txn& t) {
                const auto j0 = std::chrono::steady_clock::now();
                auto r = pass(t);
                job_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - j0).count();
                return r;
            });
            round_trip.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
            REQUIRE(p.has_value());
            CHECK(p->rows == 500);
            rows += p->rows;
            in_job.push_back(job_ms);
        }
        std::sort(in_job.begin(), in_job.end());
        std::sort(round_trip.begin(), round_trip.end());
        MESSAGE(what << ": 20 passes of " << rows / 20 << " rows; in the job p50 " << in_job[10] << " ms, max " << in_job.back()
                     << " ms; submit to commit p50 " << round_trip[10] << " ms, max " << round_trip.back() << " ms");
    };
    const auto feed_before = iso(k_now - 7 * 24h), history_before = iso(k_now - 90 * 24h);
    measure("feed (100,000 rows)", [&](write_txn& t) { return prune_feed(t, feed_before, 500); });
    measure("history (20,000 finished reservations, 120,000 rows)",
            [&](write_txn& t) { return prune_history(t, history_before, 500); });
    CHECK(count(db->path(), "SELECT count(*) FROM feed") == 100'000 - 20 * 500);
}
