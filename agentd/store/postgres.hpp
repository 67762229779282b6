// store/postgres: internal to store. The PostgreSQL side of store::connection and
// store::statement (store/sqlite.hpp forwards to these when the connection is PostgreSQL),
// kept free of libpq-fe.h, which stays in postgres.cpp.
// Statements are prepared once per name on the server (PQprepare) and run with PQexecPrepared,
// parameters and results in text format; every row of a result is fetched at the first step().
// A connection lost outside a transaction is re-established at its next use (statements are
// prepared again); one lost inside a transaction fails that transaction and is re-established
// at the next BEGIN, so no statement of a broken transaction ever runs in autocommit.
// Threading: as store::connection: one thread at a time.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store::detail {

struct pg_conn;
struct pg_stmt;

result<pg_conn*> pg_open(const std::string& url, bool read_only);
void pg_close(pg_conn* c) noexcept;
const std::string& pg_display(const pg_conn& c) noexcept;

result<void> pg_exec(pg_conn& c, std::string_view sql, std::string_view name);
// The cached statement called `name` (prepared on the server at its first step); marks it in
// use. Errors as connection::prepare.
result<pg_stmt*> pg_prepare(pg_conn& c, std::string_view name, std::string_view sql);
result<std::int64_t> pg_query_int64(pg_conn& c, std::string_view sql, std::string_view name);
result<std::vector<std::string>> pg_query_texts(pg_conn& c, std::string_view sql, std::string_view name);
std::int64_t pg_changes(const pg_conn& c) noexcept;
bool pg_in_transaction(const pg_conn& c) noexcept;

std::string_view pg_name(const pg_stmt& s) noexcept;
bool* pg_in_use(pg_stmt& s) noexcept;
// kind: 'i' int64, 'd' double, 't' text, 'b' bytea (value already \x-hex), 'n' NULL.
void pg_bind(pg_stmt& s, int index, char kind, std::string value);
result<bool> pg_step(pg_stmt& s);
// Drops the result and the bindings (the handle's end).
void pg_reset(pg_stmt& s) noexcept;
bool pg_is_null(const pg_stmt& s, int col) noexcept;
std::string_view pg_value(const pg_stmt& s, int col) noexcept;
std::vector<std::byte> pg_bytea(const pg_stmt& s, int col);
int pg_column_count(const pg_stmt& s) noexcept;

// "?" and "?N" outside literals, quoted names and comments become "$N" (a bare "?" is one more
// than the highest number so far, as in SQLite); "INDEXED BY <index>", a SQLite planner hint,
// is dropped. `params` receives the highest parameter number.
std::string translate_sql(std::string_view sql, int& params);

}  // namespace agentd::store::detail
