// store/sqlite: thin RAII over one database connection and its named, prepared-once statements.
// A connection is SQLite (a file path) or PostgreSQL (a "postgresql://" URL, store/postgres.cpp);
// callers write SQL once with ?N placeholders, translated to $N for PostgreSQL at prepare.
// The only place SQLite's and libpq's C APIs are wrapped; sqlite3.h and libpq-fe.h stay in
// store .cpp files.
// Threading: a connection and its statements belong to one thread at a time (the writer
// thread, or one reader thread); nothing here locks.
#pragma once

#include "agentd/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace agentd::store {

enum class engine { sqlite, postgresql };

// "postgresql://..." or "postgres://..." selects PostgreSQL; anything else is a SQLite path.
bool is_postgresql_url(std::string_view database) noexcept;
engine engine_of(std::string_view database) noexcept;
// The database named for logs and errors: a PostgreSQL URL without its password.
std::string redact_database(std::string_view database);

namespace detail {
struct pg_conn;
struct pg_stmt;
struct pg_conn_deleter {
    void operator()(pg_conn* c) const noexcept;
};
}  // namespace detail

// A borrowed use of a cached prepared statement. Bind indexes are 1-based and column indexes
// 0-based, as in SQLite. The statement is reset and its bindings cleared when this handle is
// destroyed, so no read transaction outlives the handle. One handle per name may be live at a
// time (a second prepare() of a name in use is an internal error, not a silent reset).
class statement {
public:
    statement(statement&& o) noexcept;
    statement& operator=(statement&&) = delete;
    statement(const statement&) = delete;
    ~statement();

    statement& bind_int64(int index, std::int64_t v);
    statement& bind_double(int index, double v);
    statement& bind_text(int index, std::string_view v);
    statement& bind_blob(int index, std::span<const std::byte> v);
    statement& bind_null(int index);
    // Dispatches on type: integers and bool, floating point, strings, std::optional of those
    // (nullopt binds NULL).
    template <class T>
    statement& bind(int index, const T& v);

    // Advances: true when a row is available, false when done. Errors name the statement and
    // carry SQLite's message (a bind failure is reported here).
    result<bool> step();
    // Steps to completion, for statements that return no rows (INSERT/UPDATE/DELETE/DDL).
    result<void> run();

    std::int64_t column_int64(int col) const;
    double column_double(int col) const;
    std::string column_text(int col) const;
    std::vector<std::byte> column_blob(int col) const;
    bool column_is_null(int col) const;
    std::optional<std::int64_t> column_optional_int64(int col) const;
    std::optional<std::string> column_optional_text(int col) const;
    int column_count() const;

    std::string_view name() const noexcept { return name_; }

private:
    friend class connection;
    statement(sqlite3_stmt* s, sqlite3* db, std::string_view name, bool* in_use)
        : stmt_(s), db_(db), name_(name), in_use_(in_use) {}
    statement(detail::pg_stmt* s, std::string_view name, bool* in_use) : pg_(s), name_(name), in_use_(in_use) {}
    error fail_here(std::string_view what) const;

    detail::pg_stmt* pg_ = nullptr;  // set for a PostgreSQL statement (then stmt_ is null)
    sqlite3_stmt* stmt_ = nullptr;
    sqlite3* db_ = nullptr;
    std::string_view name_;  // points into the owning connection's cache key
    bool* in_use_ = nullptr; // the cache entry's flag, cleared on destruction
    int bind_error_ = 0;
    int bind_error_index_ = 0;
};

class connection {
public:
    enum class open_mode { read_write_create, read_write, read_only };

    // `path` is a SQLite file, or a PostgreSQL URL (read_only then makes every transaction
    // read-only; read_write_create is read_write: the database must exist).
    static result<connection> open(const std::string& path, open_mode mode);
    connection() = default;
    connection(connection&& o) noexcept;
    connection& operator=(connection&& o) noexcept;
    connection(const connection&) = delete;
    ~connection();

    // Runs one or more statements without results (DDL, PRAGMA settings, BEGIN/COMMIT).
    // `name` stands for the SQL in errors.
    result<void> exec(std::string_view sql, std::string_view name);
    // Returns the cached statement called `name`, preparing it on first use. One name is one
    // SQL text for the life of the connection (a different text under the same name is an
    // internal error).
    result<statement> prepare(std::string_view name, std::string_view sql);
    // First column of the first row as an integer (PRAGMA reads, counts); not cached.
    result<std::int64_t> query_int64(std::string_view sql, std::string_view name);
    // All rows of the first column as text; not cached.
    result<std::vector<std::string>> query_texts(std::string_view sql, std::string_view name);

    // SQLite only (0 on PostgreSQL): portable SQL uses RETURNING instead.
    std::int64_t last_insert_rowid() const noexcept;
    // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
    std::int64_t changes() const noexcept;
    bool in_transaction() const noexcept;
    bool is_open() const noexcept { return db_ != nullptr || pg_ != nullptr; }
    bool is_postgresql() const noexcept { return pg_ != nullptr; }
    // The file path, or the URL without its password.
    const std::string& path() const noexcept { return path_; }
    void close() noexcept;

private:
    struct stmt_deleter {
        void operator()(sqlite3_stmt* s) const noexcept;
    };
    error fail_here(std::string_view name, int rc) const;

    sqlite3* db_ = nullptr;
    std::unique_ptr<detail::pg_conn, detail::pg_conn_deleter> pg_;
    std::string path_;
    struct cached {
        std::unique_ptr<sqlite3_stmt, stmt_deleter> stmt;
        std::unique_ptr<bool> in_use = std::make_unique<bool>(false);
    };
    std::map<std::string, cached, std::less<>> cache_;
};

template <class T>
statement& statement::bind(int index, const T& v) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
        return bind_null(index);
    } else if constexpr (requires { typename T::value_type; v.has_value(); *v; }) {
        if (!v.has_value()) return bind_null(index);
        return bind(index, *v);
    } else if constexpr (std::is_integral_v<T>) {
        return bind_int64(index, static_cast<std::int64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
        return bind_double(index, static_cast<double>(v));
    } else {
        return bind_text(index, std::string_view(v));
    }
}

}  // namespace agentd::store
