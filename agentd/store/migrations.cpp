#include "agentd/store/migrations.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/sqlite.hpp"

#include <regex>

namespace agentd::store {

std::span<const migration> embedded_migrations() noexcept {
    return {detail::k_migrations, detail::k_migration_count};
}

int binary_schema_version() noexcept {
    auto all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

std::string postgresql_text(const migration& m) {
    if (!m.postgresql_sql.empty()) return std::string(m.postgresql_sql);
    static const std::regex without_rowid(R"(\)\s*WITHOUT ROWID)");
    static const std::regex integer(R"(\bINTEGER\b)");
    std::string out = std::regex_replace(std::string(m.sql), without_rowid, ")");
    return std::regex_replace(out, integer, "BIGINT");
}

namespace {

// Any constant: the key of the advisory lock migrating nodes queue on.
constexpr const char* k_migrate_lock = "SELECT pg_advisory_xact_lock(7365121845)";

result<int> postgresql_version(connection& c) {
    auto exists = c.query_int64("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                                "AND tablename = 'schema_version'",
                                "find schema_version");
    if (!exists) return exists.error();
    if (*exists == 0) return 0;
    auto v = c.query_int64("SELECT coalesce(max(version), 0) FROM schema_version", "read schema_version");
    if (!v) return v.error();
    return static_cast<int>(*v);
}

error newer(const connection& c, int current, int target) {
    return fail(errc::conflict, "open database " + c.path() + ": schema version " + std::to_string(current) +
                                    " is newer than this agentd supports (" + std::to_string(target) +
                                    "); use a newer agentd or restore a backup");
}

result<int> migrate_postgresql(connection& c) {
    const int target = binary_schema_version();
    if (auto r = c.exec("BEGIN", "begin migrations"); !r) return r.error().wrap("migrate " + c.path());
    auto fail_rollback = [&](error e) -> error {
        if (c.in_transaction()) (void)c.exec("ROLLBACK", "rollback migrations");
        return e;
    };
    if (auto r = c.query_int64(k_migrate_lock, "lock migrations"); !r) return fail_rollback(r.error());
    if (auto r = c.exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", "create schema_version"); !r)
        return fail_rollback(r.error());
    auto current = postgresql_version(c);
    if (!current) return fail_rollback(current.error().wrap("migrate " + c.path()));
    if (*current > target) return fail_rollback(newer(c, *current, target));
    int applied = 0;
    for (const auto& m : embedded_migrations()) {
        if (m.version <= *current) continue;
        if (auto r = c.exec(postgresql_text(m), m.name); !r)
            return fail_rollback(r.error().wrap("apply migration " + std::string(m.name)));
        ++applied;
    }
    if (applied > 0) {
        std::string set = "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" + std::to_string(target) + ")";
        if (auto r = c.exec(set, "set schema_version"); !r) return fail_rollback(r.error());
    }
    if (auto r = c.exec("COMMIT", "commit migrations"); !r) return fail_rollback(r.error().wrap("migrate " + c.path()));
    for (const auto& m : embedded_migrations())
        if (m.version > *current)
            log::info("store", "migrate", "applied migration", {{"migration", m.name}, {"version", m.version}});
    return applied;
}

}  // namespace

result<int> user_version(connection& c) {
    if (c.is_postgresql()) return postgresql_version(c);
    auto v = c.query_int64("PRAGMA user_version", "read user_version");
    if (!v) return v.error();
    return static_cast<int>(*v);
}

result<int> migrate(connection& c) {
    if (c.is_postgresql()) return migrate_postgresql(c);
    auto current = user_version(c);
    if (!current) return current.error().wrap("migrate " + c.path());
    const int target = binary_schema_version();
    if (*current > target)
        return fail(errc::conflict, "open database " + c.path() + ": schema version " + std::to_string(*current) +
                                        " is newer than this agentd supports (" + std::to_string(target) +
                                        "); use a newer agentd or restore a backup");
    int applied = 0;
    for (const auto& m : embedded_migrations()) {
        if (m.version <= *current) continue;
        // The version bump commits with the DDL, so a crash leaves either both or neither.
        std::string sql = "BEGIN IMMEDIATE;\n" + std::string(m.sql) + "\n;PRAGMA user_version = " +
                          std::to_string(m.version) + ";\nCOMMIT;";
        if (auto r = c.exec(sql, m.name); !r) {
            if (c.in_transaction()) (void)c.exec("ROLLBACK", "rollback migration");
            return r.error().wrap("apply migration " + std::string(m.name));
        }
        log::info("store", "migrate", "applied migration", {{"migration", m.name}, {"version", m.version}});
        ++applied;
    }
    return applied;
}

}  // namespace agentd::store
