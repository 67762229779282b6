// store/migrations: the forward-only schema migrations compiled into the binary
// (migrations/NNNN_name.sql) and the runner that brings a database up to date. SQLite: each
// migration runs in its own transaction and sets PRAGMA user_version to its number.
// PostgreSQL: the version is the row of table schema_version; the pending migrations run in
// one transaction under an advisory lock, so nodes starting together migrate once. A
// migration's PostgreSQL text is migrations/postgresql/NNNN_name.sql where the dialects differ,
// else its SQLite text with "WITHOUT ROWID" dropped and INTEGER columns made BIGINT.
// A database newer than the binary is refused. Threading: run on the connection's owning thread.
#pragma once

#include "agentd/core/error.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace agentd::store {

class connection;

struct migration {
    int version;            // NNNN from the file name; 1, 2, 3... without gaps
    std::string_view name;  // file name without ".sql", e.g. "0001_foundation"
    std::string_view sql;
    std::string_view postgresql_sql;  // empty: derived from sql (postgresql_text)
};

// The text a migration runs on PostgreSQL.
std::string postgresql_text(const migration& m);

// All embedded migrations in version order.
std::span<const migration> embedded_migrations() noexcept;
// The schema version this binary writes: the highest migration number.
int binary_schema_version() noexcept;

// Reads PRAGMA user_version (SQLite) or schema_version (PostgreSQL; 0 before the first migration).
result<int> user_version(connection& c);

// Applies every pending migration; returns how many were applied (0 when up to date).
// Refuses with errc::conflict a database whose user_version is newer than
// binary_schema_version(), naming both versions, and changes nothing then.
result<int> migrate(connection& c);

namespace detail {
extern const migration k_migrations[];
extern const std::size_t k_migration_count;
}  // namespace detail

}  // namespace agentd::store
