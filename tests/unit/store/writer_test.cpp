#include "agentd/store/admin.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/reader.hpp"
#include "store_support.hpp"

#include <atomic>
#include <thread>
#include <unistd.h>

using namespace agentd;
using namespace agentd::store;
using agentd::store::test_support::gate;
using agentd::store::test_support::open_db;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

std::function<result<int>(write_txn&)> put(std::string key, std::string value) {
    return [key = std::move(key), value = std::move(value)](write_txn& t) -> result<int> {
        if (auto r = meta_set(t, key, value); !r) return r.error();
        return 1;
    };
}

std::optional<std::string> get(const std::string& path, const std::string& key) {
    auto r = reader::open(path);
    REQUIRE(r.has_value());
    auto v = meta_get(r->conn(), key);
    REQUIRE(v.has_value());
    return *v;
}

// Outcomes delivered on the writer thread, collected for the test thread.
struct outcomes {
    std::mutex mu;
    std::vector<std::pair<int, result<int>>> got;
    auto callback(int id) {
        return [this, id](result<int> r) {
            std::lock_guard lk(mu);
            got.emplace_back(id, std::move(r));
        };
    }
    std::size_t size() {
        std::lock_guard lk(mu);
        return got.size();
    }
    result<int> of(int id) {
        std::lock_guard lk(mu);
        for (auto& [i, r] : got)
            if (i == id) return r;
        return fail(errc::not_found, "no outcome");
    }
};

}  // namespace

TEST_CASE("group commit: jobs queued from several threads share commits") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("g.db")));
    const auto before = db->stats();
    gate g;
    g.submit_to(*db);

    constexpr int threads = 4, per_thread = 50;
    outcomes out;
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                int id = t * per_thread + i;
                auto r = db->submit<int>(put("k" + std::to_string(id), std::to_string(id)), out.callback(id));
                CHECK(r.has_value());
            }
        });
    for (auto& t : ts) t.join();
    CHECK(db->stats().queued == threads * per_thread);
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == threads * per_thread; }, 10s));

    const auto after = db->stats();
    const auto jobs = after.jobs - before.jobs;
    const auto commits = after.commits - before.commits;
    CHECK(jobs == threads * per_thread + 1);
    CHECK(commits < jobs);
    // The gate's batch, then everything queued behind it: one batch on SQLite, batches of 64
    // at most on PostgreSQL.
    CHECK(commits <= (test::on_postgresql() ? 1 + (threads * per_thread + 63) / 64 : 2));
    for (int id = 0; id < threads * per_thread; ++id) CHECK(out.of(id).value() == 1);
    CHECK(get(test::database_for(dir.file("g.db")), "k199") == "199");
}

TEST_CASE("group commit is counted: durable jobs queued behind a commit ride one commit, by size bucket") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("h.db")));
    gate g;
    g.submit_to(*db);
    constexpr int n = 20;  // a "16-63" batch
    outcomes out;
    for (int i = 0; i < n; ++i)
        REQUIRE(db->submit<int>(put("d" + std::to_string(i), "v"), out.callback(i), job_options{.durable = true}).has_value());
    const auto before = db->stats();
    CHECK(before.queued == n);
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == n; }, 10s));
    // Counted before the completions run, so complete once the last outcome is in.
    const auto after = db->stats();
    CHECK(after.committed_jobs == n + 1);
    CHECK(after.commits == 2);  // the gate's, then all n acknowledged jobs in one fsync
    CHECK(after.durable_commits == 1);
    CHECK(after.commits_by_size[0] == 1);  // the gate alone
    CHECK(after.commits_by_size[4] == 1);  // 16-63 jobs
    CHECK(std::string(k_commit_size_labels[4]) == "16-63");
    CHECK(after.durable_waits == n);
    CHECK(after.durable_wait_seconds >= after.commit_seconds - before.commit_seconds);
    for (int i = 0; i < n; ++i) CHECK(out.of(i).value() == 1);
}

// On PostgreSQL each job's savepoint is a subtransaction, and more than 64 in one
// transaction overflow the backend's cache (every other session's snapshots then slow down).
TEST_CASE("a batch holds at most 512 jobs on SQLite and 64 on PostgreSQL") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("b.db")));
    gate g;
    g.submit_to(*db);
    constexpr int n = 200;
    outcomes out;
    for (int i = 0; i < n; ++i) REQUIRE(db->submit<int>(put("b" + std::to_string(i), "v"), out.callback(i)).has_value());
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == n; }, 10s));
    const auto st = db->stats();
    if (test::on_postgresql()) CHECK(st.commits >= 1 + (n + 63) / 64);  // the gate's, then batches of 64 at most
    else CHECK(st.commits == 2);                                        // the gate's, then all 200
    for (int i = 0; i < n; ++i) CHECK(out.of(i).value() == 1);
}

TEST_CASE("a failing job rolls back only itself; the rest of its batch commits") {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("f.db"));
    auto db = open_db(path);
    const auto before = db->stats();
    gate g;
    g.submit_to(*db);  // the writer took the gate alone: nothing else was queued

    outcomes out;
    REQUIRE(db->submit<int>(put("a", "1"), out.callback(1)).has_value());
    REQUIRE(db->submit<int>([](write_txn& t) -> result<int> {  // writes, then reports failure
        if (auto r = meta_set(t, "b", "2"); !r) return r.error();
        return fail(errc::conflict, "job b: refused after writing");
    }, out.callback(2)).has_value());
    REQUIRE(db->submit<int>([](write_txn& t) -> result<int> {  // a constraint violation
        auto s = t.prepare("test.bad_insert", "INSERT INTO feed(at, kind, payload) VALUES (NULL, 'k', '{}')");
        if (!s) return s.error();
        if (auto r = s->run(); !r) return r.error();
        return 0;
    }, out.callback(3)).has_value());
    REQUIRE(db->submit<int>([](write_txn& t) -> result<int> {  // throws after writing
        (void)meta_set(t, "d", "4");
        throw std::runtime_error("boom");
    }, out.callback(4)).has_value());
    REQUIRE(db->submit<int>(put("e", "5"), out.callback(5)).has_value());
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == 5; }, 10s));

    CHECK(out.of(1).value() == 1);
    REQUIRE_FALSE(out.of(2).has_value());
    CHECK(out.of(2).error().code == errc::conflict);
    REQUIRE_FALSE(out.of(3).has_value());
    CHECK(contains(out.of(3).error().message, "test.bad_insert"));
    CHECK(out.of(3).error().code == errc::conflict);
    // SQLite says "NOT NULL constraint failed", PostgreSQL "violates not-null constraint".
    CHECK((contains(out.of(3).error().message, "NOT NULL") || contains(out.of(3).error().message, "not-null")));
    REQUIRE_FALSE(out.of(4).has_value());
    CHECK(out.of(4).error().code == errc::internal);
    CHECK(contains(out.of(4).error().message, "boom"));
    CHECK(out.of(5).value() == 1);

    const auto after = db->stats();
    CHECK(after.commits - before.commits == 2);  // the gate's batch, then all five in one
    CHECK(after.failed_jobs - before.failed_jobs == 3);
    CHECK(get(path, "a") == "1");
    CHECK_FALSE(get(path, "b").has_value());
    CHECK_FALSE(get(path, "d").has_value());
    CHECK(get(path, "e") == "5");
}

TEST_CASE("durable jobs commit with synchronous=FULL, others with NORMAL" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("d.db")));
    auto sync_level = [](write_txn& t) -> result<int> {
        auto v = t.conn().query_int64("PRAGMA synchronous", "read synchronous");
        if (!v) return v.error();
        return static_cast<int>(*v);
    };
    const auto before = db->stats();
    CHECK(db->submit_wait<int>(sync_level).value() == 1);                        // NORMAL
    CHECK(db->submit_wait<int>(sync_level, job_options{.durable = true}).value() == 2);  // FULL
    CHECK(db->submit_wait<int>(sync_level).value() == 1);
    CHECK(db->stats().durable_commits - before.durable_commits == 1);

    // One durable job makes its whole batch durable.
    gate g;
    g.submit_to(*db);
    outcomes out;
    REQUIRE(db->submit<int>(sync_level, out.callback(1)).has_value());
    REQUIRE(db->submit<int>(sync_level, out.callback(2), job_options{.durable = true}).has_value());
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == 2; }, 10s));
    CHECK(out.of(1).value() == 2);
    CHECK(out.of(2).value() == 2);
}

TEST_CASE("the write queue is bounded") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("q.db")), 3);
    gate g;
    g.submit_to(*db);  // the writer holds it, so the queue is empty
    outcomes out;
    for (int i = 0; i < 3; ++i) REQUIRE(db->submit<int>(put("k" + std::to_string(i), "v"), out.callback(i)).has_value());
    auto refused = db->submit<int>(put("k3", "v"), out.callback(3));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::unavailable);
    CHECK(refused.error().retryable());
    CHECK(contains(refused.error().message, "queue full"));
    g.open();
    REQUIRE(test::wait_until([&] { return out.size() == 3; }, 10s));
}

TEST_CASE("close finishes queued jobs, then refuses new ones") {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("c.db"));
    auto db = open_db(path);
    gate g;
    g.submit_to(*db);
    outcomes out;
    for (int i = 0; i < 20; ++i) REQUIRE(db->submit<int>(put("k" + std::to_string(i), "v"), out.callback(i)).has_value());
    std::thread closer([&] { db->close(); });
    // Once closing, intake stops while the queued jobs are still waiting behind the gate; a job
    // accepted before that is finished like the others.
    int accepted = 0;
    REQUIRE(test::wait_until([&] {
        if (!db->submit<int>(put("late" + std::to_string(accepted), "v"), out.callback(100 + accepted))) return true;
        ++accepted;
        return false;
    }, 10s));
    g.open();
    closer.join();
    CHECK(out.size() == 20u + accepted);
    for (int i = 0; i < 20; ++i) CHECK(out.of(i).has_value());
    for (int i = 0; i < accepted; ++i) CHECK(out.of(100 + i).has_value());
    CHECK(get(path, "k19") == "v");
    CHECK_FALSE(get(path, "late" + std::to_string(accepted)).has_value());
    auto after = db->submit_wait<int>(put("x", "y"));
    REQUIRE_FALSE(after.has_value());
    CHECK(after.error().code == errc::unavailable);
}

// close() may be called from a completion (database.hpp) while the owner is closing, i.e.
// holding the close lock and joining the writer that runs that completion.
TEST_CASE("close from a completion while another thread closes does not deadlock") {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("d.db"));
    auto db = open_db(path);
    gate g;
    g.submit_to(*db);
    std::atomic<bool> completion_closed{false};
    REQUIRE(db->submit<int>(put("k", "v"), [&](result<int>) {
        db->close();
        completion_closed = true;
    }).has_value());
    std::atomic<bool> done{false};
    std::thread closer([&] {
        db->close();
        done = true;
    });
    // The closer holds the close lock once intake is refused.
    REQUIRE(test::wait_until([&] { return !db->submit<int>(put("late", "v"), [](result<int>) {}).has_value(); }, 10s));
    g.open();
    const bool finished = test::wait_until([&] { return done.load(); }, 10s);
    if (!finished) closer.detach();  // deadlocked: leave it, the test has failed
    REQUIRE(finished);
    closer.join();
    CHECK(completion_closed.load());
    CHECK(get(path, "k") == "v");
}

TEST_CASE("a second opener of the same database is refused by the lock" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("l.db"));
    auto first = open_db(path);
    database_options o;
    o.path = path;
    auto second = database::open(o);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().code == errc::conflict);
    CHECK(second.error().message ==
          "database " + path + " is in use by another agentd (pid " + std::to_string(::getpid()) + ")");
    // Readers are not writers: they may open alongside.
    CHECK(reader::open(path).has_value());
    first->close();
    CHECK(database::open(o).has_value());
}

TEST_CASE("the feed appends in a write job and pages with since") {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("feed.db"));
    auto db = open_db(path);
    auto seqs = db->submit_wait<std::vector<std::int64_t>>([](write_txn& t) -> result<std::vector<std::int64_t>> {
        std::vector<std::int64_t> out;
        for (int i = 0; i < 5; ++i) {
            feed_entry e;
            e.at = "2026-11-26T21:40:00.000Z";
            e.kind = "availability";
            if (i % 2 == 0) e.client = "royalcourt";
            e.entity = "inst" + std::to_string(i);
            e.payload = "{\"n\":" + std::to_string(i) + "}";
            auto s = append_feed(t, e);
            if (!s) return s.error();
            out.push_back(*s);
        }
        return out;
    });
    REQUIRE(seqs.has_value());
    REQUIRE(seqs->size() == 5);
    for (std::size_t i = 1; i < seqs->size(); ++i) CHECK((*seqs)[i] == (*seqs)[i - 1] + 1);

    auto bad = db->submit_wait<std::int64_t>([](write_txn& t) { return append_feed(t, feed_entry{}); });
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::invalid_argument);

    auto r = reader::open(path);
    REQUIRE(r.has_value());
    auto all = feed_since(r->conn(), 0, 100);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 5);
    CHECK((*all)[0].client == "royalcourt");
    CHECK_FALSE((*all)[1].client.has_value());
    CHECK((*all)[4].payload == "{\"n\":4}");
    auto page = feed_since(r->conn(), (*seqs)[1], 2);
    REQUIRE(page.has_value());
    REQUIRE(page->size() == 2);
    CHECK((*page)[0].seq == (*seqs)[2]);
    CHECK((*page)[1].entity == "inst3");
    CHECK(feed_last_seq(r->conn()).value() == seqs->back());
}

TEST_CASE("readers see committed state and are not blocked by an open write transaction") {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("r.db"));
    auto db = open_db(path);
    REQUIRE(db->submit_wait<int>(put("k", "committed")).has_value());

    std::promise<void> release;
    std::shared_future<void> opened = release.get_future().share();
    std::atomic<bool> written{false};
    outcomes out;
    REQUIRE(db->submit<int>([&](write_txn& t) -> result<int> {
        if (auto r = meta_set(t, "k", "uncommitted"); !r) return r.error();
        written = true;
        opened.wait();
        return 1;
    }, out.callback(1)).has_value());
    REQUIRE(test::wait_until([&] { return written.load(); }, 10s));

    auto r = reader::open(path, reader_options{.busy_timeout = 0ms});
    REQUIRE(r.has_value());
    auto v = meta_get(r->conn(), "k");
    REQUIRE(v.has_value());
    CHECK(*v == "committed");
    auto write = r->conn().exec("INSERT INTO meta VALUES ('x', 'y')", "reader write");
    CHECK_FALSE(write.has_value());  // query_only

    release.set_value();
    REQUIRE(test::wait_until([&] { return out.size() == 1; }, 10s));
    CHECK(meta_get(r->conn(), "k").value() == "uncommitted");
}

TEST_CASE("stats and integrity check open the database read-only" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = test::database_for(dir.file("s.db"));
    auto db = open_db(path);
    REQUIRE(db->submit_wait<int>(put("a", "1")).has_value());
    REQUIRE(db->submit_wait<int>(put("b", "2")).has_value());

    auto s = stats(path);
    REQUIRE(s.has_value());
    CHECK(s->user_version == binary_schema_version());
    CHECK(s->binary_version == binary_schema_version());
    CHECK(s->page_size == 4096);
    CHECK(s->page_count > 0);
    bool saw_meta = false;
    for (auto& [name, rows] : s->tables)
        if (name == "meta") {
            saw_meta = true;
            CHECK(rows == 2);
        }
    CHECK(saw_meta);

    auto ok = integrity_check(path);
    REQUIRE(ok.has_value());
    CHECK(ok->ok);
    CHECK(ok->problems.empty());

    test::write_file(test::database_for(dir.file("junk.db")), std::string(4096, 'j'));
    auto junk = integrity_check(test::database_for(dir.file("junk.db")));
    REQUIRE_FALSE(junk.has_value());
    CHECK(junk.error().code == errc::corrupt);
    auto missing = stats(test::database_for(dir.file("missing.db")));
    REQUIRE_FALSE(missing.has_value());
    CHECK(contains(missing.error().message, "missing.db"));
}

TEST_CASE("a job cannot wait on another job (it would deadlock the writer)") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("w.db")));
    auto r = db->submit_wait<int>([&](write_txn&) -> result<int> {
        auto inner = db->submit_wait<int>(put("x", "y"));
        if (!inner) return inner.error();
        return 1;
    });
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::internal);
    CHECK(contains(r.error().message, "writer thread"));
}
