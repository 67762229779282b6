#include "agentd/store/admin.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/reader.hpp"
#include "store_support.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

using namespace agentd;
using namespace agentd::store;
using agentd::store::test_support::open_db;

namespace {

bool contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

// SQL text without comments, with whitespace collapsed and none around punctuation, lowercase.
std::string normalise(std::string_view sql) {
    std::string out;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql.substr(i, 2) == "--") {
            while (i < sql.size() && sql[i] != '\n') ++i;
            out += ' ';
        } else if (sql.substr(i, 2) == "/*") {
            auto end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 1;
            out += ' ';
        } else {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i])));
        }
    }
    std::string squeezed;
    for (char c : out) {
        bool space = std::isspace(static_cast<unsigned char>(c));
        if (space && (squeezed.empty() || squeezed.back() == ' ')) continue;
        squeezed += space ? ' ' : c;
    }
    std::string tight;
    for (std::size_t i = 0; i < squeezed.size(); ++i) {
        char c = squeezed[i];
        if (c == ' ') {
            char prev = tight.empty() ? '(' : tight.back();
            char next = i + 1 < squeezed.size() ? squeezed[i + 1] : ')';
            if (std::string_view("(),;").find(prev) != std::string_view::npos ||
                std::string_view("(),;").find(next) != std::string_view::npos)
                continue;
        }
        tight += c;
    }
    return tight;
}

std::vector<std::string> schema_of(connection& c) {
    auto rows = c.query_texts("SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '') "
                              "FROM sqlite_master ORDER BY type, name",
                              "read schema");
    REQUIRE(rows.has_value());
    std::vector<std::string> out;
    for (auto& r : *rows) out.push_back(normalise(r));
    return out;
}

}  // namespace

TEST_CASE("the embedded migrations are every migrations/NNNN_*.sql, numbered without gaps" * doctest::test_suite("sqlite")) {
    namespace fs = std::filesystem;
    std::vector<std::string> on_disk;
    for (const auto& e : fs::directory_iterator(test::source_dir() + "/migrations"))
        if (e.path().extension() == ".sql") on_disk.push_back(e.path().stem().string());
    std::sort(on_disk.begin(), on_disk.end());
    auto embedded = embedded_migrations();
    REQUIRE(embedded.size() == on_disk.size());
    for (std::size_t i = 0; i < embedded.size(); ++i) {
        CHECK(embedded[i].version == static_cast<int>(i + 1));
        CHECK(embedded[i].name == on_disk[i]);
        CHECK(embedded[i].sql == test::read_file(test::source_dir() + "/migrations/" + on_disk[i] + ".sql"));
    }
    CHECK(binary_schema_version() == static_cast<int>(embedded.size()));
}

TEST_CASE("migrating an empty database yields exactly schema/agentd.sql" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto migrated = connection::open(dir.file("m.db"), connection::open_mode::read_write_create);
    REQUIRE(migrated.has_value());
    auto applied = migrate(*migrated);
    REQUIRE(applied.has_value());
    CHECK(*applied == binary_schema_version());
    CHECK(user_version(*migrated).value() == binary_schema_version());

    const std::string schema_sql = test::read_file(test::source_dir() + "/schema/agentd.sql");
    auto reference = connection::open(dir.file("s.db"), connection::open_mode::read_write_create);
    REQUIRE(reference.has_value());
    REQUIRE(reference->exec(schema_sql, "schema/agentd.sql").has_value());

    auto got = schema_of(*migrated);
    auto want = schema_of(*reference);
    CHECK(got.size() >= 2);
    CHECK(got == want);
    // The file states the version it describes.
    CHECK(contains(schema_sql, "-- user_version: " + std::to_string(binary_schema_version()) + "\n"));
}

TEST_CASE("opening migrates once; re-opening is a no-op" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = dir.file("a.db");
    {
        auto db = open_db(path);
        CHECK(db->migrations_applied() == binary_schema_version());
        auto r = db->submit_wait<int>([](write_txn& t) -> result<int> {
            if (auto m = meta_set(t, "created_by", "test"); !m) return m.error();
            return 0;
        });
        CHECK(r.has_value());
    }
    auto before = reader::open(path);
    REQUIRE(before.has_value());
    auto schema_before = schema_of(before->conn());
    {
        auto db = open_db(path);
        CHECK(db->migrations_applied() == 0);
    }
    auto after = reader::open(path);
    REQUIRE(after.has_value());
    CHECK(after->schema_version() == binary_schema_version());
    CHECK(schema_of(after->conn()) == schema_before);
    auto rows = after->conn().query_int64("SELECT count(*) FROM meta", "count meta");
    CHECK(rows.value() == 1);
}

TEST_CASE("a database from the future is refused by the writer, readers and tools" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = dir.file("future.db");
    const int future = binary_schema_version() + 5;
    {
        auto c = connection::open(path, connection::open_mode::read_write_create);
        REQUIRE(c.has_value());
        REQUIRE(c->exec("CREATE TABLE later(x); PRAGMA user_version = " + std::to_string(future), "make future").has_value());
    }
    database_options o;
    o.path = path;
    auto db = database::open(o);
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code == errc::conflict);
    CHECK(contains(db.error().message, path));
    CHECK(contains(db.error().message, "schema version " + std::to_string(future)));
    CHECK(contains(db.error().message, "(" + std::to_string(binary_schema_version()) + ")"));

    auto r = reader::open(path);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::conflict);
    CHECK_FALSE(stats(path).has_value());

    // Nothing was changed, and the lock was released.
    auto c = connection::open(path, connection::open_mode::read_only);
    CHECK(user_version(*c).value() == future);
    CHECK(c->query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'feed'", "probe").value() == 0);
}

TEST_CASE("each migration runs in its own transaction: a failure leaves nothing behind" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto c = connection::open(dir.file("clash.db"), connection::open_mode::read_write_create);
    REQUIRE(c.has_value());
    // A table in the way makes 0001 fail after its first statement.
    REQUIRE(c->exec("CREATE TABLE feed(x)", "obstacle").has_value());
    auto r = migrate(*c);
    REQUIRE_FALSE(r.has_value());
    CHECK(contains(r.error().message, "0001_foundation"));
    CHECK(contains(r.error().message, "feed"));
    CHECK_FALSE(c->in_transaction());
    CHECK(user_version(*c).value() == 0);
    CHECK(c->query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'meta'", "probe").value() == 0);
}
