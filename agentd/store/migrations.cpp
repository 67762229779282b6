#include "agentd/store/migrations.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/sqlite.hpp"

namespace agentd::store {

std::span<const migration> embedded_migrations() noexcept {
    return {detail::k_migrations, detail::k_migration_count};
}

int binary_schema_version() noexcept {
    auto all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

result<int> user_version(connection& c) {
    auto v = c.query_int64("PRAGMA user_version", "read user_version");
    if (!v) return v.error();
    return static_cast<int>(*v);
}

result<int> migrate(connection& c) {
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
