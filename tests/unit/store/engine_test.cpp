// The store's engine-neutral layer on whichever engine the suite runs on (unit_store: SQLite,
// unit_store_pg: PostgreSQL): placeholders, typed binds and reads, changes, venue leases and
// fencing, and (PostgreSQL) feed order with two writers on one database.
#include "agentd/store/feed.hpp"
#include "agentd/store/lease.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/postgres.hpp"
#include "agentd/store/reader.hpp"
#include "store_support.hpp"

#include <atomic>
#include <set>
#include <thread>

using namespace agentd;
using namespace agentd::store;
using agentd::store::test_support::open_db;
using namespace std::chrono_literals;

// Returns the error of a failed step from the enclosing job.
#define TRY_STEP(expr)                    \
    do {                                  \
        if (auto r_ = (expr); !r_) return r_.error(); \
    } while (false)

namespace {

template <class R>
R must(result<R> r) {
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return std::move(*r);
}

}  // namespace

TEST_CASE("SQL translation for PostgreSQL: placeholders outside literals, names and comments; INDEXED BY dropped") {
    int n = 0;
    CHECK(detail::translate_sql("SELECT a FROM t WHERE a = ?1 AND b = ?2 OR c = ?1", n) ==
          "SELECT a FROM t WHERE a = $1 AND b = $2 OR c = $1");
    CHECK(n == 2);
    CHECK(detail::translate_sql("INSERT INTO t VALUES (?, ?, ?)", n) == "INSERT INTO t VALUES ($1, $2, $3)");
    CHECK(n == 3);
    CHECK(detail::translate_sql("SELECT '?1 it''s', \"q?\" FROM t -- why?\nWHERE x = ?3 /* ?9 */", n) ==
          "SELECT '?1 it''s', \"q?\" FROM t -- why?\nWHERE x = $3 /* ?9 */");
    CHECK(n == 3);
    CHECK(detail::translate_sql("SELECT id FROM sales_ledger INDEXED BY sales_ledger_by_time WHERE x = ?1", n) ==
          "SELECT id FROM sales_ledger  WHERE x = $1");
    CHECK(detail::translate_sql("SELECT reindexed_by FROM t", n) == "SELECT reindexed_by FROM t");
    CHECK(n == 0);
    CHECK(redact_database("postgresql://agentd:s3cret@db:5432/agentd?sslmode=require") ==
          "postgresql://agentd@db:5432/agentd?sslmode=require");
    CHECK(redact_database("postgres:///agentd?host=/run/pg&password=s3cret&user=a") ==
          "postgres:///agentd?host=/run/pg&password=***&user=a");
    CHECK(redact_database("/var/lib/agentd/agentd.db") == "/var/lib/agentd/agentd.db");
    // Every password-like parameter, and passwords written with '/' or '@' in them.
    CHECK(redact_database("postgresql://a@h/d?sslpassword=k&password=s3cret") ==
          "postgresql://a@h/d?sslpassword=***&password=***");
    CHECK(redact_database("postgresql://a:pa/ss@h/d") == "postgresql://a@h/d");
    CHECK(redact_database("postgresql://a:p@ss@h/d?PassWord=x") == "postgresql://a@h/d?PassWord=***");
    CHECK(redact_database("postgresql://h/d?host=/run/pg") == "postgresql://h/d?host=/run/pg");
    CHECK(engine_of("postgresql://x") == engine::postgresql);
    CHECK(engine_of("./postgresql.db") == engine::sqlite);

    // A server that is not there: a typed error naming the database, never its password.
    auto down = database::open({.path = "postgresql://agentd:s3cret@127.0.0.1:1/agentd?connect_timeout=2"});
    REQUIRE_FALSE(down.has_value());
    CHECK(down.error().code == errc::unavailable);
    CHECK(down.error().message.find("127.0.0.1") != std::string::npos);
    CHECK(down.error().message.find("s3cret") == std::string::npos);
}

TEST_CASE("statements: ?N and ? placeholders, typed binds and reads, NULL-only parameters, changes") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("e.db")));
    // BLOB is bytea on PostgreSQL: the one column type the two dialects spell differently here.
    const std::string blob = test::on_postgresql() ? "BYTEA" : "BLOB";
    must(db->submit_wait<int>([&](write_txn& t) -> result<int> {
        TRY_STEP(t.exec("CREATE TABLE kv (k TEXT PRIMARY KEY NOT NULL, i BIGINT, d DOUBLE PRECISION, b " + blob + ")", "create kv"));
        return 0;
    }));
    auto wrote = db->submit_wait<std::int64_t>([](write_txn& t) -> result<std::int64_t> {
        for (int n = 0; n < 3; ++n) {
            auto st = t.prepare("kv.put", "INSERT INTO kv (k, i, d, b) VALUES (?, ?, ?, ?)");
            if (!st) return st.error();
            const std::byte raw[] = {std::byte{0}, std::byte{0xff}, std::byte{'\''}};
            st->bind(1, "k" + std::to_string(n)).bind(2, std::int64_t{1} << (40 + n)).bind(3, 0.5 * n);
            if (n == 2) st->bind_null(4);
            else st->bind_blob(4, raw);
            TRY_STEP(st->run());
        }
        auto up = t.prepare("kv.bump", "UPDATE kv SET i = i + ?1 WHERE k <> ?2 AND i > ?1");
        if (!up) return up.error();
        up->bind(1, 1).bind(2, "k0");
        TRY_STEP(up->run());
        return t.conn().changes();
    });
    REQUIRE(wrote.has_value());
    CHECK(*wrote == 2);

    auto rd = must(reader::open(test::database_for(dir.file("e.db"))));
    {
        // ?2 is only ever tested for NULL here: the engine must still find its type.
        auto st = must(rd.prepare("kv.list", "SELECT k, i, d, b, ?2 IS NULL FROM kv WHERE (?1 IS NULL OR k = ?1) "
                                             "AND ?2 IS NULL ORDER BY k"));
        st.bind(1, std::optional<std::string>()).bind(2, std::optional<std::string>());
        std::vector<std::string> keys;
        for (;;) {
            auto more = st.step();
            REQUIRE(more.has_value());
            if (!*more) break;
            keys.push_back(st.column_text(0));
            if (keys.size() == 2) {
                CHECK(st.column_int64(1) == (std::int64_t{1} << 41) + 1);
                CHECK(st.column_double(2) == doctest::Approx(0.5));
                auto blob = st.column_blob(3);
                REQUIRE(blob.size() == 3);
                CHECK(blob[1] == std::byte{0xff});
                CHECK(st.column_int64(4) == 1);  // a boolean reads as 1
            }
            if (keys.size() == 3) CHECK(st.column_is_null(3));
        }
        CHECK(keys == std::vector<std::string>{"k0", "k1", "k2"});
    }
    {
        auto st = must(rd.prepare("kv.list", "SELECT k, i, d, b, ?2 IS NULL FROM kv WHERE (?1 IS NULL OR k = ?1) "
                                             "AND ?2 IS NULL ORDER BY k"));
        st.bind(1, std::string("k1")).bind(2, std::optional<std::string>());
        REQUIRE(st.step().value());
        CHECK(st.column_text(0) == "k1");
        CHECK_FALSE(st.step().value());
    }
    auto other = rd.prepare("kv.list", "SELECT 1");
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().code == errc::internal);
    // A constraint violation is a conflict on both engines.
    auto dup = db->submit_wait<int>([](write_txn& t) -> result<int> {
        auto st = t.prepare("kv.put", "INSERT INTO kv (k, i, d, b) VALUES (?, ?, ?, ?)");
        if (!st) return st.error();
        st->bind(1, "k0");
        TRY_STEP(st->run());
        return 0;
    });
    REQUIRE_FALSE(dup.has_value());
    CHECK(dup.error().code == errc::conflict);
    // The failed job rolled back only itself; the writer goes on.
    CHECK(db->submit_wait<int>([](write_txn& t) -> result<int> {
        TRY_STEP(meta_set(t, "after", "conflict"));
        return 1;
    }).value() == 1);
}

TEST_CASE("venue leases: one holder at a time, epochs rise, fencing refuses a stale holder") {
    test::temp_dir dir;
    auto db = open_db(test::database_for(dir.file("l.db")));
    auto job = [&](auto fn) { return db->submit_wait<decltype(fn(std::declval<write_txn&>()).value())>(fn); };
    using opt = std::optional<std::int64_t>;
    auto a1 = job([](write_txn& t) { return acquire_lease(t, "venue1", "node-a", 30s); });
    REQUIRE(a1.has_value());
    REQUIRE(a1->has_value());
    const std::int64_t ea = **a1;
    CHECK(ea == 1);
    CHECK(job([](write_txn& t) { return acquire_lease(t, "venue1", "node-b", 30s); }).value() == opt{});
    CHECK(job([&](write_txn& t) { return renew_lease(t, "venue1", "node-a", ea, 30s); }).value());
    CHECK(job([&](write_txn& t) -> result<int> {
        TRY_STEP(check_fence(t, "venue1", "node-a", ea));
        return 1;
    }).value() == 1);
    auto stale = job([&](write_txn& t) -> result<int> {
        TRY_STEP(check_fence(t, "venue1", "node-b", ea));
        return 1;
    });
    REQUIRE_FALSE(stale.has_value());
    CHECK(is_fenced(stale.error()));
    CHECK(is_fenced(stale.error().wrap("place r1")));

    // Released, node-b takes it at a higher epoch; node-a can neither renew nor write.
    REQUIRE(job([&](write_txn& t) -> result<int> {
        TRY_STEP(release_lease(t, "venue1", "node-a", ea));
        return 1;
    }).has_value());
    std::optional<std::int64_t> eb;
    REQUIRE(test::wait_until([&] {
        auto r = job([](write_txn& t) { return acquire_lease(t, "venue1", "node-b", 30s); });
        if (r && *r) eb = **r;
        return eb.has_value();
    }, 10s));
    CHECK(*eb > ea);
    CHECK_FALSE(job([&](write_txn& t) { return renew_lease(t, "venue1", "node-a", ea, 30s); }).value());
    auto fenced = job([&](write_txn& t) -> result<int> {
        TRY_STEP(check_fence(t, "venue1", "node-a", ea));
        return 1;
    });
    REQUIRE_FALSE(fenced.has_value());
    CHECK(is_fenced(fenced.error()));

    // An expired lease is free for anyone.
    auto c1 = job([](write_txn& t) { return acquire_lease(t, "venue2", "node-a", 1ms); });
    REQUIRE(c1.has_value());
    REQUIRE(c1->has_value());
    std::optional<std::int64_t> c2;
    REQUIRE(test::wait_until([&] {
        auto r = job([](write_txn& t) { return acquire_lease(t, "venue2", "node-b", 30s); });
        if (r && *r) c2 = **r;
        return c2.has_value();
    }, 10s));
    CHECK(*c2 == **c1 + 1);

    auto rd = must(reader::open(test::database_for(dir.file("l.db"))));
    auto leases = must(list_leases(rd.conn()));
    REQUIRE(leases.size() == 2);
    CHECK(leases[0].client == "venue1");
    CHECK(leases[0].node == "node-b");
    CHECK(leases[0].epoch == *eb);
    CHECK(leases[0].live);
    CHECK(leases[0].expires_at.size() == 24);  // 2026-01-02T03:04:05.678Z
    CHECK(leases[0].expires_at.back() == 'Z');
    CHECK(leases[1].node == "node-b");

    auto bad = job([](write_txn& t) { return acquire_lease(t, "", "node-a", 30s); });
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::invalid_argument);
}

TEST_CASE("two writers on one database (two nodes): feed seqs are unique, gapless and in commit order" *
          doctest::test_suite("postgresql")) {
    test::temp_dir dir;
    const std::string url = test::database_for(dir.file("n.db"));
    auto a = open_db(url);
    auto b = open_db(url);  // PostgreSQL takes no lock file: a second node opens the same database
    CHECK(a->migrations_applied() + b->migrations_applied() == binary_schema_version());
    constexpr int k_each = 200;
    auto append = [](database& db, std::string who) {
        for (int i = 0; i < k_each; ++i) {
            auto r = db.submit_wait<std::int64_t>([&](write_txn& t) {
                return append_feed(t, {0, "2026-01-01T00:00:00.000Z", "test", who, std::to_string(i), "{}"});
            });
            REQUIRE(r.has_value());
        }
    };
    std::thread ta(append, std::ref(*a), "a"), tb(append, std::ref(*b), "b");
    ta.join();
    tb.join();
    auto rd = must(reader::open(url));
    auto rows = must(feed_since(rd.conn(), 0, 10000));
    REQUIRE(rows.size() == 2 * k_each);
    for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].seq == static_cast<std::int64_t>(i + 1));
    CHECK(must(feed_last_seq(rd.conn())) == 2 * k_each);
}

TEST_CASE("PostgreSQL: the schema version is a table; re-opening migrates nothing; a newer schema is refused" *
          doctest::test_suite("postgresql")) {
    test::temp_dir dir;
    const std::string url = test::database_for(dir.file("m.db"));
    {
        auto db = open_db(url);
        CHECK(db->migrations_applied() == binary_schema_version());
    }
    auto db = open_db(url);
    CHECK(db->migrations_applied() == 0);
    auto rd = must(reader::open(url));
    CHECK(rd.schema_version() == binary_schema_version());
    REQUIRE(db->submit_wait<int>([](write_txn& t) -> result<int> {
        TRY_STEP(t.exec("UPDATE schema_version SET version = version + 1", "bump"));
        return 0;
    }).has_value());
    db->close();
    auto newer = database::open({.path = url});
    REQUIRE_FALSE(newer.has_value());
    CHECK(newer.error().code == errc::conflict);
    auto newer_reader = reader::open(url);
    REQUIRE_FALSE(newer_reader.has_value());
    CHECK(newer_reader.error().code == errc::conflict);
}

TEST_CASE("PostgreSQL: a database sorting text by ICU rules is refused at open, though its datcollate is C" *
          doctest::test_suite("postgresql")) {
    const std::string cluster = test::pg_cluster_url();
    REQUIRE_FALSE(cluster.empty());
    auto admin = connection::open(cluster, connection::open_mode::read_write);
    REQUIRE(admin.has_value());
    const std::string name = "agentd_icu_" + std::to_string(::getpid());
    REQUIRE(admin->exec("CREATE DATABASE " + name +
                            " TEMPLATE template0 LOCALE_PROVIDER icu LOCALE 'C' ICU_LOCALE 'en-US' ENCODING 'UTF8'",
                        "create icu database")
                .has_value());
    const auto slash = cluster.find(":///") + 4;
    const std::string url = cluster.substr(0, slash) + name + cluster.substr(cluster.find('?'));
    {
        auto db = database::open({.path = url});
        REQUIRE_FALSE(db.has_value());
        CHECK(db.error().code == errc::config_error);
        CHECK_MESSAGE(db.error().message.find("locale provider is 'i'") != std::string::npos, db.error().message);
    }
    CHECK(admin->exec("DROP DATABASE " + name, "drop icu database").has_value());
}

TEST_CASE("PostgreSQL: a connection lost inside a batch commits nothing of it; the next batch reconnects" *
          doctest::test_suite("postgresql")) {
    test::temp_dir dir;
    const std::string url = test::database_for(dir.file("r.db"));
    auto db = open_db(url);
    // The job loses its own connection half-way and, ignoring that, writes again: the second
    // write must not run in autocommit on a fresh connection.
    auto broken = db->submit_wait<int>([](write_txn& t) -> result<int> {
        TRY_STEP(meta_set(t, "before_break", "1"));
        (void)t.conn().query_int64("SELECT count(*) FROM pg_terminate_backend(pg_backend_pid())", "kill own backend");
        (void)meta_set(t, "after_break", "1");
        return 0;
    });
    REQUIRE_FALSE(broken.has_value());
    CHECK(broken.error().code == errc::unavailable);
    // The next batch reconnects by itself.
    REQUIRE(test::wait_until([&] {
        return db->submit_wait<int>([](write_txn& t) -> result<int> {
            TRY_STEP(meta_set(t, "later", "1"));
            return 0;
        }).has_value();
    }, 10s));
    auto rd = must(reader::open(url));
    CHECK(must(meta_get(rd.conn(), "before_break")) == std::nullopt);
    CHECK(must(meta_get(rd.conn(), "after_break")) == std::nullopt);
    CHECK(must(meta_get(rd.conn(), "later")) == std::optional<std::string>("1"));
    // A reader whose server connection is killed reconnects at its next statement.
    auto pid = must(rd.conn().query_int64("SELECT pg_backend_pid()", "reader pid"));
    auto killer = must(connection::open(url, connection::open_mode::read_write));
    must(killer.query_int64("SELECT count(*) FROM pg_terminate_backend(" + std::to_string(pid) + ")", "kill reader"));
    std::optional<std::string> seen;
    REQUIRE(test::wait_until([&] {
        auto v = meta_get(rd.conn(), "later");
        if (v) seen = *v;
        return v.has_value();
    }, 10s));
    CHECK(seen == std::optional<std::string>("1"));
}

TEST_CASE("PostgreSQL: a writer stuck inside a transaction loses it to the idle timeout; nothing of it commits" *
          doctest::test_suite("postgresql")) {
    test::temp_dir dir;
    // The URL's own setting wins over agentd's 5 s default; 1 s keeps the test short.
    const std::string url = test::database_for(dir.file("i.db")) + "&options=-cidle_in_transaction_session_timeout%3D1000";
    {
        auto plain = must(connection::open(test::database_for(dir.file("i.db")), connection::open_mode::read_only));
        CHECK(must(plain.query_texts("SHOW idle_in_transaction_session_timeout", "show")) == std::vector<std::string>{"5s"});
        auto own = must(connection::open(url, connection::open_mode::read_only));
        CHECK(must(own.query_texts("SHOW idle_in_transaction_session_timeout", "show")) == std::vector<std::string>{"1s"});
    }
    auto db = open_db(url);
    std::promise<void> release;
    std::shared_future<void> opened = release.get_future().share();
    std::atomic<bool> entered{false};
    std::atomic<std::int64_t> backend{0};
    std::optional<result<int>> stuck;
    std::atomic<bool> done{false};
    REQUIRE(db->submit<int>([&](write_txn& t) -> result<int> {
        TRY_STEP(meta_set(t, "paused", "1"));
        auto pid = t.conn().query_int64("SELECT pg_backend_pid()", "writer pid");
        if (!pid) return pid.error();
        backend = *pid;
        entered = true;
        opened.wait();  // a paused process, as the server sees it
        return 0;
    }, [&](result<int> r) {
        stuck.emplace(std::move(r));
        done = true;
    }).has_value());
    REQUIRE(test::wait_until([&] { return entered.load(); }, 10s));
    auto watcher = must(connection::open(url, connection::open_mode::read_only));
    // The server ends the writer's session while it sits idle in its transaction.
    REQUIRE(test::wait_until([&] {
        auto n = watcher.query_int64("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend.load()),
                                     "writer session");
        return n && *n == 0;
    }, 20s));
    release.set_value();
    REQUIRE(test::wait_until([&] { return done.load(); }, 10s));
    REQUIRE_FALSE(stuck->has_value());
    CHECK(stuck->error().code == errc::unavailable);
    REQUIRE(test::wait_until([&] {
        return db->submit_wait<int>([](write_txn& t) -> result<int> {
            TRY_STEP(meta_set(t, "after", "1"));
            return 0;
        }).has_value();
    }, 10s));
    auto rd = must(reader::open(url));
    CHECK(must(meta_get(rd.conn(), "paused")) == std::nullopt);
    CHECK(must(meta_get(rd.conn(), "after")) == std::optional<std::string>("1"));
}
