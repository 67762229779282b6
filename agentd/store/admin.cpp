#include "agentd/store/admin.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/reader.hpp"

#include <sys/stat.h>

namespace agentd::store {
namespace {

std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::string quote_ident(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Fills s.tables with each table that list_sql names and its row count.
result<void> count_tables(connection& c, const char* list_sql, db_stats& s) {
    auto names = c.query_texts(list_sql, "list tables");
    if (!names) return names.error().wrap("database stats");
    for (const auto& n : *names) {
        auto count = c.query_int64("SELECT count(*) FROM " + quote_ident(n), "count rows");
        if (!count) return count.error().wrap("database stats: table " + n);
        s.tables.emplace_back(n, *count);
    }
    return {};
}

}  // namespace

result<db_stats> stats(const std::string& path) {
    auto r = reader::open(path);
    if (!r) return r.error().wrap("database stats");
    auto& c = r->conn();
    db_stats s;
    s.user_version = r->schema_version();
    s.binary_version = binary_schema_version();
    if (c.is_postgresql()) {
        // No pages or files of our own: the database's size stands for the file's.
        auto size = c.query_int64("SELECT pg_database_size(current_database())", "database size");
        if (!size) return size.error().wrap("database stats");
        s.file_bytes = static_cast<std::uint64_t>(*size);
        if (auto t = count_tables(c,
                                  "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                                  "ORDER BY tablename",
                                  s);
            !t)
            return t.error();
        return s;
    }
    auto ps = c.query_int64("PRAGMA page_size", "page_size");
    auto pc = c.query_int64("PRAGMA page_count", "page_count");
    auto fl = c.query_int64("PRAGMA freelist_count", "freelist_count");
    if (!ps || !pc || !fl) return (!ps ? ps.error() : !pc ? pc.error() : fl.error()).wrap("database stats");
    s.page_size = *ps;
    s.page_count = *pc;
    s.freelist_count = *fl;
    s.file_bytes = file_size(path);
    s.wal_bytes = file_size(path + "-wal");
    if (auto t = count_tables(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                              s);
        !t)
        return t.error();
    return s;
}

result<integrity_report> integrity_check(const std::string& path) {
    auto r = reader::open(path);
    if (!r) return r.error().wrap("database check");
    auto& c = r->conn();
    integrity_report rep;
    if (c.is_postgresql()) {
        // The server checks its own pages and constraints; what is left to check here is
        // the schema version (reader::open refused a newer one).
        rep.ok = true;
        return rep;
    }
    auto lines = c.query_texts("PRAGMA integrity_check", "integrity_check");
    if (!lines) return lines.error().wrap("database check");
    for (auto& l : *lines)
        if (l != "ok") rep.problems.push_back(std::move(l));
    auto fk = c.query_texts("SELECT \"table\" || ' rowid ' || coalesce(rowid, 'NULL') || ' references missing ' || parent "
                            "FROM pragma_foreign_key_check",
                            "foreign_key_check");
    if (!fk) return fk.error().wrap("database check");
    for (auto& l : *fk) rep.problems.push_back("foreign key: " + l);
    rep.ok = rep.problems.empty();
    return rep;
}

}  // namespace agentd::store
