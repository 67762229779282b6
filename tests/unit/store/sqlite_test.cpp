#include "agentd/store/sqlite.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::store;

namespace {
bool contains(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }
}  // namespace

TEST_CASE("statements bind and read typed values and are prepared once per name" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    auto c = connection::open(dir.file("t.db"), connection::open_mode::read_write_create);
    REQUIRE(c.has_value());
    REQUIRE(c->exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB, o INTEGER)", "create t").has_value());

    const std::vector<std::byte> blob{std::byte{0}, std::byte{1}, std::byte{255}};
    for (int k = 0; k < 3; ++k) {
        auto ins = c->prepare("t.insert", "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
        REQUIRE(ins.has_value());
        std::optional<std::int64_t> o;
        if (k == 1) o = 42;
        ins->bind(1, std::int64_t{1} << 40 | k).bind(2, 2.5).bind(3, std::string("text ") + char('a' + k)).bind_blob(4, blob).bind(5, o);
        REQUIRE(ins->run().has_value());
    }
    CHECK(c->last_insert_rowid() == 3);

    auto sel = c->prepare("t.select", "SELECT i, d, s, b, o FROM t ORDER BY i");
    REQUIRE(sel.has_value());
    std::vector<std::optional<std::int64_t>> os;
    int rows = 0;
    for (;;) {
        auto r = sel->step();
        REQUIRE(r.has_value());
        if (!*r) break;
        CHECK(sel->column_int64(0) == (std::int64_t{1} << 40 | rows));
        CHECK(sel->column_double(1) == doctest::Approx(2.5));
        CHECK(sel->column_text(2) == std::string("text ") + char('a' + rows));
        CHECK(sel->column_blob(3) == blob);
        os.push_back(sel->column_optional_int64(4));
        ++rows;
    }
    CHECK(rows == 3);
    CHECK(os == std::vector<std::optional<std::int64_t>>{std::nullopt, 42, std::nullopt});

    SUBCASE("a name is bound to one SQL text") {
        auto other = c->prepare("t.select", "SELECT 1");
        REQUIRE_FALSE(other.has_value());
        CHECK(other.error().code == errc::internal);
        CHECK(contains(other.error().message, "t.select"));
    }
    SUBCASE("one live handle per name") {
        auto again = c->prepare("t.select", "SELECT i, d, s, b, o FROM t ORDER BY i");
        REQUIRE_FALSE(again.has_value());
        CHECK(contains(again.error().message, "already in use"));
    }
    SUBCASE("errors carry the statement's name and SQLite's message") {
        REQUIRE(c->exec("CREATE UNIQUE INDEX t_i ON t(i)", "index").has_value());
        auto dup = c->prepare("t.insert_dup", "INSERT INTO t(i) VALUES (?1)");
        REQUIRE(dup.has_value());
        dup->bind(1, std::int64_t{1} << 40);
        auto r = dup->run();
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::conflict);
        CHECK(contains(r.error().message, "t.insert_dup"));
        CHECK(contains(r.error().message, "UNIQUE"));
    }
    SUBCASE("a bad bind index is reported by step") {
        auto s = c->prepare("t.one", "SELECT ?1");
        REQUIRE(s.has_value());
        s->bind(7, 1);
        auto r = s->step();
        REQUIRE_FALSE(r.has_value());
        CHECK(contains(r.error().message, "bind parameter 7"));
    }
    SUBCASE("bad SQL fails to prepare with its name") {
        auto s = c->prepare("broken", "SELEKT 1");
        REQUIRE_FALSE(s.has_value());
        CHECK(contains(s.error().message, "broken"));
        CHECK(contains(s.error().message, "syntax error"));
    }
}

TEST_CASE("opening a file that is not a database fails cleanly" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    test::write_file(dir.file("junk.db"), std::string(8192, 'x'));
    auto c = connection::open(dir.file("junk.db"), connection::open_mode::read_write);
    REQUIRE(c.has_value());  // SQLite reads lazily
    auto v = c->query_int64("PRAGMA user_version", "read user_version");
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == errc::corrupt);

    auto missing = connection::open(dir.file("none/x.db"), connection::open_mode::read_only);
    REQUIRE_FALSE(missing.has_value());
    CHECK(contains(missing.error().message, "none/x.db"));
}
